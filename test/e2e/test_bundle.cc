#include "test/e2e/test_bundle.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace runsc::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kHostBusybox[] = "/bin/busybox";

std::string TempDirBase() {
  const char* tmp = getenv("TMPDIR");
  return (tmp != nullptr && tmp[0] == '/') ? tmp : "/tmp";
}

absl::StatusOr<std::string> MakeTempDir(const std::string& prefix) {
  std::string templ = absl::StrCat(TempDirBase(), "/", prefix, "-XXXXXX");
  if (mkdtemp(templ.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp ", templ, ": ", strerror(errno)));
  }
  return templ;
}

absl::Status WriteFile(const std::string& path, const std::string& data, mode_t mode = 0644) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("writing ", path, " failed"));
  if (chmod(path.c_str(), mode) != 0) {
    return absl::InternalError(absl::StrCat("chmod ", path, ": ", strerror(errno)));
  }
  return absl::OkStatus();
}

// Runs `argv` (argv[0] is the program path) and captures its stdout. Used for
// host helpers such as `busybox --list`, not for runsc.
absl::StatusOr<std::string> CaptureHostCommand(const std::vector<std::string>& argv) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return absl::InternalError("pipe2 failed");
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    dup2(out[1], 1);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  close(out[1]);
  std::string data;
  char buf[4096];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) data.append(buf, n);
  }
  close(out[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat(argv[0], " failed with status ", status));
  }
  return data;
}

nlohmann::json DefaultConfig(const BundleOptions& options) {
  return {
      {"ociVersion", "1.0.2"},
      {"process",
       {{"terminal", options.terminal},
        {"user", {{"uid", 0}, {"gid", 0}}},
        {"args", options.args},
        {"env", options.env},
        {"cwd", options.cwd},
        {"rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}}}}},
      {"root", {{"path", "rootfs"}, {"readonly", options.readonly_root}}},
      {"hostname", "runsc-test"},
      {"mounts",
       {{{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
        {{"destination", "/dev"},
         {"type", "tmpfs"},
         {"source", "tmpfs"},
         {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}}}},
      {"linux",
       {{"namespaces",
         {{{"type", "pid"}}, {{"type", "ipc"}}, {{"type", "uts"}}, {{"type", "mount"}},
          {{"type", "network"}}}}}},
  };
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int PidfdOpen(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

void SetNonBlocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Reads what is available from `fd` into `out`. Returns false at EOF or error.
bool DrainAvailable(int fd, std::string& out) {
  char buf[8192];
  while (true) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n > 0) {
      out.append(buf, n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && errno == EAGAIN;
  }
}

}  // namespace

// ---------------------------------------------------------------- TestBundle

absl::StatusOr<std::unique_ptr<TestBundle>> TestBundle::Create(const BundleOptions& options) {
  auto dir = MakeTempDir("runsc-bundle");
  if (!dir.ok()) return dir.status();
  std::unique_ptr<TestBundle> bundle(new TestBundle(*dir));
  const std::string rootfs = bundle->rootfs();

  std::error_code ec;
  for (const char* sub : {"", "/bin", "/etc", "/tmp", "/proc", "/dev", "/root"}) {
    fs::create_directories(rootfs + sub, ec);
    if (ec) return absl::InternalError(absl::StrCat("mkdir ", rootfs, sub, ": ", ec.message()));
  }
  chmod((rootfs + "/tmp").c_str(), 01777);

  fs::copy_file(kHostBusybox, rootfs + "/bin/busybox", ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("copying ", kHostBusybox, ": ", ec.message(),
                                            " (install busybox-static)"));
  }
  chmod((rootfs + "/bin/busybox").c_str(), 0755);

  auto applets = CaptureHostCommand({kHostBusybox, "--list"});
  if (!applets.ok()) return applets.status();
  for (absl::string_view applet : absl::StrSplit(*applets, '\n', absl::SkipWhitespace())) {
    if (applet == "busybox" || applet.find('/') != absl::string_view::npos) continue;
    std::string link = absl::StrCat(rootfs, "/bin/", applet);
    if (symlink("busybox", link.c_str()) != 0 && errno != EEXIST) {
      return absl::InternalError(absl::StrCat("symlink ", link, ": ", strerror(errno)));
    }
  }

  absl::Status st = WriteFile(rootfs + "/etc/passwd",
                              "root:x:0:0:root:/root:/bin/sh\n"
                              "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
  if (!st.ok()) return st;
  st = WriteFile(rootfs + "/etc/group", "root:x:0:\nnobody:x:65534:\n");
  if (!st.ok()) return st;

  bundle->config_ = DefaultConfig(options);
  st = bundle->WriteConfig();
  if (!st.ok()) return st;
  return bundle;
}

TestBundle::~TestBundle() {
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

absl::Status TestBundle::WriteConfig() {
  return WriteFile(dir_ + "/config.json", config_.dump(2) + "\n");
}

// ---------------------------------------------------------------- RunCommand

std::string RunscBinary() {
  if (const char* bin = getenv("RUNSC_BINARY"); bin != nullptr && bin[0] != '\0') return bin;
  if (const char* dir = getenv("RUNSC_BUILD_DIR"); dir != nullptr && dir[0] != '\0') {
    return absl::StrCat(dir, "/runsc");
  }
  return "runsc";
}

std::string TestcasePath(const std::string& name) {
  const char* dir = getenv("RUNSC_TESTCASE_DIR");
  return absl::StrCat(dir != nullptr && dir[0] != '\0' ? dir : RUNSC_TESTCASE_DIR, "/", name);
}

CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& input,
                         int timeout_seconds) {
  RunOptions options;
  options.input = input;
  options.timeout_seconds = timeout_seconds;
  return RunCommand(argv, options);
}

CommandResult RunCommand(const std::vector<std::string>& argv, const RunOptions& options) {
  std::vector<std::string> full = {RunscBinary()};
  full.insert(full.end(), argv.begin(), argv.end());
  return RunProgram(full, options);
}

CommandResult RunProgram(const std::vector<std::string>& argv, const RunOptions& options) {
  CommandResult result;
  // A child that exits before reading its stdin must not kill the test.
  signal(SIGPIPE, SIG_IGN);

  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);

  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe2: " << strerror(errno);
    return result;
  }
  pid_t pid = fork();
  if (pid < 0) {
    ADD_FAILURE() << "fork: " << strerror(errno);
    return result;
  }
  if (pid == 0) {
    dup2(options.stdin_fd >= 0 ? options.stdin_fd : in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, nullptr);
    signal(SIGPIPE, SIG_DFL);
    execv(cargv[0], cargv.data());
    dprintf(2, "exec %s: %s\n", cargv[0], strerror(errno));
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  int in_w = in[1];
  std::string pending_input = options.stdin_fd >= 0 ? "" : options.input;
  if (pending_input.empty()) {
    close(in_w);
    in_w = -1;
  } else {
    SetNonBlocking(in_w);
  }
  SetNonBlocking(out[0]);
  SetNonBlocking(err[0]);
  int pidfd = PidfdOpen(pid);

  const int64_t deadline = NowMillis() + int64_t{options.timeout_seconds} * 1000;
  bool exited = false, out_open = true, err_open = true, timed_out = false;
  int status = 0;
  while (!exited) {
    std::vector<pollfd> fds;
    fds.push_back({pidfd, POLLIN, 0});
    if (out_open) fds.push_back({out[0], POLLIN, 0});
    if (err_open) fds.push_back({err[0], POLLIN, 0});
    if (in_w >= 0) fds.push_back({in_w, POLLOUT, 0});
    int64_t left = deadline - NowMillis();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    int n = poll(fds.data(), fds.size(), static_cast<int>(std::min<int64_t>(left, 1000)));
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;
    for (const pollfd& p : fds) {
      if (p.revents == 0) continue;
      if (p.fd == pidfd) {
        exited = true;
      } else if (p.fd == out[0]) {
        out_open = DrainAvailable(out[0], result.out);
      } else if (p.fd == err[0]) {
        err_open = DrainAvailable(err[0], result.err);
      } else if (p.fd == in_w) {
        ssize_t w = write(in_w, pending_input.data(), pending_input.size());
        if (w > 0) pending_input.erase(0, w);
        if (w < 0 && errno != EAGAIN && errno != EINTR) pending_input.clear();
        if (pending_input.empty()) {
          close(in_w);
          in_w = -1;
        }
      }
    }
  }
  if (timed_out) {
    kill(pid, SIGKILL);
  }
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  // What the process wrote before exiting is in the pipes; processes that
  // inherited them (a sandbox started by create) may keep them open, so take
  // only what is there now.
  if (out_open) DrainAvailable(out[0], result.out);
  if (err_open) DrainAvailable(err[0], result.err);
  if (in_w >= 0) close(in_w);
  close(out[0]);
  close(err[0]);
  if (pidfd >= 0) close(pidfd);

  if (timed_out) {
    ADD_FAILURE() << absl::StrJoin(argv, " ") << " timed out after "
                  << options.timeout_seconds << "s; stderr: " << result.err;
    result.exit_code = -1;
  } else if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = 128 + WTERMSIG(status);
  }
  return result;
}

// ---------------------------------------------------------------- TestRoot

TestRoot::TestRoot() {
  // Sandboxes outlive `runsc create`; without a subreaper they would become
  // children of an init that may never reap them.
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  auto dir = MakeTempDir("runsc-root");
  if (!dir.ok()) {
    ADD_FAILURE() << dir.status();
    return;
  }
  path_ = *dir;
}

std::vector<std::string> TestRoot::Args(std::vector<std::string> args) const {
  std::vector<std::string> full = {"--root", path_};
  full.insert(full.end(), args.begin(), args.end());
  return full;
}

TestRoot::~TestRoot() {
  if (path_.empty()) return;
  CommandResult list = RunCommand(Args({"list", "-q"}), "", 30);
  for (absl::string_view id : absl::StrSplit(list.out, '\n', absl::SkipWhitespace())) {
    RunCommand(Args({"delete", "--force", std::string(id)}), "", 30);
  }
  // Last resort, so that a broken delete cannot leave sandboxes running
  // after the test binary exits. Tests check for leftovers before this.
  for (pid_t pid : LiveProcessesMentioning(path_)) kill(pid, SIGKILL);
  // Reap sandboxes that were re-parented to this (subreaper) process.
  for (int i = 0; i < 100; ++i) {
    int status;
    pid_t reaped = waitpid(-1, &status, WNOHANG);
    if (reaped <= 0) {
      if (LiveProcessesMentioning(path_).empty()) break;
      usleep(10000);
    }
  }
  while (waitpid(-1, nullptr, WNOHANG) > 0) {
  }
  std::error_code ec;
  fs::remove_all(path_, ec);
}

// ---------------------------------------------------------------- /proc

bool ProcessIsLive(pid_t pid) {
  if (pid <= 0) return false;
  std::string stat = ReadFile(absl::StrCat("/proc/", pid, "/stat"));
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 >= stat.size()) return false;
  char state = stat[paren + 2];
  return state != 'Z' && state != 'X';
}

std::vector<pid_t> LiveProcessesMentioning(const std::string& needle) {
  std::vector<pid_t> pids;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return pids;
  const pid_t self = getpid();
  while (dirent* entry = readdir(proc)) {
    char* end = nullptr;
    long pid = strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || pid == self) continue;
    std::string cmdline = ReadFile(absl::StrCat("/proc/", pid, "/cmdline"));
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(needle) != std::string::npos && ProcessIsLive(pid)) {
      pids.push_back(static_cast<pid_t>(pid));
    }
  }
  closedir(proc);
  return pids;
}

std::vector<nlohmann::json> ReadJsonLines(const std::string& path) {
  std::vector<nlohmann::json> lines;
  for (absl::string_view line : absl::StrSplit(ReadFile(path), '\n', absl::SkipEmpty())) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_object()) lines.push_back(std::move(j));
  }
  return lines;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::unique_ptr<TestBundle> NewBundleOrFail(std::vector<std::string> args) {
  BundleOptions options;
  options.args = std::move(args);
  absl::StatusOr<std::unique_ptr<TestBundle>> bundle = TestBundle::Create(options);
  if (!bundle.ok()) {
    ADD_FAILURE() << bundle.status();
    return nullptr;
  }
  return *std::move(bundle);
}

}  // namespace runsc::testing
