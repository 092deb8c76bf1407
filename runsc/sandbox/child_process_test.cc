#include "runsc/sandbox/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace runsc::sandbox {
namespace {

using ::testing::HasSubstr;

std::string ReadAll(int fd) {
  std::string data;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) data.append(buf, n);
  return data;
}

TEST(ChildProcessTest, MapsExactlyTheGivenDescriptors) {
  int out[2];
  ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
  // A descriptor without O_CLOEXEC that is not in the map must not leak.
  int leaky = open("/dev/null", O_RDONLY);
  ASSERT_GE(leaky, 0);
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

  ChildSpec spec;
  spec.path = "/bin/sh";
  spec.argv = {"sh", "-c",
               "echo sid=$(cut -d' ' -f6 /proc/self/stat) pid=$$ >&5; ls /proc/self/fd >&5"};
  spec.fds = {{devnull, 0}, {devnull, 1}, {devnull, 2}, {out[1], 5}};
  auto child = SpawnChild(spec);
  close(out[1]);
  close(leaky);
  close(devnull);
  ASSERT_TRUE(child.ok()) << child.status();
  std::string output = ReadAll(out[0]);
  close(out[0]);
  auto code = WaitForExitCode(child->pid);
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 0);
  // New session: the session id is the child's own pid.
  EXPECT_THAT(output, HasSubstr("sid=" + std::to_string(child->pid) + " pid=" +
                                std::to_string(child->pid)));
  // ls itself opens its directory as fd 3; nothing else beyond 0, 1, 2, 5.
  std::string fds = output.substr(output.find('\n') + 1);
  EXPECT_EQ(fds, "0\n1\n2\n3\n5\n");
}

// The child's controlling terminal is the tty it was asked for: the
// foreground process group of that tty is the child's own.
TEST(ChildProcessTest, ControllingTerminalIsSetAfterSetsid) {
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  ASSERT_GE(master, 0);
  ASSERT_EQ(unlockpt(master), 0);
  int slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  ASSERT_GE(slave, 0);
  int out[2];
  ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);

  ChildSpec spec;
  spec.path = "/bin/sh";
  // Field 8 of /proc/self/stat: the foreground group of the controlling
  // terminal (tpgid; -1 without one). $$ is the child itself.
  spec.argv = {"sh", "-c", "echo tpgid=$(cut -d' ' -f8 /proc/$$/stat) pid=$$ >&5"};
  spec.fds = {{slave, 0}, {slave, 1}, {slave, 2}, {out[1], 5}};
  spec.controlling_tty = 0;
  auto child = SpawnChild(spec);
  close(out[1]);
  close(slave);
  ASSERT_TRUE(child.ok()) << child.status();
  std::string output = ReadAll(out[0]);
  close(out[0]);
  auto code = WaitForExitCode(child->pid);
  close(master);
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 0);
  const std::string pid = std::to_string(child->pid);
  EXPECT_THAT(output, HasSubstr("tpgid=" + pid + " pid=" + pid));

  spec.controlling_tty = 9;  // Not one of the child's descriptors.
  EXPECT_FALSE(SpawnChild(spec).ok());
}

TEST(ChildProcessTest, ExecFailureIsAnError) {
  ChildSpec spec;
  spec.path = "/nonexistent/program";
  spec.argv = {"program"};
  auto child = SpawnChild(spec);
  ASSERT_FALSE(child.ok());
  EXPECT_THAT(child.status().message(), HasSubstr("/nonexistent/program"));
  EXPECT_THAT(child.status().message(), HasSubstr("No such file or directory"));
}

TEST(ChildProcessTest, RejectsBadSpecs) {
  ChildSpec spec;
  EXPECT_FALSE(SpawnChild(spec).ok());
  spec.path = "/bin/true";
  spec.argv = {"true"};
  spec.fds = {{0, 0}, {1, 0}};
  EXPECT_FALSE(SpawnChild(spec).ok());
  spec.fds = {{0, 64}};
  EXPECT_FALSE(SpawnChild(spec).ok());
}

TEST(ChildProcessTest, BlockedSignalsAreNotInherited) {
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  ASSERT_EQ(sigprocmask(SIG_BLOCK, &set, &old), 0);
  ChildSpec spec;
  spec.path = "/bin/sleep";
  spec.argv = {"sleep", "100"};
  auto child = SpawnChild(spec);
  sigprocmask(SIG_SETMASK, &old, nullptr);
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_EQ(kill(child->pid, SIGTERM), 0);
  auto code = WaitForExitCode(child->pid);
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 128 + SIGTERM);
}

TEST(ChildProcessTest, KillAndWaitReapsOurChild) {
  ChildSpec spec;
  spec.path = "/bin/sleep";
  spec.argv = {"sleep", "100"};
  auto child = SpawnChild(spec);
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE(IsLive(*child));
  ASSERT_TRUE(KillAndWait(*child).ok());
  EXPECT_FALSE(IsLive(*child));
  // Reaped: no zombie left.
  EXPECT_EQ(waitpid(child->pid, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
  // Killing what is already gone is fine.
  EXPECT_TRUE(KillAndWait(*child).ok());
}

TEST(ChildProcessTest, TwoStartedChildrenRunBeforeEitherIsAwaited) {
  // Each child waits for the other's byte: only if both were started
  // before either was awaited do both exit 0.
  int ab[2], ba[2];
  ASSERT_EQ(pipe2(ab, O_CLOEXEC), 0);
  ASSERT_EQ(pipe2(ba, O_CLOEXEC), 0);
  ChildSpec first;
  first.path = "/bin/sh";
  first.argv = {"sh", "-c", "echo x >&4; read line <&3"};
  first.fds = {{ba[0], 3}, {ab[1], 4}};
  ChildSpec second = first;
  second.fds = {{ab[0], 3}, {ba[1], 4}};
  auto a = StartChild(first);
  ASSERT_TRUE(a.ok()) << a.status();
  auto b = StartChild(second);
  ASSERT_TRUE(b.ok()) << b.status();
  for (int fd : {ab[0], ab[1], ba[0], ba[1]}) close(fd);
  auto a_id = std::move(*a).AwaitExec();
  auto b_id = std::move(*b).AwaitExec();
  ASSERT_TRUE(a_id.ok()) << a_id.status();
  ASSERT_TRUE(b_id.ok()) << b_id.status();
  EXPECT_EQ(*WaitForExitCode(a_id->pid), 0);
  EXPECT_EQ(*WaitForExitCode(b_id->pid), 0);
}

TEST(ChildProcessTest, AStartedChildNeverAwaitedIsKilledAndReaped) {
  ChildSpec spec;
  spec.path = "/bin/sleep";
  spec.argv = {"sleep", "100"};
  {
    auto child = StartChild(spec);
    ASSERT_TRUE(child.ok()) << child.status();
    StartedChild moved = std::move(*child);  // The moved-from one owns nothing.
  }
  // Killed and reaped: no child of ours is left, not even a zombie.
  EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST(ChildProcessTest, AwaitExecReportsAnExecFailure) {
  ChildSpec spec;
  spec.path = "/nonexistent/program";
  spec.argv = {"program"};
  auto child = StartChild(spec);
  ASSERT_TRUE(child.ok()) << child.status();
  auto id = std::move(*child).AwaitExec();
  EXPECT_EQ(id.status().code(), absl::StatusCode::kNotFound) << id.status();
  EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1);  // Reaped.
}

TEST(ChildProcessTest, KillAndWaitWaitsForAProcessThatIsNotOurChild) {
  // A grandchild: the way delete sees a sentry that another runsc created.
  int out[2];
  ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
  ChildSpec spec;
  spec.path = "/bin/sh";
  spec.argv = {"sh", "-c", "sleep 100 3>&- & echo $! >&3"};
  spec.fds = {{out[1], 3}};
  auto parent = SpawnChild(spec);
  ASSERT_TRUE(parent.ok()) << parent.status();
  close(out[1]);
  std::string text = ReadAll(out[0]);
  close(out[0]);
  ASSERT_EQ(*WaitForExitCode(parent->pid), 0);
  auto grandchild = IdentifyProcess(atoi(text.c_str()));
  ASSERT_TRUE(grandchild.ok()) << grandchild.status();
  ASSERT_TRUE(KillAndWait(*grandchild).ok());
  EXPECT_FALSE(IsLive(*grandchild));
}

TEST(ChildProcessTest, ExitCodes) {
  EXPECT_EQ(ExitCodeFromWaitStatus(3 << 8), 3);
  EXPECT_EQ(ExitCodeFromWaitStatus(SIGKILL), 128 + SIGKILL);
}

}  // namespace
}  // namespace runsc::sandbox
