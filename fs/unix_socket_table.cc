#include "fs/unix_socket_table.h"

#include <errno.h>

#include "absl/strings/str_format.h"
#include "base/errno_status.h"

namespace runsc::fs {

absl::Status UnixSocketTable::BindAbstract(int type, const std::string& name,
                                           std::weak_ptr<UnixSocket> socket) {
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = abstract_.try_emplace({type, name});
  if (!inserted && !it->second.socket.expired()) {
    return ErrnoError(EADDRINUSE, "abstract unix socket name is in use");
  }
  it->second.raw = socket.lock().get();
  it->second.socket = std::move(socket);
  return absl::OkStatus();
}

absl::StatusOr<std::string> UnixSocketTable::BindAutomatic(int type,
                                                           std::weak_ptr<UnixSocket> socket) {
  constexpr uint32_t kNames = 1u << 20;  // Five hex digits, as Linux.
  absl::MutexLock lock(&mu_);
  for (uint32_t tries = 0; tries < kNames; ++tries) {
    std::string name = absl::StrFormat("%05x", next_auto_);
    next_auto_ = (next_auto_ + 1) % kNames;
    auto [it, inserted] = abstract_.try_emplace({type, name});
    if (inserted || it->second.socket.expired()) {
      it->second.raw = socket.lock().get();
      it->second.socket = std::move(socket);
      return name;
    }
  }
  return ErrnoError(ENOSPC, "every automatic unix socket name is in use");
}

void UnixSocketTable::BindInode(InodeKey key, std::weak_ptr<UnixSocket> socket) {
  absl::MutexLock lock(&mu_);
  Entry& e = inodes_[key];
  e.raw = socket.lock().get();
  e.socket = std::move(socket);
}

void UnixSocketTable::UnbindAbstract(int type, const std::string& name, const UnixSocket* socket) {
  absl::MutexLock lock(&mu_);
  auto it = abstract_.find({type, name});
  if (it != abstract_.end() && it->second.raw == socket) abstract_.erase(it);
}

void UnixSocketTable::UnbindInode(InodeKey key, const UnixSocket* socket) {
  absl::MutexLock lock(&mu_);
  auto it = inodes_.find(key);
  if (it != inodes_.end() && it->second.raw == socket) inodes_.erase(it);
}

std::shared_ptr<UnixSocket> UnixSocketTable::FindAbstract(int type, const std::string& name) {
  absl::MutexLock lock(&mu_);
  auto it = abstract_.find({type, name});
  return it == abstract_.end() ? nullptr : it->second.socket.lock();
}

std::shared_ptr<UnixSocket> UnixSocketTable::FindInode(InodeKey key) {
  absl::MutexLock lock(&mu_);
  auto it = inodes_.find(key);
  return it == inodes_.end() ? nullptr : it->second.socket.lock();
}

size_t UnixSocketTable::SizeForTest() {
  absl::MutexLock lock(&mu_);
  return abstract_.size() + inodes_.size();
}

}  // namespace runsc::fs
