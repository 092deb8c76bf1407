#include "bench/programs/workload_env.h"

#include <errno.h>

#include <cstdio>
#include <cstring>

namespace runsc::bench {
namespace {

constexpr char kFlag[] = "--bench_root=";
std::string g_root;  // "" for "/": paths are used as they are.

}  // namespace

bool ConsumeBenchRootFlag(int* argc, char** argv) {
  int kept = 1;
  for (int i = 1; i < *argc; ++i) {
    if (strncmp(argv[i], kFlag, sizeof kFlag - 1) != 0) {
      argv[kept++] = argv[i];
      continue;
    }
    std::string root = argv[i] + sizeof kFlag - 1;
    if (root.empty() || root[0] != '/') {
      fprintf(stderr, "%s: --bench_root must be an absolute path, not \"%s\"\n", argv[0],
              root.c_str());
      return false;
    }
    while (!root.empty() && root.back() == '/') root.pop_back();
    g_root = root;
  }
  *argc = kept;
  argv[kept] = nullptr;
  return true;
}

std::string InBenchRoot(const char* path) { return g_root + path; }

void SkipWithErrno(benchmark::State& state, const std::string& what) {
  const std::string message = what + ": " + strerror(errno);
  state.SkipWithError(message.c_str());
}

}  // namespace runsc::bench
