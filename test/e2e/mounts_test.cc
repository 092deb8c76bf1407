// config.json's mounts, end to end: busybox in a sandbox with a tmpfs, rw
// and ro binds of host directories, a bind of a single file, masked and
// read-only paths, and /dev/shm shared between two processes. What the
// container does is checked from inside (its output) and from the host (the
// files a bind wrote).
//
// Every test runs once per platform (DESIGN §9).
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test/e2e/test_bundle.h"

namespace runsc::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

nlohmann::json Mount(const std::string& destination, const std::string& type,
                     const std::string& source, std::vector<std::string> options) {
  return {{"destination", destination}, {"type", type}, {"source", source}, {"options", options}};
}

// A host directory for a bind mount, removed afterwards.
class HostDir {
 public:
  HostDir() {
    std::string templ = fs::path(::testing::TempDir()) / "mounts_test.XXXXXX";
    EXPECT_NE(mkdtemp(templ.data()), nullptr);
    path_ = templ;
  }
  ~HostDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// The stdout of a host shell command.
std::string RunNatively(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

void WriteHostFile(const std::string& path, const std::string& contents) {
  std::ofstream(path) << contents;
}

class MountsTest : public ::testing::TestWithParam<std::string> {
 protected:
  // A busybox bundle running `sh -c script` with `mounts` added to the
  // default ones and `linux` members merged in.
  std::unique_ptr<TestBundle> MakeBundle(const std::string& script,
                                         const std::vector<nlohmann::json>& mounts,
                                         const nlohmann::json& linux_extra = nlohmann::json::object()) {
    std::unique_ptr<TestBundle> bundle = NewBundleOrFail({"/bin/sh", "-c", script});
    if (bundle == nullptr) return nullptr;
    for (const nlohmann::json& m : mounts) bundle->config()["mounts"].push_back(m);
    for (const auto& [key, value] : linux_extra.items()) bundle->config()["linux"][key] = value;
    EXPECT_TRUE(bundle->WriteConfig().ok());
    return bundle;
  }

  CommandResult Run(TestBundle& bundle) {
    return RunCommand(root_.Args({"--platform", GetParam(), "run", "--bundle", bundle.dir(),
                                  absl::StrCat("mounts-", ++containers_)}),
                      "", 60);
  }

  TestRoot root_;
  int containers_ = 0;
};

TEST_P(MountsTest, TmpfsHoldsFilesReportsItsTypeAndFillsUp) {
  std::unique_ptr<TestBundle> bundle = MakeBundle(
      "echo kept > /scratch/f && cat /scratch/f && stat -f -c %T /scratch && "
      "stat -c %a /scratch && "
      "dd if=/dev/zero of=/scratch/big bs=4096 count=64 2>&1; "
      "ls -l /scratch/big | awk '{print \"size\", $5}'; "
      "rm /scratch/big && dd if=/dev/zero of=/scratch/again bs=4096 count=8 2>/dev/null && "
      "echo room again; grep ' /scratch ' /proc/mounts",
      {Mount("/scratch", "tmpfs", "tmpfs", {"nosuid", "nodev", "size=64k", "mode=750"})});
  ASSERT_NE(bundle, nullptr);
  CommandResult r = Run(*bundle);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("kept\ntmpfs\n750\n"));
  EXPECT_THAT(r.out, HasSubstr("No space left on device"));
  // 64 KiB, less the page the first file holds.
  EXPECT_THAT(r.out, HasSubstr("size 61440\n"));
  EXPECT_THAT(r.out, HasSubstr("room again\n"));
  EXPECT_THAT(r.out, HasSubstr("tmpfs /scratch tmpfs rw,nosuid,nodev,relatime,size=64k,mode=750"));
  // The mount point was made in the rootfs, as runc makes it; nothing else.
  EXPECT_TRUE(fs::is_directory(bundle->rootfs() + "/scratch"));
  EXPECT_TRUE(fs::is_empty(bundle->rootfs() + "/scratch"));
}

TEST_P(MountsTest, RwBindWritesLandOnTheHost) {
  HostDir host;
  WriteHostFile(host / "from-host", "host data\n");
  std::unique_ptr<TestBundle> bundle =
      MakeBundle("cat /data/from-host && echo from container > /data/out && mkdir /data/sub && "
                 "mv /data/out /data/sub/moved && ls /data/sub",
                 {Mount("/data", "bind", host.path(), {"rbind", "rw"})});
  ASSERT_NE(bundle, nullptr);
  CommandResult r = Run(*bundle);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "host data\nmoved\n");
  EXPECT_EQ(ReadFile(host / "sub/moved"), "from container\n");
}

TEST_P(MountsTest, RoBindRefusesWritesWithErofs) {
  HostDir host;
  WriteHostFile(host / "f", "read only\n");
  std::unique_ptr<TestBundle> bundle = MakeBundle(
      "cat /ro/f; echo changed > /ro/f; touch /ro/new; rm /ro/f; mkdir /ro/d; "
      "grep ' /ro ' /proc/mounts",
      {Mount("/ro", "bind", host.path(), {"rbind", "ro"})});
  ASSERT_NE(bundle, nullptr);
  CommandResult r = Run(*bundle);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("read only\n"));
  EXPECT_THAT(r.err, HasSubstr("can't create /ro/f: Read-only file system"));
  EXPECT_THAT(r.err, HasSubstr("Read-only file system"));
  EXPECT_THAT(r.out, HasSubstr(" /ro 9p ro,"));
  EXPECT_EQ(ReadFile(host / "f"), "read only\n");
  EXPECT_FALSE(fs::exists(host / "new"));
  EXPECT_FALSE(fs::exists(host / "d"));
}

TEST_P(MountsTest, SingleFilesAreBoundAsDockerBindsHostsAndResolvConf) {
  HostDir host;
  WriteHostFile(host / "hosts", "127.0.0.1 bound-host\n");
  WriteHostFile(host / "hostname", "bound\n");
  std::unique_ptr<TestBundle> bundle = MakeBundle(
      "cat /etc/hosts /etc/hostname; echo appended >> /etc/hostname; "
      "echo nope > /etc/hosts; cat /etc/hostname",
      {Mount("/etc/hosts", "bind", host / "hosts", {"rbind", "ro"}),
       Mount("/etc/hostname", "bind", host / "hostname", {"rbind", "rw"})});
  ASSERT_NE(bundle, nullptr);
  CommandResult r = Run(*bundle);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "127.0.0.1 bound-host\nbound\nbound\nappended\n");
  EXPECT_THAT(r.err, HasSubstr("Read-only file system"));
  EXPECT_EQ(ReadFile(host / "hostname"), "bound\nappended\n");
  EXPECT_EQ(ReadFile(host / "hosts"), "127.0.0.1 bound-host\n");
}

TEST_P(MountsTest, MaskedAndReadonlyPaths) {
  std::unique_ptr<TestBundle> bundle = MakeBundle(
      "cat /etc/secret; echo; ls /opt/hidden; echo listed; echo x > /opt/hidden/new; "
      "echo y > /etc/secret; cat /etc/ro/file; echo z > /etc/ro/file; touch /etc/ro/new; "
      "echo still writable > /etc/rw && cat /etc/rw",
      {}, {{"maskedPaths", {"/etc/secret", "/opt/hidden", "/does/not/exist"}},
           {"readonlyPaths", {"/etc/ro", "/not/there"}}});
  ASSERT_NE(bundle, nullptr);
  WriteHostFile(bundle->rootfs() + "/etc/secret", "SECRET\n");
  fs::create_directories(bundle->rootfs() + "/opt/hidden");
  WriteHostFile(bundle->rootfs() + "/opt/hidden/inside", "HIDDEN\n");
  fs::create_directories(bundle->rootfs() + "/etc/ro");
  WriteHostFile(bundle->rootfs() + "/etc/ro/file", "ro file\n");
  CommandResult r = Run(*bundle);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "\nlisted\nro file\nstill writable\n");
  EXPECT_THAT(r.out + r.err, Not(HasSubstr("SECRET")));
  EXPECT_THAT(r.out + r.err, Not(HasSubstr("inside")));
  EXPECT_THAT(r.err, HasSubstr("can't create /opt/hidden/new: Read-only file system"));
  EXPECT_THAT(r.err, HasSubstr("can't create /etc/secret: Read-only file system"));
  EXPECT_THAT(r.err, HasSubstr("can't create /etc/ro/file: Read-only file system"));
  EXPECT_EQ(ReadFile(bundle->rootfs() + "/etc/ro/file"), "ro file\n");
  EXPECT_FALSE(fs::exists(bundle->rootfs() + "/etc/ro/new"));
  EXPECT_EQ(ReadFile(bundle->rootfs() + "/etc/secret"), "SECRET\n");
}

// What shm_open programs do in /dev/shm, and O_TMPFILE; the same testcase
// natively (on a host tmpfs) must say the same.
TEST_P(MountsTest, DevShmIsSharedBetweenProcessesAsOnTheHost) {
  std::unique_ptr<TestBundle> bundle =
      MakeBundle("/bin/runsc_testcase_tmpfs_shared /dev/shm", {});
  ASSERT_NE(bundle, nullptr);
  const std::string dst = bundle->rootfs() + "/bin/runsc_testcase_tmpfs_shared";
  fs::copy_file(TestcasePath("runsc_testcase_tmpfs_shared"), dst);
  chmod(dst.c_str(), 0755);
  CommandResult r = Run(*bundle);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("FAIL")));
  EXPECT_THAT(r.out, HasSubstr("ok: the parent sees the child's write"));

  std::string templ = "/dev/shm/runsc_mounts_test.XXXXXX";
  ASSERT_NE(mkdtemp(templ.data()), nullptr);
  const std::string native = RunNatively(
      absl::StrCat(TestcasePath("runsc_testcase_tmpfs_shared"), " ", templ));
  fs::remove_all(templ);
  EXPECT_EQ(r.out, native);
}

TEST_P(MountsTest, UnsupportedMountsAreSkippedWithAWarning) {
  std::unique_ptr<TestBundle> bundle =
      MakeBundle("ls -d /dev/shm && echo ran",
                 {Mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid"}),
                  Mount("/dev/pts", "devpts", "devpts", {"newinstance", "gid=5"})});
  ASSERT_NE(bundle, nullptr);
  // The sentry applies mounts and says what it skips in the runtime's log.
  const std::string log = bundle->dir() + "/runsc.log";
  CommandResult r =
      RunCommand(root_.Args({"--log", log, "--platform", GetParam(), "run", "--bundle",
                             bundle->dir(), absl::StrCat("mounts-", ++containers_)}),
                 "", 60);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "/dev/shm\nran\n");
  const std::string logged = ReadFile(log);
  EXPECT_THAT(logged, HasSubstr("mount of mqueue \"mqueue\" at /dev/mqueue is skipped"));
  EXPECT_THAT(logged, Not(HasSubstr("not applied")));
}

INSTANTIATE_TEST_SUITE_P(Platforms, MountsTest, ::testing::ValuesIn(kPlatforms),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace runsc::testing
