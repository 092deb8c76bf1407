// The per-case timeout of a family run: an OutputWatcher whose deadline is
// `per_case` after the last time gtest started or finished a case (or after
// the launch, which covers the sandbox's start-up and the first case). A
// case that sleeps forever therefore stops the run `per_case` after its
// "[ RUN ]" line, however many cases ran before it.
#ifndef RUNSC_TEST_SYSCALLS_RUNNER_CASE_WATCHDOG_H_
#define RUNSC_TEST_SYSCALLS_RUNNER_CASE_WATCHDOG_H_

#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "test/syscalls/runner/gtest_progress.h"
#include "test/syscalls/runner/subprocess.h"

namespace runsc::compat {

class CaseWatchdog : public OutputWatcher {
 public:
  explicit CaseWatchdog(absl::Duration per_case)
      : per_case_(per_case), deadline_(absl::Now() + per_case) {}

  void OnStdout(absl::string_view chunk) override {
    if (progress_.Feed(chunk)) deadline_ = absl::Now() + per_case_;
  }
  absl::Time Deadline() const override { return deadline_; }

 private:
  absl::Duration per_case_;
  absl::Time deadline_;
  GtestProgress progress_;
};

}  // namespace runsc::compat

#endif  // RUNSC_TEST_SYSCALLS_RUNNER_CASE_WATCHDOG_H_
