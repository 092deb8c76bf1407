#include "fs/gofer_fs_cache.h"

namespace runsc::fs {

GoferFsCache::Generation GoferFsCache::Stamp() const {
  absl::MutexLock lock(&mu_);
  return generation_;
}

void GoferFsCache::Invalidate() {
  absl::MutexLock lock(&mu_);
  ++generation_;
}

bool GoferFsCache::MayKeep(const InodeKey& inode, Generation stamp) const {
  absl::MutexLock lock(&mu_);
  return stamp == generation_ && !open_.contains(inode) && !never_.contains(inode);
}

int GoferFsCache::OpenCount(const InodeKey& inode) const {
  absl::MutexLock lock(&mu_);
  auto it = open_.find(inode);
  return it == open_.end() ? 0 : it->second;
}

GoferFsCache::OpenFile::OpenFile(std::shared_ptr<GoferFsCache> cache, const InodeKey& inode)
    : cache_(std::move(cache)), inode_(inode) {
  absl::MutexLock lock(&cache_->mu_);
  ++cache_->open_[inode_];
  // A stat taken before this open and kept after it would miss the writes.
  ++cache_->generation_;
}

GoferFsCache::OpenFile::~OpenFile() {
  absl::MutexLock lock(&cache_->mu_);
  if (--cache_->open_[inode_] == 0) cache_->open_.erase(inode_);
  // A stat taken while the fd was open may predate its last write.
  ++cache_->generation_;
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
