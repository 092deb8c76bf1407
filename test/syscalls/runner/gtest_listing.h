// Parses `<binary> --gtest_list_tests`:
//   Running main() from gtest_main.cc        (anything not shaped like a suite is ignored)
//   Suite.
//     Case
//   Param/Suite.  # TypeParam = int
//     Case/0  # GetParam() = 1
// into full names ("Suite.Case", "Param/Suite.Case/0"), in order. Cases of
// DISABLED_ suites or named DISABLED_* are left out: gtest does not run them.
#ifndef RUNSC_TEST_SYSCALLS_RUNNER_GTEST_LISTING_H_
#define RUNSC_TEST_SYSCALLS_RUNNER_GTEST_LISTING_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace runsc::compat {

std::vector<std::string> ParseGtestListing(absl::string_view listing);

}  // namespace runsc::compat

#endif  // RUNSC_TEST_SYSCALLS_RUNNER_GTEST_LISTING_H_
