// Small things every client test (containerd, podman, docker) needs.
#ifndef RUNSC_TEST_E2E_CLIENT_TOOLS_H_
#define RUNSC_TEST_E2E_CLIENT_TOOLS_H_

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "test/e2e/test_bundle.h"

namespace runsc::testing {

// The sentry's uname release: output carrying it proves the command ran
// inside runsc, not on the host.
inline constexpr char kSentryRelease[] = "6.0.0-runsc";

inline bool Executable(const char* path) { return access(path, X_OK) == 0; }

// build/runsc as an absolute path: clients run it from their own cwd.
inline std::string AbsoluteRunsc() {
  char resolved[PATH_MAX];
  return realpath(RunscBinary().c_str(), resolved) != nullptr ? resolved : RunscBinary();
}

inline absl::Status WriteTextFile(const std::string& path, const std::string& text) {
  FILE* f = fopen(path.c_str(), "w");
  if (f == nullptr) return absl::InternalError("cannot write " + path);
  fputs(text.c_str(), f);
  return fclose(f) == 0 ? absl::OkStatus() : absl::InternalError("cannot write " + path);
}

// `head` followed by every list of `tails`.
inline std::vector<std::string> Concat(std::vector<std::string> head,
                                       std::initializer_list<std::vector<std::string>> tails) {
  for (const auto& tail : tails) head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

}  // namespace runsc::testing

#endif  // RUNSC_TEST_E2E_CLIENT_TOOLS_H_
