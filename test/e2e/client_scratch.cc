#include "test/e2e/client_scratch.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "test/e2e/test_bundle.h"

namespace runsc::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kCgroupRoot[] = "/sys/fs/cgroup";

// Undoes the octal escapes of /proc/self/mountinfo ("\040" for a space).
std::string UnescapeMountPath(absl::string_view escaped) {
  std::string out;
  for (size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] == '\\' && i + 3 < escaped.size()) {
      int value = 0;
      bool octal = true;
      for (size_t j = 1; j <= 3; ++j) {
        char c = escaped[i + j];
        if (c < '0' || c > '7') octal = false;
        value = value * 8 + (c - '0');
      }
      if (octal) {
        out.push_back(static_cast<char>(value));
        i += 3;
        continue;
      }
    }
    out.push_back(escaped[i]);
  }
  return out;
}

bool IsBelow(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         path[dir.size()] == '/';
}

// Every directory under `dir`, deepest first, then `dir` itself.
std::vector<std::string> DirsDeepestFirst(const std::string& dir) {
  std::vector<std::string> dirs;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) dirs.push_back(it->path().string());
  }
  std::sort(dirs.begin(), dirs.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  dirs.push_back(dir);
  return dirs;
}

void ReapExitedChildren() {
  while (waitpid(-1, nullptr, WNOHANG) > 0) {
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<ClientScratch>> ClientScratch::Create(absl::string_view prefix) {
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  std::string templ = absl::StrCat("/tmp/", prefix, "-XXXXXX");
  if (mkdtemp(templ.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp ", templ, ": ", strerror(errno)));
  }
  std::string cgroup_parent = absl::StrCat("/", fs::path(templ).filename().string());
  return std::unique_ptr<ClientScratch>(new ClientScratch(templ, cgroup_parent));
}

std::string ClientScratch::Path(absl::string_view name) const {
  return absl::StrCat(dir_, "/", name);
}

std::vector<std::string> ClientScratch::MountsBelow() const {
  std::vector<std::string> mounts;
  for (absl::string_view line :
       absl::StrSplit(ReadFile("/proc/self/mountinfo"), '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> fields = absl::StrSplit(line, ' ');
    if (fields.size() < 5) continue;
    std::string mount_point = UnescapeMountPath(fields[4]);
    if (mount_point == dir_ || IsBelow(mount_point, dir_)) mounts.push_back(mount_point);
  }
  return mounts;
}

std::vector<std::string> ClientScratch::CgroupParentDirs() const {
  std::vector<std::string> dirs;
  std::error_code ec;
  for (const auto& hierarchy : fs::directory_iterator(kCgroupRoot, ec)) {
    std::string dir = hierarchy.path().string() + cgroup_parent_;
    if (!hierarchy.is_symlink(ec) && fs::is_directory(dir, ec)) dirs.push_back(dir);
  }
  return dirs;
}

std::vector<std::string> ClientScratch::Leftovers() const {
  std::vector<std::string> left;
  for (pid_t pid : LiveProcessesMentioning(dir_)) {
    std::string cmdline = ReadFile(absl::StrCat("/proc/", pid, "/cmdline"));
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    left.push_back(absl::StrCat("process ", pid, ": ", cmdline));
  }
  for (const std::string& mount : MountsBelow()) left.push_back("mount " + mount);
  for (const std::string& parent : CgroupParentDirs()) {
    for (const std::string& dir : DirsDeepestFirst(parent)) {
      if (dir != parent) left.push_back("cgroup " + dir);
    }
  }
  return left;
}

std::vector<std::string> ClientScratch::SettledLeftovers(
    const std::function<bool(const std::string&)>& keep, int settle_seconds) const {
  std::vector<std::string> left;
  for (int waited_ms = 0;; waited_ms += 100) {
    ReapExitedChildren();
    left.clear();
    for (std::string& item : Leftovers()) {
      if (!keep || !keep(item)) left.push_back(std::move(item));
    }
    if (left.empty() || waited_ms >= settle_seconds * 1000) return left;
    usleep(100 * 1000);
  }
}

void ClientScratch::Cleanup() {
  if (cleaned_) return;
  cleaned_ = true;
  // Processes first: they hold the mounts and sit in the cgroups.
  for (int round = 0; round < 50; ++round) {
    std::vector<pid_t> live = LiveProcessesMentioning(dir_);
    for (const std::string& parent : CgroupParentDirs()) {
      for (const std::string& dir : DirsDeepestFirst(parent)) {
        for (absl::string_view pid_text :
             absl::StrSplit(ReadFile(dir + "/cgroup.procs"), '\n', absl::SkipEmpty())) {
          pid_t pid;
          if (absl::SimpleAtoi(pid_text, &pid)) live.push_back(pid);
        }
      }
    }
    ReapExitedChildren();
    if (live.empty()) break;
    for (pid_t pid : live) kill(pid, SIGKILL);
    usleep(20 * 1000);
  }
  ReapExitedChildren();
  std::vector<std::string> mounts = MountsBelow();
  for (auto it = mounts.rbegin(); it != mounts.rend(); ++it) umount2(it->c_str(), MNT_DETACH);
  for (const std::string& parent : CgroupParentDirs()) {
    for (const std::string& dir : DirsDeepestFirst(parent)) rmdir(dir.c_str());
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

}  // namespace runsc::testing
