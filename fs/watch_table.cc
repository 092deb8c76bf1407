#include "fs/watch_table.h"

#include <sys/inotify.h>

#include <algorithm>

#include "base/errno_status.h"
#include "fs/inotify_file.h"

namespace runsc::fs {
namespace {

// What a watch keeps of inotify_add_watch's mask: the events and the two
// flags that change delivery. IN_DONT_FOLLOW, IN_ONLYDIR, IN_MASK_ADD and
// IN_MASK_CREATE only steer the call.
constexpr uint32_t kKeptBits = IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK;

}  // namespace

WatchTable& WatchTable::Sentry() {
  static WatchTable* const table = new WatchTable();
  return *table;
}

absl::Status WatchTable::AddInstance(uid_t uid) {
  absl::MutexLock lock(&mu_);
  int& n = instances_per_uid_[uid];
  if (n >= max_user_instances_) {
    return ErrnoError(EMFILE, "max_user_instances inotify instances for this user");
  }
  ++n;
  return absl::OkStatus();
}

void WatchTable::RemoveInstance(uid_t uid) {
  absl::MutexLock lock(&mu_);
  auto it = instances_per_uid_.find(uid);
  if (it != instances_per_uid_.end() && --it->second <= 0) instances_per_uid_.erase(it);
}

absl::StatusOr<int> WatchTable::AddWatch(const std::shared_ptr<InotifyFile>& owner, uid_t uid,
                                         std::shared_ptr<Node> node, const struct stat& st,
                                         uint32_t mask) {
  const NodeIdentity id = node->Identity();
  const uint32_t kept = mask & kKeptBits;
  absl::MutexLock lock(&mu_);
  std::vector<Watch>& watches = by_node_[id];
  auto it = std::find_if(watches.begin(), watches.end(),
                         [&](const Watch& w) { return w.owner_key == owner.get(); });
  if (it != watches.end()) {
    if (mask & IN_MASK_CREATE) return ErrnoError(EEXIST, "IN_MASK_CREATE of a watched file");
    it->mask = (mask & IN_MASK_ADD) ? (it->mask | kept) : kept;
    return it->wd;
  }
  int& used = watches_per_uid_[uid];
  if (used >= max_user_watches_) {
    if (watches.empty()) by_node_.erase(id);
    return ErrnoError(ENOSPC, "max_user_watches inotify watches for this user");
  }
  Owner& o = owners_.try_emplace(owner.get(), Owner{.uid = uid}).first->second;
  const int wd = o.next_wd++;
  o.watched[wd] = id;
  ++used;
  watches.push_back({.owner = owner,
                     .owner_key = owner.get(),
                     .wd = wd,
                     .mask = kept,
                     .node = std::move(node),
                     .ino = static_cast<uint64_t>(st.st_ino),
                     .dev = static_cast<uint64_t>(st.st_dev)});
  watch_count_.fetch_add(1, std::memory_order_release);
  return wd;
}

void WatchTable::EraseLocked(const NodeIdentity& id, const InotifyFile* owner_key,
                             std::vector<std::shared_ptr<Node>>& released) {
  auto node_it = by_node_.find(id);
  if (node_it == by_node_.end()) return;
  std::vector<Watch>& watches = node_it->second;
  auto it = std::find_if(watches.begin(), watches.end(),
                         [&](const Watch& w) { return w.owner_key == owner_key; });
  if (it == watches.end()) return;
  if (auto o = owners_.find(owner_key); o != owners_.end()) {
    o->second.watched.erase(it->wd);
    if (auto u = watches_per_uid_.find(o->second.uid); u != watches_per_uid_.end()) {
      if (--u->second <= 0) watches_per_uid_.erase(u);
    }
  }
  released.push_back(std::move(it->node));
  watches.erase(it);
  if (watches.empty()) by_node_.erase(node_it);
  watch_count_.fetch_sub(1, std::memory_order_release);
}

absl::Status WatchTable::RemoveWatch(const InotifyFile* owner, int wd) {
  std::vector<std::shared_ptr<Node>> released;  // Destroyed after mu_.
  absl::MutexLock lock(&mu_);
  auto o = owners_.find(owner);
  if (o == owners_.end()) return ErrnoError(EINVAL, "no such watch descriptor");
  auto w = o->second.watched.find(wd);
  if (w == o->second.watched.end()) return ErrnoError(EINVAL, "no such watch descriptor");
  const NodeIdentity id = w->second;
  EraseLocked(id, owner, released);
  return absl::OkStatus();
}

void WatchTable::RemoveAllOf(const InotifyFile* owner) {
  std::vector<std::shared_ptr<Node>> released;
  absl::MutexLock lock(&mu_);
  auto o = owners_.find(owner);
  if (o == owners_.end()) return;
  std::vector<NodeIdentity> ids;
  for (const auto& [wd, id] : o->second.watched) ids.push_back(id);
  for (const NodeIdentity& id : ids) EraseLocked(id, owner, released);
  owners_.erase(owner);
}

void WatchTable::Deliver(const std::vector<Delivery>& deliveries, uint32_t cookie,
                         std::string_view name) {
  for (const Delivery& d : deliveries) {
    if (d.mask != 0) d.to->Enqueue(d.wd, d.mask, cookie, name);
    if (d.ignored_after) d.to->Enqueue(d.wd, IN_IGNORED, 0, "");
  }
}

void WatchTable::Notify(const NodeIdentity& id, uint32_t event, uint32_t cookie,
                        std::string_view name, bool unlinked) {
  if (Empty()) return;
  // Linux never reported IN_ISDIR with these two, and inotify keeps it so.
  if (event & (IN_DELETE_SELF | IN_MOVE_SELF)) event &= ~IN_ISDIR;
  std::vector<Delivery> deliveries;
  std::vector<std::shared_ptr<Node>> released;
  {
    absl::MutexLock lock(&mu_);
    auto node_it = by_node_.find(id);
    if (node_it == by_node_.end()) return;
    std::vector<const InotifyFile*> oneshots;
    for (const Watch& w : node_it->second) {
      if ((w.mask & event & IN_ALL_EVENTS) == 0) continue;
      if (unlinked && (w.mask & IN_EXCL_UNLINK)) continue;
      std::shared_ptr<InotifyFile> to = w.owner.lock();
      if (to == nullptr) continue;  // Being destroyed; its RemoveAllOf is coming.
      const bool oneshot = (w.mask & IN_ONESHOT) != 0;
      deliveries.push_back({std::move(to), w.wd, event, oneshot});
      if (oneshot) oneshots.push_back(w.owner_key);
    }
    for (const InotifyFile* owner : oneshots) EraseLocked(id, owner, released);
  }
  Deliver(deliveries, cookie, name);
}

void WatchTable::NotifyDeleted(const NodeIdentity& id) {
  if (Empty()) return;
  std::vector<Delivery> deliveries;
  std::vector<std::shared_ptr<Node>> released;
  {
    absl::MutexLock lock(&mu_);
    auto node_it = by_node_.find(id);
    if (node_it == by_node_.end()) return;
    std::vector<const InotifyFile*> owners;
    for (const Watch& w : node_it->second) {
      owners.push_back(w.owner_key);
      std::shared_ptr<InotifyFile> to = w.owner.lock();
      if (to == nullptr) continue;
      deliveries.push_back(
          {std::move(to), w.wd, (w.mask & IN_DELETE_SELF) ? uint32_t{IN_DELETE_SELF} : 0u, true});
    }
    for (const InotifyFile* owner : owners) EraseLocked(id, owner, released);
  }
  Deliver(deliveries, 0, "");
}

bool WatchTable::Watched(const NodeIdentity& id) {
  if (Empty()) return false;
  absl::MutexLock lock(&mu_);
  return by_node_.contains(id);
}

std::vector<WatchTable::WatchInfo> WatchTable::WatchesOf(const InotifyFile* owner) {
  std::vector<WatchInfo> out;
  absl::MutexLock lock(&mu_);
  auto o = owners_.find(owner);
  if (o == owners_.end()) return out;
  for (const auto& [wd, id] : o->second.watched) {
    auto node_it = by_node_.find(id);
    if (node_it == by_node_.end()) continue;
    for (const Watch& w : node_it->second) {
      if (w.owner_key == owner) out.push_back({w.wd, w.mask, w.ino, w.dev});
    }
  }
  return out;
}

}  // namespace runsc::fs
