// The cgroup that bounds one sandbox: sentry, gofer and every stub (DESIGN
// §1). runsc create makes it before it starts either child, each child joins
// it before it execs (so the sentry's stubs inherit it), and delete removes
// it once the processes are gone.
//
// cgroup v1 and v2 are both handled, by what the host mounts:
//   v2: <mount root>/cgroup.controllers exists; one directory, whose
//       ancestors get the controllers enabled in cgroup.subtree_control.
//   v1: one directory per hierarchy of the controllers runsc uses
//       (<mount root>/<controller>, co-mounted ones once), e.g. this host's
//       "hybrid" layout, whose cgroup2 at <mount root>/unified has no
//       controller and is not used.
//
// Paths follow runc's cgroupfs driver: an absolute linux.cgroupsPath is taken
// from the hierarchy's root; a relative one (and the default "runsc/<id>")
// from runsc's own cgroup in that hierarchy on v1, and from its parent on v2
// (where runsc's own cgroup, holding processes, may not have children with
// controllers).
#ifndef RUNSC_RUNSC_SANDBOX_CGROUP_H_
#define RUNSC_RUNSC_SANDBOX_CGROUP_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/unique_fd.h"
#include "runsc/config/spec.h"

namespace runsc::sandbox {

enum class CgroupVersion { kV1, kV2 };

// Where the host's cgroup file systems are and how to learn runsc's own
// cgroup; tests point both at a fake tree.
struct CgroupHost {
  std::string mount_root = "/sys/fs/cgroup";
  std::string self_cgroup_file = "/proc/self/cgroup";
};

class Cgroup {
 public:
  // The version the host uses at `host.mount_root`.
  [[nodiscard]] static absl::StatusOr<CgroupVersion> DetectVersion(const CgroupHost& host = {});

  // Makes the cgroup for `cgroups_path` (linux.cgroupsPath; "" for the
  // default "runsc/<container_id>") and applies `resources`. Errors name the
  // resource field that could not be applied. A leaf that already exists is
  // reused only if no process is in it. On failure nothing is left behind
  // but the intermediate directories.
  [[nodiscard]] static absl::StatusOr<Cgroup> Create(const std::string& cgroups_path,
                                                     const std::string& container_id,
                                                     const config::SpecResources& resources,
                                                     const CgroupHost& host = {});

  // The cgroup recorded in a container's state (its directories).
  static Cgroup FromDirs(std::vector<std::string> dirs) { return Cgroup(std::move(dirs)); }

  Cgroup() = default;

  // Host directories: one per v1 hierarchy, or the one v2 directory.
  const std::vector<std::string>& dirs() const { return dirs_; }

  // cgroup.procs of every directory, open for writing (close-on-exec). A
  // process joins by writing "0" (itself) to each: a child does that before
  // it execs, so that nothing it runs is ever outside the cgroup.
  [[nodiscard]] absl::StatusOr<std::vector<UniqueFd>> OpenProcsFiles() const;

  // Moves the live process `pid` in (tests and tools; children use
  // OpenProcsFiles).
  [[nodiscard]] absl::Status AddProcess(pid_t pid) const;

  // runsc update: applies `resources` to the existing directories, each as
  // what it is (a v2 directory has cgroup.controllers; a v1 one is read for
  // the controllers whose files it has). A field no directory can take is an
  // error naming it; fields applied before the error stay applied, as with
  // runc, which writes its files one by one too.
  [[nodiscard]] absl::Status Update(const config::SpecResources& resources) const;

  // Every process in the cgroup (the union over the hierarchies), sorted.
  [[nodiscard]] absl::StatusOr<std::vector<pid_t>> Processes() const;

  // runsc pause/resume: freezes (or thaws) every process in the cgroup, the
  // sentry, gofer and stubs alike, with the v1 freezer (freezer.state) or
  // v2's cgroup.freeze, and waits until the kernel says it is done.
  // Unimplemented if the cgroup has no freezer.
  [[nodiscard]] absl::Status SetFrozen(bool frozen, absl::Duration timeout = absl::Seconds(10)) const;
  // Whether the cgroup is frozen now (false without a freezer).
  bool IsFrozen() const;

  // SIGKILLs every process still in the cgroup and removes its directories,
  // retrying while the kernel reports them busy (exiting processes leave a
  // cgroup a little after they die). Directories already gone are fine.
  [[nodiscard]] absl::Status Destroy(absl::Duration timeout = absl::Seconds(5)) const;

 private:
  explicit Cgroup(std::vector<std::string> dirs) : dirs_(std::move(dirs)) {}

  std::vector<std::string> dirs_;
};

}  // namespace runsc::sandbox

#endif  // RUNSC_RUNSC_SANDBOX_CGROUP_H_
