#include "bench/runner/process_memory.h"

#include <dirent.h>

#include <fstream>
#include <iterator>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace runsc::bench {
namespace {

std::string ReadProcFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// State and parent from /proc/<pid>/stat. The name (field 2) may hold
// blanks and parentheses, so the fields are counted from its last ')'.
bool ReadStat(pid_t pid, char* state, pid_t* ppid) {
  const std::string stat = ReadProcFile(absl::StrCat("/proc/", pid, "/stat"));
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return false;
  std::vector<absl::string_view> fields =
      absl::StrSplit(absl::string_view(stat).substr(paren + 1), ' ', absl::SkipEmpty());
  if (fields.size() < 2 || fields[0].empty()) return false;
  *state = fields[0][0];
  return absl::SimpleAtoi(fields[1], ppid);
}

}  // namespace

std::vector<HostProcess> LiveDescendants(pid_t ancestor) {
  std::multimap<pid_t, HostProcess> children;  // By parent.
  if (DIR* proc = opendir("/proc")) {
    while (struct dirent* entry = readdir(proc)) {
      pid_t pid;
      if (!absl::SimpleAtoi(entry->d_name, &pid)) continue;
      char state = '?';
      HostProcess p;
      p.pid = pid;
      if (!ReadStat(pid, &state, &p.ppid) || state == 'Z' || state == 'X') continue;
      const std::string cmdline = ReadProcFile(absl::StrCat("/proc/", pid, "/cmdline"));
      std::string argv0 = cmdline.substr(0, cmdline.find('\0'));
      argv0 = argv0.substr(argv0.rfind('/') + 1);
      p.name = !argv0.empty() ? argv0
                              : std::string(absl::StripAsciiWhitespace(
                                    ReadProcFile(absl::StrCat("/proc/", pid, "/comm"))));
      children.emplace(p.ppid, std::move(p));
    }
    closedir(proc);
  }
  std::vector<HostProcess> out;
  std::vector<pid_t> parents = {ancestor};
  while (!parents.empty()) {
    const pid_t parent = parents.back();
    parents.pop_back();
    auto [begin, end] = children.equal_range(parent);
    for (auto it = begin; it != end; ++it) {
      out.push_back(it->second);
      parents.push_back(it->second.pid);
    }
  }
  return out;
}

absl::StatusOr<int64_t> ParseKbField(absl::string_view text, absl::string_view field) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::ConsumePrefix(&line, field)) continue;
    line = absl::StripAsciiWhitespace(line);
    if (!absl::ConsumeSuffix(&line, "kB")) break;
    int64_t kb;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &kb) || kb < 0) break;
    return kb;
  }
  return absl::NotFoundError(absl::StrCat("no \"", field, " N kB\" line"));
}

absl::StatusOr<int64_t> ProcessMemoryKb(pid_t pid) {
  const std::string rollup = ReadProcFile(absl::StrCat("/proc/", pid, "/smaps_rollup"));
  if (!rollup.empty()) return ParseKbField(rollup, "Pss:");
  const std::string status = ReadProcFile(absl::StrCat("/proc/", pid, "/status"));
  if (status.empty()) return absl::NotFoundError(absl::StrCat("process ", pid, " is gone"));
  return ParseKbField(status, "VmRSS:");
}

}  // namespace runsc::bench
