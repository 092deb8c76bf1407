// An inotify instance (inotify_init1(2), man 7 inotify): the file
// description whose reads return the events of the files it watches. The
// watches themselves are in the WatchTable, which queues events here.
#ifndef RUNSC_FS_INOTIFY_FILE_H_
#define RUNSC_FS_INOTIFY_FILE_H_

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "fs/file.h"
#include "fs/watch_table.h"
#include "sentry/kernel/kernel.h"

namespace runsc::fs {

class InotifyFile : public File, public std::enable_shared_from_this<InotifyFile> {
 public:
  // /proc/sys/fs/inotify/max_queued_events: past this many, one
  // IN_Q_OVERFLOW event (wd -1) is queued and further events are lost.
  static constexpr size_t kMaxQueuedEvents = 16384;

  // A new instance of the task with effective uid `uid`, counted against
  // its max_user_instances (EMFILE). `nonblock`: IN_NONBLOCK.
  static absl::StatusOr<std::shared_ptr<InotifyFile>> Create(sentry::Kernel& kernel,
                                                             WatchTable& table, uid_t uid,
                                                             bool nonblock);
  // The last fd closed: the watches end (without IN_IGNORED).
  ~InotifyFile() override;

  // Whole events only, as many as fit: EINVAL if the next one does not fit
  // in `buf` at all. With none queued, waits interruptibly (ERESTARTSYS)
  // or is EAGAIN with O_NONBLOCK.
  absl::StatusOr<size_t> Read(sentry::Task& task, absl::Span<uint8_t> buf) override;
  // FIONREAD: the bytes a read would return now. Anything else is ENOTTY.
  absl::StatusOr<int64_t> Ioctl(sentry::Task& task, uint64_t cmd, uint64_t arg) override;
  // POLLIN while an event is queued; never writable.
  short PollLocked(sentry::Task& task, short events) override;
  uint64_t EventSeqLocked() const override { return seq_; }
  // One "inotify wd:... ino:... sdev:... mask:... ignored_mask:0" line
  // per watch, as Linux's inotify_fdinfo (without the file handle).
  std::string FdInfoLocked() const override;
  absl::StatusOr<struct stat> Stat() override;

  // inotify_add_watch on `node` (`st` its stat) once the caller walked the
  // path and checked read permission: see WatchTable::AddWatch.
  absl::StatusOr<int> AddWatch(std::shared_ptr<Node> node, const struct stat& st, uint32_t mask);
  // inotify_rm_watch: the watch ends with IN_IGNORED; EINVAL for a wd that
  // is not one of this instance's.
  absl::Status RemoveWatch(int wd);

  // Queues one event, unless it is the same as the last one still queued
  // (Linux merges those). A full queue takes one IN_Q_OVERFLOW instead.
  void Enqueue(int wd, uint32_t mask, uint32_t cookie, std::string_view name);

  size_t QueuedForTest();

 private:
  InotifyFile(sentry::Kernel& kernel, WatchTable& table, uid_t uid, bool nonblock);

  struct Event {
    int wd;
    uint32_t mask;
    uint32_t cookie;
    std::string name;
    bool operator==(const Event&) const = default;
    // The name's NUL-padded length in the record: a multiple of the header.
    uint32_t PaddedNameLength() const;
    size_t RecordSize() const;
  };

  sentry::Kernel& kernel_;
  WatchTable& table_;
  const uid_t uid_;
  // Guarded by kernel_.mu; readers wait on kernel_.cv.
  std::deque<Event> queue_;
  bool overflow_queued_ = false;
  uint64_t seq_ = 0;
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_INOTIFY_FILE_H_
