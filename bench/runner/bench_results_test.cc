#include "bench/runner/bench_results.h"

#include "gtest/gtest.h"

namespace runsc::bench {
namespace {

BenchResults Sample() {
  RuntimeSpec native{"native", true, {}, ""};
  RuntimeSpec runsc{"runsc", false, {"/x/runsc"}, ""};
  RuntimeSpec ghost{"ghost", false, {"/nonexistent"}, "/nonexistent: not found"};
  BenchResults results({native, runsc, ghost}, {"getppid", "seq_read_mbps"});
  results.Add(BenchResult::Measured("getppid", "native", {250, "ns", ""}));
  results.Add(BenchResult::Measured("getppid", "runsc", {17500, "ns", ""}));
  results.Add(BenchResult::Failed("getppid", "ghost", "runtime not available: not found"));
  results.Add(BenchResult::Measured("seq_read_mbps", "native", {3000, "MB/s", ""}));
  results.Add(BenchResult::Failed("seq_read_mbps", "runsc", "crashed: killed by SIGSEGV"));
  return results;
}

TEST(BenchResultsTest, JsonHasAValueOrAnErrorNeverBoth) {
  nlohmann::ordered_json j = Sample().ToJson();
  ASSERT_EQ(j["benchmarks"].size(), 5u);
  EXPECT_EQ(nlohmann::json(j["benchmarks"][0]),
            (nlohmann::json{{"name", "getppid"}, {"runtime", "native"}, {"value", 250.0},
                            {"unit", "ns"}}));
  EXPECT_EQ(j["benchmarks"][1]["value"], 17500.0);
  EXPECT_EQ(j["benchmarks"][2]["runtime"], "ghost");
  EXPECT_TRUE(j["benchmarks"][2]["value"].is_null());
  EXPECT_EQ(j["benchmarks"][2]["error"], "runtime not available: not found");
  EXPECT_TRUE(j["benchmarks"][4]["value"].is_null());
  EXPECT_EQ(j["benchmarks"][4]["error"], "crashed: killed by SIGSEGV");
  EXPECT_EQ(nlohmann::json(j["runtimes"][2]),
            (nlohmann::json{{"name", "ghost"}, {"available", false},
                            {"reason", "/nonexistent: not found"}}));
  EXPECT_EQ(j["runtimes"][1]["available"], true);
}

TEST(BenchResultsTest, RatiosNeedTwoNumbersOfOneUnit) {
  BenchResults r = Sample();
  EXPECT_DOUBLE_EQ(*r.Ratio("getppid", "runsc", "native"), 70.0);
  EXPECT_FALSE(r.Ratio("getppid", "ghost", "native").has_value());
  EXPECT_FALSE(r.Ratio("seq_read_mbps", "runsc", "native").has_value());
  EXPECT_FALSE(r.Ratio("stat", "runsc", "native").has_value());
  r.Add(BenchResult::Measured("getppid", "runsc", {17.5, "us", ""}));
  EXPECT_FALSE(r.Ratio("getppid", "runsc", "native").has_value());
}

TEST(BenchResultsTest, AddReplacesTheSameBenchmarkAndRuntime) {
  BenchResults r = Sample();
  r.Add(BenchResult::Measured("seq_read_mbps", "runsc", {1000, "MB/s", ""}));
  EXPECT_EQ(r.results().size(), 5u);
  ASSERT_TRUE(r.Find("seq_read_mbps", "runsc")->measurement.has_value());
  EXPECT_TRUE(r.Find("seq_read_mbps", "runsc")->error.empty());
}

TEST(BenchResultsTest, OnlyThroughputIsBetterHigher) {
  EXPECT_TRUE(HigherIsBetter("MB/s"));
  EXPECT_FALSE(HigherIsBetter("ns"));
  EXPECT_FALSE(HigherIsBetter("MB"));
  EXPECT_FALSE(HigherIsBetter("ms"));
}

}  // namespace
}  // namespace runsc::bench
