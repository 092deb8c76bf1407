#include "runsc/sandbox/cgroup_stats.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <limits>
#include <map>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/errno_status.h"

namespace runsc::sandbox {
namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
// cpuacct.stat counts USER_HZ ticks, which Linux fixes at 100 on every
// architecture; runc converts them with the same constant.
constexpr uint64_t kNanosPerTick = 1'000'000'000 / 100;

std::optional<std::string> ReadFile(const std::string& dir, const char* name) {
  const std::string path = absl::StrCat(dir, "/", name);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    text.append(buf, n);
  }
  close(fd);
  return text;
}

// A file holding one number; "max" (v2's unlimited) reads as kMax.
std::optional<uint64_t> ReadNumber(const std::string& dir, const char* name) {
  std::optional<std::string> text = ReadFile(dir, name);
  if (!text.has_value()) return std::nullopt;
  absl::string_view v = absl::StripAsciiWhitespace(*text);
  if (v == "max") return kMax;
  uint64_t n;
  if (!absl::SimpleAtoi(v, &n)) return std::nullopt;
  return n;
}

// "key value" lines (memory.stat, cpu.stat, cpuacct.stat, memory.events), in
// file order.
std::vector<std::pair<std::string, uint64_t>> ReadKeyed(const std::string& dir, const char* name) {
  std::vector<std::pair<std::string, uint64_t>> out;
  std::optional<std::string> text = ReadFile(dir, name);
  if (!text.has_value()) return out;
  for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipEmpty());
    uint64_t n;
    if (f.size() == 2 && absl::SimpleAtoi(f[1], &n)) out.emplace_back(std::string(f[0]), n);
  }
  return out;
}

std::map<std::string, uint64_t> AsMap(const std::vector<std::pair<std::string, uint64_t>>& v) {
  return {v.begin(), v.end()};
}

uint64_t Get(const std::map<std::string, uint64_t>& m, const char* key) {
  auto it = m.find(key);
  return it == m.end() ? 0 : it->second;
}

bool Has(const std::string& dir, const char* name) {
  return access(absl::StrCat(dir, "/", name).c_str(), F_OK) == 0;
}

void ReadV2(const std::string& dir, CgroupStats& s) {
  if (Has(dir, "cpu.stat")) {
    auto cpu = AsMap(ReadKeyed(dir, "cpu.stat"));
    s.cpu_total = Get(cpu, "usage_usec") * 1000;
    s.cpu_user = Get(cpu, "user_usec") * 1000;
    s.cpu_kernel = Get(cpu, "system_usec") * 1000;
    s.throttling_periods = Get(cpu, "nr_periods");
    s.throttled_periods = Get(cpu, "nr_throttled");
    s.throttled_time = Get(cpu, "throttled_usec") * 1000;
  }
  if (Has(dir, "memory.current")) {
    s.memory_raw = ReadKeyed(dir, "memory.stat");
    auto raw = AsMap(s.memory_raw);
    s.memory_cache = Get(raw, "file");
    s.memory_usage.usage = ReadNumber(dir, "memory.current").value_or(0);
    s.memory_usage.limit = ReadNumber(dir, "memory.max").value_or(kMax);
    s.memory_usage.max = ReadNumber(dir, "memory.peak").value_or(0);
    auto events = AsMap(ReadKeyed(dir, "memory.events"));
    s.memory_usage.failcnt = Get(events, "max");
    s.oom_kills = Get(events, "oom_kill");
    // runc's v2 swap entry is memory plus swap, as v1's memsw.
    if (std::optional<uint64_t> swap = ReadNumber(dir, "memory.swap.current")) {
      s.memory_swap.usage = *swap + s.memory_usage.usage;
      std::optional<uint64_t> swap_max = ReadNumber(dir, "memory.swap.max");
      s.memory_swap.limit = !swap_max.has_value() || *swap_max == kMax ||
                                    s.memory_usage.limit == kMax
                                ? kMax
                                : *swap_max + s.memory_usage.limit;
    }
  }
  if (Has(dir, "pids.current")) {
    s.pids_current = ReadNumber(dir, "pids.current").value_or(0);
    uint64_t limit = ReadNumber(dir, "pids.max").value_or(kMax);
    s.pids_limit = limit == kMax ? 0 : limit;
  }
}

void ReadV1(const std::string& dir, CgroupStats& s) {
  if (Has(dir, "cpuacct.usage")) {
    s.cpu_total = ReadNumber(dir, "cpuacct.usage").value_or(0);
    if (std::optional<std::string> percpu = ReadFile(dir, "cpuacct.usage_percpu")) {
      for (absl::string_view v : absl::StrSplit(*percpu, absl::ByAnyChar(" \n"), absl::SkipEmpty())) {
        uint64_t n;
        if (absl::SimpleAtoi(v, &n)) s.cpu_percpu.push_back(n);
      }
    }
    auto stat = AsMap(ReadKeyed(dir, "cpuacct.stat"));
    s.cpu_user = Get(stat, "user") * kNanosPerTick;
    s.cpu_kernel = Get(stat, "system") * kNanosPerTick;
  }
  if (Has(dir, "cpu.cfs_period_us") && Has(dir, "cpu.stat")) {
    auto cpu = AsMap(ReadKeyed(dir, "cpu.stat"));
    s.throttling_periods = Get(cpu, "nr_periods");
    s.throttled_periods = Get(cpu, "nr_throttled");
    s.throttled_time = Get(cpu, "throttled_time");
  }
  if (Has(dir, "memory.usage_in_bytes")) {
    s.memory_raw = ReadKeyed(dir, "memory.stat");
    s.memory_cache = Get(AsMap(s.memory_raw), "cache");
    const auto entry = [&dir](const char* prefix) {
      CgroupStats::MemoryEntry e;
      const auto num = [&](const char* suffix) {
        return ReadNumber(dir, absl::StrCat(prefix, suffix).c_str()).value_or(0);
      };
      e.usage = num("usage_in_bytes");
      e.max = num("max_usage_in_bytes");
      e.failcnt = num("failcnt");
      e.limit = num("limit_in_bytes");
      return e;
    };
    s.memory_usage = entry("memory.");
    if (Has(dir, "memory.memsw.usage_in_bytes")) s.memory_swap = entry("memory.memsw.");
    if (Has(dir, "memory.kmem.usage_in_bytes")) s.memory_kernel = entry("memory.kmem.");
    s.oom_kills = Get(AsMap(ReadKeyed(dir, "memory.oom_control")), "oom_kill");
  }
  if (Has(dir, "pids.current")) {
    s.pids_current = ReadNumber(dir, "pids.current").value_or(0);
    uint64_t limit = ReadNumber(dir, "pids.max").value_or(kMax);
    s.pids_limit = limit == kMax ? 0 : limit;
  }
}

// Go's encoding/json "omitempty": runc's stats leave zero fields out.
void PutNonZero(nlohmann::ordered_json& j, const char* key, uint64_t v) {
  if (v != 0) j[key] = v;
}

nlohmann::ordered_json EntryJson(const CgroupStats::MemoryEntry& e) {
  nlohmann::ordered_json j = {{"limit", e.limit}};
  PutNonZero(j, "usage", e.usage);
  PutNonZero(j, "max", e.max);
  j["failcnt"] = e.failcnt;
  return j;
}

}  // namespace

absl::StatusOr<CgroupStats> CgroupStats::Read(const std::vector<std::string>& dirs) {
  if (dirs.empty()) return absl::FailedPreconditionError("the container has no cgroup");
  CgroupStats stats;
  for (const std::string& dir : dirs) {
    struct stat st;
    if (stat(dir.c_str(), &st) != 0) {
      return absl::NotFoundError(absl::StrCat("cgroup ", dir, " is gone"));
    }
    if (Has(dir, "cgroup.controllers")) {
      ReadV2(dir, stats);
    } else {
      ReadV1(dir, stats);
    }
  }
  return stats;
}

nlohmann::ordered_json CgroupStats::ToJson() const {
  using nlohmann::ordered_json;
  ordered_json usage = {{"kernel", cpu_kernel}, {"user", cpu_user}};
  PutNonZero(usage, "total", cpu_total);
  if (!cpu_percpu.empty()) usage["percpu"] = cpu_percpu;
  ordered_json throttling = ordered_json::object();
  PutNonZero(throttling, "periods", throttling_periods);
  PutNonZero(throttling, "throttledPeriods", throttled_periods);
  PutNonZero(throttling, "throttledTime", throttled_time);
  ordered_json memory = ordered_json::object();
  PutNonZero(memory, "cache", memory_cache);
  memory["usage"] = EntryJson(memory_usage);
  memory["swap"] = EntryJson(memory_swap);
  memory["kernel"] = EntryJson(memory_kernel);
  memory["kernelTCP"] = EntryJson(MemoryEntry{});
  if (!memory_raw.empty()) {
    ordered_json raw = ordered_json::object();
    for (const auto& [key, value] : memory_raw) raw[key] = value;
    memory["raw"] = raw;
  }
  ordered_json pids = ordered_json::object();
  PutNonZero(pids, "current", pids_current);
  PutNonZero(pids, "limit", pids_limit);
  return {
      {"cpu", {{"usage", usage}, {"throttling", throttling}}},
      {"memory", memory},
      {"pids", pids},
      // Not read: the sentry does the container's I/O through the gofer and
      // the host's blkio figures would be the sandbox's, not the container's.
      {"blkio", ordered_json::object()},
      {"hugetlb", ordered_json::object()},
  };
}

}  // namespace runsc::sandbox
