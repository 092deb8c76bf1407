#include "bench/runner/bench_chart.h"

#include "gtest/gtest.h"

namespace runsc::bench {
namespace {

BenchResults Sample() {
  RuntimeSpec native{"native", true, {}, ""};
  RuntimeSpec runc{"runc", false, {"/usr/sbin/runc"}, ""};
  RuntimeSpec runsc{"runsc", false, {"/b/runsc"}, ""};
  RuntimeSpec ghost{"ghost", false, {"/x"}, "not found"};
  BenchResults r({native, runc, runsc, ghost}, {"getppid", "seq_read_mbps", "idle_rss", "stat"});
  r.Add(BenchResult::Measured("getppid", "native", {250, "ns", ""}));
  r.Add(BenchResult::Measured("getppid", "runc", {250, "ns", ""}));
  r.Add(BenchResult::Measured("getppid", "runsc", {25000, "ns", ""}));
  r.Add(BenchResult::Measured("seq_read_mbps", "native", {3000, "MB/s", ""}));
  r.Add(BenchResult::Measured("seq_read_mbps", "runc", {3000, "MB/s", ""}));
  r.Add(BenchResult::Measured("seq_read_mbps", "runsc", {1000, "MB/s", ""}));
  r.Add(BenchResult::Measured("idle_rss", "runc", {2, "MB", ""}));
  r.Add(BenchResult::Measured("idle_rss", "runsc", {20, "MB", ""}));
  r.Add(BenchResult::Failed("stat", "native", "crashed"));
  return r;
}

TEST(BenchChartTest, BarsAreTimesWorseThanNative) {
  const std::string data = BenchChart::DataFile(Sample());
  EXPECT_NE(data.find("# benchmark runc runsc\n"), std::string::npos) << data;
  EXPECT_NE(data.find("getppid 1.000 100.000\n"), std::string::npos) << data;
  // Throughput inverted: a third of native's MB/s is 3× worse.
  EXPECT_NE(data.find("seq_read_mbps 1.000 3.000\n"), std::string::npos) << data;
  // No native number: against runc, and the label says so.
  EXPECT_NE(data.find("idle_rss(÷runc) 1.000 10.000\n"), std::string::npos) << data;
  // No reference at all: no group.
  EXPECT_EQ(data.find("stat"), std::string::npos) << data;
  EXPECT_EQ(data.find("ghost"), std::string::npos) << data;
}

TEST(BenchChartTest, ScriptPlotsEveryRuntimeOnALogScale) {
  const std::string script = BenchChart::Script(Sample(), "report.dat", "report.svg");
  EXPECT_NE(script.find("set logscale y"), std::string::npos) << script;
  EXPECT_NE(script.find("set output \"report.svg\""), std::string::npos) << script;
  EXPECT_NE(script.find("\"report.dat\" using 2:xtic(1) title \"runc\""), std::string::npos)
      << script;
  EXPECT_NE(script.find("'' using 3 title \"runsc\""), std::string::npos) << script;
}

TEST(BenchChartTest, NothingToCompareIsNoChart) {
  RuntimeSpec native{"native", true, {}, ""};
  BenchResults r({native}, {"getppid"});
  r.Add(BenchResult::Measured("getppid", "native", {250, "ns", ""}));
  absl::Status s = BenchChart("/nonexistent", "gnuplot").Write(r);
  EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
}

}  // namespace
}  // namespace runsc::bench
