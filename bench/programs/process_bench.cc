// Process and memory management, which a sandbox handles in user space:
//   fork_wait       fork a child that exits at once, wait for it.
//   fork_exec_wait  the same, the child exec'ing busybox's `true` (static).
//   mmap_touch_1m   map 1 MiB of anonymous memory, write one byte per page
//                   (256 page faults), unmap it.
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "bench/programs/bench_files.h"
#include "bench/programs/workload_env.h"
#include "benchmark/benchmark.h"

namespace runsc::bench {
namespace {

// Waits for `child`; false (and the benchmark skipped) unless it exited 0.
bool WaitForSuccess(benchmark::State& state, pid_t child) {
  int status = 0;
  if (waitpid(child, &status, 0) != child) {
    SkipWithErrno(state, "waitpid");
    return false;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const std::string message = "the child ended with wait status " + std::to_string(status);
    state.SkipWithError(message.c_str());
    return false;
  }
  return true;
}

void BM_ForkWait(benchmark::State& state) {
  for (auto _ : state) {
    const pid_t child = fork();
    if (child < 0) return SkipWithErrno(state, "fork");
    if (child == 0) _exit(0);
    if (!WaitForSuccess(state, child)) return;
  }
}
BENCHMARK(BM_ForkWait)->Name("fork_wait")->Unit(benchmark::kMicrosecond);

void BM_ForkExecWait(benchmark::State& state) {
  const std::string busybox = InBenchRoot(kBusybox);
  char* const argv[] = {const_cast<char*>("true"), nullptr};
  char* const envp[] = {nullptr};
  if (access(busybox.c_str(), X_OK) != 0) return SkipWithErrno(state, busybox);
  for (auto _ : state) {
    const pid_t child = fork();
    if (child < 0) return SkipWithErrno(state, "fork");
    if (child == 0) {
      execve(busybox.c_str(), argv, envp);
      _exit(127);
    }
    if (!WaitForSuccess(state, child)) return;
  }
}
BENCHMARK(BM_ForkExecWait)->Name("fork_exec_wait")->Unit(benchmark::kMicrosecond);

void BM_MmapTouch1m(benchmark::State& state) {
  constexpr size_t kSize = size_t{1} << 20;
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  for (auto _ : state) {
    void* p = mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return SkipWithErrno(state, "mmap");
    volatile char* bytes = static_cast<char*>(p);
    for (size_t off = 0; off < kSize; off += page) bytes[off] = 1;
    if (munmap(p, kSize) != 0) return SkipWithErrno(state, "munmap");
  }
}
BENCHMARK(BM_MmapTouch1m)->Name("mmap_touch_1m")->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace runsc::bench
