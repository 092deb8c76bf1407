// Files of the rootfs, which a sandbox serves through its gofer (the data
// files are made by runsc-bench at run time, bench_files.h):
//   open_close     open(O_RDONLY) and close the 4 KiB file.
//   stat           stat(2) of the same file.
//   stat_missing   stat(2) of a name that does not exist in its directory
//                  (ENOENT), as a search path probes.
//   read_4k        pread of the whole 4 KiB file, at offset 0, fd kept open.
//   read_1m        the same with the 1 MiB file.
//   write_1m       pwrite of 1 MiB at offset 0 of a file in /tmp (no fsync).
//   seq_read_mbps  the 256 MiB file read from start to end in 1 MiB reads
//                  (open to close); its bytes_per_second counter is the
//                  number runsc-bench reports, in MB/s.
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "bench/programs/bench_files.h"
#include "bench/programs/workload_env.h"
#include "benchmark/benchmark.h"

namespace runsc::bench {
namespace {

constexpr size_t kChunk = size_t{1} << 20;

// An fd closed when the benchmark returns, whichever way.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ~ScopedFd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

void BM_OpenClose(benchmark::State& state) {
  const std::string path = InBenchRoot(kFile4k.path);
  for (auto _ : state) {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return SkipWithErrno(state, "open " + path);
    if (close(fd) != 0) return SkipWithErrno(state, "close");
  }
}
BENCHMARK(BM_OpenClose)->Name("open_close");

void BM_Stat(benchmark::State& state) {
  const std::string path = InBenchRoot(kFile4k.path);
  struct stat st;
  for (auto _ : state) {
    if (stat(path.c_str(), &st) != 0) return SkipWithErrno(state, "stat " + path);
    benchmark::DoNotOptimize(st);
  }
}
BENCHMARK(BM_Stat)->Name("stat");

void BM_StatMissing(benchmark::State& state) {
  const std::string path = InBenchRoot(kFile4k.path) + ".missing";
  struct stat st;
  for (auto _ : state) {
    if (stat(path.c_str(), &st) == 0 || errno != ENOENT) {
      return state.SkipWithError(("stat " + path + " did not fail with ENOENT").c_str());
    }
  }
}
BENCHMARK(BM_StatMissing)->Name("stat_missing");

// pread of the whole of `file`, again and again.
void PreadWholeFile(benchmark::State& state, const DataFile& file) {
  const std::string path = InBenchRoot(file.path);
  ScopedFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return SkipWithErrno(state, "open " + path);
  std::vector<char> buf(file.size);
  for (auto _ : state) {
    const ssize_t got = pread(fd.get(), buf.data(), buf.size(), 0);
    if (got < 0) return SkipWithErrno(state, "pread " + path);
    if (static_cast<size_t>(got) != file.size) {
      const std::string message = "pread " + path + ": " + std::to_string(got) + " bytes, not " +
                                  std::to_string(file.size);
      return state.SkipWithError(message.c_str());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * file.size));
}

void BM_Read4k(benchmark::State& state) { PreadWholeFile(state, kFile4k); }
BENCHMARK(BM_Read4k)->Name("read_4k");

void BM_Read1m(benchmark::State& state) { PreadWholeFile(state, kFile1m); }
BENCHMARK(BM_Read1m)->Name("read_1m")->Unit(benchmark::kMicrosecond);

void BM_Write1m(benchmark::State& state) {
  const std::string path =
      InBenchRoot(kScratchDir) + "/runsc_bench_write_1m." + std::to_string(getpid());
  ScopedFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (fd.get() < 0) return SkipWithErrno(state, "open " + path);
  unlink(path.c_str());  // The fd keeps it; nothing is left behind.
  std::vector<char> buf(kChunk, 'w');
  for (auto _ : state) {
    const ssize_t put = pwrite(fd.get(), buf.data(), buf.size(), 0);
    if (put < 0) return SkipWithErrno(state, "pwrite " + path);
    if (static_cast<size_t>(put) != buf.size()) {
      return state.SkipWithError(("pwrite " + path + ": short write").c_str());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kChunk));
}
BENCHMARK(BM_Write1m)->Name("write_1m")->Unit(benchmark::kMicrosecond);

double WallSeconds() {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// bytes_per_second is wall-clock here, timed by hand: SetBytesProcessed
// divides by the process's CPU time, and in a sandbox the reads are the
// sentry's work, not the application's (runsc showed 5x native). Not
// UseRealTime(), which would rename the benchmark "seq_read_mbps/real_time".
void BM_SeqReadMbps(benchmark::State& state) {
  const std::string path = InBenchRoot(kFile256m.path);
  std::vector<char> buf(kChunk);
  const double start = WallSeconds();
  for (auto _ : state) {
    ScopedFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return SkipWithErrno(state, "open " + path);
    size_t total = 0;
    for (;;) {
      const ssize_t got = read(fd.get(), buf.data(), buf.size());
      if (got < 0) return SkipWithErrno(state, "read " + path);
      if (got == 0) break;
      total += static_cast<size_t>(got);
    }
    if (total != kFile256m.size) {
      const std::string message = "read " + path + ": " + std::to_string(total) +
                                  " bytes to EOF, not " + std::to_string(kFile256m.size);
      return state.SkipWithError(message.c_str());
    }
  }
  const double seconds = WallSeconds() - start;
  if (seconds > 0) {
    state.counters["bytes_per_second"] =
        static_cast<double>(state.iterations() * kFile256m.size) / seconds;
  }
}
BENCHMARK(BM_SeqReadMbps)->Name("seq_read_mbps")->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace runsc::bench
