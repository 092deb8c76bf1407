#include "bench/runner/gbench_output.h"

#include "gtest/gtest.h"

namespace runsc::bench {
namespace {

// What Google Benchmark 1.7 prints with --benchmark_format=json
// --benchmark_repetitions=3 --benchmark_report_aggregates_only=true (abridged).
constexpr char kAggregates[] = R"({
  "context": {"date": "2026-12-02T07:00:00+00:00", "num_cpus": 2, "library_build_type": "release"},
  "benchmarks": [
    {"name": "getppid_mean", "family_index": 0, "per_family_instance_index": 0,
     "run_name": "getppid", "run_type": "aggregate", "repetitions": 3, "threads": 1,
     "aggregate_name": "mean", "aggregate_unit": "time", "iterations": 3,
     "real_time": 300.0, "cpu_time": 290.0, "time_unit": "ns"},
    {"name": "getppid_median", "run_name": "getppid", "run_type": "aggregate",
     "aggregate_name": "median", "aggregate_unit": "time", "iterations": 3,
     "real_time": 270.5, "cpu_time": 265.0, "time_unit": "ns"},
    {"name": "getppid_stddev", "run_name": "getppid", "run_type": "aggregate",
     "aggregate_name": "stddev", "real_time": 10.0, "cpu_time": 9.0, "time_unit": "ns"},
    {"name": "getppid_cv", "run_name": "getppid", "run_type": "aggregate",
     "aggregate_name": "cv", "aggregate_unit": "percentage", "real_time": 0.03,
     "cpu_time": 0.03, "time_unit": "ns"}
  ]
})";

TEST(ParseBenchmarkJsonTest, TakesTheMedianAggregate) {
  absl::StatusOr<Measurement> m = ParseBenchmarkJson(kAggregates, "getppid", Metric::kRealTime);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_DOUBLE_EQ(m->value, 270.5);
  EXPECT_EQ(m->unit, "ns");
}

TEST(ParseBenchmarkJsonTest, WithoutAggregatesTakesTheMedianIteration) {
  constexpr char kIterations[] = R"({"benchmarks": [
    {"name": "fork_wait", "run_name": "fork_wait", "run_type": "iteration",
     "real_time": 900.0, "time_unit": "us"},
    {"name": "fork_wait", "run_name": "fork_wait", "run_type": "iteration",
     "real_time": 100.0, "time_unit": "us"},
    {"name": "fork_wait", "run_name": "fork_wait", "run_type": "iteration",
     "real_time": 500.0, "time_unit": "us"}]})";
  absl::StatusOr<Measurement> m = ParseBenchmarkJson(kIterations, "fork_wait", Metric::kRealTime);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_DOUBLE_EQ(m->value, 500.0);
  EXPECT_EQ(m->unit, "us");
}

TEST(ParseBenchmarkJsonTest, ThroughputIsBytesPerSecondInMegabytes) {
  constexpr char kReport[] = R"({"benchmarks": [
    {"name": "seq_read_mbps", "run_type": "iteration", "real_time": 80.0, "time_unit": "ms",
     "bytes_per_second": 3.2e9}]})";
  absl::StatusOr<Measurement> m =
      ParseBenchmarkJson(kReport, "seq_read_mbps", Metric::kBytesPerSecond);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_DOUBLE_EQ(m->value, 3200.0);
  EXPECT_EQ(m->unit, "MB/s");
  // A throughput benchmark without the counter is no number.
  EXPECT_TRUE(absl::IsInvalidArgument(
      ParseBenchmarkJson(kAggregates, "getppid", Metric::kBytesPerSecond).status()));
}

TEST(ParseBenchmarkJsonTest, WhatIsNotAReportIsSaidSo) {
  for (const char* text : {"", "Segmentation fault", "{\"benchmarks\": 3}", "[1, 2]",
                           "{\"benchmarks\": [\"x\"]}", "{\"benchmarks\": [{\"name\": \"getppid\"}]}",
                           R"({"benchmarks": [{"name": "getppid", "real_time": "fast",
                               "time_unit": "ns"}]})"}) {
    absl::StatusOr<Measurement> m = ParseBenchmarkJson(text, "getppid", Metric::kRealTime);
    EXPECT_TRUE(absl::IsInvalidArgument(m.status())) << text << ": " << m.status();
    EXPECT_NE(m.status().message().find("unparsable output"), absl::string_view::npos) << text;
  }
}

TEST(ParseBenchmarkJsonTest, AMissingBenchmarkIsNotFound) {
  absl::StatusOr<Measurement> m = ParseBenchmarkJson(kAggregates, "stat", Metric::kRealTime);
  EXPECT_TRUE(absl::IsNotFound(m.status())) << m.status();
  EXPECT_EQ(m.status().message(), "no result for stat in the output");
  // A prefix of a name is another benchmark.
  EXPECT_TRUE(
      absl::IsNotFound(ParseBenchmarkJson(kAggregates, "getpp", Metric::kRealTime).status()));
}

TEST(ParseBenchmarkJsonTest, ABenchmarkErrorIsAborted) {
  constexpr char kReport[] = R"({"benchmarks": [
    {"name": "read_4k", "run_name": "read_4k", "run_type": "iteration", "error_occurred": true,
     "error_message": "open /bench/data/file_4k: No such file or directory",
     "real_time": 0, "time_unit": "ns"}]})";
  absl::StatusOr<Measurement> m = ParseBenchmarkJson(kReport, "read_4k", Metric::kRealTime);
  EXPECT_TRUE(absl::IsAborted(m.status())) << m.status();
  EXPECT_EQ(m.status().message(),
            "benchmark error: open /bench/data/file_4k: No such file or directory");
}

TEST(ParseBenchmarkJsonTest, ZeroOrNegativeIsNoNumber) {
  for (const char* value : {"0", "-5", "1e999"}) {
    const std::string report = std::string(R"({"benchmarks": [{"name": "x", "real_time": )") +
                               value + R"(, "time_unit": "ns"}]})";
    absl::StatusOr<Measurement> m = ParseBenchmarkJson(report, "x", Metric::kRealTime);
    EXPECT_FALSE(m.ok()) << value;
  }
}

TEST(ParseBenchmarkListTest, OneNameALine) {
  EXPECT_EQ(ParseBenchmarkList("getppid\nclock_gettime\n\n  stat  \n"),
            (std::vector<std::string>{"getppid", "clock_gettime", "stat"}));
  EXPECT_TRUE(ParseBenchmarkList("").empty());
}

}  // namespace
}  // namespace runsc::bench
