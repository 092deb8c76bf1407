// End-to-end tests of the sandbox's confinement and cgroups, through the
// real runsc binary (DESIGN §1): what the host kernel says about the sentry
// and the gofer (/proc/<pid>/status, /proc/<pid>/ns/*), and what the
// sandbox's cgroup holds, limits and leaves behind.
//
// Every test runs once per platform (kPlatforms). Containers use a relative
// linux.cgroupsPath, so their cgroups nest below this test's own and nothing
// leaves the cgroups the test runs in.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/poll_until.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test/e2e/test_bundle.h"

namespace runsc::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::AnyOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// The capabilities the gofer keeps (runsc/sandbox/gofer_confinement.h):
// CHOWN 0, DAC_OVERRIDE 1, DAC_READ_SEARCH 2, FOWNER 3, FSETID 4.
constexpr uint64_t kGoferCaps = 0x1f;

bool WaitFor(const std::function<bool()>& done) {
  return PollUntil(done, absl::Seconds(20), absl::Milliseconds(20));
}

// The value of `key` in /proc/<pid>/status, trimmed ("" if absent).
std::string StatusField(pid_t pid, const std::string& key) {
  for (absl::string_view line : absl::StrSplit(ReadFile(absl::StrCat("/proc/", pid, "/status")), '\n')) {
    if (absl::ConsumePrefix(&line, key + ":")) return std::string(absl::StripAsciiWhitespace(line));
  }
  return "";
}

uint64_t CapField(pid_t pid, const std::string& key) {
  uint64_t value = ~0ull;
  if (!absl::SimpleHexAtoi(StatusField(pid, key), &value)) return ~0ull;
  return value;
}

std::string NamespaceOf(const std::string& pid, const std::string& ns) {
  std::error_code ec;
  fs::path link = fs::read_symlink(absl::StrCat("/proc/", pid, "/ns/", ns), ec);
  return ec ? "" : link.string();
}

pid_t ParentOf(pid_t pid) {
  std::string stat = ReadFile(absl::StrCat("/proc/", pid, "/stat"));
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return -1;
  std::vector<std::string> fields = absl::StrSplit(stat.substr(paren + 2), ' ');
  int ppid;
  if (fields.size() < 2 || !absl::SimpleAtoi(fields[1], &ppid)) return -1;
  return ppid;
}

// Live children of `pid` (the sentry's are its stubs: CLONE_PARENT).
std::vector<pid_t> ChildrenOf(pid_t pid) {
  std::vector<pid_t> children;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return children;
  while (dirent* e = readdir(proc)) {
    int child;
    if (absl::SimpleAtoi(e->d_name, &child) && ParentOf(child) == pid && ProcessIsLive(child)) {
      children.push_back(child);
    }
  }
  closedir(proc);
  return children;
}

std::set<pid_t> PidsIn(const std::string& cgroup_dir) {
  std::set<pid_t> pids;
  for (absl::string_view line : absl::StrSplit(ReadFile(cgroup_dir + "/cgroup.procs"), '\n', absl::SkipEmpty())) {
    int pid;
    if (absl::SimpleAtoi(line, &pid)) pids.insert(pid);
  }
  return pids;
}

// Directories directly below `dir`.
std::vector<std::string> SubdirsOf(const std::string& dir) {
  std::vector<std::string> subdirs;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_directory()) subdirs.push_back(entry.path().filename());
  }
  return subdirs;
}

// The first `count` lines runsc prints with `args` (a stream that does not
// end by itself: `events`), then it is killed. Fewer lines if it exits or
// the deadline passes first.
std::vector<std::string> FirstLinesOf(const std::vector<std::string>& args, size_t count) {
  std::vector<std::string> lines;
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return lines;
  const std::string binary = RunscBinary();
  std::vector<char*> argv = {const_cast<char*>(binary.c_str())};
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  std::string buffer;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (lines.size() < count && std::chrono::steady_clock::now() < end) {
    pollfd p = {out[0], POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char chunk[4096];
    ssize_t n = read(out[0], chunk, sizeof(chunk));
    if (n <= 0) break;
    buffer.append(chunk, n);
    size_t newline;
    while (lines.size() < count && (newline = buffer.find('\n')) != std::string::npos) {
      lines.push_back(buffer.substr(0, newline));
      buffer.erase(0, newline + 1);
    }
  }
  kill(pid, SIGKILL);
  int status;
  waitpid(pid, &status, 0);
  close(out[0]);
  return lines;
}

class ConfinementTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Containers left by a failed test go first, then the per-test parent
  // cgroup in every hierarchy (made below this process's own cgroup).
  void TearDown() override {
    for (const std::string& parent : cgroup_parents_) {
      for (const std::string& leaf : SubdirsOf(parent)) {
        RunCommand(root_.Args({"delete", "--force", leaf}));
      }
    }
    for (absl::string_view line : absl::StrSplit(ReadFile("/proc/self/cgroup"), '\n', absl::SkipEmpty())) {
      std::vector<std::string> fields = absl::StrSplit(line, absl::MaxSplits(':', 2));
      if (fields.size() != 3 || fields[1].empty() || absl::StartsWith(fields[1], "name=")) continue;
      std::vector<std::string> controllers = absl::StrSplit(fields[1], ',');
      const std::string& controller = controllers[0];
      rmdir(absl::StrCat("/sys/fs/cgroup/", controller, fields[2] == "/" ? "" : fields[2], "/",
                         CgroupParent())
                .c_str());
    }
  }

  const std::string& platform() const { return GetParam(); }

  std::vector<std::string> Runsc(std::vector<std::string> args) {
    std::vector<std::string> full = {"--platform", platform()};
    full.insert(full.end(), args.begin(), args.end());
    return root_.Args(full);
  }

  // The relative cgroupsPath all of this test's containers go under.
  std::string CgroupParent() const { return absl::StrCat("runsc-e2e-", getpid()); }

  // A bundle running `args` in cgroup <CgroupParent()>/<id>, with
  // `resources` as linux.resources and the named testcases in /bin.
  std::unique_ptr<TestBundle> MakeBundle(std::vector<std::string> args, const std::string& id,
                                         nlohmann::json resources = nlohmann::json::object(),
                                         std::vector<std::string> testcases = {}) {
    std::unique_ptr<TestBundle> bundle = NewBundleOrFail(std::move(args));
    if (bundle == nullptr) return nullptr;
    bundle->config()["linux"]["cgroupsPath"] = absl::StrCat(CgroupParent(), "/", id);
    bundle->config()["linux"]["resources"] = resources;
    EXPECT_TRUE(bundle->WriteConfig().ok());
    for (const std::string& name : testcases) {
      const std::string src = TestcasePath(name);
      const std::string dst = bundle->rootfs() + "/bin/" + name;
      std::error_code ec;
      fs::copy_file(src, dst, ec);
      EXPECT_FALSE(ec) << "copying " << src << ": " << ec.message();
      chmod(dst.c_str(), 0755);
    }
    return bundle;
  }

  // create (not start) of `bundle` as `id`; the state file afterwards.
  nlohmann::json Create(TestBundle& bundle, const std::string& id) {
    CommandResult created = RunCommand(Runsc({"create", "--bundle", bundle.dir(), id}));
    EXPECT_EQ(created.exit_code, 0) << created.err;
    nlohmann::json state = nlohmann::json::parse(
        ReadFile(absl::StrCat(root_.path(), "/", id, "/state.json")), nullptr, false);
    EXPECT_TRUE(state.is_object()) << "no state for " << id;
    if (state.is_object()) {
      for (const auto& dir : state["cgroup"]) {
        cgroup_parents_.insert(fs::path(dir.get<std::string>()).parent_path());
      }
    }
    return state;
  }

  // The cgroup directory of `state` in the hierarchy whose path contains `name`.
  static std::string CgroupDir(const nlohmann::json& state, const std::string& name) {
    for (const auto& dir : state["cgroup"]) {
      const std::string d = dir.get<std::string>();
      if (absl::StrContains(d, "/" + name + "/")) return d;
    }
    return "";
  }

  TestRoot root_;
  std::set<std::string> cgroup_parents_;
};

TEST_P(ConfinementTest, SentryAndGoferAreConfined) {
  const std::string id = "confined";
  std::unique_ptr<TestBundle> bundle = MakeBundle({"/bin/sleep", "1000"}, id);
  ASSERT_NE(bundle, nullptr);
  nlohmann::json state = Create(*bundle, id);
  ASSERT_TRUE(state.is_object());
  const pid_t sentry = state["sentry"]["pid"].get<int>();
  const pid_t gofer = state["gofer"]["pid"].get<int>();
  ASSERT_GT(sentry, 0);
  ASSERT_GT(gofer, 0);

  for (pid_t pid : {sentry, gofer}) {
    SCOPED_TRACE(pid == sentry ? "sentry" : "gofer");
    EXPECT_EQ(StatusField(pid, "Seccomp"), "2");
    EXPECT_EQ(StatusField(pid, "NoNewPrivs"), "1");
    EXPECT_EQ(CapField(pid, "CapBnd"), 0u);
    EXPECT_EQ(CapField(pid, "CapInh"), 0u);
    EXPECT_EQ(CapField(pid, "CapAmb"), 0u);
    // Each in namespaces of its own, none of them runsc's (ours).
    for (const char* ns : {"mnt", "pid", "net", "ipc", "uts"}) {
      EXPECT_NE(NamespaceOf(absl::StrCat(pid), ns), NamespaceOf("self", ns)) << ns;
      EXPECT_FALSE(NamespaceOf(absl::StrCat(pid), ns).empty()) << ns;
    }
    // pid 1 of its own pid namespace; the state has the host pid.
    EXPECT_THAT(StatusField(pid, "NSpid"), HasSubstr(absl::StrCat(pid, "\t1")));
  }
  EXPECT_EQ(CapField(sentry, "CapEff"), 0u);
  EXPECT_EQ(CapField(sentry, "CapPrm"), 0u);
  EXPECT_EQ(CapField(gofer, "CapEff"), kGoferCaps);
  EXPECT_EQ(CapField(gofer, "CapPrm"), kGoferCaps);
  EXPECT_NE(NamespaceOf(absl::StrCat(sentry), "mnt"), NamespaceOf(absl::StrCat(gofer), "mnt"));

  // The sentry's root is empty: nothing of the host is reachable by name.
  std::vector<std::string> sentry_root;
  for (const auto& entry : fs::directory_iterator(absl::StrCat("/proc/", sentry, "/root"))) {
    sentry_root.push_back(entry.path().filename());
  }
  EXPECT_THAT(sentry_root, IsEmpty());
  // The gofer's root is the rootfs.
  EXPECT_TRUE(fs::exists(absl::StrCat("/proc/", gofer, "/root/bin/busybox")));

  // Only the documented descriptors in the gofer: stdio, the socket, the
  // log and the root.
  std::vector<std::string> gofer_fds;
  for (const auto& entry : fs::directory_iterator(absl::StrCat("/proc/", gofer, "/fd"))) {
    gofer_fds.push_back(entry.path().filename());
  }
  EXPECT_EQ(gofer_fds.size(), 6u);
  // The environment is PATH alone (and the debugging escape, when the test
  // itself runs with it).
  for (pid_t pid : {sentry, gofer}) {
    std::vector<std::string> env =
        absl::StrSplit(ReadFile(absl::StrCat("/proc/", pid, "/environ")), '\0', absl::SkipEmpty());
    std::erase_if(env, [](const std::string& v) { return v.starts_with("RUNSC_UNSAFE_NO_SECCOMP="); });
    ASSERT_EQ(env.size(), 1u) << absl::StrJoin(env, " ");
    EXPECT_TRUE(env[0].starts_with("PATH=")) << env[0];
  }
  EXPECT_EQ(RunCommand(Runsc({"delete", "--force", id})).exit_code, 0);
}

TEST_P(ConfinementTest, SentryGoferAndStubsShareTheCgroupAndDeleteRemovesIt) {
  const std::string id = "cgroup-members";
  std::unique_ptr<TestBundle> bundle =
      MakeBundle({"/bin/sh", "-c", "sleep 1000 & sleep 1000 & wait"}, id, {{"pids", {{"limit", 64}}}});
  ASSERT_NE(bundle, nullptr);
  nlohmann::json state = Create(*bundle, id);
  ASSERT_TRUE(state.is_object());
  ASSERT_EQ(RunCommand(Runsc({"start", id})).exit_code, 0);
  const pid_t sentry = state["sentry"]["pid"].get<int>();
  const pid_t gofer = state["gofer"]["pid"].get<int>();
  const std::string pids_dir = CgroupDir(state, "pids");
  ASSERT_FALSE(pids_dir.empty()) << state.dump();
  EXPECT_EQ(ReadFile(pids_dir + "/pids.max"), "64\n");

  // sh, and its two sleeps: three application processes, each a stub,
  // and the clean stub. Stubs come and go while sh forks and the sleeps
  // exec (a new stub, then the old one killed), so the listing is taken
  // again until the stubs and every cgroup agree.
  std::vector<pid_t> stubs;
  auto expected = [&] {
    std::set<pid_t> want(stubs.begin(), stubs.end());
    want.insert(sentry);
    want.insert(gofer);
    return want;
  };
  EXPECT_TRUE(WaitFor([&] {
    stubs = ChildrenOf(sentry);
    if (stubs.size() < 4) return false;
    for (const auto& dir : state["cgroup"]) {
      if (PidsIn(dir.get<std::string>()) != expected()) return false;
    }
    return true;
  })) << stubs.size();
  for (const auto& dir : state["cgroup"]) {
    SCOPED_TRACE(dir.get<std::string>());
    // Sentry, gofer and stubs, and nothing else: no process of the host is
    // in the sandbox's cgroup.
    EXPECT_EQ(PidsIn(dir.get<std::string>()), expected());
  }

  CommandResult deleted = RunCommand(Runsc({"delete", "--force", id}));
  EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
  for (const auto& dir : state["cgroup"]) {
    EXPECT_FALSE(fs::exists(dir.get<std::string>())) << dir;
  }
  for (pid_t pid : stubs) EXPECT_FALSE(ProcessIsLive(pid)) << pid;
}

TEST_P(ConfinementTest, PidsLimitStopsAForkLoopAndTheHostIsFine) {
  const std::string id = "fork-loop";
  // Each application process is a stub plus a sentry thread on the host,
  // and the sentry and gofer hold a few tasks of their own: 20 tasks leave
  // room for a handful of sleeps, far from 100.
  std::unique_ptr<TestBundle> bundle = MakeBundle(
      {"/bin/sh", "-c", "for i in $(seq 100); do sleep 10 & echo \"started $i\"; done; echo all-started"},
      id, {{"pids", {{"limit", 20}}}});
  ASSERT_NE(bundle, nullptr);
  CommandResult r = RunCommand(Runsc({"run", "--bundle", bundle->dir(), id}), "", 120);
  // The host kernel refused a task at the limit. Either the application's
  // fork failed and the shell said so (busybox sh gives up there, with
  // status 2), or the sentry could not start the new task's thread and the
  // sandbox died: in both cases the loop stopped far short of 100.
  EXPECT_THAT(r.err, AnyOf(HasSubstr("can't fork"), HasSubstr("Resource temporarily unavailable")))
      << "out: " << r.out << "\nerr: " << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("all-started")));
  EXPECT_NE(r.exit_code, 0);
  const auto started = std::count(r.out.begin(), r.out.end(), '\n');
  EXPECT_GE(started, 1) << r.out;
  EXPECT_LT(started, 20) << r.out;
  // The host is fine: it still forks, and nothing of the sandbox is left.
  pid_t child = fork();
  if (child == 0) _exit(0);
  ASSERT_GT(child, 0);
  int status;
  EXPECT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WaitFor([&] { return LiveProcessesMentioning(root_.path()).empty(); }));
}

TEST_P(ConfinementTest, MemoryLimitKillsTheSandboxOrGivesEnomem) {
  const std::string id = "memory-hog";
  constexpr int64_t kLimit = 96 << 20;
  std::unique_ptr<TestBundle> bundle =
      MakeBundle({"/bin/runsc_testcase_memory_hog", "1024"}, id,
                 {{"memory", {{"limit", kLimit}, {"swap", kLimit}}}}, {"runsc_testcase_memory_hog"});
  ASSERT_NE(bundle, nullptr);
  CommandResult r = RunCommand(Runsc({"run", "--bundle", bundle->dir(), id}), "", 120);
  // Either the program saw ENOMEM before the limit, or the OOM killer ended
  // the sandbox: never 1 GiB inside 96 MiB.
  EXPECT_THAT(r.out, Not(HasSubstr("without a limit"))) << r.out << r.err;
  const bool enomem = absl::StrContains(r.out, "ENOMEM after");
  const bool killed = r.exit_code != 0;
  EXPECT_TRUE(enomem || killed) << "exit " << r.exit_code << "\n" << r.out << r.err;
  // The host runsc and this process survive; nothing is left running.
  EXPECT_GE(r.exit_code, 0);
  CommandResult deleted = RunCommand(Runsc({"delete", "--force", id}));
  EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_THAT(LiveProcessesMentioning(root_.path()), IsEmpty());
}

TEST_P(ConfinementTest, CreateStartDeleteCyclesLeaveNothingBehind) {
  constexpr int kCycles = 100;  // Issue 5: 100 create/start/delete cycles leave nothing.
  std::set<std::string> leaf_parents;
  std::vector<std::string> paths = {root_.path()};
  for (int i = 0; i < kCycles; ++i) {
    const std::string id = absl::StrCat("cycle-", i);
    std::unique_ptr<TestBundle> bundle = MakeBundle({"/bin/true"}, id, {{"pids", {{"limit", 32}}}});
    ASSERT_NE(bundle, nullptr);
    paths.push_back(bundle->dir());
    nlohmann::json state = Create(*bundle, id);
    ASSERT_TRUE(state.is_object());
    for (const auto& dir : state["cgroup"]) {
      leaf_parents.insert(fs::path(dir.get<std::string>()).parent_path());
    }
    CommandResult started = RunCommand(Runsc({"start", id}));
    ASSERT_EQ(started.exit_code, 0) << started.err;
    CommandResult deleted = RunCommand(Runsc({"delete", "--force", id}));
    ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  }
  // No process, no mount, no cgroup and no state directory left. The
  // sandbox mounts only in its own namespaces: a host mount of a bundle or
  // of the state root would be a leak.
  EXPECT_THAT(LiveProcessesMentioning(root_.path()), IsEmpty());
  std::ifstream mountinfo("/proc/self/mountinfo");
  ASSERT_TRUE(mountinfo.is_open());
  int host_mounts = 0;
  for (std::string line; std::getline(mountinfo, line);) {
    ++host_mounts;
    for (const std::string& path : paths) EXPECT_THAT(line, Not(HasSubstr(path)));
  }
  EXPECT_GT(host_mounts, 0);
  EXPECT_FALSE(leaf_parents.empty());
  for (const std::string& parent : leaf_parents) EXPECT_THAT(SubdirsOf(parent), IsEmpty()) << parent;
  EXPECT_THAT(SubdirsOf(root_.path()), IsEmpty());
}

// The limit a v1 or v2 cgroup file holds, "" if the file is not there.
std::string Control(const std::string& dir, const std::string& file) {
  return std::string(absl::StripAsciiWhitespace(ReadFile(dir + "/" + file)));
}

TEST_P(ConfinementTest, UpdateChangesTheCgroupAndIsKeptInTheState) {
  const std::string id = "updated";
  std::unique_ptr<TestBundle> bundle =
      MakeBundle({"/bin/sleep", "600"}, id, {{"pids", {{"limit", 50}}}});
  ASSERT_NE(bundle, nullptr);
  nlohmann::json state = Create(*bundle, id);
  ASSERT_TRUE(state.is_object());
  ASSERT_EQ(RunCommand(Runsc({"start", id})).exit_code, 0);
  const bool v2 = state["cgroup"].size() == 1 &&
                  fs::exists(state["cgroup"][0].get<std::string>() + "/cgroup.controllers");
  const std::string memory_dir = v2 ? state["cgroup"][0].get<std::string>() : CgroupDir(state, "memory");
  const std::string pids_dir = v2 ? memory_dir : CgroupDir(state, "pids");
  const std::string cpu_dir = v2 ? memory_dir : CgroupDir(state, "cpu");
  ASSERT_FALSE(memory_dir.empty() || pids_dir.empty() || cpu_dir.empty()) << state.dump();

  // No memory limit is in force: swap alone has nothing to go with (runc).
  CommandResult swap_alone = RunCommand(Runsc({"update", "--memory-swap", "200m", id}));
  EXPECT_NE(swap_alone.exit_code, 0);
  EXPECT_THAT(swap_alone.err, HasSubstr("unable to set swap limit without memory limit"));

  CommandResult updated = RunCommand(Runsc({"update", "--memory", "96m", "--pids-limit", "30",
                                            "--cpu-quota", "50000", "--cpu-period", "100000", id}));
  ASSERT_EQ(updated.exit_code, 0) << updated.err;
  EXPECT_EQ(Control(memory_dir, v2 ? "memory.max" : "memory.limit_in_bytes"),
            absl::StrCat(96 << 20));
  EXPECT_EQ(Control(pids_dir, "pids.max"), "30");
  if (v2) {
    EXPECT_EQ(Control(cpu_dir, "cpu.max"), "50000 100000");
  } else {
    EXPECT_EQ(Control(cpu_dir, "cpu.cfs_quota_us"), "50000");
    EXPECT_EQ(Control(cpu_dir, "cpu.cfs_period_us"), "100000");
  }

  // Now swap alone is checked against the 96m in force, and kept.
  CommandResult below = RunCommand(Runsc({"update", "--memory-swap", "50m", id}));
  EXPECT_NE(below.exit_code, 0);
  EXPECT_THAT(below.err, HasSubstr("is below memory.limit"));
  CommandResult swap = RunCommand(Runsc({"update", "--memory-swap", "200m", id}));
  EXPECT_EQ(swap.exit_code, 0) << swap.err;
  nlohmann::json saved = nlohmann::json::parse(
      ReadFile(absl::StrCat(root_.path(), "/", id, "/state.json")), nullptr, false);
  ASSERT_TRUE(saved.is_object());
  EXPECT_EQ(saved["resources"]["memory"].value("limit", 0), 96 << 20);
  EXPECT_EQ(saved["resources"]["memory"].value("swap", 0), 200 << 20);
  EXPECT_EQ(saved["resources"]["pids"].value("limit", 0), 30);
  EXPECT_EQ(saved["resources"]["cpu"].value("quota", 0), 50000);
  // The limit the first update set is still there after the second.
  EXPECT_EQ(Control(memory_dir, v2 ? "memory.max" : "memory.limit_in_bytes"),
            absl::StrCat(96 << 20));

  // events --stats: one record, from the cgroup.
  CommandResult stats = RunCommand(Runsc({"events", "--stats", id}));
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  nlohmann::json event = nlohmann::json::parse(stats.out, nullptr, false);
  ASSERT_TRUE(event.is_object()) << stats.out;
  EXPECT_EQ(event.value("type", ""), "stats");
  EXPECT_EQ(event.value("id", ""), id);
  EXPECT_EQ(event["data"]["memory"]["usage"].value("limit", 0), 96 << 20);
  EXPECT_GT(event["data"]["memory"]["usage"].value("usage", 0), 0);
  EXPECT_EQ(event["data"]["pids"].value("limit", 0), 30);
  EXPECT_GE(event["data"]["pids"].value("current", 0), 2);  // The sentry and the gofer at least.
  EXPECT_TRUE(event["data"]["cpu"]["usage"].is_object());

  // Without --stats: a record per interval until stopped.
  std::vector<std::string> lines = FirstLinesOf(Runsc({"events", "--interval", "100ms", id}), 2);
  ASSERT_EQ(lines.size(), 2u);
  for (const std::string& line : lines) {
    nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(record.is_object()) << line;
    EXPECT_EQ(record.value("type", ""), "stats");
    EXPECT_EQ(record["data"]["pids"].value("limit", 0), 30);
  }
  CommandResult deleted = RunCommand(Runsc({"delete", "--force", id}));
  EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
}

TEST_P(ConfinementTest, BadResourcesAreRefusedByCreateAndLeaveNothing) {
  const std::string id = "bad-cpuset";
  // A CPU this machine does not have: the kernel refuses it at create.
  std::unique_ptr<TestBundle> bundle =
      MakeBundle({"/bin/true"}, id, {{"cpu", {{"cpus", "1000"}}}});
  ASSERT_NE(bundle, nullptr);
  CommandResult r = RunCommand(Runsc({"create", "--bundle", bundle->dir(), id}));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("linux.resources.cpu.cpus"));
  EXPECT_THAT(SubdirsOf(root_.path()), IsEmpty());

  bundle->config()["linux"]["cgroupsPath"] = "system.slice:runsc:abc";
  ASSERT_TRUE(bundle->WriteConfig().ok());
  r = RunCommand(Runsc({"create", "--bundle", bundle->dir(), id}));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("slice:prefix:name"));
}

INSTANTIATE_TEST_SUITE_P(Platforms, ConfinementTest, ::testing::ValuesIn(kPlatforms),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace runsc::testing
