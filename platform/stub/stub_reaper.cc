#include "platform/stub/stub_reaper.h"

#include <errno.h>
#include <sched.h>
#include <sys/wait.h>

#include <cstring>
#include <thread>

namespace runsc::platform::stub {

StubReaper& StubReaper::Get() {
  // Never destroyed: its thread may still wait for a stub while the
  // process exits.
  static StubReaper* reaper = new StubReaper();
  return *reaper;
}

void StubReaper::Reap(pid_t pid) {
  absl::MutexLock lock(&mu_);
  queue_.push_back(pid);
  ++outstanding_;
  if (!started_) {
    started_ = true;
    std::thread([this] { Loop(); }).detach();
  }
}

void StubReaper::UnpinDying(pid_t tid) {
  // Every CPU: the kernel keeps only those the cgroup's cpuset allows.
  cpu_set_t any;
  std::memset(&any, 0xff, sizeof(any));
  (void)::sched_setaffinity(tid, sizeof(any), &any);
}

void StubReaper::WaitIdle() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](size_t* outstanding) { return *outstanding == 0; }, &outstanding_));
}

void StubReaper::Loop() {
  for (;;) {
    pid_t pid;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](std::deque<pid_t>* queue) { return !queue->empty(); }, &queue_));
      pid = queue_.front();
      queue_.pop_front();
    }
    // Only the exit ends the wait: a stop or a continue report of a stub
    // that was stopped when it was killed is not its end.
    int status;
    for (;;) {
      const pid_t r = ::waitpid(pid, &status, __WALL);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0 || WIFEXITED(status) || WIFSIGNALED(status)) break;
    }
    absl::MutexLock lock(&mu_);
    --outstanding_;
  }
}

}  // namespace runsc::platform::stub
