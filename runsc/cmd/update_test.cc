#include "runsc/cmd/update.h"

#include "gtest/gtest.h"
#include "runsc/config/spec.h"

namespace runsc::cmd {
namespace {

TEST(ParseMemorySizeTest, UnitsAreBinaryAndCaseInsensitive) {
  EXPECT_EQ(*ParseMemorySize("1024"), 1024);
  EXPECT_EQ(*ParseMemorySize("512k"), 512 << 10);
  EXPECT_EQ(*ParseMemorySize("100M"), 100 << 20);
  EXPECT_EQ(*ParseMemorySize("2GiB"), int64_t{2} << 30);
  EXPECT_EQ(*ParseMemorySize("1.5g"), int64_t{3} << 29);
  EXPECT_EQ(*ParseMemorySize("10mb"), 10 << 20);
  EXPECT_EQ(*ParseMemorySize("-1"), -1);
}

TEST(ParseMemorySizeTest, RejectsGarbage) {
  for (const char* bad : {"", "m", "abc", "-5", "12q", "1e30"}) {
    EXPECT_FALSE(ParseMemorySize(bad).ok()) << bad;
  }
}

TEST(ApplyUpdateFlagsTest, FlagsOverrideTheFileAndAreValidated) {
  nlohmann::json r = nlohmann::json::parse(R"({"memory":{"limit":1000000},"pids":{"limit":5}})");
  UpdateFlags flags;
  flags.memory = "64m";
  flags.cpu_quota = 50000;
  flags.cpu_period = 100000;
  ASSERT_TRUE(ApplyUpdateFlags(flags, r).ok());
  absl::StatusOr<config::SpecResources> parsed = config::ParseResourcesJson(r.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->memory_limit, int64_t{64} << 20);
  EXPECT_EQ(parsed->pids_limit, 5);
  EXPECT_EQ(parsed->cpu_quota, 50000);
  EXPECT_EQ(parsed->cpu_period, 100000u);

  UpdateFlags shares;
  shares.cpu_shares = 1;  // Below runc's 2..262144.
  nlohmann::json r2 = nlohmann::json::object();
  ASSERT_TRUE(ApplyUpdateFlags(shares, r2).ok());
  EXPECT_FALSE(config::ParseResourcesJson(r2.dump()).ok());
}

}  // namespace
}  // namespace runsc::cmd
