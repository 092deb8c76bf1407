#include "test/syscalls/runner/gtest_listing.h"

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace runsc::compat {
namespace {

// The line without gtest's "  # GetParam() = ..." comment and trailing blanks.
absl::string_view WithoutComment(absl::string_view line) {
  if (size_t hash = line.find("  #"); hash != absl::string_view::npos) line = line.substr(0, hash);
  return absl::StripTrailingAsciiWhitespace(line);
}

bool IsDisabled(absl::string_view name) { return absl::StartsWith(name, "DISABLED_"); }

}  // namespace

std::vector<std::string> ParseGtestListing(absl::string_view listing) {
  std::vector<std::string> names;
  std::string suite;  // "Suite." of the lines that follow; empty outside a suite.
  for (absl::string_view raw : absl::StrSplit(listing, '\n')) {
    absl::string_view line = WithoutComment(raw);
    if (line.empty()) continue;
    if (absl::StartsWith(line, "  ")) {
      absl::string_view name = absl::StripLeadingAsciiWhitespace(line);
      if (suite.empty() || name.find_first_of(" \t") != absl::string_view::npos) continue;
      // DISABLED_ may prefix the suite (after an instantiation prefix) or the case.
      absl::string_view suite_name = suite;
      if (size_t slash = suite_name.rfind('/'); slash != absl::string_view::npos) {
        suite_name = suite_name.substr(slash + 1);
      }
      if (IsDisabled(suite_name) || IsDisabled(name)) continue;
      names.push_back(suite + std::string(name));
      continue;
    }
    bool suite_line = absl::EndsWith(line, ".") && line.size() > 1 &&
                      line.find_first_of(" \t") == absl::string_view::npos;
    suite = suite_line ? std::string(line) : std::string();
  }
  return names;
}

}  // namespace runsc::compat
