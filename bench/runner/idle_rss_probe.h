// idle_rss: what an idle container costs in host memory. A container running
// busybox `sleep 1000` is created and started with the runtime's own
// commands (`create --pid-file`, `start`), then every process the runtime
// left on the host is summed (Pss, process_memory.h): for runsc the sentry,
// the gofer and the stubs; for runc the container's processes. Then the
// container is killed and deleted, whatever happened.
//
// Which processes those are is not guessed from names: runsc-bench makes
// itself a child subreaper (PR_SET_CHILD_SUBREAPER) while the container
// exists, so every process the runtime's `create` started and left behind
// is re-parented to it, and its live descendants are exactly the
// container's processes. The pid-file pid must be one of them.
#ifndef RUNSC_BENCH_RUNNER_IDLE_RSS_PROBE_H_
#define RUNSC_BENCH_RUNNER_IDLE_RSS_PROBE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/runner/bench_results.h"

namespace runsc::bench {

class IdleRssProbe {
 public:
  // `runtime` is an available OCI runtime; `rootfs` holds /bin/sleep;
  // bundles, state and logs go under `work_dir`. Each runtime command may
  // take `timeout`. `settle` is how long the container idles before it is
  // measured.
  IdleRssProbe(RuntimeSpec runtime, std::string rootfs, std::string work_dir,
               absl::Duration timeout, absl::Duration settle = absl::Seconds(1))
      : runtime_(std::move(runtime)),
        rootfs_(std::move(rootfs)),
        work_dir_(std::move(work_dir)),
        timeout_(timeout),
        settle_(settle) {}

  // MB (10^6 bytes), with the processes counted in `detail`. Errors say
  // which step failed and what the runtime printed.
  [[nodiscard]] absl::StatusOr<Measurement> Measure();

 private:
  // `<runtime> --root <state> args...`; an error unless it exited 0.
  absl::Status Runtime(const std::string& state, const std::vector<std::string>& args,
                       std::string* stdout_text = nullptr);
  absl::StatusOr<Measurement> MeasureCreated(const std::string& bundle, const std::string& state,
                                             const std::string& id, const std::string& pid_file);

  RuntimeSpec runtime_;
  std::string rootfs_;
  std::string work_dir_;
  absl::Duration timeout_;
  absl::Duration settle_;
};

}  // namespace runsc::bench

#endif  // RUNSC_BENCH_RUNNER_IDLE_RSS_PROBE_H_
