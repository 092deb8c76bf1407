#include "fs/inotify_file.h"

#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>

#include <cstring>

#include "absl/strings/str_format.h"
#include "fs/anon_inode.h"

namespace runsc::fs {

uint32_t InotifyFile::Event::PaddedNameLength() const {
  if (name.empty()) return 0;
  // Linux's round_event_name_len: the name and its NUL, rounded up.
  return static_cast<uint32_t>((name.size() + 1 + sizeof(inotify_event) - 1) /
                               sizeof(inotify_event) * sizeof(inotify_event));
}

size_t InotifyFile::Event::RecordSize() const { return sizeof(inotify_event) + PaddedNameLength(); }

absl::StatusOr<std::shared_ptr<InotifyFile>> InotifyFile::Create(sentry::Kernel& kernel,
                                                                 WatchTable& table, uid_t uid,
                                                                 bool nonblock) {
  if (absl::Status s = table.AddInstance(uid); !s.ok()) return s;
  return std::shared_ptr<InotifyFile>(new InotifyFile(kernel, table, uid, nonblock));
}

InotifyFile::InotifyFile(sentry::Kernel& kernel, WatchTable& table, uid_t uid, bool nonblock)
    : File(O_RDONLY | (nonblock ? O_NONBLOCK : 0)), kernel_(kernel), table_(table), uid_(uid) {
  set_path("anon_inode:inotify");
}

InotifyFile::~InotifyFile() {
  table_.RemoveAllOf(this);
  table_.RemoveInstance(uid_);
}

absl::StatusOr<int> InotifyFile::AddWatch(std::shared_ptr<Node> node, const struct stat& st,
                                          uint32_t mask) {
  return table_.AddWatch(shared_from_this(), uid_, std::move(node), st, mask);
}

absl::Status InotifyFile::RemoveWatch(int wd) {
  if (absl::Status s = table_.RemoveWatch(this, wd); !s.ok()) return s;
  Enqueue(wd, IN_IGNORED, 0, "");
  return absl::OkStatus();
}

void InotifyFile::Enqueue(int wd, uint32_t mask, uint32_t cookie, std::string_view name) {
  absl::MutexLock lock(&kernel_.mu);
  Event event{wd, mask, cookie, std::string(name)};
  if (queue_.size() >= kMaxQueuedEvents) {
    // As Linux's fsnotify_insert_event: the overflow event goes past the
    // limit, once, until it is read.
    if (overflow_queued_) return;
    overflow_queued_ = true;
    event = Event{-1, IN_Q_OVERFLOW, 0, ""};
  } else if (!queue_.empty() && queue_.back() == event) {
    return;  // inotify_merge: the same as the last unread event.
  }
  queue_.push_back(std::move(event));
  ++seq_;
  kernel_.cv.SignalAll();
}

absl::StatusOr<size_t> InotifyFile::Read(sentry::Task& task, absl::Span<uint8_t> buf) {
  absl::MutexLock lock(&kernel_.mu);
  while (queue_.empty()) {
    if (flags() & O_NONBLOCK) return ErrnoError(EAGAIN, "no inotify events queued");
    if (task.InterruptedLocked()) return ErrnoError(512 /*ERESTARTSYS*/, "interrupted");
    sentry::Task::SleepingScope sleeping(task);
    kernel_.cv.Wait(&kernel_.mu);
  }
  size_t used = 0;
  while (!queue_.empty()) {
    const Event& e = queue_.front();
    const size_t size = e.RecordSize();
    if (size > buf.size() - used) {
      if (used == 0) return ErrnoError(EINVAL, "buffer too small for the next inotify event");
      break;
    }
    inotify_event header{};
    header.wd = e.wd;
    header.mask = e.mask;
    header.cookie = e.cookie;
    header.len = e.PaddedNameLength();
    std::memcpy(buf.data() + used, &header, sizeof(header));
    std::memset(buf.data() + used + sizeof(header), 0, header.len);
    std::memcpy(buf.data() + used + sizeof(header), e.name.data(), e.name.size());
    used += size;
    if (e.mask == IN_Q_OVERFLOW && e.wd == -1) overflow_queued_ = false;
    queue_.pop_front();
  }
  return used;
}

absl::StatusOr<int64_t> InotifyFile::Ioctl(sentry::Task& task, uint64_t cmd, uint64_t arg) {
  if (cmd != FIONREAD) return ErrnoError(ENOTTY, "inotify knows only FIONREAD");
  int32_t bytes = 0;
  {
    absl::MutexLock lock(&kernel_.mu);
    for (const Event& e : queue_) bytes += static_cast<int32_t>(e.RecordSize());
  }
  if (absl::Status s = task.mm->CopyOutObject(arg, bytes); !s.ok()) return s;
  return 0;
}

short InotifyFile::PollLocked(sentry::Task& task, short events) {
  return queue_.empty() ? 0 : (events & (POLLIN | POLLRDNORM));
}

std::string InotifyFile::FdInfoLocked() const {
  std::string out;
  for (const WatchTable::WatchInfo& w : table_.WatchesOf(this)) {
    // sdev is the kernel's own dev_t encoding (MKDEV: major << 20 | minor).
    const uint64_t sdev = (uint64_t{major(w.dev)} << 20) | minor(w.dev);
    absl::StrAppendFormat(&out, "inotify wd:%x ino:%x sdev:%x mask:%x ignored_mask:0\n", w.wd,
                          w.ino, sdev, w.mask);
  }
  return out;
}

absl::StatusOr<struct stat> InotifyFile::Stat() { return AnonymousInodeStat(this); }

size_t InotifyFile::QueuedForTest() {
  absl::MutexLock lock(&kernel_.mu);
  return queue_.size();
}

}  // namespace runsc::fs
