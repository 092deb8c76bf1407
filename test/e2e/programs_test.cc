// Debian's own dynamically linked programs (dash, bash, coreutils, findutils,
// grep, perl, util-linux mount) in a rootfs built from the host's binaries
// and the libraries ldd lists for them, run by one script
// (testdata/debian_programs.sh) natively, chrooted into a copy of the same
// rootfs, and in the sandbox. The outputs must be equal: the host kernel is
// the referee. The script prints nothing host-specific (no dates, inodes,
// addresses, file system sizes). It runs as root, as a non-root user
// (permission checks) and on a read-only rootfs (EROFS).
//
// Every test runs once per platform (DESIGN §9).
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test/e2e/runsc_fixture.h"
#include "test/e2e/test_bundle.h"
#include "test/syscalls/runner/host_program_copier.h"

namespace runsc::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr uid_t kUser = 1000;
constexpr char kScriptInRootfs[] = "/debian_programs.sh";
constexpr char kShadow[] = "the rootfs's shadow, not the host's\n";

// The programs the script runs, by their host paths; each lands in the
// rootfs's /usr/bin (with /bin a link to it, as Debian's merged /usr has it).
const std::vector<std::string> kPrograms = {
    "/usr/bin/dash", "/usr/bin/ls",   "/usr/bin/cp",    "/usr/bin/mv",       "/usr/bin/rm",
    "/usr/bin/ln",   "/usr/bin/chmod", "/usr/bin/stat", "/usr/bin/df",       "/usr/bin/du",
    "/usr/bin/touch", "/usr/bin/mkdir", "/usr/bin/tail", "/usr/bin/cat",     "/usr/bin/sort",
    "/usr/bin/env",  "/usr/bin/id",   "/usr/bin/head",  "/usr/bin/tr",       "/usr/bin/cut",
    "/usr/bin/wc",   "/usr/bin/seq",  "/usr/bin/readlink", "/usr/bin/sleep", "/usr/bin/find",
    "/usr/bin/grep", "/usr/bin/perl"};
// Present on most hosts but not essential to the test: left out when absent.
const std::vector<std::string> kOptionalPrograms = {"/usr/bin/bash", "/usr/bin/mount",
                                                    "/usr/bin/setfattr", "/usr/bin/getfattr"};

// Builds the Debian-like rootfs in `root` (an existing, empty directory).
absl::Status BuildDebianRootfs(const fs::path& root) {
  compat::HostProgramCopier copier(root);
  for (const std::string& program : kPrograms) {
    if (absl::Status s = copier.CopyProgram(program, program); !s.ok()) return s;
  }
  for (const std::string& program : kOptionalPrograms) {
    if (access(program.c_str(), X_OK) != 0) continue;
    if (absl::Status s = copier.CopyProgram(program, program); !s.ok()) return s;
  }
  std::error_code ec;
  fs::create_symlink("dash", root / "usr/bin/sh", ec);
  if (!ec) fs::create_symlink("usr/bin", root / "bin", ec);
  if (ec) return absl::InternalError(absl::StrCat("linking sh and /bin: ", ec.message()));
  // perl-base holds the modules the one-liners use (strict, Fcntl, Errno,
  // XSLoader…); PerlIO::mmap, for the :mmap layer, and PerlIO.pm, which
  // loads it, are in perl-modules: only those three files are taken.
  if (absl::Status s = copier.CopyTree("/usr/lib/x86_64-linux-gnu/perl-base"); !s.ok()) return s;
  const std::string perl_arch = "/usr/lib/x86_64-linux-gnu/perl/5.36";
  const std::string perl_lib = "/usr/share/perl/5.36";
  for (const std::string& host : {perl_arch + "/PerlIO/mmap.pm",
                                  perl_arch + "/auto/PerlIO/mmap/mmap.so",
                                  perl_lib + "/PerlIO.pm"}) {
    if (access(host.c_str(), R_OK) != 0) continue;  // The script's mmap line then says so.
    if (absl::Status s = copier.CopyFile(host, host, fs::perms(0644)); !s.ok()) return s;
  }
  for (const char* dir : {"tmp", "proc", "dev", "sys", "etc", "root-only"}) {
    fs::create_directories(root / dir, ec);
    if (ec) return absl::InternalError(absl::StrCat("mkdir ", dir, ": ", ec.message()));
  }
  chmod((root / "tmp").c_str(), 01777);
  chmod((root / "root-only").c_str(), 0700);
  WriteFileOrFail(root / "etc/passwd",
                  "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/tmp:/bin/sh\n");
  WriteFileOrFail(root / "etc/group", "root:x:0:\nuser:x:1000:\n");
  // For the user and ro runs' getfattr (the script's xattr lines). Where the
  // host file system keeps no user.* attributes, both runs say so alike.
  (void)setxattr((root / "etc/passwd").c_str(), "user.owner", "root", 4, 0);
  WriteFileOrFail(root / "etc/shadow", kShadow);
  chmod((root / "etc/shadow").c_str(), 0600);
  WriteFileOrFail(root / "root-only-file", "secret\n");
  chmod((root / "root-only-file").c_str(), 0600);
  return copier.CopyFile(RUNSC_DEBIAN_PROGRAMS_SCRIPT, kScriptInRootfs, fs::perms(0755));
}

const std::vector<std::string> kEnv = {"PATH=/usr/bin:/bin", "HOME=/"};

// Reads `fd` to its end and closes it.
std::string Drain(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

// Runs the script natively in `root`: in a child with a private mount
// namespace where `root` is bound onto itself (so that /proc/mounts shows a
// "/" as it does in a container) with /proc and /dev/null, read-only if
// asked (after the device nodes are made), chrooted, as `as.uid`. Stdout and stderr are merged, as the sandbox run merges them below.
// How the script runs: as which user, on a read-only rootfs or not.
struct RunAs {
  uid_t uid = 0;
  bool readonly_root = false;
};

CommandResult RunNatively(const fs::path& root, const std::vector<std::string>& script_args,
                          RunAs as) {
  CommandResult result;
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe: " << strerror(errno);
    return result;
  }
  std::vector<std::string> argv = {"/bin/sh", kScriptInRootfs};
  argv.insert(argv.end(), script_args.begin(), script_args.end());
  std::vector<char*> cargv, cenv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (const std::string& e : kEnv) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);
  const std::string r = root.string();
  pid_t pid = fork();
  if (pid == 0) {
    auto die = [](const char* what) {
      dprintf(2, "native setup: %s: %s\n", what, strerror(errno));
      _exit(125);
    };
    dup2(pipe_fds[1], 1);
    dup2(pipe_fds[1], 2);
    int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, 0);
    if (unshare(CLONE_NEWNS) != 0) die("unshare");
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) die("private /");
    if (mount(r.c_str(), r.c_str(), nullptr, MS_BIND, nullptr) != 0) die("bind root");
    if (mount("proc", (r + "/proc").c_str(), "proc", 0, nullptr) != 0) die("proc");
    for (const char* dev : {"null", "zero"}) {
      const std::string node = r + "/dev/" + dev;
      int fd = open(node.c_str(), O_WRONLY | O_CREAT, 0666);
      if (fd < 0) die("dev node");
      close(fd);
      if (mount((std::string("/dev/") + dev).c_str(), node.c_str(), nullptr, MS_BIND, nullptr) != 0)
        die("bind dev");
    }
    if (as.readonly_root &&
        mount(nullptr, r.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
      die("remount read-only");
    }
    if (chroot(r.c_str()) != 0 || chdir("/") != 0) die("chroot");
    if (as.uid != 0 && (setgid(as.uid) != 0 || setuid(as.uid) != 0)) die("setuid");
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    // A hung script fails the test instead of hanging it (the sandbox run
    // has RunCommand's timeout); a healthy one takes a few seconds.
    alarm(60);
    execve(cargv[0], cargv.data(), cenv.data());
    die("execve");
  }
  close(pipe_fds[1]);
  if (pid < 0) {
    ADD_FAILURE() << "fork: " << strerror(errno);
    close(pipe_fds[0]);
    return result;
  }
  result.out = Drain(pipe_fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

class ProgramsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "the native run chroots: needs root";
    char tmpl[] = "/tmp/programs_test_native.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    native_root_ = tmpl;
    // mkdtemp's 0700 would keep the non-root user out of its own rootfs.
    chmod(tmpl, 0755);
    absl::Status built = BuildDebianRootfs(native_root_);
    ASSERT_TRUE(built.ok()) << built;
  }
  void TearDown() override {
    std::error_code ec;
    if (!native_root_.empty()) fs::remove_all(native_root_, ec);
  }

  // A bundle whose rootfs is the Debian one, running the script with
  // `script_args` as `as` says. TestBundle makes a busybox rootfs: it is
  // replaced, the bundle's config and clean-up are what is kept.
  std::unique_ptr<TestBundle> MakeBundle(const std::vector<std::string>& script_args, RunAs as) {
    // Stdout and stderr merged, as natively: the script's stderr lines are
    // where its stdout puts them.
    std::vector<std::string> args = {
        "/bin/sh", "-c", absl::StrCat("exec 2>&1; exec /bin/sh ", kScriptInRootfs, " \"$@\""),
        "sh"};
    args.insert(args.end(), script_args.begin(), script_args.end());
    std::unique_ptr<TestBundle> bundle = NewBundleOrFail(args);
    if (bundle == nullptr) return nullptr;
    std::error_code ec;
    fs::remove_all(bundle->rootfs(), ec);
    fs::create_directory(bundle->rootfs(), ec);
    absl::Status built = BuildDebianRootfs(bundle->rootfs());
    EXPECT_TRUE(built.ok()) << built;
    if (!built.ok()) return nullptr;
    bundle->config()["process"]["env"] = kEnv;
    bundle->config()["process"]["user"] = {{"uid", as.uid}, {"gid", as.uid}};
    bundle->config()["root"]["readonly"] = as.readonly_root;
    EXPECT_TRUE(bundle->WriteConfig().ok());
    return bundle;
  }

  CommandResult RunInSandbox(TestBundle& bundle) {
    return RunCommand(root_.Args({"--platform", GetParam(), "run", "--bundle", bundle.dir(),
                                  absl::StrCat("programs-", ++containers_)}),
                      "", 60);
  }

  fs::path native_root_;
  TestRoot root_;
  int containers_ = 0;
};

TEST_P(ProgramsTest, RootRunsEveryProgramAsNatively) {
  CommandResult native = RunNatively(native_root_, {}, {});
  ASSERT_EQ(native.exit_code, 0) << native.out;
  // The script itself is sound natively: what the comparison relies on.
  EXPECT_THAT(native.out, HasSubstr("maps: libc\n"));
  EXPECT_THAT(native.out, HasSubstr("mounts: /proc\n"));
  EXPECT_THAT(native.out, HasSubstr("locked\nchild: EWOULDBLOCK\n"));
  EXPECT_THAT(native.out, HasSubstr(kShadow));
  EXPECT_THAT(native.out, HasSubstr("2 lines: mapped line two\nunix,perlio,mmap\n"));
  EXPECT_THAT(native.out, HasSubstr("p1\np2\n"));
  EXPECT_THAT(native.out, HasSubstr("tail waits on the pipe\npipe tail exit 0\nw1\nw2\n"));
  EXPECT_THAT(native.out, HasSubstr("rm -r done\nls: cannot access 'doomed'"));
  EXPECT_THAT(native.out, HasSubstr("tail killed 143\none\ntwo\nthree\n"));
  EXPECT_THAT(native.out, HasSubstr("-rw-r--r-- 1 root root 5000 a/b/c/zeros.bin\n"));
  EXPECT_THAT(native.out, HasSubstr("981173106 dated-copy\n"));
  EXPECT_THAT(native.out, HasSubstr("df names /\n"));
  if (access("/usr/bin/setfattr", X_OK) == 0) {
    EXPECT_THAT(native.out, HasSubstr("# file: xa-copy\nuser.shape=\"round\"\n"));
  }

  std::unique_ptr<TestBundle> bundle = MakeBundle({}, {});
  ASSERT_NE(bundle, nullptr);
  CommandResult sandboxed = RunInSandbox(*bundle);
  EXPECT_EQ(sandboxed.exit_code, 0) << sandboxed.err;
  EXPECT_EQ(sandboxed.out, native.out) << "runsc stderr: " << sandboxed.err;
  // The sandbox's writes are in the bundle's rootfs on the host.
  EXPECT_EQ(ReadFile(bundle->rootfs() + "/programs-out/written"),
            "written by debian_programs.sh\n");
  EXPECT_EQ(ReadFile(bundle->rootfs() + "/scratch/a/b/ten.txt"), "0123456789");
  EXPECT_TRUE(fs::is_symlink(bundle->rootfs() + "/scratch/abs-shadow"));
}

TEST_P(ProgramsTest, ANonRootUserIsRefusedAsNatively) {
  CommandResult native = RunNatively(native_root_, {"user"}, {.uid = kUser});
  ASSERT_EQ(native.exit_code, 0) << native.out;
  EXPECT_THAT(native.out, HasSubstr("== id\n1000\n1000\n"));
  EXPECT_THAT(native.out, HasSubstr("ls: cannot open directory '/root-only': Permission denied\n"));
  EXPECT_THAT(native.out, HasSubstr("-rw------- user /tmp/mine/f\nremoved\n"));
  EXPECT_THAT(native.out, HasSubstr("perl: Permission denied\n"));
  std::unique_ptr<TestBundle> bundle = MakeBundle({"user"}, {.uid = kUser});
  ASSERT_NE(bundle, nullptr);
  CommandResult sandboxed = RunInSandbox(*bundle);
  EXPECT_EQ(sandboxed.exit_code, 0) << sandboxed.err;
  EXPECT_EQ(sandboxed.out, native.out) << "runsc stderr: " << sandboxed.err;
}

TEST_P(ProgramsTest, AReadOnlyRootfsIsEROFSAsNatively) {
  CommandResult native = RunNatively(native_root_, {"ro"}, {.readonly_root = true});
  ASSERT_EQ(native.exit_code, 0) << native.out;
  EXPECT_THAT(native.out, HasSubstr("touch: cannot touch '/new': Read-only file system\n"));
  EXPECT_THAT(native.out, HasSubstr("perl rename: Read-only file system\n"));
  std::unique_ptr<TestBundle> bundle = MakeBundle({"ro"}, {.readonly_root = true});
  ASSERT_NE(bundle, nullptr);
  CommandResult sandboxed = RunInSandbox(*bundle);
  EXPECT_EQ(sandboxed.exit_code, 0) << sandboxed.err;
  EXPECT_EQ(sandboxed.out, native.out) << "runsc stderr: " << sandboxed.err;
  // Nothing of what was refused reached the host rootfs.
  EXPECT_FALSE(fs::exists(bundle->rootfs() + "/new"));
  EXPECT_FALSE(fs::exists(bundle->rootfs() + "/etc/copy"));
  EXPECT_EQ(ReadFile(bundle->rootfs() + "/etc/passwd"), ReadFile(native_root_ / "etc/passwd"));
}

INSTANTIATE_TEST_SUITE_P(Platforms, ProgramsTest, ::testing::ValuesIn(kPlatforms));

}  // namespace
}  // namespace runsc::testing
