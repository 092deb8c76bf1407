// epoll(7): an open file that watches other open files.
//
// Design (simple and correct before fast): an epoll file keeps its
// interests in a list, under kernel().mu like every wait queue. Nothing is
// pushed to it when a watched file changes; every epoll_wait (and every
// poll of the epoll fd itself) asks each watched file for its readiness
// anew (File::PollLocked), so level-triggered mode is just "report what
// is ready". Edge-triggered mode reports a file again only once its
// File::EventSeqLocked() moved on (a new write into a pipe, a new eventfd
// write) or, for files that keep no sequence (host streams, timerfds),
// once a ready event appears that was not there at the last report.
// EPOLLONESHOT disables an interest once reported, until EPOLL_CTL_MOD.
// The cost is O(interests) per wake-up, fine for a sandbox's handful.
//
// Interests hold their files weakly: as in Linux, a registration lasts
// until every fd of the open file is closed (not the fd number given), and
// watching a pipe's write end never keeps its reader from seeing EOF.
#ifndef RUNSC_FS_EPOLL_FILE_H_
#define RUNSC_FS_EPOLL_FILE_H_

#include <poll.h>
#include <sys/epoll.h>

#include <memory>
#include <vector>

#include "fs/file.h"
#include "sentry/kernel/kernel.h"

namespace runsc::fs {

class EpollFile : public File {
 public:
  explicit EpollFile(sentry::Kernel& kernel);
  ~EpollFile() override;

  // EPOLL_CTL_ADD/MOD/DEL of (fd, file). ADD: EEXIST if (fd, file) is
  // watched already, ELOOP if `file` is an epoll that watches this one
  // (or nests too deep). MOD/DEL: ENOENT if it is not watched. MOD with
  // EPOLLEXCLUSIVE: EINVAL. Eligibility (EPERM, EINVAL for the epoll
  // itself) is the caller's check.
  absl::Status Add(int fd, const std::shared_ptr<File>& file, uint32_t events, uint64_t data);
  absl::Status Modify(int fd, const std::shared_ptr<File>& file, uint32_t events, uint64_t data);
  absl::Status Remove(int fd, const std::shared_ptr<File>& file);

  // What an epoll_wait waits on: the watched files, kept alive for the
  // length of one wait (so none is released under kernel().mu), and which
  // of them only the host's poll can see become ready (nested epolls
  // included).
  struct WaitSet {
    std::vector<std::shared_ptr<File>> files;
    std::vector<pollfd> host_fds;
    bool any_sentry_file = false;
  };
  WaitSet Pin();

  // Appends to `out` up to `max` ready events and applies EPOLLET and
  // EPOLLONESHOT to what it reports. Requires kernel().mu.
  int CollectLocked(sentry::Task& task, std::vector<struct epoll_event>& out, int max);

  // POLLIN while an epoll_wait would report something. Requires
  // kernel().mu; changes no interest.
  short PollLocked(sentry::Task& task, short events) override;
  absl::StatusOr<struct stat> Stat() override;
  // One tfd line per watched file, as Linux's ep_show_fdinfo; pos, ino
  // and sdev are 0 (the target is not stat'ed under kernel().mu).
  std::string FdInfoLocked() const override;

  // Releases files whose last reference an evaluation under kernel().mu
  // took (their destructors may take kernel().mu). Without kernel().mu.
  void ReleaseDeferred();

  size_t InterestCountForTest();

 private:
  struct Interest {
    int fd;
    std::weak_ptr<File> file;
    const File* key;  // file's address while it is alive: the identity.
    uint32_t events;
    uint64_t data;
    bool disabled = false;      // EPOLLONESHOT fired.
    uint64_t reported_seq = 0;  // EPOLLET: EventSeqLocked at the last report.
    uint32_t reported_mask = 0;  // EPOLLET: what the last report said.
  };

  // The ready events of one interest (0: none, or its file is gone).
  // Requires kernel().mu.
  uint32_t ReadyLocked(sentry::Task& task, Interest& in);
  // Drops interests whose file is gone. Requires kernel().mu.
  void PurgeLocked();
  Interest* FindLocked(int fd, const File* key);
  // Whether this epoll watches `target`, directly or through nested
  // epolls (`depth` levels at most). Requires kernel().mu.
  bool WatchesLocked(const EpollFile* target, int depth);
  void PinInto(WaitSet& set, int depth);

  sentry::Kernel& kernel_;
  // Guarded by kernel_.mu.
  std::vector<Interest> interests_;
  size_t scan_start_ = 0;  // Round robin, so maxevents starves nobody.
  std::vector<std::shared_ptr<File>> deferred_release_;
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_EPOLL_FILE_H_
