#!/bin/bash
# Link launcher of the runsc binary (RULE_LAUNCH_LINK, runsc/CMakeLists.txt):
# runs the link command it is given with Abseil, protobuf and libseccomp
# swapped for their static archives, and libstdc++ and libgcc static too.
#
# Why: runsc execs itself twice per sandbox (gofer, sentry), on top of the
# runsc command itself. Linked against ~40 shared libraries, each of those
# execs spent 7.0 ms of CPU in ld.so's symbol binding and the kernel's mmaps
# (perf stat of `runsc --version`); static, 1.9 ms. The distribution's
# CMake packages only name the shared libraries, hence the swap here, for
# this one target (tests link as before).
set -euo pipefail
args=()
swapped=0
for arg in "$@"; do
  case "$arg" in
    */libabsl_*.so*|*/libprotobuf.so*|*/libseccomp.so*)
      archive="${arg%%.so*}.a"
      if [[ -f "$archive" ]]; then
        # One group around every archive: Abseil's own order among its many
        # small libraries then cannot leave a symbol unresolved.
        if (( swapped == 0 )); then args+=("-Wl,--start-group"); fi
        swapped=1
        args+=("$archive")
        continue
      fi
      ;;
  esac
  args+=("$arg")
done
if (( swapped )); then
  # What the shared libraries brought in through their own DT_NEEDED.
  args+=("-Wl,--end-group" "-lz" "-pthread")
fi
exec "${args[@]}" -static-libstdc++ -static-libgcc
