#include "fs/gofer_fs_cache.h"

namespace runsc::fs {

GoferFsCache::Stamp GoferFsCache::Now() const {
  absl::MutexLock lock(&mu_);
  return Stamp{.changes = changes_, .open_events = open_events_};
}

void GoferFsCache::Invalidate() {
  absl::MutexLock lock(&mu_);
  ++changes_;
}

bool GoferFsCache::CurrentLocked(const InodeKey& inode, const Stamp& stamp) const {
  if (stamp.changes != changes_ || never_.contains(inode)) return false;
  auto last = last_open_event_.find(inode);
  return last == last_open_event_.end() || last->second <= stamp.open_events;
}

bool GoferFsCache::MayKeep(const InodeKey& inode, const Stamp& stamp) const {
  absl::MutexLock lock(&mu_);
  return CurrentLocked(inode, stamp) && !open_.contains(inode);
}

bool GoferFsCache::Current(const InodeKey& inode, const Stamp& stamp) const {
  absl::MutexLock lock(&mu_);
  return CurrentLocked(inode, stamp);
}

bool GoferFsCache::Unchanged(const Stamp& stamp) const {
  absl::MutexLock lock(&mu_);
  return stamp.changes == changes_;
}

int GoferFsCache::OpenCount(const InodeKey& inode) const {
  absl::MutexLock lock(&mu_);
  auto it = open_.find(inode);
  return it == open_.end() ? 0 : it->second;
}

void GoferFsCache::OpenEventLocked(const InodeKey& inode) {
  last_open_event_[inode] = ++open_events_;
}

GoferFsCache::OpenFile::OpenFile(std::shared_ptr<GoferFsCache> cache, const InodeKey& inode)
    : cache_(std::move(cache)), inode_(inode) {
  absl::MutexLock lock(&cache_->mu_);
  ++cache_->open_[inode_];
  // A stat of the inode taken before this open and kept after it would miss
  // what the fd does (writes, and reads, which move atime).
  cache_->OpenEventLocked(inode_);
}

GoferFsCache::OpenFile::~OpenFile() {
  absl::MutexLock lock(&cache_->mu_);
  if (--cache_->open_[inode_] == 0) cache_->open_.erase(inode_);
  // A stat taken while the fd was open may predate its last write.
  cache_->OpenEventLocked(inode_);
}

void GoferFsCache::OpenFile::MayBeMappedWritable() {
  absl::MutexLock lock(&cache_->mu_);
  cache_->never_.insert(inode_);
}

bool GoferFsCache::TakeKeptFdSlot() {
  absl::MutexLock lock(&mu_);
  if (kept_fds_left_ == 0) return false;
  --kept_fds_left_;
  return true;
}

void GoferFsCache::ReturnKeptFdSlot() {
  absl::MutexLock lock(&mu_);
  ++kept_fds_left_;
}

}  // namespace runsc::fs
