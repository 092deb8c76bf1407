#include "test/syscalls/runner/markdown_report.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"

namespace runsc::compat {
namespace {

// Text that goes into a table cell or a list item on one line.
std::string Cell(absl::string_view text) {
  return absl::StrReplaceAll(text, {{"|", "\\|"}, {"\n", " "}, {"\r", " "}});
}

std::string Code(absl::string_view text) { return absl::StrCat("`", text, "`"); }

std::string ScoreCell(const Score& s) {
  if (s.total == 0) return "–";
  return absl::StrFormat("%d/%d (%.0f%%)", s.passed, s.total, std::floor(s.Percent()));
}

// A score cell, or why there is none.
std::string RuntimeCell(const RuntimeSpec& r, const Score& s) {
  if (!r.unavailable.empty()) return "not available";
  return ScoreCell(s);
}

std::string DescribeRuntime(const RuntimeSpec& r) {
  if (r.native) return "the binaries run directly on the host: the reference";
  std::string s = Code(absl::StrJoin(r.command, " "));
  if (!r.unavailable.empty()) {
    absl::StrAppend(&s, " — **not available**: ", Cell(r.unavailable),
                    "; every case is reported `skip`");
  }
  return s;
}

// One list item per distinct (verdict, reason), in order of first
// appearance, so that 40 cases that all died the same way take one line:
//   - `S.A` — fail: FAILED
//   - fail: crashed: exited 134 (3): `S.B`, `S.C`, `S.D`
// `prefix` goes before the verdict ("native: ").
std::string CaseList(const std::vector<std::pair<std::string, CaseOutcome>>& cases,
                     absl::string_view prefix) {
  struct Group {
    std::string reason;
    std::vector<std::string> names;
  };
  std::vector<Group> groups;
  for (const auto& [name, outcome] : cases) {
    absl::string_view detail = outcome.detail;
    absl::ConsumePrefix(&detail, "not run: ");  // Rule 4 of family_runner.h: same cause.
    std::string reason = absl::StrCat(prefix, VerdictName(outcome.verdict),
                                      detail.empty() ? "" : ": ", Cell(detail));
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const Group& g) { return g.reason == reason; });
    if (it == groups.end()) {
      groups.push_back({reason, {}});
      it = groups.end() - 1;
    }
    it->names.push_back(Code(name));
  }
  std::string out;
  for (const Group& g : groups) {
    if (g.names.size() == 1) {
      absl::StrAppend(&out, "- ", g.names[0], " — ", g.reason, "\n");
    } else {
      absl::StrAppend(&out, "- ", g.reason, " (", g.names.size(),
                      "): ", absl::StrJoin(g.names, ", "), "\n");
    }
  }
  return out;
}

}  // namespace

std::string RenderMarkdownReport(const CompatResults& results, const ReportContext& context) {
  const std::vector<RuntimeSpec>& runtimes = results.runtimes();
  std::string md = "# Syscall compatibility report\n\n";
  absl::StrAppend(&md, "- Date: ",
                  absl::FormatTime("%Y-%m-%d %H:%M UTC", context.date, absl::UTCTimeZone()), "\n");
  if (!context.host.empty()) absl::StrAppend(&md, "- Host: ", context.host, "\n");
  absl::StrAppend(&md, "- Per-case timeout: ", absl::FormatDuration(context.timeout), "\n");
  if (!context.command.empty()) absl::StrAppend(&md, "- Reproduce: ", Code(context.command), "\n");
  absl::StrAppend(&md, "- Runtimes:\n");
  for (const RuntimeSpec& r : runtimes) {
    absl::StrAppend(&md, "  - ", Code(r.name), ": ", DescribeRuntime(r), "\n");
  }
  int all_cases = 0, native_failing = 0;
  for (const FamilyResults& f : results.families()) {
    for (const std::string& name : f.cases) {
      ++all_cases;
      native_failing += f.Get(kNativeRuntime, name).verdict != Verdict::kPass;
    }
  }
  absl::StrAppend(
      &md,
      "\nA runtime's score counts only the cases that pass natively: ", all_cases - native_failing,
      " of ", all_cases, " cases. The ", native_failing,
      " that do not pass natively are listed in their family and scored for no runtime. "
      "Test names in results.json are `<family>.<Suite>.<Case>`.\n");

  // Summary.
  absl::StrAppend(&md, "\n## Summary\n\n| family | cases |");
  for (const RuntimeSpec& r : runtimes) absl::StrAppend(&md, " ", Cell(r.name), " |");
  absl::StrAppend(&md, "\n|---|---:|");
  for (size_t i = 0; i < runtimes.size(); ++i) absl::StrAppend(&md, "---:|");
  absl::StrAppend(&md, "\n");
  for (const FamilyResults& f : results.families()) {
    absl::StrAppend(&md, "| [", f.family, "](#", f.family, ") | ", f.cases.size(), " |");
    for (const RuntimeSpec& r : runtimes) {
      absl::StrAppend(&md, " ", RuntimeCell(r, CompatResults::FamilyScore(f, r.name)), " |");
    }
    absl::StrAppend(&md, "\n");
  }
  absl::StrAppend(&md, "| **all** | ", all_cases, " |");
  for (const RuntimeSpec& r : runtimes) {
    absl::StrAppend(&md, " **", RuntimeCell(r, results.TotalScore(r.name)), "** |");
  }
  absl::StrAppend(&md, "\n");
  if (!context.chart.empty()) {
    absl::StrAppend(&md, "\n![pass rate per family and runtime](", context.chart, ")\n");
  } else if (!context.chart_problem.empty()) {
    absl::StrAppend(&md, "\nNo chart: ", Cell(context.chart_problem), "\n");
  }

  // Where each runtime fails most: the to-do list.
  bool any_failing = false;
  std::string most;
  for (const RuntimeSpec& r : runtimes) {
    if (r.native || !r.unavailable.empty()) continue;
    std::vector<std::pair<int, std::string>> failing;
    for (const FamilyResults& f : results.families()) {
      Score s = CompatResults::FamilyScore(f, r.name);
      if (s.total > s.passed) failing.emplace_back(s.total - s.passed, f.family);
    }
    if (failing.empty()) continue;
    any_failing = true;
    std::stable_sort(failing.begin(), failing.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    if (failing.size() > 8) failing.resize(8);
    std::vector<std::string> items;
    for (const auto& [n, family] : failing) items.push_back(absl::StrCat(family, " (", n, ")"));
    absl::StrAppend(&most, "- ", Code(r.name), ": ", absl::StrJoin(items, ", "), "\n");
  }
  if (any_failing) {
    absl::StrAppend(&md, "\nFamilies with the most natively-passing cases that fail:\n\n", most);
  }

  // One section per family.
  for (const FamilyResults& f : results.families()) {
    absl::StrAppend(&md, "\n## ", f.family, "\n\n");
    if (!f.list_error.empty()) {
      absl::StrAppend(&md, "Could not list the cases of ", Code(f.binary), ": ", Cell(f.list_error),
                      "\n");
      continue;
    }
    absl::StrAppend(&md, f.cases.size(), " cases.\n\n| runtime | passed |\n|---|---:|\n");
    for (const RuntimeSpec& r : runtimes) {
      absl::StrAppend(&md, "| ", Cell(r.name), " | ",
                      RuntimeCell(r, CompatResults::FamilyScore(f, r.name)), " |\n");
    }
    std::vector<std::pair<std::string, CaseOutcome>> native_failures;
    for (const std::string& name : f.cases) {
      CaseOutcome native = f.Get(kNativeRuntime, name);
      if (native.verdict != Verdict::kPass) native_failures.emplace_back(name, native);
    }
    if (!native_failures.empty()) {
      absl::StrAppend(&md, "\nNot passing natively (left out of the scores):\n\n",
                      CaseList(native_failures, "native: "));
    }
    for (const RuntimeSpec& r : runtimes) {
      if (r.native || !r.unavailable.empty()) continue;
      std::vector<std::pair<std::string, CaseOutcome>> failing;
      for (const std::string& name : f.cases) {
        if (f.Get(kNativeRuntime, name).verdict != Verdict::kPass) continue;
        CaseOutcome o = f.Get(r.name, name);
        if (o.verdict != Verdict::kPass) failing.emplace_back(name, o);
      }
      if (!failing.empty()) {
        absl::StrAppend(&md, "\nNot passing under ", Code(r.name), " (", failing.size(), "):\n\n",
                        CaseList(failing, ""));
      }
    }
    std::vector<std::string> notes;
    for (const RuntimeSpec& r : runtimes) {
      auto it = f.by_runtime.find(r.name);
      if (it == f.by_runtime.end()) continue;
      for (const std::string& note : it->second.notes) {
        notes.push_back(absl::StrCat("- ", Code(r.name), ": ", Cell(note), "\n"));
      }
    }
    if (!notes.empty()) absl::StrAppend(&md, "\nNotes:\n\n", absl::StrJoin(notes, ""));
  }
  return md;
}

}  // namespace runsc::compat
