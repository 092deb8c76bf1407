#include "runsc/config/spec.h"

#include <sys/resource.h>

#include <algorithm>
#include <limits>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "runsc/status_macros.h"

namespace runsc::config {
namespace {

using nlohmann::json;

// Every error names the field it is about, in the dotted form users see in
// their config.json ("process.rlimits[1].soft").
absl::Status FieldError(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

std::string Sub(absl::string_view parent, absl::string_view key) {
  return parent.empty() ? std::string(key) : absl::StrCat(parent, ".", key);
}

std::string Index(absl::string_view parent, size_t i) { return absl::StrCat(parent, "[", i, "]"); }

const char* TypeName(const json& j) { return j.type_name(); }

// Reads object members with type checks. `path` is the object's own field
// name ("" for the top level).
class ObjectReader {
 public:
  ObjectReader(const json& object, std::string path) : object_(object), path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  std::string Field(absl::string_view key) const { return Sub(path_, key); }

  // nullptr when absent (or JSON null, which the spec treats as absent).
  const json* Find(absl::string_view key) const {
    auto it = object_.find(std::string(key));
    if (it == object_.end() || it->is_null()) return nullptr;
    return &*it;
  }

  absl::StatusOr<const json*> Require(absl::string_view key) const {
    const json* value = Find(key);
    if (value == nullptr) return FieldError(Field(key), "required field is missing");
    return value;
  }

  absl::Status String(absl::string_view key, bool required, std::string& out) const {
    const json* value = Find(key);
    if (value == nullptr) {
      return required ? FieldError(Field(key), "required field is missing") : absl::OkStatus();
    }
    if (!value->is_string()) {
      return FieldError(Field(key), absl::StrCat("must be a string, not ", TypeName(*value)));
    }
    out = value->get<std::string>();
    return absl::OkStatus();
  }

  absl::Status Bool(absl::string_view key, bool& out) const {
    const json* value = Find(key);
    if (value == nullptr) return absl::OkStatus();
    if (!value->is_boolean()) {
      return FieldError(Field(key), absl::StrCat("must be a boolean, not ", TypeName(*value)));
    }
    out = value->get<bool>();
    return absl::OkStatus();
  }

  template <typename T>
  absl::Status Unsigned(absl::string_view key, bool required, T& out) const {
    const json* value = Find(key);
    if (value == nullptr) {
      return required ? FieldError(Field(key), "required field is missing") : absl::OkStatus();
    }
    return UnsignedValue(*value, Field(key), out);
  }

  template <typename T>
  static absl::Status UnsignedValue(const json& value, absl::string_view field, T& out) {
    if (!value.is_number_integer()) {
      return FieldError(field, absl::StrCat("must be a non-negative integer, not ",
                                            value.is_number() ? "a fraction" : TypeName(value)));
    }
    if (value.is_number_unsigned()) {
      uint64_t v = value.get<uint64_t>();
      if (v > std::numeric_limits<T>::max()) {
        return FieldError(field, absl::StrCat(v, " is out of range"));
      }
      out = static_cast<T>(v);
      return absl::OkStatus();
    }
    int64_t v = value.get<int64_t>();
    if (v < 0) return FieldError(field, absl::StrCat("must not be negative, got ", v));
    if (static_cast<uint64_t>(v) > std::numeric_limits<T>::max()) {
      return FieldError(field, absl::StrCat(v, " is out of range"));
    }
    out = static_cast<T>(v);
    return absl::OkStatus();
  }

  // A signed integer member; untouched when absent.
  absl::Status Signed(absl::string_view key, std::optional<int64_t>& out) const {
    const json* value = Find(key);
    if (value == nullptr) return absl::OkStatus();
    if (!value->is_number_integer()) {
      return FieldError(Field(key), absl::StrCat("must be an integer, not ",
                                                 value->is_number() ? "a fraction" : TypeName(*value)));
    }
    if (value->is_number_unsigned() &&
        value->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return FieldError(Field(key), absl::StrCat(value->get<uint64_t>(), " is out of range"));
    }
    out = value->get<int64_t>();
    return absl::OkStatus();
  }

  absl::Status StringArray(absl::string_view key, bool required,
                           std::vector<std::string>& out) const {
    const json* value = Find(key);
    if (value == nullptr) {
      return required ? FieldError(Field(key), "required field is missing") : absl::OkStatus();
    }
    if (!value->is_array()) {
      return FieldError(Field(key), absl::StrCat("must be an array of strings, not ",
                                                 TypeName(*value)));
    }
    out.clear();
    for (size_t i = 0; i < value->size(); ++i) {
      const json& item = (*value)[i];
      if (!item.is_string()) {
        return FieldError(Index(Field(key), i),
                          absl::StrCat("must be a string, not ", TypeName(item)));
      }
      out.push_back(item.get<std::string>());
    }
    return absl::OkStatus();
  }

  // The member `key` as an object reader, or an error if present and not an object.
  absl::StatusOr<std::optional<ObjectReader>> Object(absl::string_view key, bool required) const {
    const json* value = Find(key);
    if (value == nullptr) {
      if (required) return FieldError(Field(key), "required field is missing");
      return std::optional<ObjectReader>();
    }
    if (!value->is_object()) {
      return FieldError(Field(key), absl::StrCat("must be an object, not ", TypeName(*value)));
    }
    return std::optional<ObjectReader>(ObjectReader(*value, Field(key)));
  }

  // The member `key` as an array (nullptr when absent).
  absl::StatusOr<const json*> Array(absl::string_view key) const {
    const json* value = Find(key);
    if (value == nullptr) return value;
    if (!value->is_array()) {
      return FieldError(Field(key), absl::StrCat("must be an array, not ", TypeName(*value)));
    }
    return value;
  }

 private:
  const json& object_;
  std::string path_;
};

absl::StatusOr<ObjectReader> ElementObject(const json& array, size_t i, absl::string_view field) {
  const json& item = array[i];
  std::string name = Index(field, i);
  if (!item.is_object()) {
    return FieldError(name, absl::StrCat("must be an object, not ", TypeName(item)));
  }
  return ObjectReader(item, name);
}

absl::Status ParseUser(const ObjectReader& user, SpecUser& out) {
  RUNSC_RETURN_IF_ERROR(user.Unsigned("uid", false, out.uid));
  RUNSC_RETURN_IF_ERROR(user.Unsigned("gid", false, out.gid));
  RUNSC_ASSIGN_OR_RETURN(auto gids, user.Array("additionalGids"));
  if (gids != nullptr) {
    for (size_t i = 0; i < gids->size(); ++i) {
      uint32_t gid = 0;
      RUNSC_RETURN_IF_ERROR(
          ObjectReader::UnsignedValue((*gids)[i], Index(user.Field("additionalGids"), i), gid));
      out.additional_gids.push_back(gid);
    }
  }
  return absl::OkStatus();
}

absl::Status ParseRlimits(const ObjectReader& process, std::vector<SpecRlimit>& out) {
  RUNSC_ASSIGN_OR_RETURN(auto rlimits, process.Array("rlimits"));
  if (rlimits == nullptr) return absl::OkStatus();
  std::set<std::string> seen;
  for (size_t i = 0; i < rlimits->size(); ++i) {
    RUNSC_ASSIGN_OR_RETURN(auto entry, ElementObject(*rlimits, i, process.Field("rlimits")));
    SpecRlimit limit;
    RUNSC_RETURN_IF_ERROR(entry.String("type", true, limit.type));
    if (!RlimitResourceByName(limit.type).has_value()) {
      return FieldError(entry.Field("type"), absl::StrCat("unknown rlimit \"", limit.type, "\""));
    }
    if (!seen.insert(limit.type).second) {
      return FieldError(entry.Field("type"), absl::StrCat(limit.type, " is set twice"));
    }
    RUNSC_RETURN_IF_ERROR(entry.Unsigned("soft", true, limit.soft));
    RUNSC_RETURN_IF_ERROR(entry.Unsigned("hard", true, limit.hard));
    if (limit.soft > limit.hard) {
      return FieldError(entry.path(), absl::StrCat("soft limit ", limit.soft,
                                                   " is above the hard limit ", limit.hard));
    }
    out.push_back(std::move(limit));
  }
  return absl::OkStatus();
}

// One capability set: every name must be one CapabilityByName knows. An
// unknown name is refused (as runc 1.1 does) rather than skipped: a
// container that silently lacks a capability its config asks for fails
// later and far from the cause. Every name Linux 6.x has is known.
absl::Status ParseCapabilitySet(const ObjectReader& caps, absl::string_view key,
                                std::vector<std::string>& out) {
  RUNSC_RETURN_IF_ERROR(caps.StringArray(key, false, out));
  for (size_t i = 0; i < out.size(); ++i) {
    if (!CapabilityByName(out[i]).has_value()) {
      return FieldError(Index(caps.Field(key), i),
                        absl::StrCat("unknown capability \"", out[i], "\""));
    }
  }
  return absl::OkStatus();
}

absl::Status ParseCapabilities(const ObjectReader& process, SpecProcess& out) {
  RUNSC_ASSIGN_OR_RETURN(auto caps, process.Object("capabilities", false));
  if (!caps.has_value()) return absl::OkStatus();
  SpecCapabilities sets;
  RUNSC_RETURN_IF_ERROR(ParseCapabilitySet(*caps, "bounding", sets.bounding));
  RUNSC_RETURN_IF_ERROR(ParseCapabilitySet(*caps, "effective", sets.effective));
  RUNSC_RETURN_IF_ERROR(ParseCapabilitySet(*caps, "inheritable", sets.inheritable));
  RUNSC_RETURN_IF_ERROR(ParseCapabilitySet(*caps, "permitted", sets.permitted));
  RUNSC_RETURN_IF_ERROR(ParseCapabilitySet(*caps, "ambient", sets.ambient));
  out.capabilities = std::move(sets);
  return absl::OkStatus();
}

absl::Status ParseProcess(const ObjectReader& process, SpecProcess& out) {
  RUNSC_RETURN_IF_ERROR(process.Bool("terminal", out.terminal));
  RUNSC_RETURN_IF_ERROR(process.Bool("noNewPrivileges", out.no_new_privileges));
  RUNSC_RETURN_IF_ERROR(ParseCapabilities(process, out));
  RUNSC_ASSIGN_OR_RETURN(auto console_size, process.Object("consoleSize", false));
  if (console_size.has_value()) {
    RUNSC_RETURN_IF_ERROR(console_size->Unsigned("height", true, out.console_height));
    RUNSC_RETURN_IF_ERROR(console_size->Unsigned("width", true, out.console_width));
    if (out.console_height > 0xffff || out.console_width > 0xffff) {
      return FieldError(process.Field("consoleSize"), "height and width must fit in 16 bits");
    }
  }
  RUNSC_ASSIGN_OR_RETURN(auto user, process.Object("user", false));
  if (user.has_value()) RUNSC_RETURN_IF_ERROR(ParseUser(*user, out.user));

  RUNSC_RETURN_IF_ERROR(process.StringArray("args", true, out.args));
  if (out.args.empty()) return FieldError(process.Field("args"), "must not be empty");
  if (out.args[0].empty()) {
    return FieldError(Index(process.Field("args"), 0), "the program name must not be empty");
  }

  RUNSC_RETURN_IF_ERROR(process.StringArray("env", false, out.env));
  for (size_t i = 0; i < out.env.size(); ++i) {
    size_t eq = out.env[i].find('=');
    if (eq == std::string::npos || eq == 0) {
      return FieldError(Index(process.Field("env"), i),
                        absl::StrCat("\"", out.env[i], "\" is not of the form KEY=value"));
    }
  }

  RUNSC_RETURN_IF_ERROR(process.String("cwd", true, out.cwd));
  if (!absl::StartsWith(out.cwd, "/")) {
    return FieldError(process.Field("cwd"),
                      absl::StrCat("must be an absolute path, got \"", out.cwd, "\""));
  }
  return ParseRlimits(process, out.rlimits);
}

absl::Status ParseMounts(const ObjectReader& top, std::vector<SpecMount>& out) {
  RUNSC_ASSIGN_OR_RETURN(auto mounts, top.Array("mounts"));
  if (mounts == nullptr) return absl::OkStatus();
  for (size_t i = 0; i < mounts->size(); ++i) {
    RUNSC_ASSIGN_OR_RETURN(auto entry, ElementObject(*mounts, i, "mounts"));
    SpecMount mount;
    RUNSC_RETURN_IF_ERROR(entry.String("destination", true, mount.destination));
    if (!absl::StartsWith(mount.destination, "/")) {
      return FieldError(entry.Field("destination"),
                        absl::StrCat("must be an absolute path, got \"", mount.destination, "\""));
    }
    RUNSC_RETURN_IF_ERROR(entry.String("type", false, mount.type));
    RUNSC_RETURN_IF_ERROR(entry.String("source", false, mount.source));
    RUNSC_RETURN_IF_ERROR(entry.StringArray("options", false, mount.options));
    out.push_back(std::move(mount));
  }
  return absl::OkStatus();
}

// A cpuset list as the kernel takes it: "0-3,5,7-8" (or "" for not set).
bool IsCpuList(absl::string_view list) {
  if (list.empty()) return true;
  for (absl::string_view range : absl::StrSplit(list, ',')) {
    std::vector<absl::string_view> ends = absl::StrSplit(range, absl::MaxSplits('-', 1));
    uint32_t low = 0, high = 0;
    if (!absl::SimpleAtoi(ends[0], &low)) return false;
    high = low;
    if (ends.size() == 2 && !absl::SimpleAtoi(ends[1], &high)) return false;
    if (high < low) return false;
  }
  return true;
}

// linux.resources.{memory,pids,cpu}: the fields runsc applies to the
// sandbox's cgroup. The other members (devices, blockIO, hugepageLimits,
// network…) are accepted and not applied: the sentry makes its own /dev.
absl::Status ParseResources(const ObjectReader& resources, SpecResources& out) {
  RUNSC_ASSIGN_OR_RETURN(auto memory, resources.Object("memory", false));
  if (memory.has_value()) {
    RUNSC_RETURN_IF_ERROR(memory->Signed("limit", out.memory_limit));
    RUNSC_RETURN_IF_ERROR(memory->Signed("swap", out.memory_swap));
    if (out.memory_limit.has_value() && *out.memory_limit <= 0 && *out.memory_limit != -1) {
      return FieldError(memory->Field("limit"),
                        absl::StrCat("must be a positive number of bytes or -1, got ",
                                     *out.memory_limit));
    }
    if (out.memory_swap.has_value() && *out.memory_swap <= 0 && *out.memory_swap != -1) {
      return FieldError(memory->Field("swap"),
                        absl::StrCat("must be a positive number of bytes or -1, got ",
                                     *out.memory_swap));
    }
  }
  RUNSC_ASSIGN_OR_RETURN(auto pids, resources.Object("pids", false));
  if (pids.has_value()) {
    RUNSC_RETURN_IF_ERROR(pids->Signed("limit", out.pids_limit));
    if (out.pids_limit == 0) out.pids_limit.reset();  // OCI: 0 is "not set".
  }
  RUNSC_ASSIGN_OR_RETURN(auto cpu, resources.Object("cpu", false));
  if (cpu.has_value()) {
    uint64_t shares = 0, period = 0;
    RUNSC_RETURN_IF_ERROR(cpu->Unsigned("shares", false, shares));
    if (shares != 0 && (shares < 2 || shares > 262144)) {
      return FieldError(cpu->Field("shares"), absl::StrCat("must be in 2..262144, got ", shares));
    }
    if (shares != 0) out.cpu_shares = shares;
    RUNSC_RETURN_IF_ERROR(cpu->Signed("quota", out.cpu_quota));
    if (out.cpu_quota == 0) out.cpu_quota.reset();
    if (out.cpu_quota.has_value() && *out.cpu_quota < -1) {
      return FieldError(cpu->Field("quota"),
                        absl::StrCat("must be positive or -1, got ", *out.cpu_quota));
    }
    if (out.cpu_quota.has_value() && *out.cpu_quota > 0 && *out.cpu_quota < 1000) {
      return FieldError(cpu->Field("quota"),
                        absl::StrCat("must be at least 1000 microseconds, got ", *out.cpu_quota));
    }
    RUNSC_RETURN_IF_ERROR(cpu->Unsigned("period", false, period));
    if (period != 0 && (period < 1000 || period > 1000000)) {
      return FieldError(cpu->Field("period"),
                        absl::StrCat("must be in 1000..1000000 microseconds, got ", period));
    }
    if (period != 0) out.cpu_period = period;
    RUNSC_RETURN_IF_ERROR(cpu->String("cpus", false, out.cpuset_cpus));
    if (!IsCpuList(out.cpuset_cpus)) {
      return FieldError(cpu->Field("cpus"),
                        absl::StrCat("\"", out.cpuset_cpus, "\" is not a list such as \"0-3,5\""));
    }
    RUNSC_RETURN_IF_ERROR(cpu->String("mems", false, out.cpuset_mems));
    if (!IsCpuList(out.cpuset_mems)) {
      return FieldError(cpu->Field("mems"),
                        absl::StrCat("\"", out.cpuset_mems, "\" is not a list such as \"0-1\""));
    }
  }
  return absl::OkStatus();
}

// The memory.swap rule, for the object whose fields start with `prefix`
// ("linux.resources." in config.json, "" for update's resources).
absl::Status CheckMemorySwapAt(const SpecResources& r, absl::string_view prefix) {
  if (!r.memory_swap.has_value() || *r.memory_swap == -1) return absl::OkStatus();
  const std::string field = absl::StrCat(prefix, "memory.swap");
  // runc: "unable to set swap limit without memory limit". On v2 the swap
  // file holds swap alone (swap - limit), so there is nothing to subtract
  // from; on v1 the kernel keeps memsw >= memory, which an unlimited memory
  // breaks.
  if (!r.memory_limit.has_value() || *r.memory_limit == -1) {
    return FieldError(field, "is set without a memory.limit to go with it "
                             "(unable to set swap limit without memory limit)");
  }
  // runc: "memory+swap limit should be >= memory limit".
  if (*r.memory_swap < *r.memory_limit) {
    return FieldError(field, absl::StrCat(*r.memory_swap, " is below memory.limit ",
                                          *r.memory_limit, " (swap counts memory plus swap)"));
  }
  return absl::OkStatus();
}

// One hook (config.md "POSIX-platform Hooks"): path absolute, args and env
// strings, timeout > 0.
absl::StatusOr<SpecHook> ParseHook(const ObjectReader& entry) {
  SpecHook hook;
  RUNSC_RETURN_IF_ERROR(entry.String("path", true, hook.path));
  if (!absl::StartsWith(hook.path, "/")) {
    return FieldError(entry.Field("path"),
                      absl::StrCat("must be an absolute path, got \"", hook.path, "\""));
  }
  RUNSC_RETURN_IF_ERROR(entry.StringArray("args", false, hook.args));
  RUNSC_RETURN_IF_ERROR(entry.StringArray("env", false, hook.env));
  RUNSC_RETURN_IF_ERROR(entry.Signed("timeout", hook.timeout_seconds));
  if (hook.timeout_seconds.has_value() && *hook.timeout_seconds <= 0) {
    return FieldError(entry.Field("timeout"),
                      absl::StrCat("must be greater than zero seconds, got ", *hook.timeout_seconds));
  }
  return hook;
}

// The hook lists, in the JSON's names.
constexpr std::pair<const char*, std::vector<SpecHook> SpecHooks::*> kHookLists[] = {
    {"prestart", &SpecHooks::prestart},
    {"createRuntime", &SpecHooks::create_runtime},
    {"createContainer", &SpecHooks::create_container},
    {"startContainer", &SpecHooks::start_container},
    {"poststart", &SpecHooks::poststart},
    {"poststop", &SpecHooks::poststop},
};

// Unknown members are accepted and ignored, as every other part of the spec
// runsc does not read: a newer spec's hook kind must not break create.
absl::Status ParseHooks(const ObjectReader& hooks, SpecHooks& out) {
  for (const auto& [name, list] : kHookLists) {
    RUNSC_ASSIGN_OR_RETURN(auto entries, hooks.Array(name));
    if (entries == nullptr) continue;
    for (size_t i = 0; i < entries->size(); ++i) {
      RUNSC_ASSIGN_OR_RETURN(auto entry, ElementObject(*entries, i, hooks.Field(name)));
      RUNSC_ASSIGN_OR_RETURN(SpecHook hook, ParseHook(entry));
      (out.*list).push_back(std::move(hook));
    }
  }
  return absl::OkStatus();
}

absl::Status ParseCgroupsPath(const ObjectReader& linux_object, std::string& out) {
  RUNSC_RETURN_IF_ERROR(linux_object.String("cgroupsPath", false, out));
  // systemd's "slice:prefix:name" (runc --systemd-cgroup) is not a path.
  if (!absl::StartsWith(out, "/") && std::count(out.begin(), out.end(), ':') == 2) {
    return FieldError(linux_object.Field("cgroupsPath"),
                      absl::StrCat("\"", out,
                                   "\" is systemd's slice:prefix:name form, which needs "
                                   "--systemd-cgroup; runsc manages cgroupfs paths only"));
  }
  for (absl::string_view part : absl::StrSplit(out, '/', absl::SkipEmpty())) {
    if (part == "..") {
      return FieldError(linux_object.Field("cgroupsPath"),
                        absl::StrCat("\"", out, "\" must not contain \"..\""));
    }
  }
  return absl::OkStatus();
}

// linux.maskedPaths, linux.readonlyPaths: arrays of absolute paths.
absl::Status ParsePathList(const ObjectReader& linux_object, const char* name,
                           std::vector<std::string>& out) {
  RUNSC_RETURN_IF_ERROR(linux_object.StringArray(name, false, out));
  for (size_t i = 0; i < out.size(); ++i) {
    if (!absl::StartsWith(out[i], "/")) {
      return FieldError(Index(linux_object.Field(name), i),
                        absl::StrCat("must be an absolute path, got \"", out[i], "\""));
    }
  }
  return absl::OkStatus();
}

absl::Status ParseLinux(const ObjectReader& linux_object, SpecLinux& out) {
  RUNSC_RETURN_IF_ERROR(ParseCgroupsPath(linux_object, out.cgroups_path));
  RUNSC_ASSIGN_OR_RETURN(auto resources, linux_object.Object("resources", false));
  if (resources.has_value()) {
    RUNSC_RETURN_IF_ERROR(ParseResources(*resources, out.resources));
    RUNSC_RETURN_IF_ERROR(CheckMemorySwapAt(out.resources, "linux.resources."));
  }
  RUNSC_RETURN_IF_ERROR(ParsePathList(linux_object, "maskedPaths", out.masked_paths));
  RUNSC_RETURN_IF_ERROR(ParsePathList(linux_object, "readonlyPaths", out.readonly_paths));
  RUNSC_ASSIGN_OR_RETURN(auto namespaces, linux_object.Array("namespaces"));
  if (namespaces == nullptr) return absl::OkStatus();
  const auto& supported = SupportedNamespaceTypes();
  std::set<std::string> seen;
  for (size_t i = 0; i < namespaces->size(); ++i) {
    RUNSC_ASSIGN_OR_RETURN(auto entry, ElementObject(*namespaces, i, linux_object.Field("namespaces")));
    SpecNamespace ns;
    RUNSC_RETURN_IF_ERROR(entry.String("type", true, ns.type));
    RUNSC_RETURN_IF_ERROR(entry.String("path", false, ns.path));
    if (ns.type == "user" || ns.type == "time") {
      return FieldError(entry.Field("type"),
                        absl::StrCat(ns.type, " namespaces are not supported yet"));
    }
    if (std::find(supported.begin(), supported.end(), ns.type) == supported.end()) {
      return FieldError(entry.Field("type"), absl::StrCat("unknown namespace type \"", ns.type,
                                                          "\""));
    }
    if (!seen.insert(ns.type).second) {
      return FieldError(entry.Field("type"), absl::StrCat(ns.type, " is listed twice"));
    }
    if (!ns.path.empty()) {
      // Joining another sandbox's namespace (pods) needs shared sentries.
      return FieldError(entry.Field("path"),
                        "joining an existing namespace is not supported yet");
    }
    out.namespaces.push_back(std::move(ns));
  }
  return absl::OkStatus();
}

absl::Status ParseAnnotations(const ObjectReader& top, std::map<std::string, std::string>& out) {
  RUNSC_ASSIGN_OR_RETURN(auto annotations, top.Object("annotations", false));
  if (!annotations.has_value()) return absl::OkStatus();
  const json& object = *top.Find("annotations");
  for (const auto& [key, value] : object.items()) {
    if (!value.is_string()) {
      return FieldError(annotations->Field(key),
                        absl::StrCat("must be a string, not ", TypeName(value)));
    }
    out[key] = value.get<std::string>();
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Spec> ParseSpec(std::string_view json_text) {
  json document = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    // Re-parse with exceptions for the position of the error: only on the
    // error path, and the message is what a user needs to fix the file.
    try {
      json unused = json::parse(json_text);
    } catch (const json::parse_error& e) {
      return absl::InvalidArgumentError(absl::StrCat("malformed JSON: ", e.what()));
    }
    return absl::InvalidArgumentError("malformed JSON");
  }
  if (!document.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the document must be a JSON object, not ", TypeName(document)));
  }
  ObjectReader top(document, "");
  Spec spec;

  RUNSC_RETURN_IF_ERROR(top.String("ociVersion", true, spec.oci_version));
  if (!absl::StartsWith(spec.oci_version, "1.")) {
    return FieldError("ociVersion", absl::StrCat("unsupported version \"", spec.oci_version,
                                                 "\" (runsc implements 1.x)"));
  }

  RUNSC_ASSIGN_OR_RETURN(auto process, top.Object("process", true));
  RUNSC_RETURN_IF_ERROR(ParseProcess(*process, spec.process));

  RUNSC_ASSIGN_OR_RETURN(auto root, top.Object("root", true));
  RUNSC_RETURN_IF_ERROR(root->String("path", true, spec.root.path));
  if (spec.root.path.empty()) return FieldError("root.path", "must not be empty");
  RUNSC_RETURN_IF_ERROR(root->Bool("readonly", spec.root.readonly));

  RUNSC_RETURN_IF_ERROR(top.String("hostname", false, spec.hostname));
  RUNSC_RETURN_IF_ERROR(ParseAnnotations(top, spec.annotations));
  RUNSC_RETURN_IF_ERROR(ParseMounts(top, spec.mounts));

  RUNSC_ASSIGN_OR_RETURN(auto linux_object, top.Object("linux", false));
  if (linux_object.has_value()) RUNSC_RETURN_IF_ERROR(ParseLinux(*linux_object, spec.linux_spec));
  RUNSC_ASSIGN_OR_RETURN(auto hooks, top.Object("hooks", false));
  if (hooks.has_value()) RUNSC_RETURN_IF_ERROR(ParseHooks(*hooks, spec.hooks));
  return spec;
}

absl::StatusOr<SpecProcess> ParseProcessSpec(std::string_view json_text) {
  json document = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return absl::InvalidArgumentError("malformed JSON");
  if (!document.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the document must be a JSON object, not ", TypeName(document)));
  }
  SpecProcess process;
  RUNSC_RETURN_IF_ERROR(ParseProcess(ObjectReader(document, ""), process));
  return process;
}

absl::StatusOr<SpecResources> ParseResourcesJson(std::string_view json_text) {
  json document = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return absl::InvalidArgumentError("malformed JSON");
  if (!document.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the document must be a JSON object, not ", TypeName(document)));
  }
  SpecResources resources;
  RUNSC_RETURN_IF_ERROR(ParseResources(ObjectReader(document, ""), resources));
  return resources;
}

absl::Status CheckMemorySwap(const SpecResources& resources) {
  return CheckMemorySwapAt(resources, "");
}

SpecResources MergeResources(const SpecResources& current, const SpecResources& changes) {
  SpecResources merged = current;
  if (changes.memory_limit.has_value()) merged.memory_limit = changes.memory_limit;
  if (changes.memory_swap.has_value()) merged.memory_swap = changes.memory_swap;
  if (changes.pids_limit.has_value()) merged.pids_limit = changes.pids_limit;
  if (changes.cpu_shares.has_value()) merged.cpu_shares = changes.cpu_shares;
  if (changes.cpu_quota.has_value()) merged.cpu_quota = changes.cpu_quota;
  if (changes.cpu_period.has_value()) merged.cpu_period = changes.cpu_period;
  if (!changes.cpuset_cpus.empty()) merged.cpuset_cpus = changes.cpuset_cpus;
  if (!changes.cpuset_mems.empty()) merged.cpuset_mems = changes.cpuset_mems;
  return merged;
}

std::string ResourcesToJson(const SpecResources& r) {
  json j = json::object();
  if (r.memory_limit.has_value()) j["memory"]["limit"] = *r.memory_limit;
  if (r.memory_swap.has_value()) j["memory"]["swap"] = *r.memory_swap;
  if (r.pids_limit.has_value()) j["pids"]["limit"] = *r.pids_limit;
  if (r.cpu_shares.has_value()) j["cpu"]["shares"] = *r.cpu_shares;
  if (r.cpu_quota.has_value()) j["cpu"]["quota"] = *r.cpu_quota;
  if (r.cpu_period.has_value()) j["cpu"]["period"] = *r.cpu_period;
  if (!r.cpuset_cpus.empty()) j["cpu"]["cpus"] = r.cpuset_cpus;
  if (!r.cpuset_mems.empty()) j["cpu"]["mems"] = r.cpuset_mems;
  return j.dump();
}

absl::StatusOr<SpecHooks> ParseHooksJson(std::string_view json_text) {
  json document = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return absl::InvalidArgumentError("malformed JSON");
  if (!document.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the document must be a JSON object, not ", TypeName(document)));
  }
  SpecHooks hooks;
  RUNSC_RETURN_IF_ERROR(ParseHooks(ObjectReader(document, "hooks"), hooks));
  return hooks;
}

std::string HooksToJson(const SpecHooks& hooks) {
  json j = json::object();
  for (const auto& [name, list] : kHookLists) {
    for (const SpecHook& hook : hooks.*list) {
      json entry = {{"path", hook.path}};
      if (!hook.args.empty()) entry["args"] = hook.args;
      if (!hook.env.empty()) entry["env"] = hook.env;
      if (hook.timeout_seconds.has_value()) entry["timeout"] = *hook.timeout_seconds;
      j[name].push_back(std::move(entry));
    }
  }
  return j.dump();
}

namespace {
// capability.h's order: the name's index is the capability's number.
constexpr std::string_view kCapabilityNames[] = {
      "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
      "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
      "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
      "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
      "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
      "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
      "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
      "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
      "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"};
}  // namespace

std::optional<int> CapabilityByName(std::string_view name) {
  for (size_t i = 0; i < std::size(kCapabilityNames); ++i) {
    if (kCapabilityNames[i] == name) return static_cast<int>(i);
  }
  return std::nullopt;
}

std::vector<std::string> CapabilityNames() {
  return std::vector<std::string>(std::begin(kCapabilityNames), std::end(kCapabilityNames));
}

uint64_t CapabilityMask(const std::vector<std::string>& names) {
  uint64_t mask = 0;
  for (const std::string& name : names) {
    if (std::optional<int> bit = CapabilityByName(name)) mask |= uint64_t{1} << *bit;
  }
  return mask;
}

std::optional<int> RlimitResourceByName(std::string_view type) {
  static constexpr std::pair<std::string_view, int> kRlimits[] = {
      {"RLIMIT_CPU", RLIMIT_CPU},
      {"RLIMIT_FSIZE", RLIMIT_FSIZE},
      {"RLIMIT_DATA", RLIMIT_DATA},
      {"RLIMIT_STACK", RLIMIT_STACK},
      {"RLIMIT_CORE", RLIMIT_CORE},
      {"RLIMIT_RSS", RLIMIT_RSS},
      {"RLIMIT_NPROC", RLIMIT_NPROC},
      {"RLIMIT_NOFILE", RLIMIT_NOFILE},
      {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
      {"RLIMIT_AS", RLIMIT_AS},
      {"RLIMIT_LOCKS", RLIMIT_LOCKS},
      {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
      {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
      {"RLIMIT_NICE", RLIMIT_NICE},
      {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
      {"RLIMIT_RTTIME", RLIMIT_RTTIME},
  };
  for (const auto& [name, resource] : kRlimits) {
    if (name == type) return resource;
  }
  return std::nullopt;
}

const std::vector<std::string>& SupportedNamespaceTypes() {
  static const std::vector<std::string> kTypes = {"pid", "network", "mount", "ipc", "uts",
                                                   "cgroup"};
  return kTypes;
}

}  // namespace runsc::config
