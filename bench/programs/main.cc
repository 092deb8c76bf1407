// runsc_bench_workloads: the benchmark program that runsc-bench runs
// natively, under runc and under runsc (syscall_bench.cc, file_bench.cc,
// process_bench.cc). Google Benchmark's own flags, plus --bench_root=DIR
// when it runs outside the benchmark rootfs (workload_env.h).
#include "bench/programs/workload_env.h"
#include "benchmark/benchmark.h"

int main(int argc, char** argv) {
  if (!runsc::bench::ConsumeBenchRootFlag(&argc, argv)) return 2;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
