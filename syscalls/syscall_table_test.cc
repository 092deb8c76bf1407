// The syscall table is the compatibility document (DESIGN §4): these tests
// check that it names every x86-64 number as Linux does, that its support
// levels match what the dispatcher does, and that `runsc syscalls` output
// (DescribeTable) is well-formed Markdown and JSON.
#include "syscalls/syscall_table.h"

#include <errno.h>
#include <sys/syscall.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/no_dispatch.h"
#include "sentry/kernel/task.h"

namespace runsc::syscalls {
namespace {

// Numbers 335-423 were skipped on x86-64 (new syscalls start at 424 on every
// architecture).
bool InUnassignedGap(int nr) { return nr >= 335 && nr < 424; }

// The host's own list of x86-64 syscall numbers (linux-libc-dev, a build
// dependency): an independent source for the names.
std::map<int, std::string> HostSyscallNames() {
  std::map<int, std::string> names;
  std::ifstream header("/usr/include/x86_64-linux-gnu/asm/unistd_64.h");
  const std::regex define(R"(^#define __NR_(\w+) (\d+)\s*$)");
  std::string line;
  std::smatch m;
  while (std::getline(header, line)) {
    if (std::regex_match(line, m, define)) names[std::stoi(m[2])] = m[1];
  }
  return names;
}

TEST(SyscallTableTest, NamesMatchTheHostHeaders) {
  const std::map<int, std::string> host = HostSyscallNames();
  if (host.empty()) GTEST_SKIP() << "no <asm/unistd_64.h> on this machine";
  // Debian 12's headers know 0-334 and 424-450.
  ASSERT_GE(host.size(), 360u);
  for (const auto& [nr, name] : host) {
    if (nr >= kNumSyscalls) continue;
    ASSERT_NE(Table()[nr].name, nullptr) << "syscall " << nr << " (" << name << ")";
    EXPECT_EQ(std::string(Table()[nr].name), name) << "syscall " << nr;
  }
}

TEST(SyscallTableTest, EveryAssignedNumberHasAName) {
  int named = 0;
  for (int nr = 0; nr < kNumSyscalls; ++nr) {
    if (InUnassignedGap(nr)) {
      EXPECT_EQ(Table()[nr].name, nullptr) << nr << " is not a syscall on x86-64";
      EXPECT_EQ(Table()[nr].handler, nullptr) << nr;
      continue;
    }
    ASSERT_NE(Table()[nr].name, nullptr) << "syscall " << nr;
    EXPECT_STRNE(Table()[nr].name, "") << "syscall " << nr;
    EXPECT_EQ(std::string(Table()[nr].name), SyscallName(nr));
    ++named;
  }
  EXPECT_EQ(named, kNumSyscalls - (424 - 335));
  // Spot checks against the libc constants, and the newest entries.
  EXPECT_STREQ(Table()[SYS_read].name, "read");
  EXPECT_STREQ(Table()[SYS_exit_group].name, "exit_group");
  EXPECT_STREQ(Table()[SYS_pidfd_send_signal].name, "pidfd_send_signal");
  EXPECT_STREQ(Table()[SYS_set_mempolicy_home_node].name, "set_mempolicy_home_node");
  EXPECT_STREQ(Table()[462].name, "mseal");
  EXPECT_STREQ(Table()[kNumSyscalls - 1].name, "file_setattr");
  EXPECT_EQ(SyscallName(kNumSyscalls), nullptr);
  EXPECT_EQ(SyscallName(-1), nullptr);
}

TEST(SyscallTableTest, BasicCallsAreFullySupported) {
  for (int nr : {SYS_read, SYS_write, SYS_getpid, SYS_getppid, SYS_close, SYS_exit_group}) {
    EXPECT_EQ(Table()[nr].support, Support::kFull) << Table()[nr].name;
    EXPECT_NE(Table()[nr].handler, nullptr) << Table()[nr].name;
  }
}

TEST(SyscallTableTest, SupportLevelsAgreeWithHandlers) {
  int implemented = 0;
  for (int nr = 0; nr < kNumSyscalls; ++nr) {
    const SyscallEntry& e = Table()[nr];
    ASSERT_NE(e.note, nullptr) << nr;
    if (e.handler == nullptr) {
      EXPECT_EQ(e.support, Support::kUnimplemented) << nr << " " << (e.name ? e.name : "");
    } else {
      ++implemented;
    }
  }
  // Enough for busybox (issue 3), and far from everything.
  EXPECT_GT(implemented, 50);
  EXPECT_LT(implemented, kNumSyscalls / 2);
  EXPECT_EQ(Table()[SYS_mount].support, Support::kUnimplemented);
  EXPECT_EQ(Table()[SYS_mount].handler, nullptr);
}

using sentry::NoDispatch;

// Dispatching needs a task, not a running one: the handlers used here look
// only at the task's own fields.
class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest() : kernel_(nullptr, unused_), task_(kernel_, 1) {}

  int64_t Run(uint64_t nr) {
    task_.regs = {};
    task_.regs.orig_rax = nr;
    task_.regs.rax = 0xdead;
    Dispatcher().Dispatch(task_);
    return static_cast<int64_t>(task_.regs.rax);
  }

  NoDispatch unused_;
  sentry::Kernel kernel_;
  sentry::Task task_;
};

TEST_F(DispatcherTest, ImplementedSyscallsRunTheirHandler) {
  EXPECT_EQ(Run(SYS_getpid), 1);  // The task's virtual pid, not the host's.
  EXPECT_EQ(Run(SYS_getppid), 0);
}

TEST_F(DispatcherTest, UnimplementedAndUnknownNumbersGetEnosys) {
  EXPECT_EQ(Run(SYS_mount), -ENOSYS);
  EXPECT_EQ(Run(SYS_mount), -ENOSYS);  // Reported once, answered every time.
  EXPECT_EQ(Run(400), -ENOSYS);         // In the unassigned gap.
  EXPECT_EQ(Run(kNumSyscalls), -ENOSYS);
  EXPECT_EQ(Run(100000), -ENOSYS);
  EXPECT_EQ(Run(static_cast<uint64_t>(-1)), -ENOSYS);
}

TEST(DescribeTableTest, JsonHasOneEntryPerAssignedNumber) {
  const nlohmann::json doc = nlohmann::json::parse(DescribeTable(/*json=*/true));
  ASSERT_TRUE(doc.is_array());
  std::set<int> numbers;
  int previous = -1;
  for (const nlohmann::json& entry : doc) {
    ASSERT_TRUE(entry.is_object());
    ASSERT_EQ(entry.size(), 4u) << entry.dump();
    const int nr = entry.at("number").get<int>();
    EXPECT_GT(nr, previous) << "entries are in number order";
    previous = nr;
    numbers.insert(nr);
    ASSERT_TRUE(nr >= 0 && nr < kNumSyscalls);
    EXPECT_EQ(entry.at("name").get<std::string>(), Table()[nr].name);
    EXPECT_EQ(entry.at("support").get<std::string>(), SupportName(Table()[nr].support));
    EXPECT_TRUE(entry.at("note").is_string());
  }
  for (int nr = 0; nr < kNumSyscalls; ++nr) {
    EXPECT_EQ(numbers.count(nr), InUnassignedGap(nr) ? 0u : 1u) << nr;
  }
  EXPECT_EQ(doc.at(0).at("name"), "read");
  EXPECT_EQ(doc.at(0).at("support"), "full");
}

TEST(DescribeTableTest, MarkdownIsATableWithOneRowPerAssignedNumber) {
  const std::string md = DescribeTable(/*json=*/false);
  std::vector<std::string> lines = absl::StrSplit(md, '\n', absl::SkipEmpty());
  auto header = std::find(lines.begin(), lines.end(), "| nr | name | support | note |");
  ASSERT_NE(header, lines.end()) << md.substr(0, 400);
  ASSERT_NE(header + 1, lines.end());
  EXPECT_EQ(*(header + 1), "|---:|---|---|---|");

  int rows = 0, full = 0, partial = 0, unimplemented = 0;
  const std::regex row(R"(^\| (\d+) \| (\w+) \| (full|partial|unimplemented) \| (.*) \|$)");
  for (auto it = header + 2; it != lines.end(); ++it) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(*it, m, row)) << *it;
    const int nr = std::stoi(m[1]);
    EXPECT_EQ(m[2].str(), Table()[nr].name);
    // A note must not open a fifth cell.
    EXPECT_EQ(m[4].str().find(" | "), std::string::npos) << *it;
    ++rows;
    if (m[3] == "full") ++full;
    if (m[3] == "partial") ++partial;
    if (m[3] == "unimplemented") ++unimplemented;
  }
  EXPECT_EQ(rows, kNumSyscalls - (424 - 335));
  EXPECT_NE(md.find("| 0 | read | full |"), std::string::npos);
  EXPECT_EQ(md.find("| 400 |"), std::string::npos);
  // The summary line counts what the rows say.
  EXPECT_NE(md.find(absl::StrCat(full, " full, ", partial, " partial, ", unimplemented,
                                 " unimplemented")),
            std::string::npos);
}

}  // namespace
}  // namespace runsc::syscalls
