// The rootfs every runtime runs the benchmarks on, built from the host so
// that the program, its libraries and busybox are the same files natively,
// under runc and under runsc:
//   /bench/<program name>           the benchmark program (dynamically linked)
//   the libraries `ldd` lists       at their host paths (ld-linux, libc,
//                                   libstdc++, libm, libgcc_s, libbenchmark…)
//   /bin/busybox, /bin/true, /bin/sleep   busybox-static and two links to it
//   bench_files.h's data files      made now, never committed
//   /tmp (1777), /proc, /dev, /sys  mount points and scratch space
#ifndef RUNSC_BENCH_RUNNER_BENCH_ROOTFS_H_
#define RUNSC_BENCH_RUNNER_BENCH_ROOTFS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace runsc::bench {

struct BenchRootfs {
  std::string dir;      // Absolute host path of the rootfs.
  std::string program;  // The program's path inside it: "/bench/<name>".
};

// Builds the rootfs in `dir` (created; must not exist) for the host
// programs `program` and `busybox`.
[[nodiscard]] absl::StatusOr<BenchRootfs> BuildBenchRootfs(const std::string& dir,
                                                           const std::string& program,
                                                           const std::string& busybox);

}  // namespace runsc::bench

#endif  // RUNSC_BENCH_RUNNER_BENCH_ROOTFS_H_
