#include "bench/runner/bench_report.h"

#include "gtest/gtest.h"

namespace runsc::bench {
namespace {

BenchResults Sample() {
  RuntimeSpec native{"native", true, {}, ""};
  RuntimeSpec runc{"runc", false, {"/usr/sbin/runc"}, ""};
  RuntimeSpec runsc{"runsc-ptrace", false, {"/b/runsc", "--platform=ptrace"}, ""};
  RuntimeSpec ghost{"ghost", false, {"/nonexistent"}, "/nonexistent: not found"};
  BenchResults r({native, runc, runsc, ghost}, {"getppid", "stat", "idle_rss"});
  r.Add(BenchResult::Measured("getppid", "native", {250, "ns", ""}));
  r.Add(BenchResult::Measured("getppid", "runc", {260, "ns", ""}));
  r.Add(BenchResult::Measured("getppid", "runsc-ptrace", {17500, "ns", ""}));
  r.Add(BenchResult::Failed("getppid", "ghost", "runtime not available: not found"));
  r.Add(BenchResult::Measured("stat", "native", {900, "ns", ""}));
  r.Add(BenchResult::Measured("stat", "runc", {910, "ns", ""}));
  r.Add(BenchResult::Failed("stat", "runsc-ptrace", "hung: timed out after 30s"));
  r.Add(BenchResult::Measured("idle_rss", "runc", {2.5, "MB", "1 process: sleep"}));
  r.Add(BenchResult::Measured("idle_rss", "runsc-ptrace",
                              {25, "MB", "4 processes: 2× runsc-stub, sentry, gofer"}));
  return r;
}

std::string Render() {
  BenchReportContext context;
  context.date = absl::FromUnixSeconds(1796169600);  // 2026-12-02 00:00 UTC
  context.host = "Linux 6.18 x86_64, 2 CPUs";
  context.command = "runsc-bench --runtime runc";
  context.chart = "report.svg";
  return RenderBenchReport(Sample(), context);
}

TEST(BenchReportTest, OneRowPerBenchmarkWithRatiosToNativeAndRunc) {
  const std::string md = Render();
  EXPECT_NE(md.find("| benchmark | unit | native | runc | runsc-ptrace | ghost | runc ÷ native | "
                    "runsc-ptrace ÷ native | runsc-ptrace ÷ runc |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| getppid | ns | 250 | 260 | 17,500 | **failed** | 1.04× | 70.0× | 67.3× |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| stat | ns | 900 | 910 | **failed** | n/a | 1.01× | — | — |"),
            std::string::npos)
      << md;
  // No native number for idle_rss: n/a, not a failure, and only the runc ratio.
  EXPECT_NE(md.find("| idle_rss | MB | n/a | 2.50 | 25.0 | n/a | — | — | 10.0× |"),
            std::string::npos)
      << md;
}

TEST(BenchReportTest, SaysWhenWhereHowAndWhatFailed) {
  const std::string md = Render();
  EXPECT_NE(md.find("- Date: 2026-12-02 00:00 UTC"), std::string::npos) << md;
  EXPECT_NE(md.find("- Command: `runsc-bench --runtime runc`"), std::string::npos) << md;
  EXPECT_NE(md.find("`ghost`: **not available**: /nonexistent: not found"), std::string::npos)
      << md;
  EXPECT_NE(md.find("`runsc-ptrace`: `/b/runsc --platform=ptrace`"), std::string::npos) << md;
  EXPECT_NE(md.find("- `stat` under runsc-ptrace: hung: timed out after 30s"), std::string::npos)
      << md;
  EXPECT_NE(md.find("- `idle_rss` under runsc-ptrace: 4 processes: 2× runsc-stub, sentry, gofer"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("![slowdown against native](report.svg)"), std::string::npos) << md;
}

TEST(BenchReportTest, Formats) {
  EXPECT_EQ(FormatValue(1.234), "1.23");
  EXPECT_EQ(FormatValue(45.67), "45.7");
  EXPECT_EQ(FormatValue(999), "999");
  EXPECT_EQ(FormatValue(1234567), "1,234,567");
  EXPECT_EQ(FormatRatio(1.016), "1.02×");
  EXPECT_EQ(FormatRatio(63.4), "63.4×");
  EXPECT_EQ(FormatRatio(1234), "1234×");
}

}  // namespace
}  // namespace runsc::bench
