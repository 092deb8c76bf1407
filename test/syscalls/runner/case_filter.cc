#include "test/syscalls/runner/case_filter.h"

#include <fnmatch.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace runsc::compat {
namespace {

bool Glob(const std::string& pattern, const std::string& text) {
  return fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

}  // namespace

CaseFilter::CaseFilter(const std::vector<std::string>& patterns) {
  for (const std::string& p : patterns) {
    for (absl::string_view part : absl::StrSplit(p, ',', absl::SkipWhitespace())) {
      patterns_.emplace_back(part);
    }
  }
}

bool CaseFilter::MaySelectFamily(absl::string_view family) const {
  if (patterns_.empty()) return true;
  const std::string f(family);
  for (const std::string& p : patterns_) {
    // For "fam*.Suite.*" the part before the first '.' must match the family.
    if (Glob(p.substr(0, p.find('.')), f)) return true;
  }
  return false;
}

bool CaseFilter::Selects(absl::string_view family, absl::string_view gtest_name) const {
  if (patterns_.empty()) return true;
  const std::string f(family);
  const std::string full = absl::StrCat(family, ".", gtest_name);
  for (const std::string& p : patterns_) {
    if (Glob(p, p.find('.') == std::string::npos ? f : full)) return true;
  }
  return false;
}

}  // namespace runsc::compat
