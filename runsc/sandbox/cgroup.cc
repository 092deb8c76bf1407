#include "runsc/sandbox/cgroup.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "base/errno_status.h"
#include "base/logging.h"
#include "runsc/status_macros.h"

namespace runsc::sandbox {
namespace {

// The v1 controllers a sandbox joins: the ones linux.resources maps to, plus
// cpuacct and freezer for accounting and pause. (devices is left alone: the
// sentry gives the container its own /dev and opens no host device.)
constexpr const char* kV1Controllers[] = {"cpu", "cpuacct", "cpuset", "memory", "pids", "freezer"};
// The v2 controllers enabled down to the sandbox's cgroup.
constexpr const char* kV2Controllers[] = {"cpu", "cpuset", "memory", "pids"};

constexpr char kProcsFile[] = "cgroup.procs";

// One hierarchy: where it is mounted, which controllers it carries and
// runsc's own cgroup in it.
struct Hierarchy {
  std::string mount;
  std::set<std::string> controllers;
  std::string own;  // "/..." as in /proc/self/cgroup.
};

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

absl::StatusOr<std::string> ReadSmallFile(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return HostError(absl::StrCat("open ", path));
  std::string text;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return HostError(absl::StrCat("read ", path));
    if (n == 0) break;
    text.append(buf, n);
  }
  return text;
}

// Writes `value` to the control file `dir`/`file`. `field` is the spec field
// the value comes from, for the error ("linux.resources.pids.limit: …").
absl::Status WriteControl(const std::string& dir, const std::string& file,
                          const std::string& value, absl::string_view field) {
  const std::string path = absl::StrCat(dir, "/", file);
  // O_CREAT only matters on a fake tree; cgroupfs refuses to create files,
  // so a missing control file is still an error there.
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0644));
  if (!fd.valid() || write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size())) {
    const int err = errno;
    return ErrnoError(err, absl::StrCat(field, ": cannot write \"", value, "\" to ", path, ": ",
                                        strerror(err)));
  }
  return absl::OkStatus();
}

// "/a//b/" -> "/a/b"; "" -> "/".
std::string CleanPath(absl::string_view path) {
  std::vector<absl::string_view> parts = absl::StrSplit(path, '/', absl::SkipEmpty());
  return absl::StrCat("/", absl::StrJoin(parts, "/"));
}

std::string Dirname(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return "/";
  return path.substr(0, slash);
}

// /proc/self/cgroup: "id:controller,controller:/path" per v1 hierarchy and
// "0::/path" for v2. Returns controller -> path ("" key for v2).
absl::StatusOr<std::map<std::string, std::string>> OwnCgroups(const std::string& file) {
  RUNSC_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(file));
  std::map<std::string, std::string> own;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> fields = absl::StrSplit(line, absl::MaxSplits(':', 2));
    if (fields.size() != 3) continue;
    if (fields[1].empty()) {
      own[""] = std::string(fields[2]);
      continue;
    }
    for (absl::string_view controller : absl::StrSplit(fields[1], ',')) {
      own[std::string(controller)] = std::string(fields[2]);
    }
  }
  return own;
}

// The v1 hierarchies of kV1Controllers that the host mounts, co-mounted
// controllers (cpu,cpuacct) sharing one.
absl::StatusOr<std::vector<Hierarchy>> V1Hierarchies(const CgroupHost& host) {
  RUNSC_ASSIGN_OR_RETURN(auto own, OwnCgroups(host.self_cgroup_file));
  std::map<std::string, Hierarchy> by_mount;  // Keyed by the real path.
  for (const char* controller : kV1Controllers) {
    const std::string mount = absl::StrCat(host.mount_root, "/", controller);
    if (!IsDirectory(mount)) continue;
    char real[PATH_MAX];
    if (realpath(mount.c_str(), real) == nullptr) return HostError(absl::StrCat("realpath ", mount));
    Hierarchy& h = by_mount[real];
    h.mount = real;
    h.controllers.insert(controller);
    auto it = own.find(controller);
    h.own = it == own.end() ? "/" : it->second;
  }
  std::vector<Hierarchy> hierarchies;
  for (auto& [mount, h] : by_mount) hierarchies.push_back(std::move(h));
  if (hierarchies.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("no cgroup v1 hierarchy of cpu, memory or pids under ", host.mount_root,
                     " and no cgroup v2 there either"));
  }
  return hierarchies;
}

// Creates `inner` (absolute, below `mount`) one component at a time.
// `on_created` runs for every directory made, top down (cpuset needs its
// parent's cpus and mems copied into each new level). Sets `leaf_existed`.
absl::Status MakeTree(const std::string& mount, const std::string& inner,
                      const std::function<absl::Status(const std::string&)>& on_created,
                      bool& leaf_existed) {
  std::string dir = mount;
  leaf_existed = true;
  for (absl::string_view part : absl::StrSplit(inner, '/', absl::SkipEmpty())) {
    absl::StrAppend(&dir, "/", part);
    if (mkdir(dir.c_str(), 0755) == 0) {
      leaf_existed = false;
      RUNSC_RETURN_IF_ERROR(on_created(dir));
    } else if (errno == EEXIST && IsDirectory(dir)) {
      leaf_existed = true;
    } else {
      return HostError(absl::StrCat("mkdir ", dir));
    }
  }
  return absl::OkStatus();
}

// A new v1 cpuset cgroup has empty cpus and mems, and no process may join it
// until both are set: copy them from the parent (as runc does).
absl::Status InheritCpuset(const std::string& dir) {
  for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
    const std::string mine = absl::StrCat(dir, "/", file);
    absl::StatusOr<std::string> current = ReadSmallFile(mine);
    if (current.ok() && !absl::StripAsciiWhitespace(*current).empty()) continue;
    RUNSC_ASSIGN_OR_RETURN(std::string parent, ReadSmallFile(absl::StrCat(Dirname(dir), "/", file)));
    RUNSC_RETURN_IF_ERROR(WriteControl(dir, file, std::string(absl::StripAsciiWhitespace(parent)),
                                       "cpuset inherited from the parent cgroup"));
  }
  return absl::OkStatus();
}

bool HasProcesses(const std::string& dir) {
  absl::StatusOr<std::string> procs = ReadSmallFile(absl::StrCat(dir, "/", kProcsFile));
  return procs.ok() && !absl::StripAsciiWhitespace(*procs).empty();
}

// Refuses a required controller file that the hierarchy does not have, with
// the field that asked for it.
absl::Status NeedController(const std::string& dir, const std::string& file,
                            absl::string_view field, absl::string_view controller) {
  if (Exists(absl::StrCat(dir, "/", file))) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      field, ": the ", controller, " controller is not available in ", dir, " (no ", file, ")"));
}

std::string LimitOrMax(int64_t value) { return value < 0 ? "max" : absl::StrCat(value); }

absl::Status ApplyV1(const Hierarchy& h, const std::string& dir, const config::SpecResources& r,
                     std::set<std::string>& applied) {
  const auto has = [&](const char* c) { return h.controllers.count(c) != 0; };
  // The kernel keeps memory.limit <= memsw.limit at every write: a swap
  // limit that rises past the current one goes first (runsc update raising
  // both), otherwise the memory limit does.
  bool swap_first = false;
  if (has("memory") && r.memory_limit.has_value() && r.memory_swap.has_value()) {
    absl::StatusOr<std::string> current =
        ReadSmallFile(absl::StrCat(dir, "/memory.memsw.limit_in_bytes"));
    int64_t memsw = 0;
    swap_first = current.ok() &&
                 absl::SimpleAtoi(absl::StripAsciiWhitespace(*current), &memsw) &&
                 (*r.memory_swap == -1 || *r.memory_swap > memsw);
  }
  if (has("memory") && r.memory_limit.has_value() && !swap_first) {
    RUNSC_RETURN_IF_ERROR(WriteControl(dir, "memory.limit_in_bytes", absl::StrCat(*r.memory_limit),
                                       "linux.resources.memory.limit"));
    applied.insert("memory.limit");
  }
  if (has("memory") && r.memory_swap.has_value()) {
    if (Exists(absl::StrCat(dir, "/memory.memsw.limit_in_bytes"))) {
      RUNSC_RETURN_IF_ERROR(WriteControl(dir, "memory.memsw.limit_in_bytes",
                                         absl::StrCat(*r.memory_swap),
                                         "linux.resources.memory.swap"));
    } else {
      LogWarning("linux.resources.memory.swap is not applied: the host has no swap accounting "
                 "(memory.memsw.limit_in_bytes)");
    }
    applied.insert("memory.swap");
  }
  if (swap_first) {
    RUNSC_RETURN_IF_ERROR(WriteControl(dir, "memory.limit_in_bytes", absl::StrCat(*r.memory_limit),
                                       "linux.resources.memory.limit"));
    applied.insert("memory.limit");
  }
  if (has("pids") && r.pids_limit.has_value()) {
    RUNSC_RETURN_IF_ERROR(
        WriteControl(dir, "pids.max", LimitOrMax(*r.pids_limit), "linux.resources.pids.limit"));
    applied.insert("pids.limit");
  }
  if (has("cpu") && r.cpu_shares.has_value()) {
    RUNSC_RETURN_IF_ERROR(WriteControl(dir, "cpu.shares", absl::StrCat(*r.cpu_shares),
                                       "linux.resources.cpu.shares"));
    applied.insert("cpu.shares");
  }
  // Period before quota: the kernel checks the quota against the period.
  if (has("cpu") && r.cpu_period.has_value()) {
    RUNSC_RETURN_IF_ERROR(WriteControl(dir, "cpu.cfs_period_us", absl::StrCat(*r.cpu_period),
                                       "linux.resources.cpu.period"));
    applied.insert("cpu.period");
  }
  if (has("cpu") && r.cpu_quota.has_value()) {
    RUNSC_RETURN_IF_ERROR(WriteControl(dir, "cpu.cfs_quota_us", absl::StrCat(*r.cpu_quota),
                                       "linux.resources.cpu.quota"));
    applied.insert("cpu.quota");
  }
  if (has("cpuset") && !r.cpuset_cpus.empty()) {
    RUNSC_RETURN_IF_ERROR(
        WriteControl(dir, "cpuset.cpus", r.cpuset_cpus, "linux.resources.cpu.cpus"));
    applied.insert("cpu.cpus");
  }
  if (has("cpuset") && !r.cpuset_mems.empty()) {
    RUNSC_RETURN_IF_ERROR(
        WriteControl(dir, "cpuset.mems", r.cpuset_mems, "linux.resources.cpu.mems"));
    applied.insert("cpu.mems");
  }
  return absl::OkStatus();
}

// A limit that no mounted v1 hierarchy could take is an error, not a
// sandbox that silently runs without it.
absl::Status CheckAllApplied(const config::SpecResources& resources,
                             const std::set<std::string>& applied, const std::string& where) {
  const std::pair<bool, const char*> asked[] = {
      {resources.memory_limit.has_value(), "memory.limit"},
      {resources.memory_swap.has_value(), "memory.swap"},
      {resources.pids_limit.has_value(), "pids.limit"},
      {resources.cpu_shares.has_value(), "cpu.shares"},
      {resources.cpu_period.has_value(), "cpu.period"},
      {resources.cpu_quota.has_value(), "cpu.quota"},
      {!resources.cpuset_cpus.empty(), "cpu.cpus"},
      {!resources.cpuset_mems.empty(), "cpu.mems"},
  };
  for (const auto& [set, field] : asked) {
    if (set && applied.count(field) == 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "linux.resources.", field, ": the host mounts no cgroup v1 hierarchy for it under ",
          where));
    }
  }
  return absl::OkStatus();
}

absl::Status ApplyV2(const std::string& dir, const config::SpecResources& r) {
  if (r.memory_limit.has_value()) {
    RUNSC_RETURN_IF_ERROR(
        NeedController(dir, "memory.max", "linux.resources.memory.limit", "memory"));
    RUNSC_RETURN_IF_ERROR(WriteControl(dir, "memory.max", LimitOrMax(*r.memory_limit),
                                       "linux.resources.memory.limit"));
  }
  if (r.memory_swap.has_value()) {
    if (Exists(absl::StrCat(dir, "/memory.swap.max"))) {
      // OCI's swap is memory + swap; v2's memory.swap.max is swap alone.
      const std::string swap =
          *r.memory_swap < 0 || !r.memory_limit.has_value() || *r.memory_limit < 0
              ? "max"
              : absl::StrCat(*r.memory_swap - *r.memory_limit);
      RUNSC_RETURN_IF_ERROR(
          WriteControl(dir, "memory.swap.max", swap, "linux.resources.memory.swap"));
    } else {
      LogWarning("linux.resources.memory.swap is not applied: no memory.swap.max in ", dir);
    }
  }
  if (r.pids_limit.has_value()) {
    RUNSC_RETURN_IF_ERROR(NeedController(dir, "pids.max", "linux.resources.pids.limit", "pids"));
    RUNSC_RETURN_IF_ERROR(
        WriteControl(dir, "pids.max", LimitOrMax(*r.pids_limit), "linux.resources.pids.limit"));
  }
  if (r.cpu_shares.has_value()) {
    RUNSC_RETURN_IF_ERROR(NeedController(dir, "cpu.weight", "linux.resources.cpu.shares", "cpu"));
    // runc's mapping of v1 shares [2, 262144] onto v2 weights [1, 10000].
    const uint64_t weight = 1 + ((*r.cpu_shares - 2) * 9999) / 262142;
    RUNSC_RETURN_IF_ERROR(
        WriteControl(dir, "cpu.weight", absl::StrCat(weight), "linux.resources.cpu.shares"));
  }
  if (r.cpu_quota.has_value() || r.cpu_period.has_value()) {
    const char* field = r.cpu_quota.has_value() ? "linux.resources.cpu.quota"
                                                : "linux.resources.cpu.period";
    RUNSC_RETURN_IF_ERROR(NeedController(dir, "cpu.max", field, "cpu"));
    std::string value = r.cpu_quota.has_value() ? LimitOrMax(*r.cpu_quota) : "max";
    if (r.cpu_period.has_value()) absl::StrAppend(&value, " ", *r.cpu_period);
    RUNSC_RETURN_IF_ERROR(WriteControl(dir, "cpu.max", value, field));
  }
  if (!r.cpuset_cpus.empty()) {
    RUNSC_RETURN_IF_ERROR(NeedController(dir, "cpuset.cpus", "linux.resources.cpu.cpus", "cpuset"));
    RUNSC_RETURN_IF_ERROR(
        WriteControl(dir, "cpuset.cpus", r.cpuset_cpus, "linux.resources.cpu.cpus"));
  }
  if (!r.cpuset_mems.empty()) {
    RUNSC_RETURN_IF_ERROR(NeedController(dir, "cpuset.mems", "linux.resources.cpu.mems", "cpuset"));
    RUNSC_RETURN_IF_ERROR(
        WriteControl(dir, "cpuset.mems", r.cpuset_mems, "linux.resources.cpu.mems"));
  }
  return absl::OkStatus();
}

// Enables the v2 controllers a sandbox uses in `dir`'s subtree_control, one
// at a time: one the host lacks is not an error here (a resource that needs
// it is, in ApplyV2).
void EnableV2Controllers(const std::string& dir) {
  absl::StatusOr<std::string> available = ReadSmallFile(absl::StrCat(dir, "/cgroup.controllers"));
  std::set<std::string> have;
  if (available.ok()) {
    for (absl::string_view c : absl::StrSplit(*available, absl::ByAnyChar(" \n"), absl::SkipEmpty())) {
      have.insert(std::string(c));
    }
  }
  for (const char* controller : kV2Controllers) {
    if (available.ok() && have.count(controller) == 0) continue;
    absl::Status s = WriteControl(dir, "cgroup.subtree_control", absl::StrCat("+", controller),
                                  "enabling a cgroup v2 controller");
    if (!s.ok()) LogDebug("cgroup: ", s.message());
  }
}

// Checks that a leaf that already existed is not some other sandbox's.
absl::Status CheckUnused(const std::string& dir) {
  if (HasProcesses(dir)) {
    return absl::AlreadyExistsError(
        absl::StrCat("cgroup ", dir, " already exists and has processes in it"));
  }
  return absl::OkStatus();
}

std::string LeafPath(const std::string& cgroups_path, const std::string& container_id) {
  return cgroups_path.empty() ? absl::StrCat("runsc/", container_id) : cgroups_path;
}

}  // namespace

absl::StatusOr<CgroupVersion> Cgroup::DetectVersion(const CgroupHost& host) {
  if (Exists(absl::StrCat(host.mount_root, "/cgroup.controllers"))) return CgroupVersion::kV2;
  if (!IsDirectory(host.mount_root)) {
    return absl::FailedPreconditionError(
        absl::StrCat("no cgroup file system at ", host.mount_root));
  }
  return CgroupVersion::kV1;
}

absl::StatusOr<Cgroup> Cgroup::Create(const std::string& cgroups_path,
                                      const std::string& container_id,
                                      const config::SpecResources& resources,
                                      const CgroupHost& host) {
  RUNSC_ASSIGN_OR_RETURN(CgroupVersion version, DetectVersion(host));
  const std::string path = LeafPath(cgroups_path, container_id);
  const bool absolute = path[0] == '/';

  Cgroup cgroup;
  // On failure, the leaves made so far go again.
  absl::Cleanup undo = [&] {
    for (const std::string& dir : cgroup.dirs_) rmdir(dir.c_str());
  };
  bool leaf_existed = false;

  if (version == CgroupVersion::kV2) {
    RUNSC_ASSIGN_OR_RETURN(auto own, OwnCgroups(host.self_cgroup_file));
    const std::string base = absolute ? "/" : Dirname(CleanPath(own[""]));
    const std::string inner = CleanPath(absl::StrCat(base, "/", path));
    const std::string leaf = absl::StrCat(host.mount_root, inner == "/" ? "" : inner);
    if (leaf == host.mount_root) {
      return absl::InvalidArgumentError("linux.cgroupsPath: names the root cgroup");
    }
    // Controllers are enabled from the top down; each level's
    // subtree_control lets the next level have them.
    std::string dir = host.mount_root;
    EnableV2Controllers(dir);
    for (absl::string_view part : absl::StrSplit(inner, '/', absl::SkipEmpty())) {
      absl::StrAppend(&dir, "/", part);
      if (mkdir(dir.c_str(), 0755) == 0) {
        leaf_existed = false;
      } else if (errno == EEXIST && IsDirectory(dir)) {
        leaf_existed = true;
      } else {
        return HostError(absl::StrCat("mkdir ", dir));
      }
      if (dir != leaf) EnableV2Controllers(dir);
    }
    if (leaf_existed) RUNSC_RETURN_IF_ERROR(CheckUnused(leaf));
    if (!leaf_existed) cgroup.dirs_.push_back(leaf);
    RUNSC_RETURN_IF_ERROR(ApplyV2(leaf, resources));
    if (leaf_existed) cgroup.dirs_.push_back(leaf);
    std::move(undo).Cancel();
    return cgroup;
  }

  RUNSC_ASSIGN_OR_RETURN(std::vector<Hierarchy> hierarchies, V1Hierarchies(host));
  std::set<std::string> applied;
  std::vector<std::string> reused;
  for (const Hierarchy& h : hierarchies) {
    const std::string inner = CleanPath(absolute ? path : absl::StrCat(h.own, "/", path));
    if (inner == "/") return absl::InvalidArgumentError("linux.cgroupsPath: names the root cgroup");
    const bool cpuset = h.controllers.count("cpuset") != 0;
    RUNSC_RETURN_IF_ERROR(MakeTree(
        h.mount, inner,
        [cpuset](const std::string& dir) {
          return cpuset ? InheritCpuset(dir) : absl::OkStatus();
        },
        leaf_existed));
    const std::string leaf = h.mount + inner;
    if (leaf_existed) {
      RUNSC_RETURN_IF_ERROR(CheckUnused(leaf));
      if (cpuset) RUNSC_RETURN_IF_ERROR(InheritCpuset(leaf));
      reused.push_back(leaf);
    } else {
      cgroup.dirs_.push_back(leaf);
    }
    RUNSC_RETURN_IF_ERROR(ApplyV1(h, leaf, resources, applied));
  }
  RUNSC_RETURN_IF_ERROR(CheckAllApplied(resources, applied, host.mount_root));
  cgroup.dirs_.insert(cgroup.dirs_.end(), reused.begin(), reused.end());
  std::move(undo).Cancel();
  return cgroup;
}

absl::Status Cgroup::Update(const config::SpecResources& resources) const {
  if (dirs_.empty()) return absl::FailedPreconditionError("the container has no cgroup");
  std::set<std::string> applied;
  bool v1 = false;
  for (const std::string& dir : dirs_) {
    if (!IsDirectory(dir)) return absl::NotFoundError(absl::StrCat("cgroup ", dir, " is gone"));
    if (Exists(absl::StrCat(dir, "/cgroup.controllers"))) {
      RUNSC_RETURN_IF_ERROR(ApplyV2(dir, resources));
      continue;
    }
    // A v1 directory: its hierarchy's controllers, by their files.
    v1 = true;
    Hierarchy h;
    const std::pair<const char*, const char*> probes[] = {
        {"memory", "memory.limit_in_bytes"}, {"pids", "pids.max"},
        {"cpu", "cpu.shares"}, {"cpuset", "cpuset.cpus"}};
    for (const auto& [controller, file] : probes) {
      if (Exists(absl::StrCat(dir, "/", file))) h.controllers.insert(controller);
    }
    RUNSC_RETURN_IF_ERROR(ApplyV1(h, dir, resources, applied));
  }
  if (v1) RUNSC_RETURN_IF_ERROR(CheckAllApplied(resources, applied, absl::StrJoin(dirs_, ", ")));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<UniqueFd>> Cgroup::OpenProcsFiles() const {
  std::vector<UniqueFd> fds;
  for (const std::string& dir : dirs_) {
    const std::string path = absl::StrCat(dir, "/", kProcsFile);
    UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd.valid()) return HostError(absl::StrCat("open ", path));
    fds.push_back(std::move(fd));
  }
  return fds;
}

absl::Status Cgroup::AddProcess(pid_t pid) const {
  for (const std::string& dir : dirs_) {
    RUNSC_RETURN_IF_ERROR(WriteControl(dir, kProcsFile, absl::StrCat(pid), "joining the cgroup"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<pid_t>> Cgroup::Processes() const {
  std::set<pid_t> pids;
  for (const std::string& dir : dirs_) {
    absl::StatusOr<std::string> text = ReadSmallFile(absl::StrCat(dir, "/", kProcsFile));
    if (!text.ok()) {
      if (ErrnoOf(text.status()) == ENOENT) continue;  // Already removed.
      return text.status();
    }
    for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
      pid_t pid;
      if (absl::SimpleAtoi(line, &pid)) pids.insert(pid);
    }
  }
  return std::vector<pid_t>(pids.begin(), pids.end());
}

namespace {

// The freezer's control file in `dirs` and the words it takes: v1's
// freezer.state (FROZEN/THAWED) or v2's cgroup.freeze (1/0).
struct Freezer {
  std::string dir;
  bool v2 = false;
};

std::optional<Freezer> FindFreezer(const std::vector<std::string>& dirs) {
  for (const std::string& dir : dirs) {
    if (Exists(absl::StrCat(dir, "/freezer.state"))) return Freezer{dir, false};
    if (Exists(absl::StrCat(dir, "/cgroup.freeze"))) return Freezer{dir, true};
  }
  return std::nullopt;
}

// v1 reads FREEZING until every task has stopped; v2 says "frozen 1" in
// cgroup.events once it is done.
bool FreezerSays(const Freezer& f, bool frozen) {
  if (!f.v2) {
    absl::StatusOr<std::string> state = ReadSmallFile(absl::StrCat(f.dir, "/freezer.state"));
    return state.ok() && absl::StripAsciiWhitespace(*state) == (frozen ? "FROZEN" : "THAWED");
  }
  absl::StatusOr<std::string> events = ReadSmallFile(absl::StrCat(f.dir, "/cgroup.events"));
  return events.ok() && absl::StrContains(*events, frozen ? "frozen 1" : "frozen 0");
}

}  // namespace

absl::Status Cgroup::SetFrozen(bool frozen, absl::Duration timeout) const {
  std::optional<Freezer> f = FindFreezer(dirs_);
  if (!f.has_value()) return absl::UnimplementedError("the sandbox's cgroup has no freezer");
  const std::string file = f->v2 ? "cgroup.freeze" : "freezer.state";
  const std::string value = f->v2 ? (frozen ? "1" : "0") : (frozen ? "FROZEN" : "THAWED");
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    // v1: writing FROZEN again nudges a freeze that is stuck in FREEZING.
    RUNSC_RETURN_IF_ERROR(WriteControl(f->dir, file, value, frozen ? "pause" : "resume"));
    if (FreezerSays(*f, frozen)) return absl::OkStatus();
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "the cgroup ", f->dir, " did not become ", frozen ? "frozen" : "thawed", " in time"));
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
}

bool Cgroup::IsFrozen() const {
  std::optional<Freezer> f = FindFreezer(dirs_);
  return f.has_value() && FreezerSays(*f, true);
}

absl::Status Cgroup::Destroy(absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  // Frozen processes do not die of SIGKILL until they thaw.
  if (IsFrozen()) {
    absl::Status thawed = SetFrozen(false);
    if (!thawed.ok()) LogWarning("thawing before removal: ", thawed.message());
  }
  absl::Duration pause = absl::Milliseconds(1);
  std::vector<std::string> left = dirs_;
  while (!left.empty()) {
    // Whatever is still inside belongs to this sandbox and goes with it: a
    // stub that outlived a crashed sentry, say.
    absl::StatusOr<std::vector<pid_t>> pids = FromDirs(left).Processes();
    if (pids.ok()) {
      for (pid_t pid : *pids) kill(pid, SIGKILL);
    }
    std::vector<std::string> busy;
    int last_errno = 0;
    for (const std::string& dir : left) {
      if (rmdir(dir.c_str()) == 0 || errno == ENOENT) continue;
      last_errno = errno;
      if (errno != EBUSY) return HostError(absl::StrCat("rmdir ", dir));
      busy.push_back(dir);
    }
    left = std::move(busy);
    if (left.empty()) break;
    if (absl::Now() >= deadline) {
      return ErrnoError(last_errno, absl::StrCat("cannot remove cgroup ", left[0],
                                                 ": still busy after ",
                                                 absl::FormatDuration(timeout)));
    }
    absl::SleepFor(pause);
    pause = std::min(pause * 2, absl::Milliseconds(50));
  }
  return absl::OkStatus();
}

}  // namespace runsc::sandbox
