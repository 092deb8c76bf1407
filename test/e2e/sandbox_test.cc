// End-to-end tests of the sentry, through the real runsc binary: busybox
// programs and small static testcases (test/testcases/runsc_testcase_*) run
// in sandboxes made from busybox bundles, and what they print, their exit
// codes and the host processes around them are checked.
//
// Every test runs once per platform (DESIGN §9): the parameter is passed to
// runsc as --platform. Add "systrap" to kPlatforms (test_bundle.h) when it exists.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/poll_until.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/platform.h"
#include "test/e2e/test_bundle.h"


namespace runsc::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// Generous: a deadline for things that must happen, never a measured time.
constexpr absl::Duration kDeadline = absl::Seconds(20);

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

// Waits until `done` holds or the deadline passes; returns the last answer.
bool WaitFor(const std::function<bool()>& done) {
  return PollUntil(done, kDeadline, absl::Milliseconds(20));
}

std::string HostRelease() {
  struct utsname u;
  if (uname(&u) != 0) return "";
  return u.release;
}

// Parent pid (field 4 of /proc/PID/stat) or -1.
pid_t HostParentOf(pid_t pid) {
  std::string stat = ReadFile(absl::StrCat("/proc/", pid, "/stat"));
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return -1;
  std::vector<std::string> fields = absl::StrSplit(stat.substr(paren + 2), ' ');
  int ppid;
  if (fields.size() < 2 || !absl::SimpleAtoi(fields[1], &ppid)) return -1;
  return ppid;
}

// The host process state letter (R, S, t, Z...), or '?' if gone.
char HostStateOf(pid_t pid) {
  std::string stat = ReadFile(absl::StrCat("/proc/", pid, "/stat"));
  size_t paren = stat.rfind(')');
  return paren == std::string::npos || paren + 2 >= stat.size() ? '?' : stat[paren + 2];
}

// Whether any host thread of `pid` is running: on systrap the process's
// main thread is the stub's syscall thread, which sleeps while the
// application runs in another thread.
bool AnyThreadRunning(pid_t pid) {
  std::error_code ec;
  for (const auto& task : fs::directory_iterator(absl::StrCat("/proc/", pid, "/task"), ec)) {
    std::string stat = ReadFile(task.path().string() + "/stat");
    size_t paren = stat.rfind(')');
    if (paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'R') return true;
  }
  return false;
}

pid_t TracerOf(pid_t pid) {
  for (absl::string_view line : absl::StrSplit(ReadFile(absl::StrCat("/proc/", pid, "/status")), '\n')) {
    if (absl::ConsumePrefix(&line, "TracerPid:")) {
      int tracer;
      if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &tracer)) return tracer;
    }
  }
  return 0;
}

std::vector<pid_t> AllHostPids() {
  std::vector<pid_t> pids;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return pids;
  while (dirent* e = readdir(proc)) {
    int pid;
    if (absl::SimpleAtoi(e->d_name, &pid)) pids.push_back(pid);
  }
  closedir(proc);
  return pids;
}

// The live host processes the sentry `sentry` owns: its children (stubs
// are cloned with CLONE_PARENT, so every stub is one) and any process one of
// its threads traces.
std::vector<pid_t> StubsOf(pid_t sentry) {
  std::set<pid_t> threads;
  if (DIR* task = opendir(absl::StrCat("/proc/", sentry, "/task").c_str())) {
    while (dirent* e = readdir(task)) {
      int tid;
      if (absl::SimpleAtoi(e->d_name, &tid)) threads.insert(tid);
    }
    closedir(task);
  }
  std::vector<pid_t> stubs;
  for (pid_t pid : AllHostPids()) {
    if (pid == sentry || !ProcessIsLive(pid)) continue;
    if (HostParentOf(pid) == sentry || threads.count(TracerOf(pid)) != 0) stubs.push_back(pid);
  }
  return stubs;
}

// A host process outside every sandbox: `sleep 1000`, killed at the end.
class HostSleeper {
 public:
  HostSleeper() {
    pid_ = fork();
    if (pid_ == 0) {
      execl("/bin/sleep", "sleep", "1000", static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~HostSleeper() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  bool Alive() const {
    // Still our child and not exited: waitpid must report nothing yet.
    return pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == 0 && ProcessIsLive(pid_);
  }

 private:
  pid_t pid_ = -1;
};

// Runs `argv` (argv[0] a host path) natively, outside every sandbox, with
// stdin from /dev/null; returns its exit code and what it printed. Killed
// after `timeout_seconds` (exit_code -1).
CommandResult RunNatively(const std::vector<std::string>& argv, int timeout_seconds = 60) {
  CommandResult result;
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) return result;
  std::vector<char*> cargv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  bool timed_out = false;
  while (open_fds > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    if (poll(fds, 2, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      ssize_t n = read(fds[i].fd, buf, sizeof(buf));
      if (n > 0) {
        sinks[i]->append(buf, n);
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (const pollfd& p : fds) {
    if (p.fd >= 0) close(p.fd);
  }
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    ADD_FAILURE() << argv[0] << " timed out natively";
  } else {
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  return result;
}

class SandboxTest : public ::testing::TestWithParam<std::string> {
 protected:
  const std::string& platform() const { return GetParam(); }

  // {"--root", R, "--platform", P, globals..., args...}
  std::vector<std::string> Runsc(std::vector<std::string> args,
                                 std::vector<std::string> globals = {}) {
    std::vector<std::string> full = {"--platform", platform()};
    full.insert(full.end(), globals.begin(), globals.end());
    full.insert(full.end(), args.begin(), args.end());
    return root_.Args(full);
  }

  // A busybox bundle running `args`, with the named testcases in /bin and
  // empty files at `files` (absolute paths in the container): the root
  // filesystem cannot create files yet (issue 4), but it can write existing
  // ones.
  std::unique_ptr<TestBundle> MakeBundle(std::vector<std::string> args,
                                         std::vector<std::string> testcases = {},
                                         std::vector<std::string> files = {}) {
    BundleOptions options;
    options.args = std::move(args);
    absl::StatusOr<std::unique_ptr<TestBundle>> bundle = TestBundle::Create(options);
    if (!bundle.ok()) {
      ADD_FAILURE() << bundle.status();
      return nullptr;
    }
    for (const std::string& name : testcases) {
      const std::string dst = (*bundle)->rootfs() + "/bin/" + name;
      std::error_code ec;
      fs::copy_file(TestcasePath(name), dst, ec);
      EXPECT_FALSE(ec) << "copying testcase " << TestcasePath(name) << ": " << ec.message();
      chmod(dst.c_str(), 0755);
    }
    for (const std::string& file : files) {
      std::ofstream((*bundle)->rootfs() + file);
      chmod(((*bundle)->rootfs() + file).c_str(), 0666);
    }
    return std::move(*bundle);
  }

  std::string NewId() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string id = absl::StrCat(info->name(), "-", ++containers_);
    std::replace(id.begin(), id.end(), '/', '-');
    return id;
  }

  // runsc run of `bundle`; the container's stdout/stderr are the result's.
  // `input` is the container's stdin (a host pipe), closed after it.
  CommandResult Run(TestBundle& bundle, std::vector<std::string> globals = {},
                    std::vector<std::string> run_flags = {}, const std::string& input = "") {
    std::vector<std::string> args = {"run", "--bundle", bundle.dir()};
    args.insert(args.end(), run_flags.begin(), run_flags.end());
    args.push_back(NewId());
    return RunCommand(Runsc(args, globals), input, 60);
  }

  // runsc run of `sh -c script`.
  CommandResult RunShell(const std::string& script, std::vector<std::string> files = {}) {
    std::unique_ptr<TestBundle> bundle = MakeBundle({"/bin/sh", "-c", script}, {}, files);
    if (bundle == nullptr) return {};
    return Run(*bundle);
  }

  // create + start of a detached container; returns the sentry's host pid
  // (from --pid-file), or -1.
  pid_t CreateAndStart(TestBundle& bundle, const std::string& id) {
    const std::string pid_file = bundle.dir() + "/sentry.pid";
    CommandResult created =
        RunCommand(Runsc({"create", "--bundle", bundle.dir(), "--pid-file", pid_file, id}));
    EXPECT_EQ(created.exit_code, 0) << created.err;
    int pid = -1;
    EXPECT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(ReadFile(pid_file)), &pid))
        << "pid file: \"" << ReadFile(pid_file) << "\"";
    CommandResult started = RunCommand(Runsc({"start", id}));
    EXPECT_EQ(started.exit_code, 0) << started.err;
    return pid;
  }

  std::string StatusOf(const std::string& id) {
    CommandResult state = RunCommand(Runsc({"state", id}));
    if (state.exit_code != 0) return "error: " + state.err;
    nlohmann::json j = nlohmann::json::parse(state.out, nullptr, /*allow_exceptions=*/false);
    return j.is_object() && j["status"].is_string() ? j["status"].get<std::string>() : state.out;
  }

  // Waits for the sentry `pid` to exit. It is this process's child once
  // runsc create has exited (TestRoot makes us a subreaper), so its exit
  // status is ours to collect: returns it as a wait status, or -1 if the
  // process was not ours to wait for (it is then only checked to be gone).
  int WaitForSentryExit(pid_t pid) {
    int status = -1;
    bool gone = WaitFor([&] {
      pid_t r = waitpid(pid, &status, WNOHANG);
      if (r == pid) return true;
      if (r < 0) {
        status = -1;
        return !ProcessIsLive(pid);
      }
      return false;
    });
    EXPECT_TRUE(gone) << "sentry " << pid << " still running";
    return status;
  }

  TestRoot root_;
  int containers_ = 0;
};

// ------------------------------------------------------------ programs

TEST_P(SandboxTest, BusyboxOutputAndExitCodes) {
  std::unique_ptr<TestBundle> echo = MakeBundle({"/bin/echo", "hello", "sandbox"});
  ASSERT_NE(echo, nullptr);
  CommandResult r = Run(*echo);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "hello sandbox\n");

  // A bare name is looked up in the container's PATH.
  std::unique_ptr<TestBundle> falsy = MakeBundle({"false"});
  ASSERT_NE(falsy, nullptr);
  EXPECT_EQ(Run(*falsy).exit_code, 1);

  r = RunShell(
      "echo $((6 * 7)); printf '%s-%s\\n' a b; basename /a/b/c; expr 3 + 4;"
      "seq 3 | tr '\\n' ' '; echo; echo to-stderr >&2; exit 42");
  EXPECT_EQ(r.exit_code, 42) << r.err;
  EXPECT_EQ(r.out, "42\na-b\nc\n7\n1 2 3 \n");
  EXPECT_THAT(r.err, HasSubstr("to-stderr"));

  r = RunShell("no-such-command");
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_THAT(r.err, HasSubstr("no-such-command"));
}

TEST_P(SandboxTest, PipelinesAndRedirections) {
  std::unique_ptr<TestBundle> bundle = MakeBundle(
      {"/bin/sh", "-c",
       "echo a b c | wc -w\n"
       "echo one two | tr a-z A-Z | cat\n"
       "printf 'x\\ny\\nz\\n' | grep -c .\n"
       "echo first > /tmp/out\n"
       "echo second >> /tmp/out\n"
       "cat /tmp/out\n"
       "wc -l < /tmp/out\n"
       "read line < /tmp/out; echo \"read=$line\"\n"
       "sort -r < /tmp/out | head -n 1\n"
       "ls /no-such-dir 2>&1 | grep -c no-such-dir\n"
       "{ echo to-out; echo to-err >&2; } 2>&1 >/dev/null | sed 's/^/piped:/'\n"
       "echo replaced > /tmp/out2; echo again > /tmp/out2; cat /tmp/out2\n"
       "exec 3< /tmp/out; read a <&3; read b <&3; echo \"fd3=$a,$b\"\n"
       // The shell's `read` polls before it reads: a sentry pipe, then the
       // container's stdin, a host pipe, up to its end.
       "echo hi | { read x; echo \"piped-read=$x\"; }\n"
       "read x; echo \"stdin=$x\"; read y; echo \"stdin-eof=$?\"\n"},
      {}, {"/tmp/out", "/tmp/out2"});
  ASSERT_NE(bundle, nullptr);
  CommandResult r = Run(*bundle, {}, {}, "line from the host\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(Lines(r.out),
              ElementsAre("3", "ONE TWO", "3", "first", "second", "2", "read=first", "second", "1",
                          "piped:to-err", "again", "fd3=first,second", "piped-read=hi",
                          "stdin=line from the host", "stdin-eof=1"));
  EXPECT_THAT(r.err, IsEmpty());
  // What the redirections wrote is in the rootfs on the host.
  EXPECT_EQ(ReadFile(bundle->rootfs() + "/tmp/out"), "first\nsecond\n");
  EXPECT_EQ(ReadFile(bundle->rootfs() + "/tmp/out2"), "again\n");
}

TEST_P(SandboxTest, DevStdinReopensTheHostPipe) {
  // /dev/stdin -> /proc/self/fd/0, a magic link: opening it reopens the
  // container's stdin, a host pipe no filesystem names (as `cat /dev/stdin`
  // and `cmd --file /dev/stdin` expect); /proc/self/fd/1 likewise.
  std::unique_ptr<TestBundle> bundle = MakeBundle(
      {"/bin/sh", "-c", "cat /dev/stdin; echo rc=$?; echo via-fd1 > /proc/self/fd/1"}, {}, {});
  ASSERT_NE(bundle, nullptr);
  CommandResult r = Run(*bundle, {}, {}, "line from the host\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "line from the host\nrc=0\nvia-fd1\n");
  EXPECT_THAT(r.err, IsEmpty());
}

TEST_P(SandboxTest, ForkExecWaitTree) {
  CommandResult r = RunShell(
      "(exit 3); echo \"subshell=$?\"\n"
      "sh -c 'exit 4'; echo \"child=$?\"\n"
      "sh -c 'sh -c \"sh -c \\\"exit 9\\\"\"'; echo \"grandchild=$?\"\n"
      "sleep 0.2 & slow=$!\n"
      "(sleep 0.1; exit 5) & fast=$!\n"
      "wait $fast; echo \"fast=$?\"\n"
      "wait $slow; echo \"slow=$?\"\n"
      "for i in 1 2 3; do sh -c \"echo child \\$PPID; exit $i\"; echo \"status=$?\"; done\n"
      "echo $(echo $(echo nested))\n"
      "(exit 6) & (exit 7) & wait; echo waited-all\n"
      "sh -c 'echo \"$$ $PPID\"' | cat\n"
      "exec sh -c 'echo exec-pid=$$; exit 11'\n");
  EXPECT_EQ(r.exit_code, 11) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 15u) << r.out;
  EXPECT_EQ(lines[0], "subshell=3");
  EXPECT_EQ(lines[1], "child=4");
  EXPECT_EQ(lines[2], "grandchild=9");
  EXPECT_EQ(lines[3], "fast=5");
  EXPECT_EQ(lines[4], "slow=0");
  EXPECT_EQ(lines[5], "child 1");  // Children of the init shell see it as their parent.
  EXPECT_EQ(lines[6], "status=1");
  EXPECT_EQ(lines[8], "status=2");
  EXPECT_EQ(lines[10], "status=3");
  EXPECT_EQ(lines[11], "nested");
  EXPECT_EQ(lines[12], "waited-all");
  // A child's pid is a fresh virtual pid; its parent is the init (1).
  std::vector<std::string> ids = absl::StrSplit(lines[13], ' ');
  ASSERT_EQ(ids.size(), 2u) << lines[13];
  int child_pid;
  ASSERT_TRUE(absl::SimpleAtoi(ids[0], &child_pid)) << lines[13];
  EXPECT_GT(child_pid, 1);
  EXPECT_LT(child_pid, 1000);  // Virtual pids count from 1, not host pids.
  EXPECT_EQ(ids[1], "1");
  // exec keeps the pid: the init stays pid 1.
  EXPECT_THAT(r.out, HasSubstr("exec-pid=1\n"));
}

TEST_P(SandboxTest, SignalHandlersAndDefaultActions) {
  CommandResult r = RunShell(
      "trap 'echo got USR1' USR1; kill -USR1 $$; echo after-usr1\n"
      "sh -c 'kill -TERM $$; echo not-reached'; echo \"term=$?\"\n"
      "sh -c 'kill -KILL $$; echo not-reached'; echo \"kill=$?\"\n"
      "sh -c 'kill -USR1 $$'; echo \"usr1=$?\"\n"
      "sh -c 'trap \"echo child-trap; exit 7\" TERM; kill -TERM $$; sleep 5'; echo \"trap=$?\"\n"
      "sleep 100 & p=$!; kill $p; wait $p; echo \"bgterm=$?\"\n"
      "sleep 100 & p=$!; kill -9 $p; wait $p; echo \"bgkill=$?\"\n"
      "kill -CHLD $$; echo ignored-by-default\n"
      "{ (yes; echo \"yes=$?\" >&2) | head -n 1; } 2>&1\n"
      "{ (trap '' PIPE; yes 2>/dev/null; echo \"ignpipe=$?\" >&2) | head -n 1; } 2>&1\n"
      "echo done\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  EXPECT_THAT(lines, Contains("got USR1"));
  EXPECT_THAT(lines, Contains("after-usr1"));
  EXPECT_THAT(lines, Contains("term=143"));
  EXPECT_THAT(lines, Contains("kill=137"));
  EXPECT_THAT(lines, Contains("usr1=138"));
  EXPECT_THAT(lines, Contains("child-trap"));
  EXPECT_THAT(lines, Contains("trap=7"));
  EXPECT_THAT(lines, Contains("bgterm=143"));
  EXPECT_THAT(lines, Contains("bgkill=137"));
  EXPECT_THAT(lines, Contains("ignored-by-default"));
  EXPECT_THAT(lines, Contains("yes=141"));  // yes was killed by SIGPIPE.
  // With SIGPIPE ignored (kept across exec), yes sees EPIPE and fails.
  EXPECT_THAT(lines, Contains("ignpipe=1"));
  EXPECT_THAT(lines, Contains("done"));
  EXPECT_THAT(r.out, Not(HasSubstr("not-reached")));
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "y"), 2) << r.out;
}

// ------------------------------------------------------------ identity

TEST_P(SandboxTest, SeesOnlyTheSandbox) {
  std::unique_ptr<TestBundle> bundle = MakeBundle(
      {"/bin/sh", "-c",
       "echo \"pid=$$\"\n"
       "read statpid comm state ppid rest < /proc/self/stat; echo \"stat=$statpid $comm $state $ppid\"\n"
       "while read k v; do case $k in Name:|Pid:|PPid:) echo \"status $k $v\";; esac; done "
       "< /proc/self/status\n"
       "echo \"release=$(uname -r)\"\n"
       "echo \"all=$(uname -a)\"\n"
       "echo \"nodename=$(uname -n)\"\n"
       "echo \"cmdline=$(cat /proc/self/cmdline | tr '\\0' ,)\"\n"
       "echo \"exe=$(readlink /proc/self/exe)\"\n"
       "exec 5< /etc/passwd; echo \"fd5=$(readlink /proc/$$/fd/5)\"\n"
       "echo \"fds=$(ls /proc/self/fd | tr '\\n' ' ')\"\n"
       "echo \"root=$(ls -1 / | tr '\\n' ' ')\"\n"
       "echo \"proc-has-1=$(ls /proc | grep -cx 1)\"\n"
       "exec cut -d ' ' -f 1,4 /proc/self/stat\n"});
  ASSERT_NE(bundle, nullptr);
  CommandResult r = Run(*bundle);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  const std::string host_release = HostRelease();
  ASSERT_FALSE(host_release.empty());

  EXPECT_THAT(lines, Contains("pid=1"));
  EXPECT_THAT(lines, Contains("stat=1 (sh) R 0"));
  EXPECT_THAT(lines, Contains("status Name: sh"));
  EXPECT_THAT(lines, Contains("status Pid: 1"));
  EXPECT_THAT(lines, Contains("status PPid: 0"));
  // The sentry's kernel identity, not the host's.
  EXPECT_THAT(lines, Not(Contains("release=" + host_release)));
  EXPECT_THAT(lines, Contains("release=6.0.0-runsc"));
  EXPECT_THAT(r.out, Not(HasSubstr(host_release)));
  EXPECT_THAT(lines, Contains(AllOf(HasSubstr("all=Linux runsc-test 6.0.0-runsc"), HasSubstr("x86_64"))));
  EXPECT_THAT(lines, Contains("nodename=runsc-test"));
  EXPECT_THAT(lines, Contains("cmdline=cat,/proc/self/cmdline,"));
  EXPECT_THAT(lines, Contains("exe=/bin/busybox"));
  // Inherited fds are listed. (Whether ls sees the fd it reads the
  // directory with depends on when the listing is taken: not checked.)
  EXPECT_THAT(lines, Contains(AllOf(HasSubstr("fds=0 1 2 "), HasSubstr(" 5 "))));
  EXPECT_THAT(lines, Contains("fd5=/etc/passwd"));
  EXPECT_THAT(lines, Contains("proc-has-1=1"));
  // The init's own /proc/self/stat, read by the init (exec keeps pid 1).
  EXPECT_EQ(lines.back(), "1 0");

  // `ls /` lists exactly the rootfs.
  std::vector<std::string> rootfs_entries;
  for (const auto& entry : fs::directory_iterator(bundle->rootfs())) {
    rootfs_entries.push_back(entry.path().filename());
  }
  std::sort(rootfs_entries.begin(), rootfs_entries.end());
  std::string expected = "root=";
  for (const std::string& e : rootfs_entries) absl::StrAppend(&expected, e, " ");
  EXPECT_THAT(lines, Contains(expected));
}

// ------------------------------------------------------------ syscalls

TEST_P(SandboxTest, UnimplementedSyscallGivesEnosysAndGoesOn) {
  std::unique_ptr<TestBundle> bundle = MakeBundle(
      {"/bin/sh", "-c", "runsc_testcase_unimplemented; echo \"status=$?\"; echo sandbox-alive"},
      {"runsc_testcase_unimplemented"});
  ASSERT_NE(bundle, nullptr);
  const std::string log = bundle->dir() + "/debug.log";
  CommandResult r = Run(*bundle, {"--debug-log", log});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("FAIL")));
  EXPECT_THAT(Lines(r.out), Contains("ok: ioprio_get gives ENOSYS"));
  EXPECT_THAT(Lines(r.out), Contains("still running"));
  EXPECT_THAT(Lines(r.out), Contains("status=0"));
  EXPECT_THAT(Lines(r.out), Contains("sandbox-alive"));
  // Reported once per sandbox, though called twice.
  const std::string debug_log = ReadFile(log);
  std::vector<std::string> reports;
  for (const std::string& line : Lines(debug_log)) {
    if (absl::StrContains(line, "unimplemented syscall 252 ")) reports.push_back(line);
  }
  EXPECT_EQ(reports.size(), 1u) << debug_log;
}

TEST_P(SandboxTest, BadPointersGiveEfault) {
  std::unique_ptr<TestBundle> bundle = MakeBundle(
      {"/bin/sh", "-c",
       "runsc_testcase_bad_pointers; echo \"status=$?\"\n"
       "runsc_testcase_bad_pointers segv; echo \"segv-handler=$?\"\n"
       "runsc_testcase_bad_pointers segv-default; echo \"segv-default=$?\"\n"
       "echo sandbox-alive\n"},
      {"runsc_testcase_bad_pointers"});
  ASSERT_NE(bundle, nullptr);
  CommandResult r = Run(*bundle);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  EXPECT_THAT(r.out, Not(HasSubstr("FAIL")));
  EXPECT_THAT(lines, Contains("ok: write(1, (void*)1, 10)"));
  EXPECT_THAT(lines, Contains("ok: syscall(SYS_uname, NULL)"));
  EXPECT_THAT(lines, Contains("ok: syscall(SYS_clock_gettime, CLOCK_REALTIME, (void*)1)"));
  EXPECT_THAT(lines, Contains("ok: syscall(SYS_stat, (const char*)1, &st)"));
  EXPECT_THAT(lines, Contains("ok: read(fd, unmapped, 10)"));
  EXPECT_THAT(lines, Contains("sandbox goes on"));
  EXPECT_THAT(lines, Contains("0 failures"));
  EXPECT_THAT(lines, Contains("status=0"));
  EXPECT_THAT(lines, Contains(HasSubstr("ok: SIGSEGV handler")));
  EXPECT_THAT(lines, Contains("segv-handler=0"));
  EXPECT_THAT(lines, Contains("segv-default=139"));
  EXPECT_THAT(lines, Contains("sandbox-alive"));
}

// A program that makes a pty of its own (/dev/ptmx, the sentry's in the
// sandbox) and runs an interactive shell on it, as script(1) or a terminal
// emulator does: the shell's tty(1) and stty(1) see the replica and its
// window size, typed commands run, and the shell's exit ends the session.
// Natively the host's /bin/sh on a host pty says the same.
TEST_P(SandboxTest, AnInteractiveShellRunsOnASentryPty) {
  constexpr char kTestcase[] = "runsc_testcase_pty_shell";
  CommandResult native = RunNatively({TestcasePath(kTestcase)});
  ASSERT_EQ(native.exit_code, 0) << "the testcase fails natively:\n" << native.out << native.err;
  const std::string expected = "ptsname=/dev/pts/N\ntty-seen=1\nsize-seen=1\nsum-seen=1\nexit=3\n";
  ASSERT_EQ(native.out, expected);

  std::unique_ptr<TestBundle> bundle = MakeBundle({"/bin/" + std::string(kTestcase)}, {kTestcase});
  ASSERT_NE(bundle, nullptr);
  CommandResult r = Run(*bundle);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, expected) << r.err;
}

// futex, prctl and sendfile, checked call by call by the testcase, which
// prints only what Linux decides: its output in the sandbox must be what
// the host kernel gives it natively.
TEST_P(SandboxTest, FutexPrctlAndSendfileAnswerAsLinuxDoes) {
  constexpr char kTestcase[] = "runsc_testcase_futex_prctl";
  char scratch[] = "/tmp/runsc-futex-prctl-XXXXXX";
  int fd = mkstemp(scratch);
  ASSERT_GE(fd, 0);
  close(fd);
  CommandResult native = RunNatively({TestcasePath(kTestcase), scratch});
  unlink(scratch);
  ASSERT_EQ(native.exit_code, 0) << "the testcase fails natively:\n" << native.out << native.err;

  // Not the container's init (whose signals Linux treats apart): a child
  // of the shell, as natively it is a child of this test.
  std::unique_ptr<TestBundle> bundle =
      MakeBundle({"/bin/sh", "-c", absl::StrCat(kTestcase, " /tmp/scratch; echo exit=$?")},
                 {kTestcase}, {"/tmp/scratch"});
  ASSERT_NE(bundle, nullptr);
  const std::string log = bundle->dir() + "/debug.log";
  CommandResult r = Run(*bundle, {"--debug", "--debug-log", log});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("FAIL")));
  EXPECT_EQ(r.out, native.out + "exit=0\n");
  // A few of the answers, spelled out.
  std::vector<std::string> lines = Lines(r.out);
  EXPECT_THAT(lines, Contains("ok: Futex(&word, FUTEX_WAIT_PRIVATE, 4, NULL, 0)"));
  EXPECT_THAT(lines, Contains("ok: Futex(&word, FUTEX_WAIT_PRIVATE, 0, &long_wait, 0)"));
  EXPECT_THAT(lines, Contains("comm=futex-prctl-nam"));
  EXPECT_THAT(lines, Contains("stat-comm=futex-prctl-nam"));
  EXPECT_THAT(lines, Contains("status-NoNewPrivs:\t1"));
  EXPECT_THAT(lines, Contains("pdeathsig: inherited=0 signo=10 from-dying-parent=1 si_code=0 "
                              "adopted-by-subreaper=1"));
  EXPECT_THAT(lines, Contains("hello via sendfile"));
  EXPECT_THAT(lines, Contains("0 failures"));
  // Operations and options the sentry does not implement are named in its log.
  const std::string debug_log = ReadFile(log);
  EXPECT_THAT(debug_log, HasSubstr("futex operation 99 is not supported"));
  EXPECT_THAT(debug_log, HasSubstr("prctl option 32767 is not supported"));

  // busybox cat copies with sendfile.
  std::unique_ptr<TestBundle> cat = MakeBundle({"/bin/cat", "/etc/passwd"});
  ASSERT_NE(cat, nullptr);
  const std::string cat_log = cat->dir() + "/debug.log";
  r = Run(*cat, {"--debug-log", cat_log, "--strace"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::string passwd = ReadFile(cat->rootfs() + "/etc/passwd");
  ASSERT_FALSE(passwd.empty());
  EXPECT_EQ(r.out, passwd);
  EXPECT_THAT(Lines(ReadFile(cat_log)),
              Contains(AllOf(HasSubstr("] sendfile(0x1, "),
                             ::testing::EndsWith(absl::StrCat(" = ", passwd.size())))));
}

// The syscall-compatibility suite's programs are static glibc GoogleTest
// binaries: one runs in a sandbox and passes (glibc's locks need futex).
TEST_P(SandboxTest, AGoogleTestBinaryPasses) {
#ifndef RUNSC_SYSCALL_TEST_BINARY
  GTEST_SKIP() << "built without test/syscalls (RUNSC_SYSCALL_TEST_BINARY)";
#else
  const std::string binary = RUNSC_SYSCALL_TEST_BINARY;
  std::unique_ptr<TestBundle> bundle = MakeBundle({"/bin/syscall_test"});
  ASSERT_NE(bundle, nullptr);
  std::error_code ec;
  fs::copy_file(binary, bundle->rootfs() + "/bin/syscall_test", ec);
  ASSERT_FALSE(ec) << "copying " << binary << ": " << ec.message();
  chmod((bundle->rootfs() + "/bin/syscall_test").c_str(), 0755);
  CommandResult r = Run(*bundle);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("[  PASSED  ]"));
  EXPECT_THAT(r.out, Not(HasSubstr("FAILED")));
  EXPECT_THAT(r.err, Not(HasSubstr("futex facility")));
#endif
}

// The application asks to drop, unmap, remap or replace the pages where the
// platform keeps its stub code: whatever it is told, the stub must survive
// (before the fix, MADV_DONTNEED zeroed it and the sentry spun forever).
TEST_P(SandboxTest, StubPagesSurviveTheApplication) {
  std::unique_ptr<TestBundle> bundle = MakeBundle(
      {"/bin/runsc_testcase_bad_pointers", "pages", absl::StrCat(absl::Hex(platform::kStubBase))},
      {"runsc_testcase_bad_pointers"});
  ASSERT_NE(bundle, nullptr);
  CommandResult r = Run(*bundle);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(Lines(r.out), Contains("ok: memory management survived")) << r.out;
  // None of the calls may have changed those pages.
  for (const char* changed : {"madvise=0", "munmap=0", "mprotect=0", "mmap-fixed=mapped",
                              "mremap=moved", "mincore-into=0"}) {
    EXPECT_THAT(Lines(r.out), Not(Contains(changed)));
  }
}

// The proof the issue asks for: answers that only the sentry can give.
TEST_P(SandboxTest, NoApplicationSyscallReachesTheHost) {
  HostSleeper sleeper;
  ASSERT_GT(sleeper.pid(), 1);
  ASSERT_TRUE(WaitFor([&] { return HostStateOf(sleeper.pid()) == 'S'; }));
  // A file that exists on the host at an absolute path the rootfs lacks.
  char host_only[] = "/tmp/runsc-host-only-XXXXXX";
  int fd = mkstemp(host_only);
  ASSERT_GE(fd, 0);
  close(fd);
  const std::string host_release = HostRelease();

  std::unique_ptr<TestBundle> bundle =
      MakeBundle({"/bin/runsc_testcase_sentry_answers", std::to_string(sleeper.pid()), host_only,
                  host_release},
                 {"runsc_testcase_sentry_answers"});
  ASSERT_NE(bundle, nullptr);
  ASSERT_FALSE(fs::exists(bundle->rootfs() + host_only));
  const std::string log = bundle->dir() + "/debug.log";
  const std::string pid_file = bundle->dir() + "/sentry.pid";
  CommandResult r = Run(*bundle, {"--debug-log", log, "--strace"}, {"--pid-file", pid_file});
  unlink(host_only);

  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("FAIL")));
  std::vector<std::string> lines = Lines(r.out);
  EXPECT_THAT(lines, Contains("getpid=1"));
  EXPECT_THAT(lines, Contains("getppid=0"));
  EXPECT_THAT(lines, Contains("kill0=-1 errno=3"));
  EXPECT_THAT(lines, Contains("kill9=-1 errno=3"));
  EXPECT_THAT(lines, Contains("open=-1 errno=2"));
  EXPECT_THAT(lines, Contains("release=6.0.0-runsc"));
  EXPECT_THAT(lines, Contains("nodename=runsc-test"));
  // The host process the application tried to kill lives on.
  EXPECT_TRUE(sleeper.Alive());
  // The sentry that answered getpid() with 1 is not pid 1 on the host.
  int sentry_pid = 0;
  EXPECT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(ReadFile(pid_file)), &sentry_pid));
  EXPECT_GT(sentry_pid, 1);
  EXPECT_NE(sentry_pid, getpid());

  // The sentry's strace log shows each of these calls answered by it.
  const std::string debug_log = ReadFile(log);
  auto logged = [&](const std::string& call, const std::string& result) {
    for (const std::string& line : Lines(debug_log)) {
      if (absl::StrContains(line, "] " + call) && absl::EndsWith(line, " = " + result)) return true;
    }
    return false;
  };
  EXPECT_TRUE(logged("getpid(", "1")) << debug_log;
  EXPECT_TRUE(logged(absl::StrCat("kill(0x", absl::Hex(sleeper.pid()), ", 0x0,"), "-3")) << debug_log;
  EXPECT_TRUE(logged(absl::StrCat("kill(0x", absl::Hex(sleeper.pid()), ", 0x9,"), "-3")) << debug_log;
  EXPECT_TRUE(logged("open(", "-2")) << debug_log;
  EXPECT_TRUE(logged("uname(", "0")) << debug_log;
}

// ------------------------------------------------------------ lifecycle

TEST_P(SandboxTest, RunscKillStopsARunningContainer) {
  std::unique_ptr<TestBundle> bundle = MakeBundle({"/bin/sleep", "1000"});
  ASSERT_NE(bundle, nullptr);
  const std::string id = NewId();
  const pid_t sentry = CreateAndStart(*bundle, id);
  ASSERT_GT(sentry, 1);
  EXPECT_EQ(StatusOf(id), "running");
  const std::vector<pid_t> stubs = StubsOf(sentry);
  EXPECT_THAT(stubs, Not(IsEmpty()));

  CommandResult killed = RunCommand(Runsc({"kill", id, "KILL"}));
  EXPECT_EQ(killed.exit_code, 0) << killed.err;
  // runsc create has exited, so the sentry is this (subreaper) process's
  // child, and it exits with the container's status: 128 + SIGKILL.
  const int status = WaitForSentryExit(sentry);
  ASSERT_NE(status, -1) << "the sentry was not re-parented to the test";
  EXPECT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGKILL);
  EXPECT_TRUE(WaitFor([&] { return StatusOf(id) == "stopped"; })) << StatusOf(id);
  for (pid_t stub : stubs) {
    EXPECT_TRUE(WaitFor([&] { return !ProcessIsLive(stub); })) << "stub " << stub;
  }
  CommandResult deleted = RunCommand(Runsc({"delete", id}));
  EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
}

TEST_P(SandboxTest, NoStubSurvivesTheSentry) {
  struct Workload {
    const char* name;
    std::vector<std::string> args;
    size_t min_stubs;  // The clean stub and one per address space.
  };
  const Workload workloads[] = {
      {"sleep", {"/bin/sleep", "1000"}, 2},
      // Stubs running application code (the shell's busy loop) and stubs
      // stopped in a syscall (two sleeping children).
      {"busy loop", {"/bin/sh", "-c", "sleep 1000 & sleep 1000 & while :; do :; done"}, 4},
  };
  for (const Workload& w : workloads) {
    SCOPED_TRACE(w.name);
    std::unique_ptr<TestBundle> bundle = MakeBundle(w.args);
    ASSERT_NE(bundle, nullptr);
    const std::string id = NewId();
    const pid_t sentry = CreateAndStart(*bundle, id);
    ASSERT_GT(sentry, 1);
    std::vector<pid_t> stubs;
    ASSERT_TRUE(WaitFor([&] {
      stubs = StubsOf(sentry);
      return stubs.size() >= w.min_stubs;
    })) << stubs.size() << " stubs";
    if (w.min_stubs > 2) {
      // Wait until application code is running in a stub before the kill.
      ASSERT_TRUE(WaitFor([&] {
        return std::any_of(stubs.begin(), stubs.end(),
                           [](pid_t p) { return AnyThreadRunning(p); });
      }));
    }

    ASSERT_EQ(kill(sentry, SIGKILL), 0);
    WaitForSentryExit(sentry);
    for (pid_t stub : stubs) {
      EXPECT_TRUE(WaitFor([&] { return !ProcessIsLive(stub); }))
          << "stub " << stub << " outlived its sentry (state " << HostStateOf(stub) << ")";
    }
    // Reap what was re-parented to us (this process is a subreaper).
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    // runsc sees the container stopped and cleans up after the dead sentry.
    EXPECT_TRUE(WaitFor([&] { return StatusOf(id) == "stopped"; })) << StatusOf(id);
    CommandResult deleted = RunCommand(Runsc({"delete", id}));
    EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
    EXPECT_TRUE(WaitFor([&] {
      while (waitpid(-1, nullptr, WNOHANG) > 0) {
      }
      return LiveProcessesMentioning(root_.path()).empty();
    })) << "left behind: " << LiveProcessesMentioning(root_.path()).size() << " processes";
  }
}

INSTANTIATE_TEST_SUITE_P(Platforms, SandboxTest, ::testing::ValuesIn(kPlatforms),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace runsc::testing
