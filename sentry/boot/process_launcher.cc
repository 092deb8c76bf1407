#include "sentry/boot/process_launcher.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "base/logging.h"
#include "fs/host_file.h"
#include "syscalls/exec.h"

namespace runsc::sentry {

std::string FindExecutable(fs::Vfs& vfs, Task& task, const std::string& name,
                           const std::vector<std::string>& env) {
  if (name.find('/') != std::string::npos) return name;
  std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const std::string& e : env) {
    if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
  }
  for (absl::string_view dir : absl::StrSplit(path, ':', absl::SkipEmpty())) {
    std::string candidate = absl::StrCat(dir, "/", name);
    absl::StatusOr<std::shared_ptr<fs::Dentry>> d = vfs.Resolve(task, vfs.root(), candidate, true);
    if (d.ok() && (*d)->node->Type() == S_IFREG) return candidate;
  }
  return name;
}

std::shared_ptr<fs::File> StdioFile(int host_fd, int flags) {
  int fd = ::fcntl(host_fd, F_DUPFD_CLOEXEC, 3);
  if (fd < 0) return nullptr;
  struct stat st;
  bool seekable = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  auto file = std::make_shared<fs::HostFile>(flags, UniqueFd(fd), seekable);
  file->set_path(absl::StrCat("host:[", host_fd, "]"));
  return file;
}

absl::StatusOr<std::shared_ptr<Task>> ProcessLauncher::Launch(const ExecRequest& request,
                                                              std::array<UniqueFd, 3> stdio) {
  std::shared_ptr<Task> task;
  {
    absl::MutexLock lock(&kernel_.mu);
    task = kernel_.NewTask();
    task->pgid = task->sid = task->tid();
    task->handlers = std::make_shared<SignalHandlers>();
    // ppid 0 and nobody's child: the process's status is ours to read.
    task->parent = nullptr;
    if (Task* init = kernel_.FindTask(1); init != nullptr) task->rlimits = init->rlimits;
  }
  // Undone if anything below fails before the task runs.
  auto abandon = [&](absl::Status why) -> absl::Status {
    absl::MutexLock lock(&kernel_.mu);
    task->AbandonUnstartedLocked();
    return why;
  };
  task->context = kernel_.platform().NewContext();
  task->creds.ResetTo(request.uid, request.gid);
  task->creds.groups = request.groups;
  std::sort(task->creds.groups.begin(), task->creds.groups.end());
  if (request.caps.has_value()) {
    // As runc exec: the sets are installed, then the program is exec'd.
    const ExecRequest::Capabilities& c = *request.caps;
    task->creds.InstallCapabilities({.bounding = c.bounding,
                                     .effective = c.effective,
                                     .permitted = c.permitted,
                                     .inheritable = c.inheritable,
                                     .ambient = c.ambient});
    task->creds.TransformForExecve(/*setid_file=*/false, request.no_new_privs);
  }
  task->no_new_privs = request.no_new_privs;
  for (const ExecRequest::Rlimit& r : request.rlimits) {
    if (r.resource >= 0 && r.resource < RLIM_NLIMITS) task->rlimits[r.resource] = {r.soft, r.hard};
  }
  auto fds = std::make_shared<fs::FdTable>();
  if (request.terminal) {
    // As runc's exec with a terminal: a session of its own (it has one),
    // the tty as its controlling terminal, and fds 0-2 open on it.
    if (terminals_ == nullptr) {
      return abandon(absl::UnimplementedError("exec: terminals are not supported here"));
    }
    if (!::isatty(stdio[0].get())) {
      return abandon(absl::InvalidArgumentError("exec: \"terminal\" is set but stdin is not a tty"));
    }
    int dup = ::fcntl(stdio[0].get(), F_DUPFD_CLOEXEC, 3);
    if (dup < 0) return abandon(absl::ResourceExhaustedError("exec: no descriptor for the terminal"));
    std::shared_ptr<fs::HostTty> tty = terminals_->Add(UniqueFd(dup));
    {
      absl::MutexLock lock(&kernel_.mu);
      tty->job_control().SetControllingSessionLocked(task->sid, task->pgid);
    }
    for (int fd = 0; fd < 3; ++fd) {
      absl::StatusOr<std::shared_ptr<fs::File>> f = tty->Open(O_RDWR);
      if (!f.ok()) return abandon(f.status());
      fds->InstallAt(fd, *f, false);
    }
    LogDebug("exec: ", request.argv[0], " has terminal ", tty->path());
  } else {
    const int stdio_flags[3] = {O_RDONLY, O_WRONLY, O_WRONLY};
    for (int fd = 0; fd < 3; ++fd) {
      if (auto f = StdioFile(stdio[fd].get(), stdio_flags[fd])) fds->InstallAt(fd, f, false);
    }
  }
  for (UniqueFd& fd : stdio) fd.reset();  // The sentry's files hold dups.
  task->fds = fds;
  auto fsc = std::make_shared<fs::FsContext>();
  fsc->vfs = &vfs_;
  fsc->root = vfs_.root();
  task->fs = fsc;
  absl::StatusOr<std::shared_ptr<fs::Dentry>> cwd = vfs_.Resolve(*task, vfs_.root(), request.cwd, true);
  if (!cwd.ok() || (*cwd)->node->Type() != S_IFDIR) {
    return abandon(absl::InvalidArgumentError(
        absl::StrCat("cwd \"", request.cwd, "\" is not a directory in the container")));
  }
  fsc->cwd = *cwd;

  // The task loads its program on its own thread; Launch reports how that went.
  struct Loaded {
    absl::Notification done;
    absl::Status status;
  };
  auto loaded = std::make_shared<Loaded>();
  task->before_run = [this, loaded, argv = request.argv, env = request.env](Task& t) {
    std::string exe = FindExecutable(vfs_, t, argv[0], env);
    absl::Status s = syscalls::ExecInto(t, exe, argv, env);
    if (!s.ok()) {
      s = absl::Status(s.code(), absl::StrCat("exec: cannot execute \"", argv[0], "\": ", s.message()));
    }
    loaded->status = s;
    loaded->done.Notify();
    return s.ok();
  };
  if (!task->Start()) return abandon(absl::ResourceExhaustedError("no host thread for the process"));
  loaded->done.WaitForNotification();
  if (!loaded->status.ok()) return loaded->status;
  return task;
}

absl::StatusOr<int> ProcessLauncher::WaitForExit(const std::shared_ptr<Task>& process,
                                                 const bool* give_up) {
  absl::MutexLock lock(&kernel_.mu);
  while (!process->zombie && !*give_up) kernel_.cv.Wait(&kernel_.mu);
  if (!process->zombie) return absl::UnavailableError("the sandbox is shutting down");
  return process->exit_status;
}

}  // namespace runsc::sentry
