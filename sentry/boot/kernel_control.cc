#include "sentry/boot/kernel_control.h"

#include <signal.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "base/logging.h"

namespace runsc::sentry {

absl::Status KernelControl::Start() {
  absl::MutexLock lock(&kernel_.mu);
  if (started_) return absl::FailedPreconditionError("container already started");
  started_ = true;
  kernel_.cv.SignalAll();
  return absl::OkStatus();
}

absl::StatusOr<int> KernelControl::WaitForInit() {
  absl::MutexLock lock(&kernel_.mu);
  kernel_.AwaitExitLocked(/*all_threads=*/false);
  return kernel_.init_exit_status;
}

absl::Status KernelControl::Signal(int signo, bool all) {
  if (!ValidSignal(signo)) return absl::InvalidArgumentError(absl::StrCat("bad signal ", signo));
  absl::MutexLock lock(&kernel_.mu);
  // An init still waiting for Start() would only take the signal once
  // started; SIGKILL must end it now (runsc kill of a created container,
  // then delete, is how containerd removes one).
  if (signo == SIGKILL && !started_) killed_ = true;
  siginfo_t info{};
  info.si_signo = signo;
  info.si_code = SI_USER;
  kernel_.ForEachTask([&](Task& t) {
    if (t.is_leader() && !t.zombie && (all || t.tid() == 1)) kernel_.SendGroupSignalLocked(t, info);
  });
  kernel_.cv.SignalAll();
  return absl::OkStatus();
}

absl::Status KernelControl::SignalProcess(int pid, int signo) {
  if (!ValidSignal(signo)) return absl::InvalidArgumentError(absl::StrCat("bad signal ", signo));
  absl::MutexLock lock(&kernel_.mu);
  Task* t = kernel_.FindTask(pid);
  if (t == nullptr || !t->is_leader() || t->zombie) {
    return absl::NotFoundError(absl::StrCat("no process ", pid, " in the sandbox"));
  }
  siginfo_t info{};
  info.si_signo = signo;
  info.si_code = SI_USER;
  kernel_.SendGroupSignalLocked(*t, info);
  return absl::OkStatus();
}

absl::Status KernelControl::SignalTerminalForeground(int pid, int signo) {
  if (!ValidSignal(signo)) return absl::InvalidArgumentError(absl::StrCat("bad signal ", signo));
  std::shared_ptr<Task> process;
  {
    absl::MutexLock lock(&kernel_.mu);
    process = kernel_.FindTaskShared(pid);
    if (process == nullptr || !process->is_leader() || process->zombie) {
      return absl::NotFoundError(absl::StrCat("no process ", pid, " in the sandbox"));
    }
  }
  // Not under the kernel mutex: the terminal lookup and the signal take it.
  std::shared_ptr<fs::HostTty> tty =
      launcher_.terminals() ? launcher_.terminals()->ControllingTerminalOf(*process) : nullptr;
  if (tty == nullptr) {
    return absl::NotFoundError(absl::StrCat("process ", pid, " has no terminal of runsc exec's"));
  }
  tty->job_control().SignalForeground(kernel_, signo);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<pid_t>> KernelControl::HostPids() {
  std::vector<pid_t> pids = {::getpid()};
  absl::MutexLock lock(&kernel_.mu);
  kernel_.ForEachTask([&](Task& t) {
    if (t.mm) pids.push_back(t.mm->address_space().HostPid());
  });
  return pids;
}

absl::StatusOr<ExecStarted> KernelControl::Exec(const ExecRequest& request,
                                                std::array<UniqueFd, 3> stdio) {
  {
    absl::MutexLock lock(&kernel_.mu);
    if (shutting_down_ || kernel_.init_exited) {
      return absl::FailedPreconditionError("cannot exec in a stopped container");
    }
  }
  absl::StatusOr<std::shared_ptr<Task>> process = launcher_.Launch(request, std::move(stdio));
  if (!process.ok()) {
    LogWarning("exec ", request.argv[0], ": ", process.status().message());
    return process.status();
  }
  LogDebug("exec ", request.argv[0], ": pid ", (*process)->tid());
  ExecStarted started;
  started.pid = (*process)->tid();
  started.wait = [this, process = *process]() -> absl::StatusOr<int> {
    return launcher_.WaitForExit(process, &shutting_down_);
  };
  return started;
}

bool KernelControl::WaitForStart() {
  absl::MutexLock lock(&kernel_.mu);
  Task* init = kernel_.FindTask(1);
  while (!started_ && !killed_ && !(init && init->exiting)) kernel_.cv.Wait(&kernel_.mu);
  return started_ && !killed_;
}

void KernelControl::KillSandbox() {
  absl::MutexLock lock(&kernel_.mu);
  killed_ = true;
  siginfo_t info{};
  info.si_signo = SIGKILL;
  info.si_code = SI_KERNEL;
  kernel_.ForEachTask([&](Task& t) {
    if (t.is_leader() && !t.zombie) kernel_.SendGroupSignalLocked(t, info);
  });
  kernel_.cv.SignalAll();
}

void KernelControl::Shutdown() {
  absl::MutexLock lock(&kernel_.mu);
  shutting_down_ = true;
  kernel_.cv.SignalAll();
}

}  // namespace runsc::sentry
