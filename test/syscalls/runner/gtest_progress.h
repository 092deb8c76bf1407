// Reads GoogleTest's text output (--gtest_color=no) as it arrives and keeps,
// for every case, whether it started and how it ended. Only the four lines
// that gtest prints around each case count:
//   [ RUN      ] Suite.Case
//   [       OK ] Suite.Case (0 ms)
//   [  FAILED  ] Suite.Case (1 ms)        (", where GetParam() = ..." allowed)
//   [  SKIPPED ] Suite.Case (0 ms)
// A result line counts only for the case that is running at that moment, so
// gtest's closing summary ("[  FAILED  ] Suite.Case" again, "[  FAILED  ] 1
// test, listed below:") changes nothing, and a result for a case that never
// started is ignored. A marker may follow text the test printed without a
// newline ("partial[       OK ] S.C").
#ifndef RUNSC_TEST_SYSCALLS_RUNNER_GTEST_PROGRESS_H_
#define RUNSC_TEST_SYSCALLS_RUNNER_GTEST_PROGRESS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace runsc::compat {

class GtestProgress {
 public:
  enum class CaseState {
    kRunning,  // RUN seen, no result (yet): at the end, the case crashed or hung.
    kOk,
    kFailed,
    kSkipped,
  };

  // Feeds more of the program's stdout. Complete lines are parsed now, a
  // trailing partial line when more arrives or at Finish(). Returns true if
  // the chunk held at least one line that started or ended a case.
  bool Feed(absl::string_view chunk);
  // Parses what is left of a last line without a newline.
  void Finish();

  // Cases in the order they started.
  const std::vector<std::string>& Started() const { return started_; }
  // State of `name`, or nullopt if it never started.
  std::optional<CaseState> StateOf(const std::string& name) const;
  // The case that started and has not ended, if any.
  const std::optional<std::string>& Running() const { return running_; }
  // Where the case's first assertion failed ("read_test.cc:42", from gtest's
  // "<path>:<line>: Failure"), or "" if no such line was seen.
  std::string FailureLocation(const std::string& name) const;

 private:
  // True if the line started or ended a case.
  bool ParseLine(absl::string_view line);

  std::string partial_;
  std::vector<std::string> started_;
  std::map<std::string, CaseState> states_;
  std::map<std::string, std::string> failure_locations_;
  std::optional<std::string> running_;
};

}  // namespace runsc::compat

#endif  // RUNSC_TEST_SYSCALLS_RUNNER_GTEST_PROGRESS_H_
