#include "test/syscalls/runner/markdown_report.h"

#include "gtest/gtest.h"

namespace runsc::compat {
namespace {

CompatResults Sample() {
  RuntimeSpec native{"native", true, {}, ""};
  RuntimeSpec runc{"runc", false, {"/usr/sbin/runc"}, ""};
  RuntimeSpec ghost{"ghost", false, {"/nonexistent/ghost"}, "/nonexistent/ghost: not found"};
  FamilyResults read;
  read.family = "read";
  read.binary = "/b/runsc_syscall_test_read";
  read.cases = {"R.A", "R.B", "R.C"};
  read.by_runtime["native"].cases = {{"R.A", {Verdict::kPass, ""}},
                                     {"R.B", {Verdict::kFail, "FAILED"}},
                                     {"R.C", {Verdict::kPass, ""}}};
  read.by_runtime["runc"].cases = {{"R.A", {Verdict::kPass, ""}},
                                   {"R.B", {Verdict::kPass, ""}},
                                   {"R.C", {Verdict::kFail, "crashed: killed by SIGSEGV"}}};
  read.by_runtime["runc"].notes = {"R.C never finished (killed by SIGSEGV)"};
  FamilyResults broken;
  broken.family = "broken";
  broken.binary = "/b/runsc_syscall_test_broken";
  broken.list_error = "exited 1: oops";
  return CompatResults({native, runc, ghost}, {read, broken});
}

std::string Render() {
  ReportContext context;
  context.date = absl::FromUnixSeconds(1764547200);  // 2025-12-01 00:00 UTC
  context.host = "Linux 6.18 x86_64";
  context.timeout = absl::Seconds(60);
  context.command = "build/runsc-compat --tests t";
  context.chart = "report.svg";
  return RenderMarkdownReport(Sample(), context);
}

bool Has(const std::string& md, const std::string& text) {
  return md.find(text) != std::string::npos;
}

TEST(MarkdownReportTest, HeaderSummaryAndChart) {
  std::string md = Render();
  EXPECT_TRUE(Has(md, "2025-12-01 00:00 UTC")) << md;
  EXPECT_TRUE(Has(md, "| family | cases | native | runc | ghost |")) << md;
  EXPECT_TRUE(Has(md, "| [read](#read) | 3 | 2/3 (66%) | 1/2 (50%) | not available |")) << md;
  EXPECT_TRUE(Has(md, "**1/2 (50%)**")) << md;
  EXPECT_TRUE(Has(md, "![pass rate per family and runtime](report.svg)")) << md;
  EXPECT_TRUE(Has(md, "**not available**: /nonexistent/ghost: not found")) << md;
  EXPECT_TRUE(Has(md, "`build/runsc-compat --tests t`")) << md;
}

TEST(MarkdownReportTest, FamilySectionListsFailuresNativeFailuresAndNotes) {
  std::string md = Render();
  EXPECT_TRUE(Has(md, "## read\n")) << md;
  EXPECT_TRUE(Has(md, "- `R.B` — native: fail: FAILED")) << md;
  EXPECT_TRUE(
      Has(md, "Not passing under `runc` (1):\n\n- `R.C` — fail: crashed: killed by SIGSEGV"))
      << md;
  EXPECT_TRUE(Has(md, "- `runc`: R.C never finished")) << md;
  // R.B passed under runc but failed natively: listed only as a native failure.
  EXPECT_FALSE(Has(md, "- `R.B` — pass")) << md;
  EXPECT_TRUE(Has(md, "Could not list the cases of `/b/runsc_syscall_test_broken`: exited 1: oops"))
      << md;
  EXPECT_TRUE(Has(md, "- `runc`: read (1)")) << md;
}

TEST(MarkdownReportTest, CasesThatFailAlikeShareALine) {
  RuntimeSpec native{"native", true, {}, ""};
  RuntimeSpec rt{"rt", false, {"/rt"}, ""};
  FamilyResults f;
  f.family = "f";
  f.cases = {"S.A", "S.B", "S.C", "S.D"};
  for (const std::string& c : f.cases) f.by_runtime["native"].cases[c] = {Verdict::kPass, ""};
  f.by_runtime["rt"].cases = {{"S.A", {Verdict::kFail, "printed no result (exited 134)"}},
                              {"S.B", {Verdict::kFail, "not run: printed no result (exited 134)"}},
                              {"S.C", {Verdict::kFail, "not run: printed no result (exited 134)"}},
                              {"S.D", {Verdict::kTimeout, "no progress"}}};
  std::string md = RenderMarkdownReport(CompatResults({native, rt}, {f}), ReportContext{});
  EXPECT_TRUE(Has(md,
                  "Not passing under `rt` (4):\n\n"
                  "- fail: printed no result (exited 134) (3): `S.A`, `S.B`, `S.C`\n"
                  "- `S.D` — timeout: no progress\n"))
      << md;
}

TEST(MarkdownReportTest, SaysWhyThereIsNoChart) {
  ReportContext context;
  context.chart_problem = "gnuplot is not installed";
  std::string md = RenderMarkdownReport(Sample(), context);
  EXPECT_TRUE(Has(md, "No chart: gnuplot is not installed")) << md;
  EXPECT_FALSE(Has(md, "report.svg")) << md;
}

}  // namespace
}  // namespace runsc::compat
