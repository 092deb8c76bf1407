// Running one program with its output captured and a deadline that may move
// while it runs (the per-case timeout restarts whenever gtest starts a case).
#ifndef RUNSC_TEST_SYSCALLS_RUNNER_SUBPROCESS_H_
#define RUNSC_TEST_SYSCALLS_RUNNER_SUBPROCESS_H_

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace runsc::compat {

struct SubprocessSpec {
  std::vector<std::string> argv;  // argv[0] is the path executed (no PATH search).
  // The whole environment ("K=V"), or nullopt to inherit the runner's.
  std::optional<std::vector<std::string>> env;
  std::string cwd;  // Empty: the runner's.
  // Cleanup (delete --force) must still run after CancelSubprocesses().
  bool survives_cancel = false;
  // Empty: stdout and stderr are captured through pipes. Otherwise both go
  // to this file (created or truncated) and stderr_text is what it holds
  // when the program has exited: for `<runtime> create`, whose container
  // keeps the runtime's stdio and outlives it, a pipe would never see EOF
  // and, once closed, would SIGPIPE the container's first write.
  std::string output_file;
};

// Watches stdout while the program runs and says when to give up on it.
class OutputWatcher {
 public:
  virtual ~OutputWatcher() = default;
  virtual void OnStdout(absl::string_view chunk) = 0;
  // Asked after each chunk and at each wake-up; may move either way.
  virtual absl::Time Deadline() const = 0;
};

// An OutputWatcher with a fixed deadline.
class FixedDeadline : public OutputWatcher {
 public:
  explicit FixedDeadline(absl::Duration timeout) : deadline_(absl::Now() + timeout) {}
  void OnStdout(absl::string_view) override {}
  absl::Time Deadline() const override { return deadline_; }

 private:
  absl::Time deadline_;
};

struct SubprocessResult {
  enum class End {
    kExited,       // exit_code is set.
    kSignaled,     // signal is set.
    kTimedOut,     // The deadline passed; the process group was killed.
    kSpawnFailed,  // It never ran; spawn_error says why.
    kCancelled,    // CancelSubprocesses() was called; the process group was killed.
  };
  End end = End::kSpawnFailed;
  int exit_code = 0;
  int signal = 0;
  std::string spawn_error;
  std::string stdout_text;
  std::string stderr_text;
  std::string command_line;  // argv joined by blanks, for logs.
  absl::Duration elapsed;

  bool Succeeded() const { return end == End::kExited && exit_code == 0; }
  // "exited 0", "killed by SIGSEGV", "timed out", "could not start: ...".
  std::string Describe() const;
};

// The last non-blank line of `text`, trimmed: in a program's stderr, usually
// why it failed.
std::string LastLine(absl::string_view text);

// Appends to `log` how `r` ran: its command line (or `what`, if it never
// got one), how it ended and in what time, then stdout and stderr.
void AppendRunLog(std::ostream& log, const std::string& what, const SubprocessResult& r);

// Runs `spec` in a process group of its own, stdin /dev/null, stdout and
// stderr captured (each kept up to 16 MiB), signal mask and dispositions
// reset. Returns after the program has exited and been reaped; then any
// process left in its group (a forked child that still holds the pipe) is
// killed, and output is read only as long as it keeps coming. If the
// watcher's deadline passes first, the whole group gets SIGKILL and the
// result is kTimedOut. Never blocks on a descendant that escaped the group
// beyond a short grace period.
SubprocessResult RunSubprocess(const SubprocessSpec& spec, OutputWatcher& watcher);
SubprocessResult RunSubprocess(const SubprocessSpec& spec, absl::Duration timeout);

// Makes every running and future RunSubprocess (except those that survive
// cancel) kill its process group and return kCancelled within ~250 ms: how
// Ctrl-C stops the runner without leaving containers behind. Only sets an
// atomic flag, so a signal handler may call it.
void CancelSubprocesses();
bool SubprocessesCancelled();

}  // namespace runsc::compat

#endif  // RUNSC_TEST_SYSCALLS_RUNNER_SUBPROCESS_H_
