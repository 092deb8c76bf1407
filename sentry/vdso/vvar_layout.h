/* The vvar page: clock parameters the sentry publishes and the vDSO reads.
 *
 * Shared by the freestanding vDSO (C, sentry/vdso/vdso.c) and the sentry
 * (C++, VvarClock), so both compute the same time from the same TSC
 * reading with the same code: an application that mixes vDSO calls with
 * trapped clock_gettime syscalls never sees time go backwards.
 *
 * The page is a sealed memfd (F_SEAL_FUTURE_WRITE): the sentry writes it
 * through the mapping it made before sealing; applications can map it only
 * read-only, and mprotect(PROT_WRITE) of their mapping fails.
 *
 * Time of a clock: CLOCK_MONOTONIC from the TSC (below), plus a per-clock
 * offset for REALTIME and BOOTTIME. Updates are a seqlock: `seq` is odd
 * while the sentry rewrites the fields. */
#ifndef RUNSC_SENTRY_VDSO_VVAR_LAYOUT_H_
#define RUNSC_SENTRY_VDSO_VVAR_LAYOUT_H_

#ifdef __cplusplus
#include <cstddef>
#include <cstdint>
#else
#include <stddef.h>
#include <stdint.h>
#endif

#define RUNSC_VVAR_MAGIC 0x72766172u /* "rvar" */

/* Linux clock ids (uapi/linux/time.h), spelled out: the vDSO includes no libc. */
#define RUNSC_CLOCK_REALTIME 0
#define RUNSC_CLOCK_MONOTONIC 1
#define RUNSC_CLOCK_REALTIME_COARSE 5
#define RUNSC_CLOCK_MONOTONIC_COARSE 6
#define RUNSC_CLOCK_BOOTTIME 7

/* One piece of the clock: mono_ns = mono_base_ns + ((tsc - tsc_base) * mult) >> 32. */
struct runsc_vvar_segment {
  uint64_t tsc_base;    /* TSC at which mono_base_ns holds. */
  uint64_t mult;        /* Nanoseconds per TSC cycle, times 2^32. */
  int64_t mono_base_ns; /* CLOCK_MONOTONIC at tsc_base. */
};

/* The clock is piecewise linear: `before` until the TSC reaches
 * `switch_tsc`, `after` from then on, and both give the same time at
 * switch_tsc. The sentry publishes a new piece ahead of the switch, so a
 * reader that saw the old parameters and one that sees the new agree on
 * every TSC value read before the switch: a change of rate never makes
 * time step back, however long the sentry takes to publish it. */
struct runsc_vvar {
  uint32_t magic;
  uint32_t seq;     /* Odd while the sentry is writing. */
  uint32_t enabled; /* 0: the vDSO makes the real syscall instead. */
  uint32_t pad;
  uint64_t switch_tsc;
  struct runsc_vvar_segment before, after;
  int64_t realtime_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC. */
  int64_t boottime_offset_ns; /* CLOCK_BOOTTIME - CLOCK_MONOTONIC. */
};

/* The layout is an ABI between two separately built programs. */
#ifdef __cplusplus
static_assert(offsetof(runsc_vvar, seq) == 4);
static_assert(offsetof(runsc_vvar, enabled) == 8);
static_assert(offsetof(runsc_vvar, switch_tsc) == 16);
static_assert(offsetof(runsc_vvar, before) == 24);
static_assert(offsetof(runsc_vvar, after) == 48);
static_assert(offsetof(runsc_vvar, realtime_offset_ns) == 72);
static_assert(offsetof(runsc_vvar, boottime_offset_ns) == 80);
static_assert(sizeof(runsc_vvar) == 88);
#else
_Static_assert(offsetof(struct runsc_vvar, boottime_offset_ns) == 80, "vvar layout");
_Static_assert(sizeof(struct runsc_vvar) == 88, "vvar layout");
#endif

/* rdtsc after lfence, so the read is not hoisted above the seqlock load
 * (the kernel's rdtsc_ordered). */
static inline uint64_t runsc_rdtsc_ordered(void) {
  uint32_t lo, hi;
  __asm__ __volatile__("lfence\n\trdtsc" : "=a"(lo), "=d"(hi)::"memory");
  return ((uint64_t)hi << 32) | lo;
}

/* Monotonic nanoseconds at `tsc` on one segment. The delta is signed:
 * another CPU's TSC may read a little behind the base. */
static inline int64_t runsc_vvar_segment_at(const struct runsc_vvar_segment* seg, uint64_t tsc) {
  const int64_t delta = (int64_t)(tsc - seg->tsc_base);
  return seg->mono_base_ns + (int64_t)(((__int128)delta * (__int128)seg->mult) >> 32);
}

/* Reads `clock` in nanoseconds. Returns 0 when the page cannot serve it
 * (disabled, or a clock it does not keep): the caller makes the syscall. */
static inline int runsc_vvar_read(const struct runsc_vvar* v, int clock, int64_t* ns) {
  int which; /* 0 monotonic, 1 realtime, 2 boottime. */
  switch (clock) {
    /* Not the coarse clocks: they must be the host's, the clock the host
     * stamps file times with (a gofer file's ctime after a utimensat must
     * not be before a CLOCK_REALTIME_COARSE read made before it), and that
     * is the time of the last tick, which this page cannot know. They
     * trap, and the sentry reads the host's. */
    case RUNSC_CLOCK_MONOTONIC: which = 0; break;
    case RUNSC_CLOCK_REALTIME: which = 1; break;
    case RUNSC_CLOCK_BOOTTIME: which = 2; break;
    default: return 0;
  }
  for (;;) {
    const uint32_t seq = __atomic_load_n(&v->seq, __ATOMIC_ACQUIRE);
    if (seq & 1) {
      __asm__ __volatile__("pause");
      continue;
    }
    const uint32_t enabled = __atomic_load_n(&v->enabled, __ATOMIC_RELAXED);
    const uint64_t switch_tsc = __atomic_load_n(&v->switch_tsc, __ATOMIC_RELAXED);
    const int64_t offset =
        which == 1 ? __atomic_load_n(&v->realtime_offset_ns, __ATOMIC_RELAXED)
                   : which == 2 ? __atomic_load_n(&v->boottime_offset_ns, __ATOMIC_RELAXED) : 0;
    const uint64_t tsc = runsc_rdtsc_ordered();
    const struct runsc_vvar_segment* src = tsc < switch_tsc ? &v->before : &v->after;
    struct runsc_vvar_segment seg;
    seg.tsc_base = __atomic_load_n(&src->tsc_base, __ATOMIC_RELAXED);
    seg.mult = __atomic_load_n(&src->mult, __ATOMIC_RELAXED);
    seg.mono_base_ns = __atomic_load_n(&src->mono_base_ns, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (__atomic_load_n(&v->seq, __ATOMIC_RELAXED) != seq) continue;
    if (!enabled) return 0;
    *ns = runsc_vvar_segment_at(&seg, tsc) + offset;
    return 1;
  }
}

#endif /* RUNSC_SENTRY_VDSO_VVAR_LAYOUT_H_ */
