#include "fs/procfs.h"

#include <dirent.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "fs/procfs_system.h"
#include "fs/procfs_task.h"
#include "fs/synthetic.h"

namespace runsc::fs {

using sentry::Kernel;
using sentry::Task;

std::shared_ptr<Node> NewProcfs(Kernel& kernel) {
  std::map<std::string, std::shared_ptr<Node>> fixed = NewProcSystemFiles(kernel);
  fixed["self"] = std::make_shared<SyntheticSymlinkNode>(
      "/proc/self", [](Task& t) -> absl::StatusOr<std::string> { return std::to_string(t.tgid()); });
  fixed["thread-self"] = std::make_shared<SyntheticSymlinkNode>(
      "/proc/thread-self", [](Task& t) -> absl::StatusOr<std::string> {
        return absl::StrCat(t.tgid(), "/task/", t.tid());
      });
  // Linux's /proc/mounts is a link to self/mounts.
  fixed["mounts"] = std::make_shared<SyntheticSymlinkNode>(
      "/proc/mounts", [](Task&) -> absl::StatusOr<std::string> { return std::string("self/mounts"); });
  auto shared = std::make_shared<decltype(fixed)>(std::move(fixed));
  return std::make_shared<SyntheticDirNode>(
      "/proc",
      [&kernel, shared](Task&) {
        std::vector<DirEntry> out;
        for (auto& [name, node] : *shared) {
          const mode_t type = node->Type();
          out.push_back({name, SyntheticIno("/proc/" + name),
                         type == S_IFLNK ? uint8_t{DT_LNK} : type == S_IFDIR ? uint8_t{DT_DIR} : uint8_t{DT_REG}});
        }
        // Processes only: threads are found by lookup and under task/.
        absl::MutexLock lock(&kernel.mu);
        kernel.ForEachTask([&](Task& t) {
          if (t.tid() == t.tgid()) {
            out.push_back({std::to_string(t.tid()), SyntheticIno(absl::StrCat("/proc/", t.tid())), DT_DIR});
          }
        });
        return out;
      },
      [&kernel, shared](Task&, const std::string& name) -> absl::StatusOr<std::shared_ptr<Node>> {
        auto it = shared->find(name);
        if (it != shared->end()) return it->second;
        int tid;
        if (absl::SimpleAtoi(name, &tid) && std::to_string(tid) == name) {
          absl::MutexLock lock(&kernel.mu);
          Task* t = FindProcTaskLocked(kernel, tid);
          if (t != nullptr) return NewProcTaskDir(kernel, t->tgid(), tid, /*thread_view=*/false);
        }
        return ErrnoError(ENOENT, "no such file in /proc");
      });
}

}  // namespace runsc::fs
