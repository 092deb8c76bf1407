/* The vDSO runsc maps into every application (DESIGN §4): clock_gettime,
 * gettimeofday and time computed from the TSC and the sentry's vvar page,
 * without a trap. Freestanding: no libc, no relocations, position
 * independent; built by sentry/vdso/CMakeLists.txt with vdso.lds.
 *
 * What the page cannot serve (other clocks, a disabled page, a timezone)
 * goes through a real `syscall` instruction, which the platform traps to
 * the sentry like any other: slower, never wrong. getcpu always does: the
 * sandbox's CPU numbers are virtual (syscalls/sys_sched.cc), not the host
 * CPU that rdpid would name. */
#include "sentry/vdso/vvar_layout.h"

struct kernel_timespec {
  int64_t tv_sec;
  int64_t tv_nsec;
};
struct kernel_timeval {
  int64_t tv_sec;
  int64_t tv_usec;
};

#define NR_gettimeofday 96
#define NR_time 201
#define NR_clock_gettime 228
#define NR_getcpu 309

/* The page just below the vDSO's first page (vdso.lds). Hidden, so the
 * access is RIP-relative and needs no relocation. */
extern const struct runsc_vvar runsc_vvar_page __attribute__((visibility("hidden")));

static long raw_syscall3(long nr, long a0, long a1, long a2) {
  long ret;
  __asm__ __volatile__("syscall"
                       : "=a"(ret)
                       : "a"(nr), "D"(a0), "S"(a1), "d"(a2)
                       : "rcx", "r11", "memory");
  return ret;
}

int __vdso_clock_gettime(int clock, struct kernel_timespec* ts) {
  int64_t ns;
  if (!runsc_vvar_read(&runsc_vvar_page, clock, &ns)) {
    return (int)raw_syscall3(NR_clock_gettime, clock, (long)ts, 0);
  }
  ts->tv_sec = ns / 1000000000;
  ts->tv_nsec = ns % 1000000000;
  return 0;
}

int __vdso_gettimeofday(struct kernel_timeval* tv, void* tz) {
  int64_t ns;
  if (tz != 0 || !runsc_vvar_read(&runsc_vvar_page, RUNSC_CLOCK_REALTIME, &ns)) {
    return (int)raw_syscall3(NR_gettimeofday, (long)tv, (long)tz, 0);
  }
  if (tv != 0) {
    tv->tv_sec = ns / 1000000000;
    tv->tv_usec = (ns % 1000000000) / 1000;
  }
  return 0;
}

long __vdso_time(long* t) {
  int64_t ns;
  if (!runsc_vvar_read(&runsc_vvar_page, RUNSC_CLOCK_REALTIME, &ns)) {
    return raw_syscall3(NR_time, (long)t, 0, 0);
  }
  const long secs = (long)(ns / 1000000000);
  if (t != 0) *t = secs;
  return secs;
}

long __vdso_getcpu(unsigned* cpu, unsigned* node, void* unused) {
  return raw_syscall3(NR_getcpu, (long)cpu, (long)node, (long)unused);
}

/* The unprefixed names the kernel's vDSO exports too. */
int clock_gettime(int, struct kernel_timespec*) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct kernel_timeval*, void*) __attribute__((weak, alias("__vdso_gettimeofday")));
long time(long*) __attribute__((weak, alias("__vdso_time")));
long getcpu(unsigned*, unsigned*, void*) __attribute__((weak, alias("__vdso_getcpu")));
