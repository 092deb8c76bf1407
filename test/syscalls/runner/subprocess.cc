#include "test/syscalls/runner/subprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iterator>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

extern char** environ;

namespace runsc::compat {
namespace {

constexpr size_t kMaxCapture = 16 << 20;
// How often a waiting run looks at the cancel flag.
constexpr absl::Duration kCancelPoll = absl::Milliseconds(250);
std::atomic<bool> g_cancelled{false};
// How long output is still read after the program has exited or been
// killed: enough for what is already in the pipe, not for a process that
// escaped the group and keeps it open.
constexpr absl::Duration kDrainGrace = absl::Milliseconds(300);

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.Release()) {}
  Fd& operator=(Fd&& other) noexcept {
    Reset(other.Release());
    return *this;
  }
  ~Fd() { Reset(); }
  int get() const { return fd_; }
  int Release() { return std::exchange(fd_, -1); }
  void Reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

std::string SignalName(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? absl::StrCat("SIG", abbrev) : absl::StrCat("signal ", sig);
}

struct Capture {
  Fd fd;
  std::string* text;
  bool is_stdout;
};

// Reads once from every readable pipe of `captures`, waiting at most
// `timeout`. Returns false if nothing was readable in that time.
bool PumpOnce(std::vector<Capture>& captures, int extra_fd, absl::Duration timeout,
              OutputWatcher& watcher, bool* extra_ready) {
  std::vector<pollfd> fds;
  for (Capture& c : captures) fds.push_back({c.fd.get(), POLLIN, 0});
  if (extra_fd >= 0) fds.push_back({extra_fd, POLLIN, 0});
  int ms = static_cast<int>(std::clamp<int64_t>(absl::ToInt64Milliseconds(timeout) + 1, 0, 60000));
  if (timeout <= absl::ZeroDuration()) ms = 0;
  int n = poll(fds.data(), fds.size(), ms);
  if (n <= 0) return false;
  for (size_t i = 0; i < captures.size(); ++i) {
    if (fds[i].revents == 0) continue;
    char buf[65536];
    ssize_t got = read(captures[i].fd.get(), buf, sizeof buf);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (got <= 0) {
      captures[i].fd.Reset();
      continue;
    }
    absl::string_view chunk(buf, static_cast<size_t>(got));
    if (captures[i].is_stdout) watcher.OnStdout(chunk);
    std::string& text = *captures[i].text;
    if (text.size() < kMaxCapture) {
      absl::string_view kept = chunk.substr(0, kMaxCapture - text.size());
      text.append(kept.data(), kept.size());
      if (text.size() == kMaxCapture) text.append("\n[runsc-compat: output truncated]\n");
    }
  }
  if (extra_fd >= 0 && fds.back().revents != 0) *extra_ready = true;
  std::erase_if(captures, [](const Capture& c) { return c.fd.get() < 0; });
  return true;
}

// Reads what the pipes still deliver, until EOF, a pause of kDrainGrace or
// kDrainLimit in all (an escaped process that keeps writing).
constexpr absl::Duration kDrainLimit = absl::Seconds(2);
void Drain(std::vector<Capture>& captures, OutputWatcher& watcher) {
  bool unused = false;
  const absl::Time stop = absl::Now() + kDrainLimit;
  while (!captures.empty() && absl::Now() < stop &&
         PumpOnce(captures, -1, kDrainGrace, watcher, &unused)) {
  }
}

bool HasExited(pid_t pid) {
  siginfo_t info{};
  return waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

}  // namespace

void CancelSubprocesses() { g_cancelled.store(true); }
bool SubprocessesCancelled() { return g_cancelled.load(); }

std::string SubprocessResult::Describe() const {
  switch (end) {
    case End::kExited:
      return absl::StrCat("exited ", exit_code);
    case End::kSignaled:
      return absl::StrCat("killed by ", SignalName(signal));
    case End::kTimedOut:
      return absl::StrCat("timed out after ",
                          absl::FormatDuration(absl::Trunc(elapsed, absl::Milliseconds(100))));
    case End::kSpawnFailed:
      return absl::StrCat("could not start: ", spawn_error);
    case End::kCancelled:
      return "cancelled";
  }
  return "?";
}

std::string LastLine(absl::string_view text) {
  std::string last;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
    last = std::string(absl::StripAsciiWhitespace(line));
  }
  return last;
}

void AppendRunLog(std::ostream& log, const std::string& what, const SubprocessResult& r) {
  log << "### " << (r.command_line.empty() ? what : r.command_line) << "\n### " << r.Describe()
      << " in " << absl::FormatDuration(absl::Trunc(r.elapsed, absl::Milliseconds(1))) << "\n"
      << "--- stdout ---\n"
      << r.stdout_text << (absl::EndsWith(r.stdout_text, "\n") ? "" : "\n") << "--- stderr ---\n"
      << r.stderr_text << (absl::EndsWith(r.stderr_text, "\n") ? "" : "\n") << "\n";
  log.flush();
}

SubprocessResult RunSubprocess(const SubprocessSpec& spec, absl::Duration timeout) {
  FixedDeadline watcher(timeout);
  return RunSubprocess(spec, watcher);
}

SubprocessResult RunSubprocess(const SubprocessSpec& spec, OutputWatcher& watcher) {
  SubprocessResult result;
  const absl::Time start = absl::Now();
  result.command_line = absl::StrJoin(spec.argv, " ");
  if (spec.argv.empty()) {
    result.spawn_error = "empty command line";
    return result;
  }
  if (SubprocessesCancelled() && !spec.survives_cancel) {
    result.end = SubprocessResult::End::kCancelled;
    return result;
  }
  Fd out_read, out_write, err_read, err_write;
  if (!spec.output_file.empty()) {
    out_write.Reset(open(spec.output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (out_write.get() < 0) {
      result.spawn_error = absl::StrCat("opening ", spec.output_file, ": ", strerror(errno));
      return result;
    }
    err_write.Reset(fcntl(out_write.get(), F_DUPFD_CLOEXEC, 0));
  } else {
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0) {
      result.spawn_error = absl::StrCat("pipe2: ", strerror(errno));
      return result;
    }
    out_read.Reset(out[0]);
    out_write.Reset(out[1]);
    if (pipe2(err, O_CLOEXEC) != 0) {
      result.spawn_error = absl::StrCat("pipe2: ", strerror(errno));
      return result;
    }
    err_read.Reset(err[0]);
    err_write.Reset(err[1]);
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_write.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err_write.get(), 2);
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());
  // Only stdio reaches the test: with --jobs, another thread may hold an fd
  // opened without O_CLOEXEC (an ofstream), and a family that counts fds
  // (rlimit's EMFILE cases) would see it.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> argv;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  if (spec.env) {
    for (const std::string& e : *spec.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
  }
  pid_t pid = -1;
  int rc =
      posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), spec.env ? envp.data() : environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  out_write.Reset();
  err_write.Reset();
  if (rc != 0) {
    result.spawn_error = absl::StrCat(spec.argv[0], ": ", strerror(rc));
    return result;
  }

  // The pidfd wakes poll() when the program exits; without one (old
  // kernels) the loop checks every 50 ms.
  Fd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  std::vector<Capture> captures;
  if (spec.output_file.empty()) {
    captures.push_back({std::move(out_read), &result.stdout_text, true});
    captures.push_back({std::move(err_read), &result.stderr_text, false});
  }

  bool exited = false, timed_out = false, cancelled = false;
  while (!exited) {
    if (SubprocessesCancelled() && !spec.survives_cancel) {
      cancelled = timed_out = true;
      break;
    }
    absl::Duration left = watcher.Deadline() - absl::Now();
    if (left <= absl::ZeroDuration()) {
      timed_out = true;
      break;
    }
    left = std::min(left, kCancelPoll);
    if (pidfd.get() < 0) left = std::min(left, absl::Milliseconds(50));
    bool pid_ready = false;
    if (captures.empty()) {
      pollfd p{pidfd.get(), POLLIN, 0};
      int ms = static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(left) + 1, 60000));
      if (pidfd.get() >= 0) {
        pid_ready = poll(&p, 1, ms) > 0;
      } else {
        usleep(static_cast<useconds_t>(ms) * 1000);
      }
    } else {
      PumpOnce(captures, pidfd.get(), left, watcher, &pid_ready);
    }
    exited = (pid_ready || pidfd.get() < 0) && HasExited(pid);
  }
  if (timed_out) {
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
  } else {
    Drain(captures, watcher);
    kill(-pid, SIGKILL);  // What is left of its group: it must not outlive the run.
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) Drain(captures, watcher);
  result.elapsed = absl::Now() - start;
  if (!spec.output_file.empty()) {
    std::ifstream in(spec.output_file);
    result.stderr_text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (cancelled) {
    result.end = SubprocessResult::End::kCancelled;
  } else if (timed_out) {
    result.end = SubprocessResult::End::kTimedOut;
  } else if (WIFSIGNALED(status)) {
    result.end = SubprocessResult::End::kSignaled;
    result.signal = WTERMSIG(status);
  } else {
    result.end = SubprocessResult::End::kExited;
    result.exit_code = WEXITSTATUS(status);
  }
  return result;
}

}  // namespace runsc::compat
