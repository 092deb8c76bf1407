#include "test/syscalls/runner/verdict.h"

namespace runsc::compat {

absl::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass:
      return "pass";
    case Verdict::kFail:
      return "fail";
    case Verdict::kSkip:
      return "skip";
    case Verdict::kTimeout:
      return "timeout";
  }
  return "fail";
}

std::optional<Verdict> VerdictFromName(absl::string_view name) {
  for (Verdict v : {Verdict::kPass, Verdict::kFail, Verdict::kSkip, Verdict::kTimeout}) {
    if (VerdictName(v) == name) return v;
  }
  return std::nullopt;
}

}  // namespace runsc::compat
