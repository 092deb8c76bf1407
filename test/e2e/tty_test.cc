// End-to-end tests of process.terminal with --console-socket, driving the
// real runsc binary as containerd does: the test listens on a unix socket,
// `runsc run --console-socket` sends it the pty master (runc's protocol: one
// message, payload "/dev/ptmx", the fd in SCM_RIGHTS), and the test types on
// the master and reads what the container writes.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test/e2e/test_bundle.h"

namespace runsc::testing {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;

// Generous: a deadline for things that must happen, never a measured time.
constexpr auto kDeadline = std::chrono::seconds(30);

// A unix socket the test listens on, as containerd's shim does.
class ConsoleSocket {
 public:
  explicit ConsoleSocket(const std::string& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr = {};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0) << strerror(errno);
    EXPECT_EQ(listen(fd_, 1), 0);
  }
  ~ConsoleSocket() {
    close(fd_);
    unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }

  // Accepts one connection and takes the master from it; -1 on failure.
  int ReceiveMaster(std::string& payload) {
    pollfd p = {fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(std::chrono::milliseconds(kDeadline).count())) != 1) return -1;
    int conn = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) return -1;
    char buf[256];
    iovec iov = {buf, sizeof(buf)};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
    msghdr msg = {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
    close(conn);
    if (n < 0) return -1;
    payload.assign(buf, n);
    cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    if (cmsg == nullptr || cmsg->cmsg_type != SCM_RIGHTS ||
        cmsg->cmsg_len != CMSG_LEN(sizeof(int))) {
      return -1;
    }
    int fd;
    std::memcpy(&fd, CMSG_DATA(cmsg), sizeof(fd));
    return fd;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

// Reads from a pty master until `needle` appears, EOF/EIO (the slave side
// closed), or the deadline. Returns everything read.
std::string ReadUntil(int master, std::string& seen, const std::string& needle) {
  const auto end = std::chrono::steady_clock::now() + kDeadline;
  while (!absl::StrContains(seen, needle) && std::chrono::steady_clock::now() < end) {
    pollfd p = {master, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    ssize_t n = read(master, buf, sizeof(buf));
    if (n <= 0) break;
    seen.append(buf, n);
  }
  return seen;
}

// The exit code of `pid` (128+signal), or -1 after the deadline (then killed).
int WaitExit(pid_t pid) {
  const auto end = std::chrono::steady_clock::now() + kDeadline;
  while (std::chrono::steady_clock::now() < end) {
    int status;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  ADD_FAILURE() << "process " << pid << " did not exit in time";
  return -1;
}

// Starts `program argv` with stdin/stdout /dev/null and stderr to `err_path`.
pid_t Spawn(const std::string& program, const std::vector<std::string>& argv,
            const std::string& err_path) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(null, 0);
    dup2(null, 1);
    dup2(err, 2);
    execv(program.c_str(), args.data());
    _exit(127);
  }
  return pid;
}

class TtyTest : public ::testing::TestWithParam<std::string> {
 protected:
  struct Session {
    pid_t runsc = -1;
    int master = -1;
    std::string payload;
    std::string output;
  };

  // `runsc run --console-socket` of a terminal bundle running `args`;
  // returns once the master arrived.
  Session Run(std::vector<std::string> args) {
    Session s;
    BundleOptions options;
    options.args = std::move(args);
    options.terminal = true;
    auto bundle = TestBundle::Create(options);
    EXPECT_TRUE(bundle.ok()) << bundle.status();
    if (!bundle.ok()) return s;
    bundle_ = *std::move(bundle);
    if (!extra_file_.empty()) {
      std::filesystem::copy_file(TestcasePath(extra_file_), bundle_->rootfs() + "/bin/" + extra_file_);
    }
    socket_ = std::make_unique<ConsoleSocket>(bundle_->dir() + "/console.sock");
    std::vector<std::string> argv = {"runsc"};
    for (std::string& arg : root_.Args({"--platform", GetParam(), "run", "--bundle", bundle_->dir(),
                                        "--console-socket", socket_->path(), "tty"})) {
      argv.push_back(std::move(arg));
    }
    s.runsc = Spawn(RunscBinary(), argv, bundle_->dir() + "/runsc.err");
    s.master = socket_->ReceiveMaster(s.payload);
    EXPECT_GE(s.master, 0) << "no pty master arrived; runsc said: "
                           << ReadFile(bundle_->dir() + "/runsc.err");
    return s;
  }
  int Finish(Session& s) {
    int code = WaitExit(s.runsc);
    if (s.master >= 0) {
      ReadUntil(s.master, s.output, "\x01never\x01");  // Drain to EOF.
      close(s.master);
    }
    if (code != 0) {
      std::cerr << "runsc stderr: " << ReadFile(bundle_->dir() + "/runsc.err") << "\n";
    }
    return code;
  }

  TestRoot root_;
  std::unique_ptr<TestBundle> bundle_;
  std::unique_ptr<ConsoleSocket> socket_;
  std::string extra_file_;
};

TEST_P(TtyTest, OutputComesThroughThePtyAndStdioIsATty) {
  Session s = Run({"/bin/sh", "-c",
                   "echo hello-tty; tty; test -t 0 && echo stdin-is-a-tty; "
                   "test -t 1 && echo stdout-is-a-tty; exit 7"});
  ASSERT_GE(s.master, 0);
  EXPECT_EQ(s.payload, "/dev/ptmx");
  EXPECT_EQ(Finish(s), 7);
  // \r\n: the slave's line discipline (OPOST|ONLCR) handled the output.
  EXPECT_THAT(s.output, HasSubstr("hello-tty\r\n"));
  EXPECT_THAT(s.output, HasSubstr("/dev/console\r\n"));
  EXPECT_THAT(s.output, HasSubstr("stdin-is-a-tty\r\n"));
  EXPECT_THAT(s.output, HasSubstr("stdout-is-a-tty\r\n"));
}

TEST_P(TtyTest, InputTypedOnTheMasterIsRead) {
  Session s = Run({"/bin/sh", "-c", "echo ready; read line; echo \"got:$line\""});
  ASSERT_GE(s.master, 0);
  ReadUntil(s.master, s.output, "ready\r\n");
  ASSERT_EQ(write(s.master, "typed words\n", 12), 12);
  ReadUntil(s.master, s.output, "got:");
  EXPECT_EQ(Finish(s), 0);
  EXPECT_THAT(s.output, HasSubstr("typed words\r\n"));  // The tty's echo.
  EXPECT_THAT(s.output, HasSubstr("got:typed words\r\n"));
}

TEST_P(TtyTest, WindowSizeSetOnTheMasterIsSeenWithSigwinch) {
  Session s = Run({"/bin/sh", "-c",
                   "sleep 20 & pid=$!; trap 'echo got-winch; kill $pid' WINCH; echo ready; wait; stty size"});
  ASSERT_GE(s.master, 0);
  ReadUntil(s.master, s.output, "ready\r\n");
  struct winsize size = {};
  size.ws_row = 37;
  size.ws_col = 101;
  ASSERT_EQ(ioctl(s.master, TIOCSWINSZ, &size), 0);
  ReadUntil(s.master, s.output, "37 101");
  EXPECT_EQ(Finish(s), 0);
  EXPECT_THAT(s.output, HasSubstr("got-winch\r\n"));
  EXPECT_THAT(s.output, HasSubstr("37 101\r\n"));
}

TEST_P(TtyTest, CtrlCOnTheMasterInterruptsTheForegroundSleep) {
  Session s = Run({"/bin/sh", "-c", "echo ready; sleep 100; echo status=$?"});
  ASSERT_GE(s.master, 0);
  ReadUntil(s.master, s.output, "ready\r\n");
  // Give sh a moment to start sleep; a ^C before that still ends sh itself.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(write(s.master, "\x03", 1), 1);
  int code = Finish(s);
  // The sleep died of SIGINT: either the shell (pid 1, which Linux would
  // protect from a default-action signal) reports it, or it died with it.
  if (code != 130) {
    EXPECT_THAT(s.output, HasSubstr("status=130")) << "exit code " << code;
  }
}

// Without --console-socket, `runsc run` relays between its own terminal and
// the container's, as runc run does: raw mode on its terminal meanwhile,
// restored at the end.
TEST_P(TtyTest, RunWithoutConsoleSocketRelaysTheCallersTerminal) {
  BundleOptions options;
  options.args = {"/bin/sh", "-c", "stty size; read line; echo \"got:$line\""};
  options.terminal = true;
  auto bundle = TestBundle::Create(options);
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  ASSERT_GE(master, 0);
  ASSERT_EQ(unlockpt(master), 0);
  struct winsize size = {};
  size.ws_row = 21;
  size.ws_col = 55;
  ASSERT_EQ(ioctl(master, TIOCSWINSZ, &size), 0);
  std::string slave_name = ptsname(master);
  std::vector<std::string> argv = {"runsc"};
  for (std::string& arg : root_.Args({"--platform", GetParam(), "run", "--bundle",
                                      (*bundle)->dir(), "relay"})) {
    argv.push_back(std::move(arg));
  }
  const std::string binary = RunscBinary();
  std::vector<char*> cargv;
  for (std::string& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    setsid();
    int slave = open(slave_name.c_str(), O_RDWR);
    if (slave < 0) _exit(126);
    dup2(slave, 0);
    dup2(slave, 1);
    dup2(slave, 2);
    execv(binary.c_str(), cargv.data());
    _exit(127);
  }
  std::string output;
  ReadUntil(master, output, "21 55");
  ASSERT_EQ(write(master, "from the caller\r", 16), 16);
  ReadUntil(master, output, "got:from the caller\r\n");
  EXPECT_EQ(WaitExit(pid), 0) << output;
  EXPECT_THAT(output, HasSubstr("21 55\r\n"));
  EXPECT_THAT(output, HasSubstr("got:from the caller\r\n"));
  // The caller's terminal is back in the mode it had (cooked).
  int slave = open(slave_name.c_str(), O_RDWR | O_NOCTTY);
  ASSERT_GE(slave, 0);
  struct termios mode;
  ASSERT_EQ(tcgetattr(slave, &mode), 0);
  EXPECT_TRUE(mode.c_lflag & ICANON);
  EXPECT_TRUE(mode.c_lflag & ECHO);
  close(slave);
  close(master);
}

// The same job-control checks natively, on a host pty whose session leader
// the testcase is, and in the sandbox on its console: the lines must match.
TEST_P(TtyTest, JobControlIoctlsMatchLinux) {
  const std::string kTestcase = "runsc_testcase_tty_job_control";
  // Natively.
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  ASSERT_GE(master, 0);
  ASSERT_EQ(unlockpt(master), 0);
  std::string slave_name = ptsname(master);
  pid_t pid = fork();
  if (pid == 0) {
    setsid();
    int slave = open(slave_name.c_str(), O_RDWR);
    if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) != 0) _exit(126);
    dup2(slave, 0);
    dup2(slave, 1);
    dup2(slave, 2);
    std::string path = TestcasePath(kTestcase);
    execl(path.c_str(), path.c_str(), nullptr);
    _exit(127);
  }
  std::string native;
  ReadUntil(master, native, "done ok");
  EXPECT_EQ(WaitExit(pid), 0);
  close(master);

  extra_file_ = kTestcase;
  Session s = Run({"/bin/" + kTestcase});
  ASSERT_GE(s.master, 0);
  ReadUntil(s.master, s.output, "done ok");
  EXPECT_EQ(Finish(s), 0);
  EXPECT_THAT(native, HasSubstr("done ok"));
  // Background reads and terminal changes at SIGTTIN/SIGTTOU's default stop.
  EXPECT_THAT(native, HasSubstr("bg_read_ttin_default stopped\r\n"));
  EXPECT_THAT(native, HasSubstr("bg_tcsetattr_ttou_default stopped\r\n"));
  EXPECT_EQ(absl::StrReplaceAll(s.output, {{"\r", ""}}), absl::StrReplaceAll(native, {{"\r", ""}}));
}

// runsc exec --tty in a container without a terminal of its own: the
// exec'd process gets a new host pty (its master sent to --console-socket,
// or relayed by runsc exec), sees it as /dev/pts/<n>, and its terminal's
// keys and window changes reach it.
class ExecTtyTest : public ::testing::TestWithParam<std::string> {
 protected:
  // A running `sleep` container `id`; false (and a failure) if it is not.
  bool StartSleeper(const std::string& id) {
    BundleOptions options;
    options.args = {"/bin/sleep", "1000"};
    auto bundle = TestBundle::Create(options);
    EXPECT_TRUE(bundle.ok()) << bundle.status();
    if (!bundle.ok()) return false;
    bundle_ = *std::move(bundle);
    socket_ = std::make_unique<ConsoleSocket>(bundle_->dir() + "/console.sock");
    const std::string err = bundle_->dir() + "/create.err";
    EXPECT_EQ(WaitExit(Spawn(RunscBinary(), Runsc({"create", "--bundle", bundle_->dir(), id}), err)), 0)
        << ReadFile(err);
    CommandResult start = RunCommand(root_.Args({"start", id}));
    EXPECT_EQ(start.exit_code, 0) << start.err;
    return start.exit_code == 0;
  }

  // argv for runsc with the platform under test: {"runsc", "--root", ...}.
  std::vector<std::string> Runsc(std::vector<std::string> args) const {
    std::vector<std::string> argv = {"runsc"};
    std::vector<std::string> full = {"--platform", GetParam()};
    full.insert(full.end(), args.begin(), args.end());
    for (std::string& arg : root_.Args(full)) argv.push_back(std::move(arg));
    return argv;
  }

  TestRoot root_;
  std::unique_ptr<TestBundle> bundle_;
  std::unique_ptr<ConsoleSocket> socket_;
};

TEST_P(ExecTtyTest, ConsoleSocketGetsTheMasterOfATerminalTheProcessSees) {
  ASSERT_TRUE(StartSleeper("exec-tty"));
  const std::string err = bundle_->dir() + "/exec.err";
  pid_t exec = Spawn(RunscBinary(),
                     Runsc({"exec", "--tty", "--console-socket", socket_->path(), "exec-tty",
                            "/bin/sh", "-c",
                            "tty; test -t 0 && echo stdin-is-a-tty; test -t 1 && echo "
                            "stdout-is-a-tty; echo ready; read line; echo \"got:$line\"; "
                            "stty size; exit 7"}),
                     err);
  std::string payload;
  int master = socket_->ReceiveMaster(payload);
  ASSERT_GE(master, 0) << ReadFile(err);
  EXPECT_EQ(payload, "/dev/ptmx");
  std::string output;
  ReadUntil(master, output, "ready\r\n");
  struct winsize size = {};
  size.ws_row = 37;
  size.ws_col = 101;
  ASSERT_EQ(ioctl(master, TIOCSWINSZ, &size), 0);
  ASSERT_EQ(write(master, "typed\n", 6), 6);
  ReadUntil(master, output, "37 101\r\n");
  EXPECT_EQ(WaitExit(exec), 7) << ReadFile(err);
  ReadUntil(master, output, "\x01never\x01");  // Drain to EOF.
  close(master);
  EXPECT_THAT(output, HasSubstr("/dev/pts/0\r\n"));
  EXPECT_THAT(output, HasSubstr("stdin-is-a-tty\r\n"));
  EXPECT_THAT(output, HasSubstr("stdout-is-a-tty\r\n"));
  EXPECT_THAT(output, HasSubstr("got:typed\r\n"));
  EXPECT_THAT(output, HasSubstr("37 101\r\n"));
}

TEST_P(ExecTtyTest, WindowChangeAndCtrlCReachTheProcess) {
  ASSERT_TRUE(StartSleeper("exec-tty-signals"));
  const std::string err = bundle_->dir() + "/exec.err";
  pid_t exec = Spawn(RunscBinary(),
                     Runsc({"exec", "--tty", "--console-socket", socket_->path(),
                            "exec-tty-signals", "/bin/sh", "-c",
                            "sleep 20 & pid=$!; trap 'echo got-winch; kill $pid' WINCH; "
                            "echo ready; wait; trap - WINCH; echo again; sleep 100; echo status=$?"}),
                     err);
  std::string payload;
  int master = socket_->ReceiveMaster(payload);
  ASSERT_GE(master, 0) << ReadFile(err);
  std::string output;
  ReadUntil(master, output, "ready\r\n");
  struct winsize size = {};
  size.ws_row = 12;
  size.ws_col = 34;
  ASSERT_EQ(ioctl(master, TIOCSWINSZ, &size), 0);
  ReadUntil(master, output, "again\r\n");
  EXPECT_THAT(output, HasSubstr("got-winch\r\n"));
  // Give sh a moment to start sleep; a ^C before that still ends sh itself.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(write(master, "\x03", 1), 1);
  int code = WaitExit(exec);
  ReadUntil(master, output, "\x01never\x01");
  close(master);
  if (code != 128 + SIGINT) {
    EXPECT_THAT(output, HasSubstr("status=130")) << "exit code " << code << ": " << ReadFile(err);
  }
}

// "terminal": true in --process, without a console socket: runsc exec
// relays the terminal to its own stdio, as runc exec -t does.
TEST_P(ExecTtyTest, ProcessWithTerminalIsRelayedToRunscsOwnStdio) {
  ASSERT_TRUE(StartSleeper("exec-tty-process"));
  const std::string process = bundle_->dir() + "/process.json";
  {
    std::ofstream out(process);
    out << R"({"terminal": true, "user": {"uid": 0, "gid": 0}, "cwd": "/", "env": ["PATH=/bin"],
               "args": ["/bin/sh", "-c", "tty; test -t 1 && echo stdout-is-a-tty; exit 4"]})";
  }
  std::vector<std::string> argv = Runsc({"exec", "--process", process, "exec-tty-process"});
  argv.erase(argv.begin());  // RunCommand adds the binary.
  CommandResult r = RunCommand(argv);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_THAT(r.out, HasSubstr("/dev/pts/0\r\n"));
  EXPECT_THAT(r.out, HasSubstr("stdout-is-a-tty\r\n"));
}

TEST_P(ExecTtyTest, DetachedWithConsoleSocketLeavesAWaiterWithTheStatus) {
  ASSERT_TRUE(StartSleeper("exec-tty-detach"));
  const std::string pid_file = bundle_->dir() + "/exec.pid";
  std::vector<std::string> argv =
      Runsc({"exec", "--detach", "--tty", "--console-socket", socket_->path(), "--pid-file",
             pid_file, "exec-tty-detach", "/bin/sh", "-c", "read x; echo \"got:$x\"; exit 3"});
  argv.erase(argv.begin());
  CommandResult r = RunCommand(argv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string payload;
  int master = socket_->ReceiveMaster(payload);
  ASSERT_GE(master, 0);
  int waiter = atoi(ReadFile(pid_file).c_str());
  ASSERT_GT(waiter, 0);
  ASSERT_EQ(write(master, "hi\n", 3), 3);
  std::string output;
  ReadUntil(master, output, "got:hi\r\n");
  EXPECT_THAT(output, HasSubstr("got:hi\r\n"));
  // The waiter was runsc exec's child; this test, a subreaper, adopted it.
  EXPECT_EQ(WaitExit(waiter), 3);
  close(master);
}

TEST_P(ExecTtyTest, TerminalFlagsAreCheckedAsRuncDoes) {
  ASSERT_TRUE(StartSleeper("exec-tty-flags"));
  std::vector<std::string> argv =
      Runsc({"exec", "--detach", "--tty", "exec-tty-flags", "/bin/true"});
  argv.erase(argv.begin());
  CommandResult r = RunCommand(argv);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("--console-socket"));
  argv = Runsc({"exec", "--console-socket", socket_->path(), "exec-tty-flags", "/bin/true"});
  argv.erase(argv.begin());
  r = RunCommand(argv);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("only used with --tty"));
  // Without a terminal, nothing changed: stdio is runsc exec's own.
  argv = Runsc({"exec", "exec-tty-flags", "/bin/sh", "-c", "test -t 0 || echo no-tty"});
  argv.erase(argv.begin());
  r = RunCommand(argv);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "no-tty\n");
}

INSTANTIATE_TEST_SUITE_P(Platforms, ExecTtyTest, ::testing::ValuesIn(kPlatforms),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

INSTANTIATE_TEST_SUITE_P(Platforms, TtyTest, ::testing::ValuesIn(kPlatforms),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace runsc::testing
