// Allocates and touches memory 1 MiB at a time until the kernel says no:
// for the memory-limit test. Prints "hog: <N> MiB" as it goes (every 16
// MiB) and "hog: ENOMEM after <N> MiB" if an mmap fails; if the memory
// cgroup's OOM killer takes the sandbox instead, nothing more is printed.
// Stops by itself at argv[1] MiB (default 4096) either way.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char** argv) {
  const long max_mib = argc > 1 ? atol(argv[1]) : 4096;
  const size_t chunk = 1 << 20;
  for (long mib = 0; mib < max_mib; ++mib) {
    char* p = mmap(NULL, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      printf("hog: ENOMEM after %ld MiB (%s)\n", mib, strerror(errno));
      fflush(stdout);
      return 0;
    }
    // Touch every page: only resident memory counts against the limit.
    for (size_t off = 0; off < chunk; off += 4096) p[off] = (char)off;
    if (mib % 16 == 0) {
      printf("hog: %ld MiB\n", mib);
      fflush(stdout);
    }
  }
  printf("hog: reached %ld MiB without a limit\n", max_mib);
  return 0;
}
