#include "bench/runner/bench_results.h"

#include <algorithm>

namespace runsc::bench {

BenchResult BenchResult::Measured(std::string name, std::string runtime, Measurement m) {
  return {std::move(name), std::move(runtime), std::move(m), ""};
}

BenchResult BenchResult::Failed(std::string name, std::string runtime, std::string error) {
  return {std::move(name), std::move(runtime), std::nullopt, std::move(error)};
}

bool HigherIsBetter(const std::string& unit) { return unit.ends_with("/s"); }

void BenchResults::Add(BenchResult result) {
  auto it = std::find_if(results_.begin(), results_.end(), [&](const BenchResult& r) {
    return r.name == result.name && r.runtime == result.runtime;
  });
  if (it != results_.end()) {
    *it = std::move(result);
  } else {
    results_.push_back(std::move(result));
  }
}

const BenchResult* BenchResults::Find(const std::string& name, const std::string& runtime) const {
  for (const BenchResult& r : results_) {
    if (r.name == name && r.runtime == runtime) return &r;
  }
  return nullptr;
}

std::optional<double> BenchResults::Ratio(const std::string& name, const std::string& runtime,
                                          const std::string& reference) const {
  const BenchResult* a = Find(name, runtime);
  const BenchResult* b = Find(name, reference);
  if (a == nullptr || b == nullptr || !a->measurement || !b->measurement ||
      a->measurement->unit != b->measurement->unit || b->measurement->value <= 0) {
    return std::nullopt;
  }
  return a->measurement->value / b->measurement->value;
}

nlohmann::ordered_json BenchResults::ToJson() const {
  nlohmann::ordered_json runtimes = nlohmann::ordered_json::array();
  for (const RuntimeSpec& r : runtimes_) {
    nlohmann::ordered_json j = {{"name", r.name}, {"available", r.unavailable.empty()}};
    if (!r.unavailable.empty()) j["reason"] = r.unavailable;
    runtimes.push_back(std::move(j));
  }
  nlohmann::ordered_json benchmarks = nlohmann::ordered_json::array();
  // Benchmark by benchmark, runtimes in their order: as the report reads.
  for (const std::string& name : benchmarks_) {
    for (const RuntimeSpec& runtime : runtimes_) {
      const BenchResult* r = Find(name, runtime.name);
      if (r == nullptr) continue;
      nlohmann::ordered_json j = {{"name", r->name}, {"runtime", r->runtime}};
      if (r->measurement) {
        j["value"] = r->measurement->value;
        j["unit"] = r->measurement->unit;
        if (!r->measurement->detail.empty()) j["detail"] = r->measurement->detail;
      } else {
        j["value"] = nullptr;
        j["error"] = r->error;
      }
      benchmarks.push_back(std::move(j));
    }
  }
  return {{"runtimes", std::move(runtimes)}, {"benchmarks", std::move(benchmarks)}};
}

}  // namespace runsc::bench
