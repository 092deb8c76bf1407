#include "test/syscalls/runner/compat_results.h"

#include "absl/strings/str_cat.h"

namespace runsc::compat {

CaseOutcome FamilyResults::Get(const std::string& runtime, const std::string& gtest_name) const {
  auto r = by_runtime.find(runtime);
  if (r == by_runtime.end()) return {Verdict::kSkip, "not run"};
  auto c = r->second.cases.find(gtest_name);
  if (c == r->second.cases.end()) return {Verdict::kSkip, "not run"};
  return c->second;
}

Score CompatResults::FamilyScore(const FamilyResults& family, const std::string& runtime) {
  Score score;
  for (const std::string& name : family.cases) {
    const bool native_pass = family.Get(kNativeRuntime, name).verdict == Verdict::kPass;
    if (runtime == kNativeRuntime) {
      ++score.total;
      score.passed += native_pass;
    } else if (native_pass) {
      ++score.total;
      score.passed += family.Get(runtime, name).verdict == Verdict::kPass;
    }
  }
  return score;
}

Score CompatResults::TotalScore(const std::string& runtime) const {
  Score total;
  for (const FamilyResults& f : families_) {
    Score s = FamilyScore(f, runtime);
    total.passed += s.passed;
    total.total += s.total;
  }
  return total;
}

nlohmann::ordered_json CompatResults::ToJson() const {
  nlohmann::ordered_json names = nlohmann::ordered_json::array();
  for (const RuntimeSpec& r : runtimes_) names.push_back(r.name);
  nlohmann::ordered_json tests = nlohmann::ordered_json::array();
  for (const FamilyResults& f : families_) {
    for (const std::string& name : f.cases) {
      nlohmann::ordered_json results = nlohmann::ordered_json::object();
      for (const RuntimeSpec& r : runtimes_) {
        results[r.name] = VerdictName(f.Get(r.name, name).verdict);
      }
      tests.push_back({{"name", absl::StrCat(f.family, ".", name)},
                       {"family", f.family},
                       {"results", std::move(results)}});
    }
  }
  return {{"runtimes", std::move(names)}, {"tests", std::move(tests)}};
}

}  // namespace runsc::compat
