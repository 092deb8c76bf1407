// Everything a client test (containerd, podman, docker) leaves on the host,
// in one place: a temporary directory for the daemon's roots, sockets,
// configs and runtime state, and a cgroup parent (`/<dir's name>`) under
// which the containers' cgroups are made.
//
// Cleanup() (also run by the destructor, so a failing test cleans up too)
// kills every process whose command line mentions the directory (shims,
// conmon, sentries, gofers), reaps them, unmounts what is mounted below it,
// removes the cgroup parent in every hierarchy and deletes the directory.
// Leftovers() says what is there before that, so tests can check that the
// client and runsc cleaned up by themselves.
#ifndef RUNSC_TEST_E2E_CLIENT_SCRATCH_H_
#define RUNSC_TEST_E2E_CLIENT_SCRATCH_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace runsc::testing {

class ClientScratch {
 public:
  // A directory /tmp/<prefix>-XXXXXX (short: unix socket paths live in it).
  // Makes the test process a child subreaper, so daemonised shims and
  // sandboxes whose parent exits are reparented to it and can be reaped.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<ClientScratch>> Create(
      absl::string_view prefix);
  ~ClientScratch() { Cleanup(); }
  ClientScratch(const ClientScratch&) = delete;
  ClientScratch& operator=(const ClientScratch&) = delete;

  const std::string& dir() const { return dir_; }
  // dir()/name
  std::string Path(absl::string_view name) const;
  // An absolute cgroup path ("/runsc-e2e-docker-Ab12Cd") for the clients'
  // --cgroup-parent; removed by Cleanup().
  const std::string& cgroup_parent() const { return cgroup_parent_; }

  // One line per live process that mentions dir(), mount below dir() and
  // container cgroup under cgroup_parent(). Empty when nothing is left.
  std::vector<std::string> Leftovers() const;
  // Leftovers() once the clients' asynchronous clean-up (conmon's exit
  // command, a shim's exit) has had up to `settle_seconds` to finish, minus
  // the items `keep` accepts.
  std::vector<std::string> SettledLeftovers(
      const std::function<bool(const std::string&)>& keep = nullptr, int settle_seconds = 20) const;

  void Cleanup();

 private:
  ClientScratch(std::string dir, std::string cgroup_parent)
      : dir_(std::move(dir)), cgroup_parent_(std::move(cgroup_parent)) {}
  std::vector<std::string> MountsBelow() const;
  // The cgroup_parent() directory in each hierarchy of /sys/fs/cgroup that has one.
  std::vector<std::string> CgroupParentDirs() const;

  std::string dir_;
  std::string cgroup_parent_;
  bool cleaned_ = false;
};

}  // namespace runsc::testing

#endif  // RUNSC_TEST_E2E_CLIENT_SCRATCH_H_
