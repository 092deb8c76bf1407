#include "runsc/cmd/ps.h"

#include "gtest/gtest.h"

namespace runsc::cmd {
namespace {

constexpr char kPsEf[] =
    "UID          PID    PPID  C STIME TTY          TIME CMD\n"
    "root           1       0  0 10:00 ?        00:00:01 /sbin/init\n"
    "root         123       1  0 10:01 ?        00:00:00 runsc-sandbox boot x\n"
    "root        1234     123  0 10:01 ?        00:00:00 [stub]\n"
    "root       12345       1  0 10:02 ?        00:00:00 bash\n";

TEST(FilterPsOutputTest, KeepsHeaderAndTheGivenPids) {
  absl::StatusOr<std::string> out = FilterPsOutput(kPsEf, {123, 1234});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out,
            "UID          PID    PPID  C STIME TTY          TIME CMD\n"
            "root         123       1  0 10:01 ?        00:00:00 runsc-sandbox boot x\n"
            "root        1234     123  0 10:01 ?        00:00:00 [stub]\n");
}

TEST(FilterPsOutputTest, MatchesThePidColumnNotThePpid) {
  absl::StatusOr<std::string> out = FilterPsOutput(kPsEf, {1});
  ASSERT_TRUE(out.ok());
  EXPECT_NE(out->find("/sbin/init"), std::string::npos);
  EXPECT_EQ(out->find("bash"), std::string::npos);
}

TEST(FilterPsOutputTest, NoPidColumnIsAnError) {
  EXPECT_FALSE(FilterPsOutput("USER COMMAND\nroot x\n", {1}).ok());
  EXPECT_FALSE(FilterPsOutput("", {1}).ok());
}

}  // namespace
}  // namespace runsc::cmd
