// Everything one compat run found, and the scores derived from it.
//
// Test names in results.json are "<family>.<Suite>.<Case>": the family (the
// binary runsc_syscall_test_<family>) and gtest's full case name, so
// "read.ReadTest.ZeroBytes".
//
// Scoring: a runtime's score in a family is passed/total where total is the
// number of cases that PASS NATIVELY and passed the number of those that
// pass under the runtime. A case that fails, is skipped or times out
// natively is reported ("native: fail") and counts for no runtime. The
// native column itself is natively-passing/all cases.
#ifndef RUNSC_TEST_SYSCALLS_RUNNER_COMPAT_RESULTS_H_
#define RUNSC_TEST_SYSCALLS_RUNNER_COMPAT_RESULTS_H_

#include <map>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "test/syscalls/runner/family_runner.h"
#include "test/syscalls/runner/runtime_spec.h"
#include "test/syscalls/runner/verdict.h"

namespace runsc::compat {

struct FamilyResults {
  std::string family;
  std::string binary;
  std::vector<std::string> cases;  // Selected "Suite.Case" names, listing order.
  bool whole_binary = true;        // `cases` are all the binary lists (no --filter left any out).
  std::string list_error;          // Why --gtest_list_tests failed; then `cases` is empty.
  std::map<std::string, FamilyOutcome> by_runtime;  // Runtime name -> outcome.

  // The verdict of `gtest_name` under `runtime`; kSkip if it is unknown.
  CaseOutcome Get(const std::string& runtime, const std::string& gtest_name) const;
};

struct Score {
  int passed = 0;
  int total = 0;
  // 0..100, or -1 when total is 0.
  double Percent() const { return total == 0 ? -1 : 100.0 * passed / total; }
};

class CompatResults {
 public:
  CompatResults(std::vector<RuntimeSpec> runtimes, std::vector<FamilyResults> families)
      : runtimes_(std::move(runtimes)), families_(std::move(families)) {}

  const std::vector<RuntimeSpec>& runtimes() const { return runtimes_; }
  const std::vector<FamilyResults>& families() const { return families_; }

  // The score of `runtime` in `family` (see the top of this file).
  static Score FamilyScore(const FamilyResults& family, const std::string& runtime);
  Score TotalScore(const std::string& runtime) const;

  // results.json, exactly:
  //   {"runtimes": [...], "tests": [{"name": "read.ReadTest.ZeroBytes", "family": "read",
  //    "results": {"native": "pass", "runc": "pass", ...}}]}
  nlohmann::ordered_json ToJson() const;

 private:
  std::vector<RuntimeSpec> runtimes_;
  std::vector<FamilyResults> families_;
};

}  // namespace runsc::compat

#endif  // RUNSC_TEST_SYSCALLS_RUNNER_COMPAT_RESULTS_H_
