#include "test/syscalls/runner/family_runner.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "test/syscalls/runner/case_watchdog.h"
#include "test/syscalls/runner/gtest_progress.h"

namespace runsc::compat {
namespace {

using CaseState = GtestProgress::CaseState;
using End = SubprocessResult::End;

GtestProgress Parse(const SubprocessResult& r) {
  GtestProgress progress;
  progress.Feed(r.stdout_text);
  progress.Finish();
  return progress;
}

// The last line the run wrote to stderr (a runtime's error message), short.
std::string LastErrorLine(const SubprocessResult& r) {
  std::string last;
  for (absl::string_view line : absl::StrSplit(r.stderr_text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (!line.empty()) last = std::string(line);
  }
  if (last.size() > 200) last = last.substr(0, 197) + "...";
  return last;
}

// How the run ended, with the runtime's last word when it printed no case.
std::string Ending(const SubprocessResult& r, bool with_stderr) {
  std::string s = r.Describe();
  if (with_stderr) {
    if (std::string err = LastErrorLine(r); !err.empty()) absl::StrAppend(&s, ": ", err);
  }
  return s;
}

CaseOutcome Outcome(Verdict v, std::string detail = "") { return {v, std::move(detail)}; }

// "FAILED at read_test.cc:42", or "FAILED" when gtest named no location.
std::string FailedDetail(const GtestProgress& progress, const std::string& name) {
  std::string where = progress.FailureLocation(name);
  return where.empty() ? "FAILED" : absl::StrCat("FAILED at ", where);
}

// The verdict of `name` run alone (rule 3).
CaseOutcome SingleVerdict(const std::string& name, const SubprocessResult& r,
                          const GtestProgress& progress, absl::Duration timeout) {
  std::optional<CaseState> state = progress.StateOf(name);
  if (r.end == End::kTimedOut) {
    if (state == CaseState::kOk) return Outcome(Verdict::kTimeout, "printed OK but did not exit");
    return Outcome(Verdict::kTimeout,
                   absl::StrCat("no progress for ", absl::FormatDuration(timeout), ", killed"));
  }
  if (!state) {
    return Outcome(Verdict::kFail,
                   absl::StrCat("printed no result for the case (", Ending(r, true), ")"));
  }
  switch (*state) {
    case CaseState::kOk:
      if (r.Succeeded()) return Outcome(Verdict::kPass);
      return Outcome(Verdict::kFail, absl::StrCat("printed OK but ", r.Describe()));
    case CaseState::kSkipped:
      if (r.Succeeded()) return Outcome(Verdict::kSkip, "GTEST_SKIP");
      return Outcome(Verdict::kFail, absl::StrCat("printed SKIPPED but ", r.Describe()));
    case CaseState::kFailed:
      return Outcome(Verdict::kFail, FailedDetail(progress, name));
    case CaseState::kRunning:
      return Outcome(Verdict::kFail, absl::StrCat("crashed: ", Ending(r, false)));
  }
  return Outcome(Verdict::kFail);
}

}  // namespace

SubprocessResult FamilyRunner::Launch(const std::string& binary,
                                      const std::vector<std::string>& args) {
  CaseWatchdog watchdog(timeout_);
  SubprocessResult r = launcher_.Launch(binary, args, watchdog);
  if (log_) AppendRunLog(*log_, absl::StrCat(binary, " ", absl::StrJoin(args, " ")), r);
  return r;
}

FamilyOutcome FamilyRunner::Run(const std::string& binary, const std::vector<std::string>& cases,
                                bool whole_binary) {
  FamilyOutcome out;
  if (cases.empty()) return out;

  // Rule 1: the family in one launch.
  std::vector<std::string> args = {"--gtest_color=no"};
  if (!whole_binary) args.push_back(absl::StrCat("--gtest_filter=", absl::StrJoin(cases, ":")));
  SubprocessResult family = Launch(binary, args);
  ++out.launches;
  GtestProgress progress = Parse(family);

  std::vector<std::string> pending;      // To run alone, in listing order.
  bool explained = false;                // Something in the run accounts for a non-zero exit.
  std::vector<std::string> believed_ok;  // OK or SKIPPED: only as good as the exit status.
  for (const std::string& name : cases) {
    std::optional<CaseState> state = progress.StateOf(name);
    if (!state) {
      pending.push_back(name);
      continue;
    }
    switch (*state) {
      case CaseState::kOk:
        out.cases[name] = Outcome(Verdict::kPass);
        believed_ok.push_back(name);
        break;
      case CaseState::kSkipped:
        out.cases[name] = Outcome(Verdict::kSkip, "GTEST_SKIP");
        believed_ok.push_back(name);
        break;
      case CaseState::kFailed:
        out.cases[name] = Outcome(Verdict::kFail, FailedDetail(progress, name));
        explained = true;
        break;
      case CaseState::kRunning:
        explained = true;
        if (family.end == End::kTimedOut && progress.Running() == name) {
          out.cases[name] =
              Outcome(Verdict::kTimeout,
                      absl::StrCat("no progress for ", absl::FormatDuration(timeout_), ", killed"));
          out.notes.push_back(absl::StrCat(name, " hung; the family run was killed"));
        } else {
          out.cases[name] =
              Outcome(Verdict::kFail, absl::StrCat("crashed: ", Ending(family, false)));
          out.notes.push_back(absl::StrCat(name, " never finished (", Ending(family, false), ")"));
        }
        break;
    }
  }
  if (!pending.empty() && family.end == End::kTimedOut) explained = true;
  const size_t never_ran = pending.size();

  // Rule 2: a failed exit that nothing explains voids the run's OKs.
  if (!family.Succeeded() && !explained && !believed_ok.empty()) {
    out.notes.push_back(
        absl::StrCat("the family run ", Ending(family, true),
                     " although no case failed: its passes and skips were re-checked one by one"));
    for (const std::string& name : believed_ok) {
      out.cases.erase(name);
    }
    std::vector<std::string> all_pending;
    for (const std::string& name : cases) {
      if (!out.cases.contains(name)) all_pending.push_back(name);
    }
    pending = std::move(all_pending);
  }
  if (pending.empty()) return out;
  if (!progress.Started().empty() && never_ran > 0) {
    out.notes.push_back(absl::StrCat(never_ran, " case(s) that did not run in the family run (",
                                     Ending(family, false), ") were run one by one"));
  }

  // Rules 3 and 4.
  const bool family_started_nothing = progress.Started().empty();
  for (size_t i = 0; i < pending.size(); ++i) {
    const std::string& name = pending[i];
    if (SubprocessesCancelled()) {
      out.cases[name] = Outcome(Verdict::kSkip, "not run: the runner was interrupted");
      continue;
    }
    SubprocessResult single =
        Launch(binary, {"--gtest_color=no", absl::StrCat("--gtest_filter=", name)});
    ++out.launches;
    GtestProgress alone = Parse(single);
    out.cases[name] = SingleVerdict(name, single, alone, timeout_);
    if (i == 0 && family_started_nothing && alone.Started().empty() && pending.size() > 1) {
      const CaseOutcome verdict = out.cases[name];
      out.notes.push_back(absl::StrCat("the binary started no case, in the family run (",
                                       Ending(family, true), ") nor alone (", Ending(single, true),
                                       "): the other ", pending.size() - 1,
                                       " case(s) were not retried and get the same verdict"));
      for (size_t j = 1; j < pending.size(); ++j) {
        out.cases[pending[j]] = Outcome(verdict.verdict, absl::StrCat("not run: ", verdict.detail));
      }
      break;
    }
  }
  return out;
}

}  // namespace runsc::compat
