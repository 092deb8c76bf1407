#include "bench/runner/process_memory.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "gtest/gtest.h"

namespace runsc::bench {
namespace {

TEST(ParseKbFieldTest, ReadsTheNamedLine) {
  constexpr char kRollup[] =
      "55d0c0a00000-7ffd3b9f2000 ---p 00000000 00:00 0    [rollup]\n"
      "Rss:                5120 kB\n"
      "Pss:                1234 kB\n"
      "Pss_Anon:            600 kB\n";
  EXPECT_EQ(*ParseKbField(kRollup, "Pss:"), 1234);
  EXPECT_EQ(*ParseKbField(kRollup, "Rss:"), 5120);
  EXPECT_FALSE(ParseKbField(kRollup, "VmRSS:").ok());
  EXPECT_FALSE(ParseKbField("Pss: lots kB\n", "Pss:").ok());
  EXPECT_FALSE(ParseKbField("Pss: 12 MB\n", "Pss:").ok());
}

TEST(ProcessMemoryTest, OurselvesCostSomething) {
  absl::StatusOr<int64_t> kb = ProcessMemoryKb(getpid());
  ASSERT_TRUE(kb.ok()) << kb.status();
  EXPECT_GT(*kb, 0);
}

TEST(LiveDescendantsTest, FindsChildrenAndGrandchildrenButNotZombies) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // A grandchild, then say so and wait to be killed.
    if (fork() == 0) {
      pause();
      _exit(0);
    }
    if (write(ready[1], "x", 1) != 1) _exit(1);
    pause();
    _exit(0);
  }
  char c;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  const pid_t zombie = fork();
  if (zombie == 0) _exit(0);
  // Until it is a zombie.
  siginfo_t info{};
  ASSERT_EQ(waitid(P_PID, zombie, &info, WEXITED | WNOWAIT), 0);

  std::vector<HostProcess> found = LiveDescendants(getpid());
  auto has = [&](pid_t pid) {
    return std::any_of(found.begin(), found.end(), [&](const HostProcess& p) { return p.pid == pid; });
  };
  EXPECT_TRUE(has(child));
  EXPECT_FALSE(has(zombie));
  EXPECT_FALSE(has(getpid()));
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].pid, child);  // Parents first.
  EXPECT_EQ(found[1].ppid, child);
  kill(found[1].pid, SIGKILL);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  waitpid(zombie, nullptr, 0);
}

}  // namespace
}  // namespace runsc::bench
