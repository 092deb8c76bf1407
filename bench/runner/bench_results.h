// Everything one runsc-bench run measured: for every benchmark and runtime
// either a number (value + unit) or why there is none. A benchmark program
// that crashed, hung or printed what cannot be parsed, and a runtime that is
// not installed, are failures with that reason: never a number.
#ifndef RUNSC_BENCH_RUNNER_BENCH_RESULTS_H_
#define RUNSC_BENCH_RUNNER_BENCH_RESULTS_H_

#include <optional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "test/syscalls/runner/runtime_spec.h"

namespace runsc::bench {

using compat::kNativeRuntime;
using compat::RuntimeSpec;

struct Measurement {
  double value = 0;  // > 0 and finite.
  std::string unit;  // "ns", "us", "ms", "MB/s", "MB".
  std::string detail;  // What was measured, when it says more ("3 processes: ...").
};

struct BenchResult {
  std::string name;     // "getppid".
  std::string runtime;  // "runsc-ptrace".
  std::optional<Measurement> measurement;
  std::string error;  // Why there is no measurement; empty when there is one.

  static BenchResult Measured(std::string name, std::string runtime, Measurement m);
  static BenchResult Failed(std::string name, std::string runtime, std::string error);
};

// Whether bigger numbers of `unit` are better (MB/s) or worse (times, MB).
bool HigherIsBetter(const std::string& unit);

class BenchResults {
 public:
  BenchResults(std::vector<RuntimeSpec> runtimes, std::vector<std::string> benchmarks)
      : runtimes_(std::move(runtimes)), benchmarks_(std::move(benchmarks)) {}

  // Replaces an earlier result of the same benchmark and runtime.
  void Add(BenchResult result);

  const std::vector<RuntimeSpec>& runtimes() const { return runtimes_; }
  // In the order they ran; every one has a result per runtime, except where
  // a runtime does not apply (idle_rss natively).
  const std::vector<std::string>& benchmarks() const { return benchmarks_; }
  const std::vector<BenchResult>& results() const { return results_; }
  // nullptr if there is none.
  const BenchResult* Find(const std::string& name, const std::string& runtime) const;
  // value(runtime) / value(reference) for `name`, if both were measured in
  // the same unit.
  std::optional<double> Ratio(const std::string& name, const std::string& runtime,
                              const std::string& reference) const;

  // results.json:
  //   {"runtimes": [{"name": "runc", "available": true}, {"name": "ghost",
  //     "available": false, "reason": "..."}],
  //    "benchmarks": [{"name": "getppid", "runtime": "runsc-ptrace", "value": 1234.5,
  //                    "unit": "ns"},
  //                   {"name": "stat", "runtime": "ghost", "value": null,
  //                    "error": "runtime not available: ..."}]}
  nlohmann::ordered_json ToJson() const;

 private:
  std::vector<RuntimeSpec> runtimes_;
  std::vector<std::string> benchmarks_;
  std::vector<BenchResult> results_;
};

}  // namespace runsc::bench

#endif  // RUNSC_BENCH_RUNNER_BENCH_RESULTS_H_
