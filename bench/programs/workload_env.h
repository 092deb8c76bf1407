// What every workload needs besides Google Benchmark.
//
// The rootfs they run on: in a container that is "/"; natively the program
// runs on the host and is given the host path of the same rootfs
// (--bench_root=DIR), so that every runtime reads the same files and execs
// the same busybox.
#ifndef RUNSC_BENCH_PROGRAMS_WORKLOAD_ENV_H_
#define RUNSC_BENCH_PROGRAMS_WORKLOAD_ENV_H_

#include <string>

#include "benchmark/benchmark.h"

namespace runsc::bench {

// Removes --bench_root=DIR from argv (Google Benchmark refuses flags it does
// not know) and remembers DIR. Returns false, with a message on stderr, for
// a relative DIR.
bool ConsumeBenchRootFlag(int* argc, char** argv);

// `path` (absolute, inside the rootfs) as this process must open it.
std::string InBenchRoot(const char* path);

// Ends the benchmark with "<what>: <strerror(errno)>". Google Benchmark then
// reports it with error_occurred, which runsc-bench shows as that failure,
// never as a number.
void SkipWithErrno(benchmark::State& state, const std::string& what);

}  // namespace runsc::bench

#endif  // RUNSC_BENCH_PROGRAMS_WORKLOAD_ENV_H_
