// An OCI bundle on disk: a directory with config.json and a root filesystem.
#ifndef RUNSC_RUNSC_CONFIG_BUNDLE_H_
#define RUNSC_RUNSC_CONFIG_BUNDLE_H_

#include <string>

#include "absl/status/statusor.h"
#include "runsc/config/spec.h"

namespace runsc::config {

struct Bundle {
  std::string dir;     // Absolute, symlinks resolved.
  std::string rootfs;  // Absolute host path of root.path, symlinks resolved.
  Spec spec;
};

// Reads <dir>/config.json, parses and validates it (ParseSpec), and checks
// that root.path (relative to the bundle unless absolute) is an existing
// directory. Errors say which file and field is wrong:
//   "bundle /b: config.json: process.args: must not be empty".
[[nodiscard]] absl::StatusOr<Bundle> LoadBundle(const std::string& dir);

}  // namespace runsc::config

#endif  // RUNSC_RUNSC_CONFIG_BUNDLE_H_
