// The cheapest syscalls, where a sandbox's per-syscall cost shows most:
//   getppid        one syscall that the kernel (or the sentry) answers from
//                  its own state, nothing copied.
//   clock_gettime  CLOCK_MONOTONIC as the application calls it: the vDSO
//                  where the runtime gives one, a syscall otherwise.
//   pipe_pingpong  one byte to a child process through a pipe and one byte
//                  back: two context switches and four syscalls per round.
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/programs/workload_env.h"
#include "benchmark/benchmark.h"

namespace runsc::bench {
namespace {

void BM_Getppid(benchmark::State& state) {
  for (auto _ : state) {
    // syscall(): glibc's getppid() is a plain syscall too, but this cannot
    // become a cached value in some other libc.
    benchmark::DoNotOptimize(syscall(SYS_getppid));
  }
}
BENCHMARK(BM_Getppid)->Name("getppid");

void BM_ClockGettime(benchmark::State& state) {
  struct timespec ts;
  for (auto _ : state) {
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return SkipWithErrno(state, "clock_gettime");
    benchmark::DoNotOptimize(ts);
  }
}
BENCHMARK(BM_ClockGettime)->Name("clock_gettime");

void BM_PipePingpong(benchmark::State& state) {
  int to_child[2], to_parent[2];
  if (pipe(to_child) != 0 || pipe(to_parent) != 0) return SkipWithErrno(state, "pipe");
  const pid_t child = fork();
  if (child < 0) return SkipWithErrno(state, "fork");
  if (child == 0) {
    // Echoes every byte until the parent closes its end.
    close(to_child[1]);
    close(to_parent[0]);
    char c;
    while (read(to_child[0], &c, 1) == 1) {
      if (write(to_parent[1], &c, 1) != 1) _exit(1);
    }
    _exit(0);
  }
  close(to_child[0]);
  close(to_parent[1]);
  char c = 'x';
  for (auto _ : state) {
    if (write(to_child[1], &c, 1) != 1) {
      SkipWithErrno(state, "write to the child");
      break;
    }
    if (read(to_parent[0], &c, 1) != 1) {
      SkipWithErrno(state, "read from the child");
      break;
    }
  }
  close(to_child[1]);
  close(to_parent[0]);
  int status = 0;
  if (waitpid(child, &status, 0) != child) {
    kill(child, SIGKILL);
    if (!state.error_occurred()) SkipWithErrno(state, "waitpid");
  }
}
BENCHMARK(BM_PipePingpong)->Name("pipe_pingpong");

}  // namespace
}  // namespace runsc::bench
