// The OCI bundle a program runs from: config.json written from scratch as
// `runc spec` would make it (namespaces, the standard mounts, masked and
// read-only paths) but with the runner's own capabilities, root.readonly false, and either
// a rootfs of its own holding only the static binary at /<its name> plus
// empty /tmp (1777), /proc, /dev and /sys (runsc-compat), or a rootfs that
// many bundles share (runsc-bench, whose rootfs is large).
#ifndef RUNSC_TEST_SYSCALLS_RUNNER_OCI_BUNDLE_H_
#define RUNSC_TEST_SYSCALLS_RUNNER_OCI_BUNDLE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"

namespace runsc::compat {

// The environment every family binary gets, native or not: the same PATH a
// `runc spec` container has, and TEST_TMPDIR (test_util.h's TempDir) = `tmp`.
std::vector<std::string> CompatEnvironment(const std::string& tmp);

// The names of the capabilities in this process's effective set.
std::vector<std::string> OwnCapabilityNames();

// config.json running `args` (args[0] an absolute path inside the rootfs)
// with `env`, cwd "/", no terminal, as uid 0 with the capabilities the
// runner has (which a native run has too).
nlohmann::ordered_json CompatOciConfig(const std::vector<std::string>& args,
                                       const std::vector<std::string>& env);

// Creates `dir` (which must not exist) as a bundle that runs `binary` with
// `args` appended. The binary is copied into the rootfs.
[[nodiscard]] absl::Status WriteOciBundle(const std::string& dir, const std::string& binary,
                                          const std::vector<std::string>& args);

// Creates `dir` (which must not exist) holding only config.json, which runs
// `argv` (argv[0] an absolute path inside the rootfs) on `rootfs`, an
// absolute host path that is used as is (root.path is absolute; nothing is
// copied).
[[nodiscard]] absl::Status WriteOciBundleOnRootfs(const std::string& dir,
                                                  const std::string& rootfs,
                                                  const std::vector<std::string>& argv);

}  // namespace runsc::compat

#endif  // RUNSC_TEST_SYSCALLS_RUNNER_OCI_BUNDLE_H_
