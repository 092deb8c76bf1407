#include "fs/sysfs.h"

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "fs/machine_info.h"
#include "fs/synthetic.h"

namespace runsc::fs {
namespace {

using Children = std::map<std::string, std::shared_ptr<Node>>;

std::shared_ptr<Node> Text(const std::string& key, std::string contents) {
  return std::make_shared<SyntheticFileNode>(
      key, [contents = std::move(contents)](sentry::Task&) -> absl::StatusOr<std::string> {
        return contents;
      });
}

std::shared_ptr<Node> CpuDir(const MachineInfo& info) {
  const std::string key = "/sys/devices/system/cpu";
  const std::string all = info.CpuListText() + "\n";
  Children children = {
      {"online", Text(key + "/online", all)},
      {"possible", Text(key + "/possible", all)},
      {"present", Text(key + "/present", all)},
      {"offline", Text(key + "/offline", "\n")},
      {"kernel_max", Text(key + "/kernel_max", absl::StrCat(CPU_SETSIZE - 1, "\n"))},
  };
  for (int cpu = 0; cpu < info.cpus(); ++cpu) {
    const std::string dir = absl::StrCat(key, "/cpu", cpu);
    // What lscpu and the runtimes look for in topology/: one socket, one
    // thread per core, as /proc/cpuinfo says.
    auto topology = SyntheticDirNode::Fixed(
        dir + "/topology",
        {{"physical_package_id", Text(dir + "/topology/physical_package_id", "0\n")},
         {"core_id", Text(dir + "/topology/core_id", absl::StrCat(cpu, "\n"))},
         {"thread_siblings_list",
          Text(dir + "/topology/thread_siblings_list", absl::StrCat(cpu, "\n"))},
         {"core_siblings_list", Text(dir + "/topology/core_siblings_list", all)}});
    Children cpu_children = {{"topology", topology}};
    // Linux has no "online" file for CPU 0, which cannot go offline.
    if (cpu != 0) cpu_children["online"] = Text(dir + "/online", "1\n");
    children[absl::StrCat("cpu", cpu)] = SyntheticDirNode::Fixed(dir, std::move(cpu_children));
  }
  return SyntheticDirNode::Fixed(key, std::move(children));
}

}  // namespace

std::shared_ptr<Node> NewSysfs(sentry::Kernel& kernel) {
  const MachineInfo& info = MachineInfo::Get();
  auto system = SyntheticDirNode::Fixed("/sys/devices/system", {{"cpu", CpuDir(info)}});
  auto devices = SyntheticDirNode::Fixed("/sys/devices", {{"system", system}});
  // The sentry maps no huge pages: "never" is what the application gets,
  // and Go and Java size their heaps by it.
  auto thp = SyntheticDirNode::Fixed(
      "/sys/kernel/mm/transparent_hugepage",
      {{"enabled", Text("/sys/kernel/mm/transparent_hugepage/enabled", "always madvise [never]\n")},
       {"defrag", Text("/sys/kernel/mm/transparent_hugepage/defrag",
                       "always defer defer+madvise madvise [never]\n")},
       {"hpage_pmd_size", Text("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "2097152\n")}});
  auto mm = SyntheticDirNode::Fixed("/sys/kernel/mm", {{"transparent_hugepage", thp}});
  auto kernel_dir = SyntheticDirNode::Fixed("/sys/kernel", {{"mm", mm}});
  // Empty: the sandbox exposes no cgroup hierarchy; runtimes that look for
  // cgroup limits find none and use the machine's.
  auto cgroup = SyntheticDirNode::Fixed("/sys/fs/cgroup", {});
  auto fs_dir = SyntheticDirNode::Fixed("/sys/fs", {{"cgroup", cgroup}});
  (void)kernel;
  return SyntheticDirNode::Fixed(
      "/sys", {{"devices", devices}, {"kernel", kernel_dir}, {"fs", fs_dir}});
}

}  // namespace runsc::fs
