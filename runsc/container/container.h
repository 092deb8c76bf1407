// One container: its state directory <root>/<id>/ (state.json, lock,
// control.sock) and the lifecycle operations on it.
//
// Every state change holds the container's lock (FileLock on <root>/<id>/lock)
// for the lifetime of the Container object; Peek() reads without it, so that
// `state` and `list` never wait behind a slow create. Error messages name the
// container: container "abc" does not exist / already exists / container "abc": container not running.
#ifndef RUNSC_RUNSC_CONTAINER_CONTAINER_H_
#define RUNSC_RUNSC_CONTAINER_CONTAINER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/unique_fd.h"
#include "runsc/config/global_config.h"
#include "runsc/container/file_lock.h"
#include "runsc/container/state.h"
#include "runsc/container/state_machine.h"

namespace runsc::container {

struct CreateOptions {
  std::string id;
  std::string bundle;          // Directory with config.json.
  std::string pid_file;        // Written last, atomically; "" for none.
  // With process.terminal: where the pty master goes (runc's protocol,
  // host_console.h). "" for none: then keep_console_master must be set.
  std::string console_socket;
  // runsc run in the foreground with process.terminal and no console socket:
  // the master stays with the caller (Container::TakeConsoleMaster), which
  // relays between it and its own stdio, as runc run does.
  bool keep_console_master = false;
  int child_log_fd = -1;       // Where the sentry and gofer log; -1 for nowhere.
};

// A container and its current status, read without the lock.
struct ContainerSnapshot {
  ContainerState state;
  ContainerStatus status;  // Now, liveness included.
};

class Container {
 public:
  // runc's rule: [A-Za-z0-9_+.-], 1..255 characters, not "." or "..". The id
  // is a directory name under --root, so this also keeps it inside.
  [[nodiscard]] static absl::Status ValidateId(const std::string& id);

  // runsc create: validates the bundle, reserves the id, starts the sandbox
  // (which does not run the container's process until Start), records the
  // state as created and writes the pid file last. On failure nothing is
  // left: no state directory, no process.
  [[nodiscard]] static absl::StatusOr<Container> Create(const config::GlobalConfig& config,
                                                        const CreateOptions& options);

  // An existing container, locked until the object is destroyed.
  [[nodiscard]] static absl::StatusOr<Container> Load(const std::string& root,
                                                      const std::string& id);

  // An existing container's state and current status, without locking.
  [[nodiscard]] static absl::StatusOr<ContainerSnapshot> Peek(const std::string& root,
                                                              const std::string& id);

  // <root>/<id>: the container's state directory (control.sock is there).
  static std::string StateDir(const std::string& root, const std::string& id);

  // Ids of the containers under `root`, sorted; empty if `root` does not exist.
  [[nodiscard]] static absl::StatusOr<std::vector<std::string>> ListIds(const std::string& root);

  Container(Container&&) = default;
  Container& operator=(Container&&) = default;

  const ContainerState& state() const { return state_; }
  const std::string& dir() const { return dir_; }

  // The status now: the recorded one, unless the sentry or the gofer has
  // died since (then stopped). Checks the sentry's pid and start time, so a reused pid
  // does not look like a live sentry.
  ContainerStatus status() const;

  // created -> running: lets the container's process run.
  [[nodiscard]] absl::Status Start();

  // Sends `signo` to the container's init (`all`: every process of it).
  // Allowed while created or running. SIGKILL still works when the sentry
  // does not answer on its control socket: it is then sent to the sentry.
  [[nodiscard]] absl::Status Signal(int signo, bool all);

  // runsc wait: blocks until the container's init exits and returns its
  // wait(2) status. Allowed while created (it waits through start), running
  // or paused. A stopped container's status was not kept (the sentry, which
  // knew it, is gone, and nobody but its parent could reap it): an error
  // says so.
  [[nodiscard]] absl::StatusOr<int> WaitForExit();

  // running -> paused: freezes the sandbox's cgroup (sentry, gofer, stubs).
  [[nodiscard]] absl::Status Pause();
  // paused -> running: thaws it.
  [[nodiscard]] absl::Status Resume();

  // runsc update: merges `changes` onto the resources the cgroup has
  // (state().resources), checks the result as a whole (memory.swap against
  // the memory.limit in force, as runc does), writes it to the cgroup and
  // records it. Allowed while created, running or paused.
  [[nodiscard]] absl::Status UpdateResources(const config::SpecResources& changes);

  // Kills the sandbox's processes if they are alive and removes the state
  // directory. A running container needs `force`. Works when the sentry has
  // died. The Container must not be used afterwards.
  [[nodiscard]] absl::Status Delete(bool force);

  // The pty master of a container created with keep_console_master (once;
  // invalid otherwise).
  UniqueFd TakeConsoleMaster() { return std::move(console_master_); }

 private:
  Container(std::string root, ContainerState state, FileLock lock);

  // Records `to` in the state file. The caller has checked the transition.
  [[nodiscard]] absl::Status Record(ContainerStatus to);

  std::string root_;
  std::string dir_;
  ContainerState state_;
  FileLock lock_;
  UniqueFd console_master_;
};

}  // namespace runsc::container

#endif  // RUNSC_RUNSC_CONTAINER_CONTAINER_H_
