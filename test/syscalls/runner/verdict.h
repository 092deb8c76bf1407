// The outcome of one test case under one runtime, as results.json spells it.
#ifndef RUNSC_TEST_SYSCALLS_RUNNER_VERDICT_H_
#define RUNSC_TEST_SYSCALLS_RUNNER_VERDICT_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace runsc::compat {

enum class Verdict {
  kPass,     // gtest printed OK for the case and the binary's run did not contradict it.
  kFail,     // FAILED, a crash, a sandbox that died, or no result at all.
  kSkip,     // GTEST_SKIP, or the runtime is not installed.
  kTimeout,  // The case ran longer than the per-case timeout and was killed.
};

// "pass", "fail", "skip", "timeout".
absl::string_view VerdictName(Verdict verdict);
std::optional<Verdict> VerdictFromName(absl::string_view name);

// A verdict with the reason a person needs when it is not a pass
// ("killed by SIGSEGV", "printed OK but exited 1"...). Empty for a plain pass.
struct CaseOutcome {
  Verdict verdict = Verdict::kFail;
  std::string detail;
};

}  // namespace runsc::compat

#endif  // RUNSC_TEST_SYSCALLS_RUNNER_VERDICT_H_
