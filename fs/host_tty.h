// A host terminal in the sandbox. The container's console: the host pty
// slave that runsc create made the sentry's stdio and controlling terminal
// (process.terminal: true); or an exec'd process's (host_terminals.h). Bytes
// and termios/window settings go to the host tty; sessions and foreground
// groups are the sentry's own (TtyJobControl). Inside the container it is
// /dev/console, what fds 0-2 name, and /dev/tty for the session that has
// it as controlling terminal (init's, from the start).
#ifndef RUNSC_FS_HOST_TTY_H_
#define RUNSC_FS_HOST_TTY_H_

#include <sys/stat.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "base/unique_fd.h"
#include "fs/file.h"
#include "fs/tty_job_control.h"

namespace runsc::fs {

class HostTty : public std::enable_shared_from_this<HostTty> {
 public:
  // Path of every open file description of the console, as /proc/*/fd
  // shows it (so that ttyname(3) finds /dev/console).
  static constexpr char kPath[] = "/dev/console";

  // `fd`: the host tty (owned). `path`: what its open files are named in
  // /proc/*/fd (and where devfs shows it).
  explicit HostTty(UniqueFd fd, std::string path = kPath)
      : fd_(std::move(fd)), path_(std::move(path)) {}

  // A new open file description on the console with `flags`.
  absl::StatusOr<std::shared_ptr<File>> Open(int flags);
  // The host tty's own stat: the same for /dev/console and for every open
  // file, as ttyname(3) checks.
  absl::StatusOr<struct stat> Stat() const;

  TtyJobControl& job_control() { return job_control_; }
  int host_fd() const { return fd_.get(); }
  const std::string& path() const { return path_; }

 private:
  UniqueFd fd_;
  std::string path_;
  TtyJobControl job_control_;
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_HOST_TTY_H_
