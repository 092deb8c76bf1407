#include "runsc/sandbox/cgroup_stats.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace runsc::sandbox {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

void Write(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

class CgroupStatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/runsc-cgroup-stats-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

// A fake cgroup v2 directory with the files the kernel has.
TEST_F(CgroupStatsTest, V2) {
  const std::string d = dir_ + "/runsc/c1";
  Write(d + "/cgroup.controllers", "cpu memory pids\n");
  Write(d + "/cpu.stat",
        "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 7\nnr_throttled 2\n"
        "throttled_usec 30\n");
  Write(d + "/memory.current", "4096\n");
  Write(d + "/memory.max", "max\n");
  Write(d + "/memory.peak", "8192\n");
  Write(d + "/memory.stat", "anon 1024\nfile 2048\n");
  Write(d + "/memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
  Write(d + "/memory.swap.current", "100\n");
  Write(d + "/memory.swap.max", "max\n");
  Write(d + "/pids.current", "5\n");
  Write(d + "/pids.max", "64\n");

  absl::StatusOr<CgroupStats> s = CgroupStats::Read({d});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->cpu_total, 1'500'000u);
  EXPECT_EQ(s->cpu_user, 1'000'000u);
  EXPECT_EQ(s->cpu_kernel, 500'000u);
  EXPECT_EQ(s->throttled_time, 30'000u);
  EXPECT_EQ(s->memory_usage.usage, 4096u);
  EXPECT_EQ(s->memory_usage.limit, UINT64_MAX);
  EXPECT_EQ(s->memory_usage.max, 8192u);
  EXPECT_EQ(s->memory_usage.failcnt, 3u);
  EXPECT_EQ(s->memory_cache, 2048u);
  EXPECT_EQ(s->memory_swap.usage, 4196u);
  EXPECT_EQ(s->oom_kills, 1u);
  EXPECT_EQ(s->pids_current, 5u);
  EXPECT_EQ(s->pids_limit, 64u);

  nlohmann::ordered_json j = s->ToJson();
  EXPECT_EQ(j["cpu"]["usage"]["total"], 1'500'000u);
  EXPECT_EQ(j["cpu"]["throttling"]["throttledPeriods"], 2u);
  EXPECT_EQ(j["memory"]["usage"]["usage"], 4096u);
  EXPECT_EQ(j["memory"]["raw"]["file"], 2048u);
  EXPECT_EQ(j["pids"]["current"], 5u);
  EXPECT_EQ(j["pids"]["limit"], 64u);
}

// "max" pids is no limit, which runc leaves out of the JSON.
TEST_F(CgroupStatsTest, V2UnlimitedPidsIsOmitted) {
  const std::string d = dir_ + "/c";
  Write(d + "/cgroup.controllers", "pids\n");
  Write(d + "/pids.current", "1\n");
  Write(d + "/pids.max", "max\n");
  absl::StatusOr<CgroupStats> s = CgroupStats::Read({d});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->pids_limit, 0u);
  EXPECT_FALSE(s->ToJson()["pids"].contains("limit"));
}

// v1: one directory per hierarchy, each read for what it carries.
TEST_F(CgroupStatsTest, V1Hierarchies) {
  const std::string cpu = dir_ + "/cpu,cpuacct/runsc/c1";
  const std::string mem = dir_ + "/memory/runsc/c1";
  const std::string pids = dir_ + "/pids/runsc/c1";
  Write(cpu + "/cpuacct.usage", "3000\n");
  Write(cpu + "/cpuacct.usage_percpu", "1000 2000 \n");
  Write(cpu + "/cpuacct.stat", "user 3\nsystem 1\n");
  Write(cpu + "/cpu.cfs_period_us", "100000\n");
  Write(cpu + "/cpu.stat", "nr_periods 4\nnr_throttled 1\nthrottled_time 99\n");
  Write(mem + "/memory.usage_in_bytes", "65536\n");
  Write(mem + "/memory.max_usage_in_bytes", "131072\n");
  Write(mem + "/memory.limit_in_bytes", "1048576\n");
  Write(mem + "/memory.failcnt", "2\n");
  Write(mem + "/memory.stat", "cache 4096\nrss 61440\n");
  Write(mem + "/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 4\n");
  Write(pids + "/pids.current", "9\n");
  Write(pids + "/pids.max", "max\n");

  absl::StatusOr<CgroupStats> s = CgroupStats::Read({cpu, mem, pids});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->cpu_total, 3000u);
  EXPECT_THAT(s->cpu_percpu, ElementsAre(1000u, 2000u));
  EXPECT_EQ(s->cpu_user, 30'000'000u);  // 3 ticks of 10ms.
  EXPECT_EQ(s->cpu_kernel, 10'000'000u);
  EXPECT_EQ(s->throttling_periods, 4u);
  EXPECT_EQ(s->throttled_time, 99u);
  EXPECT_EQ(s->memory_usage.usage, 65536u);
  EXPECT_EQ(s->memory_usage.max, 131072u);
  EXPECT_EQ(s->memory_usage.limit, 1048576u);
  EXPECT_EQ(s->memory_usage.failcnt, 2u);
  EXPECT_EQ(s->memory_cache, 4096u);
  EXPECT_EQ(s->oom_kills, 4u);
  EXPECT_EQ(s->pids_current, 9u);
  EXPECT_EQ(s->pids_limit, 0u);
  EXPECT_EQ(s->ToJson()["memory"]["raw"]["rss"], 61440u);
}

TEST_F(CgroupStatsTest, GoneDirectoryIsNotFound) {
  absl::StatusOr<CgroupStats> s = CgroupStats::Read({dir_ + "/nope"});
  EXPECT_EQ(s.status().code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(CgroupStats::Read({}).ok());
}

}  // namespace
}  // namespace runsc::sandbox
