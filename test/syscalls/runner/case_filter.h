// --filter: which families and cases to run. Each pattern is an fnmatch(3)
// glob; one without a '.' matches family names ("read", "sig*"), one with a
// '.' matches full test names "<family>.<Suite>.<Case>" ("read.*Zero*",
// "getpid.GetpidTest.*"). No pattern at all selects everything.
#ifndef RUNSC_TEST_SYSCALLS_RUNNER_CASE_FILTER_H_
#define RUNSC_TEST_SYSCALLS_RUNNER_CASE_FILTER_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace runsc::compat {

class CaseFilter {
 public:
  // Patterns may also come comma-separated in one string.
  explicit CaseFilter(const std::vector<std::string>& patterns);

  // False only if no case of `family` can be selected (so it need not even
  // be listed).
  bool MaySelectFamily(absl::string_view family) const;
  // `gtest_name` is "Suite.Case".
  bool Selects(absl::string_view family, absl::string_view gtest_name) const;

 private:
  std::vector<std::string> patterns_;
};

}  // namespace runsc::compat

#endif  // RUNSC_TEST_SYSCALLS_RUNNER_CASE_FILTER_H_
