#include "fs/epoll_file.h"

#include <fcntl.h>

#include <algorithm>

#include "absl/strings/str_format.h"
#include "fs/anon_inode.h"

namespace runsc::fs {
namespace {

// Linux's EP_MAX_NESTS: how deep epolls may watch epolls.
constexpr int kMaxNesting = 4;
// Polling an epoll fd polls what it watches: this bounds the recursion.
thread_local int poll_depth = 0;

// The events an interest can report: what it asked for, and always
// EPOLLERR and EPOLLHUP. (EPOLLET and its kind are not events.)
constexpr uint32_t kFlagBits = EPOLLET | EPOLLONESHOT | EPOLLEXCLUSIVE | EPOLLWAKEUP;

}  // namespace

EpollFile::EpollFile(sentry::Kernel& kernel) : File(O_RDWR), kernel_(kernel) {
  set_path("anon_inode:[eventpoll]");
}

EpollFile::~EpollFile() = default;

void EpollFile::PurgeLocked() {
  const size_t before = interests_.size();
  interests_.erase(std::remove_if(interests_.begin(), interests_.end(),
                                  [](const Interest& in) { return in.file.expired(); }),
                   interests_.end());
  if (interests_.size() != before) scan_start_ = 0;
}

EpollFile::Interest* EpollFile::FindLocked(int fd, const File* key) {
  for (Interest& in : interests_) {
    if (in.fd == fd && in.key == key) return &in;
  }
  return nullptr;
}

bool EpollFile::WatchesLocked(const EpollFile* target, int depth) {
  if (depth <= 0) return true;  // Too deep counts as a loop, as ELOOP.
  for (Interest& in : interests_) {
    if (in.key == target) return true;
    std::shared_ptr<File> f = in.file.lock();
    auto* nested = dynamic_cast<EpollFile*>(f.get());
    const bool found = nested != nullptr && nested->WatchesLocked(target, depth - 1);
    if (f.use_count() == 1) deferred_release_.push_back(std::move(f));
    if (found) return true;
  }
  return false;
}

absl::Status EpollFile::Add(int fd, const std::shared_ptr<File>& file, uint32_t events,
                            uint64_t data) {
  {
    absl::MutexLock lock(&kernel_.mu);
    PurgeLocked();
    if (FindLocked(fd, file.get()) != nullptr) return ErrnoError(EEXIST, "already watched");
    if (auto* nested = dynamic_cast<EpollFile*>(file.get());
        nested != nullptr && nested->WatchesLocked(this, kMaxNesting)) {
      return ErrnoError(ELOOP, "epoll loop or nesting too deep");
    }
    interests_.push_back(Interest{fd, file, file.get(), events, data});
    kernel_.cv.SignalAll();  // A waiter may have something to report now.
  }
  ReleaseDeferred();
  return absl::OkStatus();
}

absl::Status EpollFile::Modify(int fd, const std::shared_ptr<File>& file, uint32_t events,
                               uint64_t data) {
  absl::MutexLock lock(&kernel_.mu);
  PurgeLocked();
  Interest* in = FindLocked(fd, file.get());
  if (in == nullptr) return ErrnoError(ENOENT, "not watched");
  if ((events & EPOLLEXCLUSIVE) || (in->events & EPOLLEXCLUSIVE)) {
    return ErrnoError(EINVAL, "EPOLLEXCLUSIVE cannot be modified");
  }
  // As Linux: a MOD re-arms a oneshot interest and counts as a new edge.
  *in = Interest{fd, file, file.get(), events, data};
  kernel_.cv.SignalAll();
  return absl::OkStatus();
}

absl::Status EpollFile::Remove(int fd, const std::shared_ptr<File>& file) {
  absl::MutexLock lock(&kernel_.mu);
  PurgeLocked();
  Interest* in = FindLocked(fd, file.get());
  if (in == nullptr) return ErrnoError(ENOENT, "not watched");
  interests_.erase(interests_.begin() + (in - interests_.data()));
  scan_start_ = 0;
  return absl::OkStatus();
}

void EpollFile::PinInto(WaitSet& set, int depth) {
  std::vector<std::shared_ptr<File>> files;
  {
    absl::MutexLock lock(&kernel_.mu);
    PurgeLocked();
    for (Interest& in : interests_) {
      if (std::shared_ptr<File> f = in.file.lock()) {
        files.push_back(std::move(f));
        const uint32_t ev = (in.events & ~kFlagBits) | EPOLLERR | EPOLLHUP;
        if (int host_fd = files.back()->PollHostFd(); host_fd >= 0) {
          set.host_fds.push_back({host_fd, static_cast<short>(ev), 0});
        } else if (dynamic_cast<EpollFile*>(files.back().get()) == nullptr) {
          set.any_sentry_file = true;
        }
      }
    }
  }
  for (std::shared_ptr<File>& f : files) {
    if (auto* nested = dynamic_cast<EpollFile*>(f.get()); nested != nullptr && depth > 0) {
      nested->PinInto(set, depth - 1);
    }
    set.files.push_back(std::move(f));
  }
}

EpollFile::WaitSet EpollFile::Pin() {
  WaitSet set;
  PinInto(set, kMaxNesting);
  return set;
}

uint32_t EpollFile::ReadyLocked(sentry::Task& task, Interest& in) {
  if (in.disabled) return 0;
  std::shared_ptr<File> f = in.file.lock();
  if (f == nullptr) return 0;
  const uint32_t wanted = (in.events & ~kFlagBits) | EPOLLERR | EPOLLHUP;
  // poll's events are epoll's low 16 bits.
  const uint32_t ready =
      static_cast<uint16_t>(f->PollLocked(task, static_cast<short>(wanted))) & wanted;
  if (ready == 0) {
    in.reported_mask = 0;  // Becoming ready again is an edge.
  } else if (in.events & EPOLLET) {
    const uint64_t seq = f->EventSeqLocked();
    if (seq == in.reported_seq && (ready & ~in.reported_mask) == 0 && in.reported_mask != 0) {
      if (f.use_count() == 1) deferred_release_.push_back(std::move(f));
      return 0;  // Nothing new since the last report.
    }
  }
  if (f.use_count() == 1) deferred_release_.push_back(std::move(f));
  return ready;
}

int EpollFile::CollectLocked(sentry::Task& task, std::vector<struct epoll_event>& out, int max) {
  const size_t n = interests_.size();
  size_t last = 0;
  bool any = false;
  for (size_t k = 0; k < n && static_cast<int>(out.size()) < max; ++k) {
    const size_t i = (scan_start_ + k) % n;
    Interest& in = interests_[i];
    const uint32_t ready = ReadyLocked(task, in);
    if (ready == 0) continue;
    if (in.events & EPOLLET) {
      std::shared_ptr<File> f = in.file.lock();
      in.reported_seq = f != nullptr ? f->EventSeqLocked() : 0;
      in.reported_mask = ready;
      if (f.use_count() == 1) deferred_release_.push_back(std::move(f));
    }
    if (in.events & EPOLLONESHOT) in.disabled = true;
    struct epoll_event ev;
    ev.events = ready;
    ev.data.u64 = in.data;
    out.push_back(ev);
    last = i;
    any = true;
  }
  // Level-triggered files still ready go to the back of the line.
  if (any && n > 0) scan_start_ = (last + 1) % n;
  return static_cast<int>(out.size());
}

short EpollFile::PollLocked(sentry::Task& task, short events) {
  if (poll_depth > kMaxNesting) return 0;
  ++poll_depth;
  short ready = 0;
  for (Interest& in : interests_) {
    // ReadyLocked may change an edge's bookkeeping only for a file that is
    // not ready, which a wait would have done as well.
    Interest probe = in;
    if (ReadyLocked(task, probe) != 0) {
      ready = POLLIN | POLLRDNORM;
      break;
    }
  }
  --poll_depth;
  return ready & events;
}

absl::StatusOr<struct stat> EpollFile::Stat() { return AnonymousInodeStat(this); }

std::string EpollFile::FdInfoLocked() const {
  std::string out;
  for (const Interest& in : interests_) {
    if (in.file.expired()) continue;
    absl::StrAppendFormat(&out, "tfd: %8d events: %8x data: %16x  pos:0 ino:0 sdev:0\n", in.fd,
                          in.events, in.data);
  }
  return out;
}

void EpollFile::ReleaseDeferred() {
  std::vector<std::shared_ptr<File>> release;
  {
    absl::MutexLock lock(&kernel_.mu);
    release.swap(deferred_release_);
  }
  // Destructors (a pipe end's close) run here, without kernel().mu.
}

size_t EpollFile::InterestCountForTest() {
  absl::MutexLock lock(&kernel_.mu);
  PurgeLocked();
  return interests_.size();
}

}  // namespace runsc::fs
