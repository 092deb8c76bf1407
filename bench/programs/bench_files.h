// What the benchmark rootfs holds besides the workloads program and its
// libraries: shared by the workloads (which use these files) and
// runsc-bench's rootfs builder (which makes them at run time; they are never
// committed).
#ifndef RUNSC_BENCH_PROGRAMS_BENCH_FILES_H_
#define RUNSC_BENCH_PROGRAMS_BENCH_FILES_H_

#include <cstddef>

namespace runsc::bench {

struct DataFile {
  const char* path;  // Inside the rootfs.
  size_t size;
};

inline constexpr DataFile kFile4k{"/bench/data/file_4k", size_t{4} << 10};
inline constexpr DataFile kFile1m{"/bench/data/file_1m", size_t{1} << 20};
// seq_read_mbps: large enough that one pass is many 1 MiB reads.
inline constexpr DataFile kFile256m{"/bench/data/file_256m", size_t{256} << 20};
inline constexpr DataFile kDataFiles[] = {kFile4k, kFile1m, kFile256m};

// Where the workloads program is put (with its name) in the rootfs.
inline constexpr char kProgramDir[] = "/bench";
// Where write_1m writes: the rootfs's own /tmp, a directory of the rootfs
// under every runtime (no tmpfs is mounted there).
inline constexpr char kScratchDir[] = "/tmp";
// busybox-static, with /bin/true and /bin/sleep linked to it: what
// fork_exec_wait execs and what the harness's startup and idle_rss run.
inline constexpr char kBusybox[] = "/bin/busybox";

}  // namespace runsc::bench

#endif  // RUNSC_BENCH_PROGRAMS_BENCH_FILES_H_
