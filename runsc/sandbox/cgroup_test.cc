#include "runsc/sandbox/cgroup.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace runsc::sandbox {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void Write(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

// A fake cgroupfs in a temp dir: real directories and files, so the code's
// reads, writes, mkdirs and rmdirs all happen, without the kernel's rules.
class FakeCgroupFs {
 public:
  FakeCgroupFs() {
    char tmpl[] = "/tmp/runsc-cgroup-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    host_.mount_root = dir_ + "/sys/fs/cgroup";
    host_.self_cgroup_file = dir_ + "/self_cgroup";
    fs::create_directories(host_.mount_root);
  }
  ~FakeCgroupFs() { fs::remove_all(dir_); }
  const CgroupHost& host() const { return host_; }
  std::string root() const { return host_.mount_root; }

 private:
  std::string dir_;
  CgroupHost host_;
};

config::SpecResources SomeResources() {
  config::SpecResources r;
  r.memory_limit = 64 << 20;
  r.memory_swap = 128 << 20;
  r.pids_limit = 20;
  r.cpu_shares = 1024;
  r.cpu_quota = 50000;
  r.cpu_period = 100000;
  r.cpuset_cpus = "0";
  r.cpuset_mems = "0";
  return r;
}

TEST(CgroupTest, DetectsTheVersion) {
  FakeCgroupFs fake;
  EXPECT_EQ(Cgroup::DetectVersion(fake.host()).value(), CgroupVersion::kV1);
  Write(fake.root() + "/cgroup.controllers", "cpu memory pids\n");
  EXPECT_EQ(Cgroup::DetectVersion(fake.host()).value(), CgroupVersion::kV2);
  EXPECT_FALSE(Cgroup::DetectVersion({.mount_root = "/nonexistent/cgroup"}).ok());
}

TEST(CgroupTest, V2AppliesEveryResourceToAnExistingEmptyLeaf) {
  FakeCgroupFs fake;
  Write(fake.root() + "/cgroup.controllers", "cpuset cpu io memory pids\n");
  Write(fake.host().self_cgroup_file, "0::/user.slice/session-1.scope\n");
  // A relative path is taken from the parent of runsc's own cgroup; the
  // interface files stand for the ones the kernel makes.
  const std::string leaf = fake.root() + "/user.slice/box/abc";
  for (const char* file : {"cgroup.procs", "memory.max", "pids.max", "cpu.weight", "cpu.max",
                           "cpuset.cpus", "cpuset.mems"}) {
    Write(leaf + "/" + file, "");
  }
  absl::StatusOr<Cgroup> cg = Cgroup::Create("box/abc", "abc", SomeResources(), fake.host());
  ASSERT_TRUE(cg.ok()) << cg.status();
  EXPECT_THAT(cg->dirs(), ElementsAre(leaf));
  EXPECT_EQ(Read(leaf + "/memory.max"), "67108864");
  EXPECT_EQ(Read(leaf + "/pids.max"), "20");
  EXPECT_EQ(Read(leaf + "/cpu.weight"), "39");  // runc's shares -> weight.
  EXPECT_EQ(Read(leaf + "/cpu.max"), "50000 100000");
  EXPECT_EQ(Read(leaf + "/cpuset.cpus"), "0");
  // Controllers were enabled on the way down (the last write stays).
  EXPECT_EQ(Read(fake.root() + "/cgroup.subtree_control"), "+pids");
  EXPECT_EQ(Read(fake.root() + "/user.slice/box/cgroup.subtree_control"), "+pids");
  EXPECT_FALSE(fs::exists(leaf + "/cgroup.subtree_control"));
}

TEST(CgroupTest, V2MissingControllerNamesTheField) {
  FakeCgroupFs fake;
  Write(fake.root() + "/cgroup.controllers", "memory\n");
  Write(fake.host().self_cgroup_file, "0::/\n");
  config::SpecResources r;
  r.pids_limit = 5;
  absl::StatusOr<Cgroup> cg = Cgroup::Create("/runsc/x", "x", r, fake.host());
  ASSERT_FALSE(cg.ok());
  EXPECT_THAT(cg.status().message(),
              HasSubstr("linux.resources.pids.limit: the pids controller is not available in"));
  // The leaf it made is gone again.
  EXPECT_FALSE(fs::exists(fake.root() + "/runsc/x"));
}

TEST(CgroupTest, V2LeafWithProcessesIsRefused) {
  FakeCgroupFs fake;
  Write(fake.root() + "/cgroup.controllers", "memory\n");
  Write(fake.host().self_cgroup_file, "0::/\n");
  Write(fake.root() + "/busy/cgroup.procs", "1234\n");
  absl::StatusOr<Cgroup> cg = Cgroup::Create("/busy", "x", {}, fake.host());
  ASSERT_FALSE(cg.ok());
  EXPECT_THAT(cg.status().message(), HasSubstr("already exists and has processes in it"));
}

TEST(CgroupTest, UpdateWritesAV2Directory) {
  FakeCgroupFs fake;
  const std::string leaf = fake.root() + "/runsc/u";
  for (const char* file : {"cgroup.controllers", "memory.max", "pids.max", "cpu.max"}) {
    Write(leaf + "/" + file, "");
  }
  config::SpecResources r;
  r.memory_limit = 32 << 20;
  r.pids_limit = 7;
  r.cpu_quota = 20000;
  ASSERT_TRUE(Cgroup::FromDirs({leaf}).Update(r).ok());
  EXPECT_EQ(Read(leaf + "/memory.max"), "33554432");
  EXPECT_EQ(Read(leaf + "/pids.max"), "7");
  EXPECT_EQ(Read(leaf + "/cpu.max"), "20000");
  // A controller the directory lacks names the field.
  Write(leaf + "/pids.max", "");
  fs::remove(leaf + "/cpu.max");
  config::SpecResources cpu;
  cpu.cpu_shares = 512;
  absl::Status s = Cgroup::FromDirs({leaf}).Update(cpu);
  EXPECT_THAT(s.message(), HasSubstr("linux.resources.cpu.shares"));
}

TEST(CgroupTest, UpdateWritesV1HierarchiesByTheirFiles) {
  FakeCgroupFs fake;
  const std::string mem = fake.root() + "/memory/runsc/u";
  const std::string pids = fake.root() + "/pids/runsc/u";
  Write(mem + "/memory.limit_in_bytes", "1048576");
  Write(mem + "/memory.memsw.limit_in_bytes", "1048576");
  Write(pids + "/pids.max", "max");
  config::SpecResources r;
  r.memory_limit = 4 << 20;
  r.memory_swap = 8 << 20;
  r.pids_limit = -1;
  ASSERT_TRUE(Cgroup::FromDirs({mem, pids}).Update(r).ok());
  EXPECT_EQ(Read(mem + "/memory.limit_in_bytes"), "4194304");
  EXPECT_EQ(Read(mem + "/memory.memsw.limit_in_bytes"), "8388608");
  EXPECT_EQ(Read(pids + "/pids.max"), "max");
  // No cpu hierarchy among the directories: refused, named.
  config::SpecResources cpu;
  cpu.cpu_period = 100000;
  EXPECT_THAT(Cgroup::FromDirs({mem, pids}).Update(cpu).message(), HasSubstr("cpu.period"));
  EXPECT_EQ(Cgroup::FromDirs({fake.root() + "/gone"}).Update(r).code(),
            absl::StatusCode::kNotFound);
}

TEST(CgroupTest, V1MakesOneLeafPerHierarchyRelativeToOwnCgroup) {
  FakeCgroupFs fake;
  const std::string root = fake.root();
  // cpu and cpuacct co-mounted, as many distributions do.
  fs::create_directories(root + "/cpu,cpuacct");
  fs::create_directory_symlink("cpu,cpuacct", root + "/cpu");
  fs::create_directory_symlink("cpu,cpuacct", root + "/cpuacct");
  for (const char* c : {"memory", "pids", "freezer"}) fs::create_directories(root + "/" + c);
  Write(root + "/cpuset/cpuset.cpus", "0-1\n");
  Write(root + "/cpuset/cpuset.mems", "0\n");
  Write(fake.host().self_cgroup_file,
        "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/h1\n3:cpuset:/\n2:cpu,cpuacct:/\n"
        "6:freezer:/\n0::/\n");
  config::SpecResources r;
  r.memory_limit = 1 << 30;
  r.pids_limit = -1;
  r.cpu_shares = 512;
  r.cpu_period = 100000;
  r.cpu_quota = 20000;
  absl::StatusOr<Cgroup> cg = Cgroup::Create("", "abc", r, fake.host());
  ASSERT_TRUE(cg.ok()) << cg.status();
  char real[PATH_MAX];
  ASSERT_NE(realpath(root.c_str(), real), nullptr);
  const std::string rroot = real;
  EXPECT_THAT(cg->dirs(), ElementsAre(rroot + "/cpu,cpuacct/runsc/abc", rroot + "/cpuset/runsc/abc",
                                      rroot + "/freezer/runsc/abc",
                                      rroot + "/memory/process_api/h1/runsc/abc",
                                      rroot + "/pids/runsc/abc"));
  EXPECT_EQ(Read(rroot + "/memory/process_api/h1/runsc/abc/memory.limit_in_bytes"), "1073741824");
  EXPECT_EQ(Read(rroot + "/pids/runsc/abc/pids.max"), "max");
  EXPECT_EQ(Read(rroot + "/cpu,cpuacct/runsc/abc/cpu.shares"), "512");
  EXPECT_EQ(Read(rroot + "/cpu,cpuacct/runsc/abc/cpu.cfs_period_us"), "100000");
  EXPECT_EQ(Read(rroot + "/cpu,cpuacct/runsc/abc/cpu.cfs_quota_us"), "20000");
  // New cpuset levels got their parent's cpus and mems.
  EXPECT_EQ(Read(rroot + "/cpuset/runsc/cpuset.cpus"), "0-1");
  EXPECT_EQ(Read(rroot + "/cpuset/runsc/abc/cpuset.mems"), "0");

  // Destroy removes the leaves (the fake leaves hold files, which a real
  // cgroupfs rmdir ignores; remove them the way the kernel would).
  for (const std::string& dir : cg->dirs()) {
    for (const auto& entry : fs::directory_iterator(dir)) fs::remove(entry.path());
  }
  ASSERT_TRUE(cg->Destroy().ok());
  for (const std::string& dir : cg->dirs()) EXPECT_FALSE(fs::exists(dir)) << dir;
  EXPECT_TRUE(fs::exists(rroot + "/pids/runsc"));  // Only leaves go.
}

TEST(CgroupTest, V1LimitWithoutItsHierarchyIsAnError) {
  FakeCgroupFs fake;
  fs::create_directories(fake.root() + "/memory");
  Write(fake.host().self_cgroup_file, "4:memory:/\n");
  config::SpecResources r;
  r.pids_limit = 10;
  absl::StatusOr<Cgroup> cg = Cgroup::Create("/t", "t", r, fake.host());
  ASSERT_FALSE(cg.ok());
  EXPECT_THAT(cg.status().message(),
              HasSubstr("linux.resources.pids.limit: the host mounts no cgroup v1 hierarchy"));
  EXPECT_FALSE(fs::exists(fake.root() + "/memory/t"));
}

// A child that joins `cg` through its cgroup.procs fds (as SpawnChild's
// children do) and then waits to be killed.
pid_t ForkJoined(const std::vector<UniqueFd>& procs) {
  pid_t pid = fork();
  if (pid == 0) {
    for (const UniqueFd& fd : procs) {
      if (write(fd.get(), "0", 1) != 1) _exit(1);
    }
    for (;;) pause();
  }
  return pid;
}

// Until `pid` is in every hierarchy of `cg` (it joins them one by one).
bool WaitUntilIn(const Cgroup& cg, pid_t pid) {
  for (int i = 0; i < 500; ++i) {
    bool everywhere = true;
    for (const std::string& dir : cg.dirs()) {
      absl::StatusOr<std::vector<pid_t>> pids = Cgroup::FromDirs({dir}).Processes();
      everywhere &= pids.ok() && std::find(pids->begin(), pids->end(), pid) != pids->end();
    }
    if (everywhere) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return false;
}

// The real thing, on whatever the host mounts at /sys/fs/cgroup (this
// host: v1 hybrid), below runsc's own cgroup so that nothing leaves the
// cgroups this test runs in.
TEST(CgroupTest, RealHostCgroupHoldsAChildAndGoesAway) {
  if (geteuid() != 0 || access("/sys/fs/cgroup", W_OK) != 0) GTEST_SKIP() << "needs root";
  config::SpecResources r;
  r.pids_limit = 7;
  const std::string name = absl::StrCat("runsc-cgroup-test-", getpid());
  absl::StatusOr<Cgroup> cg = Cgroup::Create(name, "unused", r, {});
  ASSERT_TRUE(cg.ok()) << cg.status();
  ASSERT_FALSE(cg->dirs().empty());
  for (const std::string& dir : cg->dirs()) EXPECT_TRUE(fs::exists(dir + "/cgroup.procs")) << dir;
  bool found_pids = false;
  for (const std::string& dir : cg->dirs()) {
    if (fs::exists(dir + "/pids.max")) {
      found_pids = true;
      EXPECT_EQ(Read(dir + "/pids.max"), "7\n");
    }
  }
  EXPECT_TRUE(found_pids);

  absl::StatusOr<std::vector<UniqueFd>> procs = cg->OpenProcsFiles();
  ASSERT_TRUE(procs.ok()) << procs.status();
  pid_t child = ForkJoined(*procs);
  ASSERT_GT(child, 0);
  EXPECT_TRUE(WaitUntilIn(*cg, child));
  // In every hierarchy, not just one.
  for (const std::string& dir : cg->dirs()) {
    EXPECT_THAT(Read(dir + "/cgroup.procs"), HasSubstr(absl::StrCat(child))) << dir;
  }
  // Destroy kills what is inside and removes the directories.
  absl::Status destroyed = cg->Destroy();
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  if (!destroyed.ok()) destroyed = cg->Destroy();  // A zombie may have held it.
  EXPECT_TRUE(destroyed.ok()) << destroyed;
  for (const std::string& dir : cg->dirs()) EXPECT_FALSE(fs::exists(dir)) << dir;
}

// cgroup v2 for real where a cgroup2 is mounted (here the controller-less
// /sys/fs/cgroup/unified of the hybrid layout): creation, joining, removal.
TEST(CgroupTest, RealV2MountHoldsAChild) {
  const std::string unified = "/sys/fs/cgroup/unified";
  if (geteuid() != 0 || access((unified + "/cgroup.controllers").c_str(), F_OK) != 0) {
    GTEST_SKIP() << "no cgroup2 at " << unified;
  }
  CgroupHost host{.mount_root = unified, .self_cgroup_file = "/proc/self/cgroup"};
  ASSERT_EQ(Cgroup::DetectVersion(host).value(), CgroupVersion::kV2);
  const std::string path = absl::StrCat("/runsc-cgroup-test-v2-", getpid());
  absl::StatusOr<Cgroup> cg = Cgroup::Create(path, "unused", {}, host);
  ASSERT_TRUE(cg.ok()) << cg.status();
  EXPECT_THAT(cg->dirs(), ElementsAre(unified + path));
  absl::StatusOr<std::vector<UniqueFd>> procs = cg->OpenProcsFiles();
  ASSERT_TRUE(procs.ok()) << procs.status();
  pid_t child = ForkJoined(*procs);
  EXPECT_TRUE(WaitUntilIn(*cg, child));
  EXPECT_THAT(Read(absl::StrCat("/proc/", child, "/cgroup")), HasSubstr("0::" + path));
  absl::Status destroyed = cg->Destroy();
  waitpid(child, nullptr, 0);
  if (!destroyed.ok()) destroyed = cg->Destroy();
  EXPECT_TRUE(destroyed.ok()) << destroyed;
  EXPECT_FALSE(fs::exists(unified + path));
}

}  // namespace
}  // namespace runsc::sandbox
