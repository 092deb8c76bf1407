// Family: execve, execveat.
//
// gtest_main owns main(), so the program each case executes is this same
// binary in "helper" mode: when RUNSC_EXEC_HELPER names a mode (or argv[1] is
// --runsc-exec-helper=MODE, for the cases whose environment is the thing under
// test), a constructor runs that mode before main and exits. Every execve is
// made in a forked child, and every successful one runs a helper, so a sandbox
// that wrongly succeeds never re-runs the whole suite.
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

constexpr char kModeVariable[] = "RUNSC_EXEC_HELPER";
constexpr char kModeFlag[] = "--runsc-exec-helper=";

void WriteAll(const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = write(1, p, size);
    if (n <= 0) _exit(120);
    p += n;
    size -= static_cast<size_t>(n);
  }
}

// Writes each string followed by a NUL.
void WriteStrings(char** strings) {
  for (char** s = strings; *s != nullptr; ++s) WriteAll(*s, strlen(*s) + 1);
}

[[noreturn]] void RunHelper(const char* mode, int argc, char** argv, char** envp) {
  if (strcmp(mode, "echo-argv") == 0) {
    WriteStrings(argv);
    _exit(0);
  }
  if (strcmp(mode, "echo-envp") == 0) {
    WriteStrings(envp);
    _exit(0);
  }
  if (strcmp(mode, "pids") == 0) {
    pid_t pids[2] = {getpid(), getppid()};
    WriteAll(pids, sizeof(pids));
    _exit(0);
  }
  if (strcmp(mode, "fd-is-open") == 0) {
    // Exit 0 if the fd named by the last argument is open, 1 if closed.
    if (argc < 2) _exit(2);
    int fd = atoi(argv[argc - 1]);
    if (fcntl(fd, F_GETFD) >= 0) _exit(0);
    _exit(errno == EBADF ? 1 : 3);
  }
  if (strcmp(mode, "signal-state") == 0) {
    // Expected: SIGUSR1 (was caught) back to default, SIGUSR2 still ignored,
    // SIGTERM still blocked.
    struct sigaction usr1, usr2;
    sigset_t mask;
    if (sigaction(SIGUSR1, nullptr, &usr1) != 0 || sigaction(SIGUSR2, nullptr, &usr2) != 0 ||
        sigprocmask(SIG_SETMASK, nullptr, &mask) != 0) {
      _exit(10);
    }
    if (usr1.sa_handler != SIG_DFL) _exit(11);
    if (usr2.sa_handler != SIG_IGN) _exit(12);
    if (!sigismember(&mask, SIGTERM)) _exit(13);
    _exit(0);
  }
  if (strcmp(mode, "exe-after-rename") == 0) {
    // argv[1] is this program's path: move it, then reach it through
    // /proc/self/exe, which names the file, not the path (exit 0), or fails (1).
    if (argc < 2) _exit(2);
    const std::string moved = std::string(argv[1]) + ".moved";
    if (rename(argv[1], moved.c_str()) != 0) _exit(3);
    int fd = open("/proc/self/exe", O_RDONLY);
    if (fd < 0) _exit(1);
    struct stat via_link, direct;
    if (fstat(fd, &via_link) != 0 || stat(moved.c_str(), &direct) != 0) _exit(4);
    _exit(via_link.st_ino == direct.st_ino && via_link.st_dev == direct.st_dev ? 0 : 5);
  }
  if (strcmp(mode, "exit-42") == 0) _exit(42);
  _exit(121);
}

// Runs before main(): see the comment at the top of the file. glibc passes
// argc, argv and envp to ELF constructors, static binaries included.
__attribute__((constructor)) void MaybeRunHelper(int argc, char** argv, char** envp) {
  if (envp != nullptr) {
    const size_t length = strlen(kModeVariable);
    for (char** e = envp; *e != nullptr; ++e) {
      if (strncmp(*e, kModeVariable, length) == 0 && (*e)[length] == '=') {
        RunHelper(*e + length + 1, argc, argv, envp);
      }
    }
  }
  if (argc > 1 && strncmp(argv[1], kModeFlag, strlen(kModeFlag)) == 0) {
    RunHelper(argv[1] + strlen(kModeFlag), argc, argv, envp);
  }
}

std::string HelperEnv(const std::string& mode) { return std::string(kModeVariable) + "=" + mode; }

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

std::string SelfPath() {
  char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  return n > 0 ? std::string(path, n) : std::string();
}

struct ExecOutcome {
  pid_t pid = -1;
  int exit_code = -1;  // As RunInChild: 128 + signal if killed.
  std::string output;  // Everything the executed program wrote to stdout.
};

// Forks; the child runs `before_exec`, then execs `path` with `args` and
// `env`, its stdout a pipe the parent reads to EOF. An exec that fails exits
// the child with 100 + errno.
ExecOutcome ExecInChild(const std::string& path, std::vector<std::string> args,
                        std::vector<std::string> env,
                        const std::function<void()>& before_exec = nullptr) {
  ExecOutcome outcome;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe2: " << strerrorname_np(errno);
    return outcome;
  }
  std::vector<char*> argv = Pointers(args);
  std::vector<char*> envp = Pointers(env);
  pid_t child = fork();
  if (child < 0) {
    ADD_FAILURE() << "fork: " << strerrorname_np(errno);
    return outcome;
  }
  if (child == 0) {
    // The pending alarm survives exec and ends a hung program.
    alarm(10);
    if (before_exec) before_exec();
    if (dup2(fds[1], 1) != 1) _exit(99);
    execve(path.c_str(), argv.data(), envp.data());
    _exit(100 + errno);
  }
  close(fds[1]);
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof(buf))) > 0) outcome.output.append(buf, n);
  close(fds[0]);
  int status = 0;
  if (waitpid(child, &status, 0) != child) {
    ADD_FAILURE() << "waitpid: " << strerrorname_np(errno);
    return outcome;
  }
  outcome.pid = child;
  outcome.exit_code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  return outcome;
}

std::string Joined(const std::vector<std::string>& strings) {
  std::string joined;
  for (const std::string& s : strings) joined += s + '\0';
  return joined;
}

// In a forked child, execs with the given arguments and returns the errno of
// the failure (0 if the exec unexpectedly succeeded and the helper exited 0).
int ExecErrno(const char* path, char* const* argv, char* const* envp) {
  return RunInChild([=] {
    execve(path, argv, envp);
    return errno;
  });
}

// A copy of this program in `dir`, executable; empty on failure.
std::string CopyOfSelf(const TempDir& dir) {
  int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (in < 0) return "";
  const std::string path = dir.File("copy");
  int out = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
  if (out < 0) {
    close(in);
    return "";
  }
  char buf[65536];
  ssize_t n;
  bool ok = true;
  while (ok && (n = read(in, buf, sizeof(buf))) > 0) ok = write(out, buf, n) == n;
  close(in);
  close(out);
  return ok ? path : "";
}

TEST(ExecTest, ProcSelfExeReachesTheProgramAfterItIsRenamed) {
  TempDir dir;
  const std::string copy = CopyOfSelf(dir);
  ASSERT_FALSE(copy.empty());
  ExecOutcome outcome = ExecInChild(copy, {"helper", copy}, {HelperEnv("exe-after-rename")});
  EXPECT_EQ(outcome.exit_code, 0);
}

TEST(ExecTest, TheNewProgramKeepsThePidAndTheParent) {
  pid_t expected_parent = getpid();
  ExecOutcome outcome = ExecInChild("/proc/self/exe", {"helper"}, {HelperEnv("pids")});
  ASSERT_EQ(outcome.exit_code, 0);
  ASSERT_EQ(outcome.output.size(), 2 * sizeof(pid_t));
  pid_t pids[2];
  memcpy(pids, outcome.output.data(), sizeof(pids));
  EXPECT_EQ(pids[0], outcome.pid);
  EXPECT_EQ(pids[1], expected_parent);
}

TEST(ExecTest, ArgvIsPassedExactly) {
  std::vector<std::string> args = {"zeroth", "", "with space", "tab\there", "last"};
  ExecOutcome outcome = ExecInChild("/proc/self/exe", args, {HelperEnv("echo-argv")});
  ASSERT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(outcome.output, Joined(args));
}

TEST(ExecTest, EnvpIsPassedExactlyAndReplacesTheEnvironment) {
  std::vector<std::string> env = {"A=1", "EMPTY=", "NO_EQUALS_SIGN", HelperEnv("echo-envp")};
  ExecOutcome outcome = ExecInChild("/proc/self/exe", {"helper"}, env);
  ASSERT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(outcome.output, Joined(env));
}

TEST(ExecTest, AnEmptyEnvironmentIsAllowed) {
  ExecOutcome outcome =
      ExecInChild("/proc/self/exe", {"helper", std::string(kModeFlag) + "echo-envp"}, {});
  ASSERT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(outcome.output, "");
}

TEST(ExecTest, AnOCloexecFdIsClosedAcrossExec) {
  int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  ASSERT_SYSCALL_OK(fd);
  ExecOutcome outcome =
      ExecInChild("/proc/self/exe", {"helper", std::to_string(fd)}, {HelperEnv("fd-is-open")});
  EXPECT_EQ(outcome.exit_code, 1);
  close(fd);
}

TEST(ExecTest, AnFdWithoutCloexecStaysOpenAcrossExec) {
  int fd = open("/proc/self/exe", O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  ExecOutcome outcome =
      ExecInChild("/proc/self/exe", {"helper", std::to_string(fd)}, {HelperEnv("fd-is-open")});
  EXPECT_EQ(outcome.exit_code, 0);
  close(fd);
}

TEST(ExecTest, CloexecSetWithFcntlIsHonoured) {
  int fd = open("/proc/self/exe", O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  ASSERT_SYSCALL_OK(fcntl(fd, F_SETFD, FD_CLOEXEC));
  ExecOutcome outcome =
      ExecInChild("/proc/self/exe", {"helper", std::to_string(fd)}, {HelperEnv("fd-is-open")});
  EXPECT_EQ(outcome.exit_code, 1);
  close(fd);
}

void IgnoreSignal(int) {}

TEST(ExecTest, CaughtSignalsBecomeDefaultIgnoredStayIgnoredAndTheMaskIsKept) {
  ExecOutcome outcome =
      ExecInChild("/proc/self/exe", {"helper"}, {HelperEnv("signal-state")}, [] {
        struct sigaction caught = {}, ignored = {};
        caught.sa_handler = IgnoreSignal;
        ignored.sa_handler = SIG_IGN;
        sigaction(SIGUSR1, &caught, nullptr);
        sigaction(SIGUSR2, &ignored, nullptr);
        sigset_t term;
        sigemptyset(&term);
        sigaddset(&term, SIGTERM);
        sigprocmask(SIG_BLOCK, &term, nullptr);
      });
  EXPECT_EQ(outcome.exit_code, 0);
}

TEST(ExecTest, AShebangScriptRunsTheInterpreterWithOneOptionalArgument) {
  TempDir dir;
  const std::string script = dir.File("script");
  const std::string self = SelfPath();
  ASSERT_FALSE(self.empty());
  WriteFileOrDie(script, "#!" + self + " opt arg\n");
  ASSERT_SYSCALL_OK(chmod(script.c_str(), 0755));
  ExecOutcome outcome = ExecInChild(script, {"ignored-argv0", "x"}, {HelperEnv("echo-argv")});
  ASSERT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(outcome.output, Joined({self, "opt arg", script, "x"}));
}

TEST(ExecTest, ExecveatWithAnEmptyPathRunsTheFd) {
  int fd = open("/proc/self/exe", O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  std::vector<std::string> args = {"via-fd", "arg"};
  std::vector<std::string> env = {HelperEnv("echo-argv")};
  std::vector<char*> argv = Pointers(args);
  std::vector<char*> envp = Pointers(env);
  int fds[2];
  ASSERT_SYSCALL_OK(pipe(fds));
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    alarm(10);
    dup2(fds[1], 1);
    syscall(SYS_execveat, fd, "", argv.data(), envp.data(), AT_EMPTY_PATH);
    _exit(100 + errno);
  }
  close(fds[1]);
  std::string output;
  char buf[256];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof(buf))) > 0) output.append(buf, n);
  close(fds[0]);
  close(fd);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_EQ(output, Joined(args));
}

// Arguments for the error cases. The environment selects a helper, so that an
// exec which should have failed exits at once instead of running the suite.
std::vector<std::string> error_args = {"helper"};
std::vector<std::string> error_env = {HelperEnv("exit-42")};

// In a forked child, execveat(dirfd, path, ..., flags) of a program that
// exits 42: returns 42 if the exec worked, else 100 + its errno.
int ExecveatOutcome(int dirfd, const char* path, int flags) {
  std::vector<char*> argv = Pointers(error_args), envp = Pointers(error_env);
  return RunInChild([&] {
    syscall(SYS_execveat, dirfd, path, argv.data(), envp.data(), flags);
    return 100 + errno;
  });
}

// The directory holding this program, and its name there.
struct SelfLocation {
  std::string dir, name;
};
SelfLocation LocateSelf() {
  const std::string self = SelfPath();
  const size_t slash = self.rfind('/');
  if (slash == std::string::npos) return {};
  return {slash == 0 ? "/" : self.substr(0, slash), self.substr(slash + 1)};
}

TEST(ExecTest, ExecveatResolvesARelativePathFromTheDirfd) {
  SelfLocation self = LocateSelf();
  ASSERT_FALSE(self.name.empty());
  int dirfd = open(self.dir.c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_SYSCALL_OK(dirfd);
  EXPECT_EQ(ExecveatOutcome(dirfd, self.name.c_str(), 0), 42);
  // An absolute path ignores the dirfd, even a bad one.
  EXPECT_EQ(ExecveatOutcome(-1, SelfPath().c_str(), 0), 42);
  EXPECT_EQ(ExecveatOutcome(dirfd, "no-such-program", 0), 100 + ENOENT);
  close(dirfd);
}

TEST(ExecTest, ExecveatWithSymlinkNofollowRefusesASymlinkAsELOOP) {
  TempDir dir;
  const std::string link = dir.File("link");
  ASSERT_SYSCALL_OK(symlink(SelfPath().c_str(), link.c_str()));
  EXPECT_EQ(ExecveatOutcome(AT_FDCWD, link.c_str(), AT_SYMLINK_NOFOLLOW), 100 + ELOOP);
  EXPECT_EQ(ExecveatOutcome(AT_FDCWD, link.c_str(), 0), 42);
}

TEST(ExecTest, ExecveatOfAScriptThroughACloseOnExecFdIsENOENT) {
  TempDir dir;
  const std::string script = dir.File("script");
  WriteFileOrDie(script, "#!" + SelfPath() + "\n");
  ASSERT_SYSCALL_OK(chmod(script.c_str(), 0755));
  // The interpreter would get /dev/fd/N, which the exec closes.
  int cloexec_fd = open(script.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_SYSCALL_OK(cloexec_fd);
  EXPECT_EQ(ExecveatOutcome(cloexec_fd, "", AT_EMPTY_PATH), 100 + ENOENT);
  close(cloexec_fd);
  int fd = open(script.c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(ExecveatOutcome(fd, "", AT_EMPTY_PATH), 42);
  close(fd);
}

TEST(ExecTest, ExecveatWithAnUnknownFlagIsEINVALAndAnEmptyPathNeedsAtEmptyPath) {
  int fd = open("/proc/self/exe", O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(ExecveatOutcome(fd, "", AT_EMPTY_PATH | 0x1), 100 + EINVAL);
  EXPECT_EQ(ExecveatOutcome(fd, "", 0), 100 + ENOENT);
  EXPECT_EQ(ExecveatOutcome(fd, "", AT_EMPTY_PATH), 42);
  close(fd);
}

TEST(ExecTest, AMissingFileIsENOENT) {
  TempDir dir;
  std::vector<char*> argv = Pointers(error_args), envp = Pointers(error_env);
  EXPECT_EQ(ExecErrno(dir.File("missing").c_str(), argv.data(), envp.data()), ENOENT);
}

TEST(ExecTest, AFileWithoutAnExecuteBitIsEACCES) {
  TempDir dir;
  const std::string path = dir.File("plain");
  WriteFileOrDie(path, "#!/proc/self/exe\n");
  ASSERT_SYSCALL_OK(chmod(path.c_str(), 0644));
  std::vector<char*> argv = Pointers(error_args), envp = Pointers(error_env);
  EXPECT_EQ(ExecErrno(path.c_str(), argv.data(), envp.data()), EACCES);
}

TEST(ExecTest, ADirectoryIsEACCES) {
  TempDir dir;
  std::vector<char*> argv = Pointers(error_args), envp = Pointers(error_env);
  EXPECT_EQ(ExecErrno(dir.path().c_str(), argv.data(), envp.data()), EACCES);
}

TEST(ExecTest, AFileOfUnknownFormatIsENOEXEC) {
  TempDir dir;
  const std::string path = dir.File("garbage");
  WriteFileOrDie(path, std::string("\x01\x02\x03 not a program\n", 18));
  ASSERT_SYSCALL_OK(chmod(path.c_str(), 0755));
  std::vector<char*> argv = Pointers(error_args), envp = Pointers(error_env);
  EXPECT_EQ(ExecErrno(path.c_str(), argv.data(), envp.data()), ENOEXEC);
}

TEST(ExecTest, APathThroughARegularFileIsENOTDIR) {
  TempDir dir;
  WriteFileOrDie(dir.File("file"), "");
  std::vector<char*> argv = Pointers(error_args), envp = Pointers(error_env);
  EXPECT_EQ(ExecErrno(dir.File("file/x").c_str(), argv.data(), envp.data()), ENOTDIR);
}

TEST(ExecTest, ABadPathPointerIsEFAULT) {
  std::vector<char*> argv = Pointers(error_args), envp = Pointers(error_env);
  EXPECT_EQ(ExecErrno(reinterpret_cast<const char*>(1), argv.data(), envp.data()), EFAULT);
}

TEST(ExecTest, ABadArgvPointerIsEFAULT) {
  std::vector<char*> envp = Pointers(error_env);
  EXPECT_EQ(ExecErrno("/proc/self/exe", reinterpret_cast<char* const*>(1), envp.data()), EFAULT);
}

TEST(ExecTest, ABadEnvpPointerIsEFAULT) {
  std::vector<std::string> args = {"helper", std::string(kModeFlag) + "exit-42"};
  std::vector<char*> argv = Pointers(args);
  EXPECT_EQ(ExecErrno("/proc/self/exe", argv.data(), reinterpret_cast<char* const*>(1)), EFAULT);
}

TEST(ExecTest, AnArgumentLongerThanMaxArgStrlenIsE2BIG) {
  // MAX_ARG_STRLEN is 32 pages.
  std::vector<std::string> args = {"helper", std::string(33 * 4096, 'a')};
  std::vector<char*> argv = Pointers(args), envp = Pointers(error_env);
  EXPECT_EQ(ExecErrno("/proc/self/exe", argv.data(), envp.data()), E2BIG);
}

}  // namespace
}  // namespace runsc::syscall_test
