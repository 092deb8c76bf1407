// Where the time of a sandboxed read(2) or write(2) goes, copy by copy, with
// no sandbox around it (issue 7, file I/O): the host calls the sentry makes
// for one read of a regular file into another process's memory, as the
// sentry reads a donated host fd into a stub.
//
//   BM_NativePread/<size>      pread into the caller's own buffer: the one
//                              copy (page cache to user memory) a native
//                              read makes, the floor.
//   BM_PreadOnly/<size>        pread into a sentry buffer (kept).
//   BM_WritevOnly/<size>       process_vm_writev of a sentry buffer into the
//                              other process.
//   BM_BounceFresh/<size>      the read path before this bench: a fresh
//                              buffer per call (new[]), pread, process_vm_writev.
//   BM_BounceReused/<size>     the same with one buffer kept across calls.
//   BM_BounceChunked/<size>/<chunk>
//                              pread and process_vm_writev in chunks through
//                              one cache-sized buffer, so the second copy
//                              reads from L2, not DRAM.
//   BM_MappedWindow/<size>     one copy: process_vm_writev straight from a
//                              read-only mapping of the file kept across
//                              calls, with an fstat before and after (the size
//                              checks a read needs, see fs/mapped_file_reader.h).
//   BM_MappedFresh/<size>      the same with a fresh mmap(MAP_POPULATE) and
//                              munmap per call.
//   BM_WriteBounceReused/<size>, BM_WriteBounceChunked/<size>/<chunk>
//                              writes: process_vm_readv from the other
//                              process into a sentry buffer, pwrite.
//
// And what the sentry must know for the mapped path to be safe: a mapping
// read past the end of a truncated file by process_vm_writev faults in the
// kernel, which fails the copy (short count or EFAULT) instead of raising
// SIGBUS (checked at start-up; the program aborts if the kernel disagrees).
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"

namespace {

constexpr size_t kMaxSize = 4 << 20;

// The other process: a private buffer of kMaxSize it has touched, then
// sleeps until killed.
struct Target {
  pid_t pid = -1;
  void* buf = nullptr;
};

Target& TheTarget() {
  static Target target = [] {
    Target t;
    t.buf = mmap(nullptr, kMaxSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (t.buf == MAP_FAILED) std::abort();
    t.pid = fork();
    if (t.pid < 0) std::abort();
    if (t.pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      std::memset(t.buf, 1, kMaxSize);  // Its own pages, not copy-on-write ones.
      for (;;) pause();
    }
    // Let the child touch its pages before the first measurement.
    usleep(100000);
    return t;
  }();
  return target;
}

struct DataFile {
  int fd = -1;
  std::string path;
};

DataFile& TheFile() {
  static DataFile file = [] {
    DataFile f;
    char tmpl[] = "/var/tmp/runsc_copy_path_bench.XXXXXX";
    f.fd = mkstemp(tmpl);
    if (f.fd < 0) std::abort();
    f.path = tmpl;
    unlink(tmpl);
    std::vector<char> data(kMaxSize, 'r');
    if (pwrite(f.fd, data.data(), data.size(), 0) != static_cast<ssize_t>(data.size())) {
      std::abort();
    }
    return f;
  }();
  return file;
}

ssize_t WriteToTarget(const void* src, size_t n, size_t at = 0) {
  iovec local{const_cast<void*>(src), n};
  iovec remote{static_cast<char*>(TheTarget().buf) + at, n};
  return process_vm_writev(TheTarget().pid, &local, 1, &remote, 1, 0);
}

ssize_t ReadFromTarget(void* dst, size_t n, size_t at = 0) {
  iovec local{dst, n};
  iovec remote{static_cast<char*>(TheTarget().buf) + at, n};
  return process_vm_readv(TheTarget().pid, &local, 1, &remote, 1, 0);
}

void Check(benchmark::State& state, bool ok, const char* what) {
  if (!ok) state.SkipWithError(what);
}

void BM_NativePread(benchmark::State& state) {
  const size_t size = state.range(0);
  std::vector<char> buf(size);
  for (auto _ : state) {
    if (pread(TheFile().fd, buf.data(), size, 0) != static_cast<ssize_t>(size)) {
      return Check(state, false, "pread");
    }
  }
  state.SetBytesProcessed(state.iterations() * size);
}

void BM_PreadOnly(benchmark::State& state) {
  const size_t size = state.range(0);
  std::unique_ptr<char[]> buf(new char[size]);
  for (auto _ : state) {
    if (pread(TheFile().fd, buf.get(), size, 0) != static_cast<ssize_t>(size)) {
      return Check(state, false, "pread");
    }
  }
  state.SetBytesProcessed(state.iterations() * size);
}

void BM_WritevOnly(benchmark::State& state) {
  const size_t size = state.range(0);
  std::vector<char> buf(size, 'x');
  for (auto _ : state) {
    if (WriteToTarget(buf.data(), size) != static_cast<ssize_t>(size)) {
      return Check(state, false, "process_vm_writev");
    }
  }
  state.SetBytesProcessed(state.iterations() * size);
}

void BM_BounceFresh(benchmark::State& state) {
  const size_t size = state.range(0);
  for (auto _ : state) {
    std::unique_ptr<char[]> buf(new char[size]);
    benchmark::DoNotOptimize(buf.get());
    if (pread(TheFile().fd, buf.get(), size, 0) != static_cast<ssize_t>(size) ||
        WriteToTarget(buf.get(), size) != static_cast<ssize_t>(size)) {
      return Check(state, false, "bounce");
    }
  }
  state.SetBytesProcessed(state.iterations() * size);
}

void BM_BounceReused(benchmark::State& state) {
  const size_t size = state.range(0);
  std::unique_ptr<char[]> buf(new char[size]);
  for (auto _ : state) {
    if (pread(TheFile().fd, buf.get(), size, 0) != static_cast<ssize_t>(size) ||
        WriteToTarget(buf.get(), size) != static_cast<ssize_t>(size)) {
      return Check(state, false, "bounce");
    }
  }
  state.SetBytesProcessed(state.iterations() * size);
}

void BM_BounceChunked(benchmark::State& state) {
  const size_t size = state.range(0);
  const size_t chunk = state.range(1);
  std::unique_ptr<char[]> buf(new char[chunk]);
  for (auto _ : state) {
    for (size_t done = 0; done < size; done += chunk) {
      const size_t n = std::min(chunk, size - done);
      if (pread(TheFile().fd, buf.get(), n, done) != static_cast<ssize_t>(n) ||
          WriteToTarget(buf.get(), n, done) != static_cast<ssize_t>(n)) {
        return Check(state, false, "bounce");
      }
    }
  }
  state.SetBytesProcessed(state.iterations() * size);
}

void BM_MappedWindow(benchmark::State& state) {
  const size_t size = state.range(0);
  void* map = mmap(nullptr, kMaxSize, PROT_READ, MAP_SHARED, TheFile().fd, 0);
  if (map == MAP_FAILED) return Check(state, false, "mmap");
  struct stat st;
  for (auto _ : state) {
    if (fstat(TheFile().fd, &st) != 0 || WriteToTarget(map, size) != static_cast<ssize_t>(size) ||
        fstat(TheFile().fd, &st) != 0) {
      return Check(state, false, "mapped");
    }
  }
  munmap(map, kMaxSize);
  state.SetBytesProcessed(state.iterations() * size);
}

void BM_MappedFresh(benchmark::State& state) {
  const size_t size = state.range(0);
  struct stat st;
  for (auto _ : state) {
    void* map = mmap(nullptr, size, PROT_READ, MAP_SHARED | MAP_POPULATE, TheFile().fd, 0);
    if (map == MAP_FAILED) return Check(state, false, "mmap");
    if (fstat(TheFile().fd, &st) != 0 || WriteToTarget(map, size) != static_cast<ssize_t>(size) ||
        fstat(TheFile().fd, &st) != 0) {
      return Check(state, false, "mapped");
    }
    munmap(map, size);
  }
  state.SetBytesProcessed(state.iterations() * size);
}

void BM_MappedFreshNoPopulate(benchmark::State& state) {
  const size_t size = state.range(0);
  struct stat st;
  for (auto _ : state) {
    void* map = mmap(nullptr, size, PROT_READ, MAP_SHARED, TheFile().fd, 0);
    if (map == MAP_FAILED) return Check(state, false, "mmap");
    if (fstat(TheFile().fd, &st) != 0 || WriteToTarget(map, size) != static_cast<ssize_t>(size) ||
        fstat(TheFile().fd, &st) != 0) {
      return Check(state, false, "mapped");
    }
    munmap(map, size);
  }
  state.SetBytesProcessed(state.iterations() * size);
}

// A 64 MiB file read from start to end in 1 MiB reads, as seq_read_mbps
// reads its 256 MiB one: through a kept buffer; through a fresh mapping of
// each <window> (faulted in by the copy); through one mapping of the whole
// file made before the pass and kept (what a second pass would find).
constexpr size_t kSeqFileSize = 64 << 20;
int SeqFile() {
  static int fd = [] {
    char tmpl[] = "/var/tmp/runsc_copy_path_seq.XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0) std::abort();
    unlink(tmpl);
    std::vector<char> data(1 << 20, 's');
    for (size_t at = 0; at < kSeqFileSize; at += data.size()) {
      if (pwrite(fd, data.data(), data.size(), at) != static_cast<ssize_t>(data.size())) std::abort();
    }
    return fd;
  }();
  return fd;
}

void BM_SeqBounce(benchmark::State& state) {
  std::unique_ptr<char[]> buf(new char[1 << 20]);
  for (auto _ : state) {
    for (size_t at = 0; at < kSeqFileSize; at += 1 << 20) {
      if (pread(SeqFile(), buf.get(), 1 << 20, at) != 1 << 20 ||
          WriteToTarget(buf.get(), 1 << 20) != 1 << 20) {
        return Check(state, false, "seq bounce");
      }
    }
  }
  state.SetBytesProcessed(state.iterations() * kSeqFileSize);
}

void BM_SeqMappedWindows(benchmark::State& state) {
  const size_t window = state.range(0);
  const int populate = state.range(1) ? MAP_POPULATE : 0;
  for (auto _ : state) {
    for (size_t base = 0; base < kSeqFileSize; base += window) {
      char* map = static_cast<char*>(
          mmap(nullptr, window, PROT_READ, MAP_SHARED | populate, SeqFile(), base));
      if (map == MAP_FAILED) return Check(state, false, "mmap");
      for (size_t at = 0; at < window; at += 1 << 20) {
        if (WriteToTarget(map + at, 1 << 20) != 1 << 20) return Check(state, false, "copy");
      }
      munmap(map, window);
    }
  }
  state.SetBytesProcessed(state.iterations() * kSeqFileSize);
}

void BM_SeqMappedKept(benchmark::State& state) {
  char* map = static_cast<char*>(mmap(nullptr, kSeqFileSize, PROT_READ, MAP_SHARED, SeqFile(), 0));
  if (map == MAP_FAILED) return Check(state, false, "mmap");
  for (auto _ : state) {
    for (size_t at = 0; at < kSeqFileSize; at += 1 << 20) {
      if (WriteToTarget(map + at, 1 << 20) != 1 << 20) return Check(state, false, "copy");
    }
  }
  munmap(map, kSeqFileSize);
  state.SetBytesProcessed(state.iterations() * kSeqFileSize);
}

void BM_WriteBounceReused(benchmark::State& state) {
  const size_t size = state.range(0);
  std::unique_ptr<char[]> buf(new char[size]);
  for (auto _ : state) {
    if (ReadFromTarget(buf.get(), size) != static_cast<ssize_t>(size) ||
        pwrite(TheFile().fd, buf.get(), size, 0) != static_cast<ssize_t>(size)) {
      return Check(state, false, "write bounce");
    }
  }
  state.SetBytesProcessed(state.iterations() * size);
}

void BM_WriteBounceChunked(benchmark::State& state) {
  const size_t size = state.range(0);
  const size_t chunk = state.range(1);
  std::unique_ptr<char[]> buf(new char[chunk]);
  for (auto _ : state) {
    for (size_t done = 0; done < size; done += chunk) {
      const size_t n = std::min(chunk, size - done);
      if (ReadFromTarget(buf.get(), n, done) != static_cast<ssize_t>(n) ||
          pwrite(TheFile().fd, buf.get(), n, done) != static_cast<ssize_t>(n)) {
        return Check(state, false, "write bounce");
      }
    }
  }
  state.SetBytesProcessed(state.iterations() * size);
}

constexpr int64_t k4k = 4 << 10, k64k = 64 << 10, k1m = 1 << 20;

BENCHMARK(BM_NativePread)->Arg(k4k)->Arg(k64k)->Arg(k1m);
BENCHMARK(BM_PreadOnly)->Arg(k4k)->Arg(k64k)->Arg(k1m);
BENCHMARK(BM_WritevOnly)->Arg(k4k)->Arg(k64k)->Arg(k1m);
BENCHMARK(BM_BounceFresh)->Arg(k4k)->Arg(k64k)->Arg(k1m)->Arg(4 * k1m);
BENCHMARK(BM_BounceReused)->Arg(k4k)->Arg(k64k)->Arg(k1m);
BENCHMARK(BM_BounceChunked)->ArgsProduct({{k1m}, {32 << 10, 64 << 10, 128 << 10, 256 << 10, 512 << 10}});
BENCHMARK(BM_MappedWindow)->Arg(k4k)->Arg(k64k)->Arg(k1m);
BENCHMARK(BM_MappedFresh)->Arg(k4k)->Arg(k64k)->Arg(k1m);
BENCHMARK(BM_MappedFreshNoPopulate)->Arg(k4k)->Arg(k64k)->Arg(k1m);
BENCHMARK(BM_MappedWindow)->Arg(16 << 10)->Arg(32 << 10);
BENCHMARK(BM_BounceReused)->Arg(16 << 10)->Arg(32 << 10);
BENCHMARK(BM_SeqBounce)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SeqMappedWindows)->ArgsProduct({{1 << 20, 8 << 20, 64 << 20}, {0, 1}})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SeqMappedKept)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_WriteBounceReused)->Arg(k4k)->Arg(k1m);
BENCHMARK(BM_WriteBounceChunked)->ArgsProduct({{k1m}, {64 << 10, 128 << 10, 256 << 10}});

// A mapping read past the end of a file truncated under it: the copy must
// fail, not kill the copier with SIGBUS.
void CheckTruncatedMappingFailsTheCopy() {
  char tmpl[] = "/var/tmp/runsc_copy_path_trunc.XXXXXX";
  const int fd = mkstemp(tmpl);
  if (fd < 0) std::abort();
  unlink(tmpl);
  std::vector<char> data(k64k, 't');
  if (pwrite(fd, data.data(), data.size(), 0) != k64k) std::abort();
  void* map = mmap(nullptr, k64k, PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED || ftruncate(fd, 4096) != 0) std::abort();
  const ssize_t n = WriteToTarget(map, k64k);
  std::fprintf(stderr, "process_vm_writev of 64 KiB from a mapping truncated to 4 KiB: %zd%s\n", n,
               n < 0 ? (std::string(" (") + std::strerror(errno) + ")").c_str() : "");
  if (n >= k64k) std::abort();
  munmap(map, k64k);
  close(fd);
}

}  // namespace

int main(int argc, char** argv) {
  TheTarget();
  TheFile();
  CheckTruncatedMappingFailsTheCopy();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  kill(TheTarget().pid, SIGKILL);
  waitpid(TheTarget().pid, nullptr, 0);
  return 0;
}
