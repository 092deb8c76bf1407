#include "runsc/config/spec.h"

#include <sys/resource.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "runsc/config/default_spec.h"

namespace runsc::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using nlohmann::json;

json MinimalSpec() {
  return json::parse(R"({
    "ociVersion": "1.0.2",
    "process": {"args": ["/bin/sh", "-c", "true"], "cwd": "/", "env": ["PATH=/bin"]},
    "root": {"path": "rootfs"}
  })");
}

absl::StatusOr<Spec> Parse(const json& j) { return ParseSpec(j.dump()); }

// The error for `j`, which must fail to parse.
std::string ErrorOf(const json& j) {
  auto spec = Parse(j);
  EXPECT_FALSE(spec.ok()) << j.dump();
  return spec.ok() ? "" : std::string(spec.status().message());
}

TEST(SpecTest, ParsesMinimalSpec) {
  auto spec = Parse(MinimalSpec());
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->oci_version, "1.0.2");
  EXPECT_THAT(spec->process.args, ElementsAre("/bin/sh", "-c", "true"));
  EXPECT_THAT(spec->process.env, ElementsAre("PATH=/bin"));
  EXPECT_EQ(spec->process.cwd, "/");
  EXPECT_FALSE(spec->process.terminal);
  EXPECT_EQ(spec->root.path, "rootfs");
  EXPECT_FALSE(spec->root.readonly);
  EXPECT_EQ(spec->process.user.uid, 0u);
}

TEST(SpecTest, CapabilitySetsAreReadAndUnknownNamesRefused) {
  json j = MinimalSpec();
  j["process"]["capabilities"] = {{"bounding", {"CAP_KILL", "CAP_CHOWN"}},
                                  {"effective", {"CAP_KILL"}},
                                  {"ambient", json::array()}};
  auto spec = Parse(j);
  ASSERT_TRUE(spec.ok()) << spec.status();
  ASSERT_TRUE(spec->process.capabilities.has_value());
  EXPECT_THAT(spec->process.capabilities->bounding, ElementsAre("CAP_KILL", "CAP_CHOWN"));
  EXPECT_THAT(spec->process.capabilities->effective, ElementsAre("CAP_KILL"));
  EXPECT_TRUE(spec->process.capabilities->permitted.empty());
  EXPECT_EQ(CapabilityMask(spec->process.capabilities->bounding), (1u << 5) | (1u << 0));

  j["process"]["capabilities"]["permitted"] = {"CAP_KILL", "CAP_TELEPORT"};
  auto bad = Parse(j);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(),
              HasSubstr("process.capabilities.permitted[1]: unknown capability \"CAP_TELEPORT\""));
  j["process"]["capabilities"]["permitted"] = {"kill"};  // Names are exact, as runc's.
  EXPECT_FALSE(Parse(j).ok());
}

TEST(SpecTest, ParsesEveryField) {
  json j = MinimalSpec();
  j["process"]["terminal"] = false;
  j["process"]["user"] = {{"uid", 1000}, {"gid", 100}, {"additionalGids", {5, 6}}};
  j["process"]["rlimits"] = {{{"type", "RLIMIT_NOFILE"}, {"soft", 512}, {"hard", 1024}}};
  j["root"]["readonly"] = true;
  j["hostname"] = "box";
  j["annotations"] = {{"a", "b"}};
  j["mounts"] = {{{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"},
                  {"options", {"nosuid"}}}};
  j["linux"] = {{"namespaces", {{{"type", "pid"}}, {{"type", "mount"}}}}};
  j["process"]["capabilities"] = {{"bounding", {"CAP_KILL"}}};
  j["linux"]["maskedPaths"] = {"/proc/kcore"};

  auto spec = Parse(j);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->process.user.uid, 1000u);
  EXPECT_EQ(spec->process.user.gid, 100u);
  EXPECT_THAT(spec->process.user.additional_gids, ElementsAre(5u, 6u));
  ASSERT_EQ(spec->process.rlimits.size(), 1u);
  EXPECT_EQ(spec->process.rlimits[0].type, "RLIMIT_NOFILE");
  EXPECT_EQ(spec->process.rlimits[0].soft, 512u);
  EXPECT_EQ(spec->process.rlimits[0].hard, 1024u);
  EXPECT_TRUE(spec->root.readonly);
  EXPECT_EQ(spec->hostname, "box");
  EXPECT_EQ(spec->annotations.at("a"), "b");
  ASSERT_EQ(spec->mounts.size(), 1u);
  EXPECT_EQ(spec->mounts[0].destination, "/proc");
  EXPECT_EQ(spec->mounts[0].type, "proc");
  EXPECT_THAT(spec->mounts[0].options, ElementsAre("nosuid"));
  ASSERT_EQ(spec->linux_spec.namespaces.size(), 2u);
  EXPECT_EQ(spec->linux_spec.namespaces[1].type, "mount");
}

TEST(SpecTest, MalformedJson) {
  auto spec = ParseSpec("{\"ociVersion\": ");
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(spec.status().message(), HasSubstr("malformed JSON"));
}

TEST(SpecTest, NotAnObject) {
  EXPECT_THAT(ErrorOf(json::array()), HasSubstr("must be a JSON object"));
}

TEST(SpecTest, MissingFieldsAreNamed) {
  for (const char* field : {"ociVersion", "process", "root"}) {
    json j = MinimalSpec();
    j.erase(field);
    EXPECT_THAT(ErrorOf(j), HasSubstr(std::string(field) + ": required field is missing"));
  }
  json j = MinimalSpec();
  j["process"].erase("args");
  EXPECT_THAT(ErrorOf(j), HasSubstr("process.args: required field is missing"));
  j = MinimalSpec();
  j["process"].erase("cwd");
  EXPECT_THAT(ErrorOf(j), HasSubstr("process.cwd: required field is missing"));
  j = MinimalSpec();
  j["root"].erase("path");
  EXPECT_THAT(ErrorOf(j), HasSubstr("root.path: required field is missing"));
}

TEST(SpecTest, WrongTypesAreNamed) {
  json j = MinimalSpec();
  j["process"]["args"] = "sh";
  EXPECT_THAT(ErrorOf(j), HasSubstr("process.args: must be an array of strings"));
  j = MinimalSpec();
  j["process"]["args"] = {"sh", 3};
  EXPECT_THAT(ErrorOf(j), HasSubstr("process.args[1]: must be a string"));
  j = MinimalSpec();
  j["process"]["terminal"] = "yes";
  EXPECT_THAT(ErrorOf(j), HasSubstr("process.terminal: must be a boolean"));
  j = MinimalSpec();
  j["process"]["user"] = {{"uid", -1}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("process.user.uid: must not be negative"));
  j = MinimalSpec();
  j["process"]["user"] = {{"uid", 1ull << 40}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("process.user.uid: 1099511627776 is out of range"));
  j = MinimalSpec();
  j["process"]["user"] = {{"additionalGids", {1, "x"}}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("process.user.additionalGids[1]"));
  j = MinimalSpec();
  j["root"] = "rootfs";
  EXPECT_THAT(ErrorOf(j), HasSubstr("root: must be an object"));
  j = MinimalSpec();
  j["annotations"] = {{"k", 1}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("annotations.k: must be a string"));
  j = MinimalSpec();
  j["ociVersion"] = 1;
  EXPECT_THAT(ErrorOf(j), HasSubstr("ociVersion: must be a string"));
}

TEST(SpecTest, BadValues) {
  json j = MinimalSpec();
  j["process"]["args"] = json::array();
  EXPECT_THAT(ErrorOf(j), HasSubstr("process.args: must not be empty"));
  j = MinimalSpec();
  j["process"]["args"] = {""};
  EXPECT_THAT(ErrorOf(j), HasSubstr("process.args[0]"));
  j = MinimalSpec();
  j["process"]["cwd"] = "tmp";
  EXPECT_THAT(ErrorOf(j), HasSubstr("process.cwd: must be an absolute path"));
  j = MinimalSpec();
  j["process"]["env"] = {"PATH=/bin", "NOEQUALS"};
  EXPECT_THAT(ErrorOf(j), HasSubstr("process.env[1]: \"NOEQUALS\" is not of the form KEY=value"));
  j = MinimalSpec();
  j["process"]["env"] = {"=x"};
  EXPECT_THAT(ErrorOf(j), HasSubstr("process.env[0]"));
  j = MinimalSpec();
  j["ociVersion"] = "2.0.0";
  EXPECT_THAT(ErrorOf(j), HasSubstr("ociVersion: unsupported version \"2.0.0\""));
  j = MinimalSpec();
  j["root"]["path"] = "";
  EXPECT_THAT(ErrorOf(j), HasSubstr("root.path: must not be empty"));
  j = MinimalSpec();
  j["mounts"] = {{{"destination", "proc"}}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("mounts[0].destination: must be an absolute path"));
  j = MinimalSpec();
  j["mounts"] = {{{"type", "proc"}}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("mounts[0].destination: required field is missing"));
}

TEST(SpecTest, Rlimits) {
  json j = MinimalSpec();
  j["process"]["rlimits"] = {{{"type", "RLIMIT_BOGUS"}, {"soft", 1}, {"hard", 1}}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("process.rlimits[0].type: unknown rlimit \"RLIMIT_BOGUS\""));
  j["process"]["rlimits"] = {{{"type", "RLIMIT_NOFILE"}, {"soft", 2}, {"hard", 1}}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("process.rlimits[0]: soft limit 2 is above the hard limit 1"));
  j["process"]["rlimits"] = {{{"type", "RLIMIT_NOFILE"}, {"hard", 1}}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("process.rlimits[0].soft: required field is missing"));
  j["process"]["rlimits"] = {{{"type", "RLIMIT_NOFILE"}, {"soft", 1}, {"hard", 1}},
                             {{"type", "RLIMIT_NOFILE"}, {"soft", 1}, {"hard", 1}}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("process.rlimits[1].type: RLIMIT_NOFILE is set twice"));
  // The largest value (RLIM_INFINITY) is representable.
  j["process"]["rlimits"] = {{{"type", "RLIMIT_CORE"}, {"soft", ~0ull}, {"hard", ~0ull}}};
  auto spec = Parse(j);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->process.rlimits[0].hard, ~0ull);
}

TEST(SpecTest, RlimitNames) {
  EXPECT_EQ(RlimitResourceByName("RLIMIT_NOFILE"), RLIMIT_NOFILE);
  EXPECT_EQ(RlimitResourceByName("RLIMIT_RTTIME"), RLIMIT_RTTIME);
  EXPECT_FALSE(RlimitResourceByName("NOFILE").has_value());
}

TEST(SpecTest, Namespaces) {
  json j = MinimalSpec();
  j["linux"] = {{"namespaces", {{{"type", "pid"}}, {{"type", "pid"}}}}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("linux.namespaces[1].type: pid is listed twice"));
  j["linux"] = {{"namespaces", {{{"type", "bogus"}}}}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("linux.namespaces[0].type: unknown namespace type"));
  j["linux"] = {{"namespaces", {{{"type", "user"}}}}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("user namespaces are not supported yet"));
  j["linux"] = {{"namespaces", {{{"type", "network"}, {"path", "/proc/1/ns/net"}}}}};
  EXPECT_THAT(ErrorOf(j),
              HasSubstr("linux.namespaces[0].path: joining an existing namespace is not "
                        "supported yet"));
}

TEST(SpecTest, ParsesResourcesAndCgroupsPath) {
  json j = MinimalSpec();
  j["linux"] = {{"cgroupsPath", "/runsc/abc"},
                {"resources",
                 {{"memory", {{"limit", 1 << 28}, {"swap", 1 << 29}}},
                  {"pids", {{"limit", 20}}},
                  {"cpu", {{"shares", 512}, {"quota", 50000}, {"period", 100000},
                           {"cpus", "0-1,3"}, {"mems", "0"}}},
                  // Accepted and not applied.
                  {"devices", {{{"allow", false}, {"access", "rwm"}}}}}}};
  auto spec = Parse(j);
  ASSERT_TRUE(spec.ok()) << spec.status();
  const SpecResources& r = spec->linux_spec.resources;
  EXPECT_EQ(spec->linux_spec.cgroups_path, "/runsc/abc");
  EXPECT_EQ(r.memory_limit, int64_t{1} << 28);
  EXPECT_EQ(r.memory_swap, int64_t{1} << 29);
  EXPECT_EQ(r.pids_limit, 20);
  EXPECT_EQ(r.cpu_shares, 512u);
  EXPECT_EQ(r.cpu_quota, 50000);
  EXPECT_EQ(r.cpu_period, 100000u);
  EXPECT_EQ(r.cpuset_cpus, "0-1,3");
  EXPECT_EQ(r.cpuset_mems, "0");
}

TEST(SpecTest, ResourcesZeroMeansNotSet) {
  json j = MinimalSpec();
  j["linux"] = {{"resources", {{"pids", {{"limit", 0}}}, {"cpu", {{"shares", 0}, {"quota", 0}}}}}};
  auto spec = Parse(j);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_FALSE(spec->linux_spec.resources.pids_limit.has_value());
  EXPECT_FALSE(spec->linux_spec.resources.cpu_shares.has_value());
  EXPECT_FALSE(spec->linux_spec.resources.cpu_quota.has_value());
  EXPECT_TRUE(spec->linux_spec.cgroups_path.empty());
}

TEST(SpecTest, BadResourcesNameTheField) {
  json j = MinimalSpec();
  j["linux"] = {{"resources", {{"memory", {{"limit", -5}}}}}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("linux.resources.memory.limit: must be a positive"));
  j["linux"] = {{"resources", {{"memory", {{"limit", "lots"}}}}}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("linux.resources.memory.limit: must be an integer"));
  j["linux"] = {{"resources", {{"memory", {{"limit", 1 << 20}, {"swap", 1 << 10}}}}}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("linux.resources.memory.swap: 1024 is below memory.limit"));
  j["linux"] = {{"resources", {{"memory", {{"swap", 1 << 20}}}}}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("linux.resources.memory.swap: is set without a memory.limit"));
  j["linux"] = {{"resources", {{"cpu", {{"shares", 1}}}}}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("linux.resources.cpu.shares: must be in 2..262144"));
  j["linux"] = {{"resources", {{"cpu", {{"period", 10}}}}}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("linux.resources.cpu.period: must be in 1000..1000000"));
  j["linux"] = {{"resources", {{"cpu", {{"quota", -7}}}}}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("linux.resources.cpu.quota: must be positive or -1"));
  j["linux"] = {{"resources", {{"cpu", {{"cpus", "0-x"}}}}}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("linux.resources.cpu.cpus: \"0-x\" is not a list"));
  j["linux"] = {{"resources", {{"cpu", {{"mems", "3-1"}}}}}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("linux.resources.cpu.mems:"));
  j["linux"] = {{"resources", {{"pids", "many"}}}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("linux.resources.pids: must be an object"));
}

TEST(SpecTest, ParsesHooks) {
  json j = MinimalSpec();
  j["hooks"] = {
      {"createRuntime",
       {{{"path", "/usr/bin/setup"}, {"args", {"setup", "-v"}}, {"env", {"A=1"}}, {"timeout", 5}},
        {{"path", "/bin/true"}}}},
      {"poststop", {{{"path", "/usr/bin/cleanup"}}}},
      // A hook kind of a newer spec is ignored, as other unknown fields.
      {"someday", {{{"path", "relative"}}}}};
  auto spec = Parse(j);
  ASSERT_TRUE(spec.ok()) << spec.status();
  const SpecHooks& hooks = spec->hooks;
  ASSERT_EQ(hooks.create_runtime.size(), 2u);
  EXPECT_EQ(hooks.create_runtime[0].path, "/usr/bin/setup");
  EXPECT_THAT(hooks.create_runtime[0].args, ElementsAre("setup", "-v"));
  EXPECT_THAT(hooks.create_runtime[0].env, ElementsAre("A=1"));
  EXPECT_EQ(hooks.create_runtime[0].timeout_seconds, 5);
  EXPECT_FALSE(hooks.create_runtime[1].timeout_seconds.has_value());
  ASSERT_EQ(hooks.poststop.size(), 1u);
  EXPECT_TRUE(hooks.prestart.empty());
  EXPECT_TRUE(hooks.start_container.empty());

  // The state file's form reads back the same.
  auto again = ParseHooksJson(HooksToJson(hooks));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(HooksToJson(*again), HooksToJson(hooks));
  EXPECT_EQ(again->create_runtime[0].timeout_seconds, 5);
}

TEST(SpecTest, BadHooksNameTheField) {
  json j = MinimalSpec();
  j["hooks"] = {{"createRuntime", {{{"args", {"x"}}}}}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("hooks.createRuntime[0].path: required field is missing"));
  j["hooks"] = {{"poststart", {{{"path", "bin/hook"}}}}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("hooks.poststart[0].path: must be an absolute path"));
  j["hooks"] = {{"prestart", {{{"path", "/bin/hook"}, {"args", {"hook", 3}}}}}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("hooks.prestart[0].args[1]: must be a string"));
  j["hooks"] = {{"poststop", {{{"path", "/bin/hook"}, {"env", "A=1"}}}}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("hooks.poststop[0].env: must be an array of strings"));
  j["hooks"] = {{"startContainer", {{{"path", "/bin/hook"}, {"timeout", 0}}}}};
  EXPECT_THAT(ErrorOf(j),
              HasSubstr("hooks.startContainer[0].timeout: must be greater than zero seconds"));
  j["hooks"] = {{"createContainer", {{{"path", "/bin/hook"}, {"timeout", -3}}}}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("hooks.createContainer[0].timeout: must be greater than zero"));
  j["hooks"] = {{"createContainer", {"/bin/hook"}}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("hooks.createContainer[0]: must be an object"));
  j["hooks"] = {{"createContainer", {{"path", "/bin/hook"}}}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("hooks.createContainer: must be an array"));
  j["hooks"] = "none";
  EXPECT_THAT(ErrorOf(j), HasSubstr("hooks: must be an object"));
}

TEST(SpecTest, UpdateResourcesLeaveTheSwapRuleToCheckMemorySwap) {
  // An update may set swap alone, against a limit set before.
  auto swap_only = ParseResourcesJson(R"({"memory":{"swap":2097152}})");
  ASSERT_TRUE(swap_only.ok()) << swap_only.status();
  EXPECT_THAT(CheckMemorySwap(*swap_only).message(),
              HasSubstr("memory.swap: is set without a memory.limit to go with it (unable to set "
                        "swap limit without memory limit)"));
  SpecResources merged = *swap_only;
  merged.memory_limit = 1 << 20;
  EXPECT_TRUE(CheckMemorySwap(merged).ok());
  merged.memory_limit = 4 << 20;
  EXPECT_THAT(CheckMemorySwap(merged).message(), HasSubstr("2097152 is below memory.limit 4194304"));
  merged.memory_swap = -1;
  EXPECT_TRUE(CheckMemorySwap(merged).ok());

  SpecResources current;
  current.memory_limit = 1 << 20;
  current.pids_limit = 9;
  current.cpuset_cpus = "0";
  SpecResources changes;
  changes.memory_swap = 3 << 20;
  changes.pids_limit = 4;
  SpecResources both = MergeResources(current, changes);
  EXPECT_EQ(both.memory_limit, 1 << 20);
  EXPECT_EQ(both.memory_swap, 3 << 20);
  EXPECT_EQ(both.pids_limit, 4);
  EXPECT_EQ(both.cpuset_cpus, "0");
  EXPECT_FALSE(both.cpu_quota.has_value());

  SpecResources all;
  all.memory_limit = 1 << 20;
  all.memory_swap = 2 << 20;
  all.pids_limit = 7;
  all.cpu_shares = 100;
  all.cpu_quota = 20000;
  all.cpu_period = 100000;
  all.cpuset_cpus = "0";
  all.cpuset_mems = "0";
  auto back = ParseResourcesJson(ResourcesToJson(all));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(ResourcesToJson(*back), ResourcesToJson(all));
  EXPECT_EQ(back->pids_limit, 7);
  EXPECT_EQ(ResourcesToJson(SpecResources()), "{}");
}

TEST(SpecTest, CgroupsPathForms) {
  json j = MinimalSpec();
  j["linux"] = {{"cgroupsPath", "machine.slice:runsc:abc"}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("linux.cgroupsPath: \"machine.slice:runsc:abc\" is systemd's "
                                    "slice:prefix:name form, which needs --systemd-cgroup"));
  j["linux"] = {{"cgroupsPath", "/a/../../b"}};
  EXPECT_THAT(ErrorOf(j), HasSubstr("linux.cgroupsPath: \"/a/../../b\" must not contain \"..\""));
  j["linux"] = {{"cgroupsPath", "relative/abc"}};
  auto spec = Parse(j);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->linux_spec.cgroups_path, "relative/abc");
}

TEST(SpecTest, NullMeansAbsent) {
  json j = MinimalSpec();
  j["hostname"] = nullptr;
  j["mounts"] = nullptr;
  EXPECT_TRUE(Parse(j).ok());
}

TEST(SpecTest, DefaultSpecParses) {
  auto spec = ParseSpec(DefaultSpec().dump());
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_THAT(spec->process.args, ElementsAre("sh"));
  EXPECT_FALSE(spec->process.terminal);
  EXPECT_EQ(spec->root.path, "rootfs");
  EXPECT_EQ(DefaultSpec()["ociVersion"], kOciVersion);
}

}  // namespace
}  // namespace runsc::config
