// Runs the cases of one family binary under one runtime and decides each
// case's verdict. This is where the harness stays honest:
//
// 1. The selected cases run in ONE launch (one container), --gtest_color=no.
//    Every case gtest printed OK for is a pass, FAILED a fail, SKIPPED a
//    skip. The case running when the launch ended without finishing (a
//    crash, a sandbox that died) is a fail, or a timeout when the per-case
//    timeout killed it.
// 2. If that launch exited non-zero although no case failed, crashed or hung
//    (e.g. every case printed OK and the binary then exited 1), its OKs are
//    not believed: those cases are run again one by one.
// 3. Cases that never ran (after a crash, a hang, or because nothing was
//    printed) are run one by one, each in a fresh launch with
//    --gtest_filter=Suite.Case. Alone, a case passes only if gtest printed OK
//    for it AND the binary exited 0; SKIPPED needs exit 0 too.
// 4. A binary that starts no case at all, in the family launch and again for
//    the first case alone (a runtime that cannot start it), is not retried
//    for every case: the remaining cases get that second launch's verdict,
//    and a note says why.
#ifndef RUNSC_TEST_SYSCALLS_RUNNER_FAMILY_RUNNER_H_
#define RUNSC_TEST_SYSCALLS_RUNNER_FAMILY_RUNNER_H_

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "test/syscalls/runner/launcher.h"
#include "test/syscalls/runner/verdict.h"

namespace runsc::compat {

struct FamilyOutcome {
  std::map<std::string, CaseOutcome> cases;  // "Suite.Case" -> outcome, for every case asked.
  std::vector<std::string> notes;            // What happened beyond per-case verdicts.
  int launches = 0;
};

class FamilyRunner {
 public:
  // `log`, if not null, receives every launch: arguments, how it ended,
  // stdout and stderr.
  FamilyRunner(Launcher& launcher, absl::Duration per_case_timeout, std::ostream* log)
      : launcher_(launcher), timeout_(per_case_timeout), log_(log) {}

  // `cases` are full gtest names in listing order; `whole_binary` says they
  // are every case of the binary (so no --gtest_filter is needed).
  FamilyOutcome Run(const std::string& binary, const std::vector<std::string>& cases,
                    bool whole_binary);

 private:
  SubprocessResult Launch(const std::string& binary, const std::vector<std::string>& args);

  Launcher& launcher_;
  absl::Duration timeout_;
  std::ostream* log_;
};

}  // namespace runsc::compat

#endif  // RUNSC_TEST_SYSCALLS_RUNNER_FAMILY_RUNNER_H_
