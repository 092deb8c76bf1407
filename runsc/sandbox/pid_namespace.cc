#include "runsc/sandbox/pid_namespace.h"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/errno_status.h"

namespace runsc::sandbox {
namespace {

std::optional<std::string> NamespaceOf(const std::string& proc, pid_t pid) {
  char target[256];
  std::string link = absl::StrCat(proc, "/", pid, "/ns/pid");
  ssize_t n = readlink(link.c_str(), target, sizeof(target));
  if (n <= 0 || n >= static_cast<ssize_t>(sizeof(target))) return std::nullopt;
  return std::string(target, n);
}

std::string ReadStatus(const std::string& proc, pid_t pid) {
  std::ifstream in(absl::StrCat(proc, "/", pid, "/status"));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::optional<pid_t> InnermostPid(std::string_view status_text) {
  for (absl::string_view line : absl::StrSplit(absl::string_view(status_text.data(), status_text.size()), '\n')) {
    if (!absl::ConsumePrefix(&line, "NSpid:")) continue;
    std::vector<absl::string_view> fields = absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    pid_t pid;
    if (fields.empty() || !absl::SimpleAtoi(fields.back(), &pid) || pid <= 0) return std::nullopt;
    return pid;
  }
  return std::nullopt;
}

absl::StatusOr<std::vector<pid_t>> TranslateToHostPids(pid_t member,
                                                       const std::vector<pid_t>& namespace_pids,
                                                       const std::string& proc) {
  std::optional<std::string> ns = NamespaceOf(proc, member);
  if (!ns.has_value()) return HostError(absl::StrCat("readlink ", proc, "/", member, "/ns/pid"));
  std::map<pid_t, pid_t> host_of;  // Namespace pid -> host pid.
  DIR* dir = opendir(proc.c_str());
  if (dir == nullptr) return HostError(absl::StrCat("open ", proc));
  while (dirent* entry = readdir(dir)) {
    pid_t pid;
    if (!absl::SimpleAtoi(entry->d_name, &pid)) continue;
    if (NamespaceOf(proc, pid) != ns) continue;
    if (std::optional<pid_t> inner = InnermostPid(ReadStatus(proc, pid))) host_of[*inner] = pid;
  }
  closedir(dir);
  std::vector<pid_t> host;
  for (pid_t pid : namespace_pids) {
    if (auto it = host_of.find(pid); it != host_of.end()) host.push_back(it->second);
  }
  return host;
}

}  // namespace runsc::sandbox
