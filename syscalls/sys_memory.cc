// brk, mmap and friends: carried out in the stub, recorded in the sentry.
#include <sys/mman.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include <initializer_list>
#include <optional>

#include "base/logging.h"
#include "syscalls/helpers.h"

namespace runsc::syscalls {
namespace {

using sentry::Task;

bool ValidRange(uint64_t addr, uint64_t len) {
  return len > 0 && addr + len > addr && addr + len <= platform::kMaxUserAddress;
}

// A memory syscall run by the host kernel inside the stub, whose answer
// (value or errno) is the application's.
SyscallResult InStub(Task& t, int nr, std::initializer_list<uint64_t> args) {
  absl::StatusOr<uint64_t> r =
      t.mm->address_space().MemorySyscall(nr, absl::MakeConstSpan(args.begin(), args.size()));
  if (!r.ok()) return FromStatus(r.status());
  return SyscallResult::Value(static_cast<int64_t>(*r));
}

// RLIMIT_AS for a new mapping of `len` bytes (replacing what lies at
// `addr` for MAP_FIXED).
absl::Status CheckAddressSpaceLimit(Task& t, uint64_t addr, uint64_t len, int flags) {
  return t.mm->CheckAddressSpaceLimit(
      (flags & MAP_FIXED) ? std::optional<uint64_t>(addr) : std::nullopt, len,
      t.rlimits[RLIMIT_AS].rlim_cur);
}

// brk(2) fails (returning the old break) past RLIMIT_DATA, counted from
// the heap's start as Linux's check_data_rlimit (the data segment, which
// Linux adds, is not tracked), and when growing past RLIMIT_AS.
SyscallResult Brk(Task& t, const SyscallArgs& a) {
  sentry::MemoryManager& mm = *t.mm;
  const uint64_t requested = a[0], current = mm.brk(), start = mm.brk_start();
  if (requested >= start) {
    const uint64_t data_limit = t.rlimits[RLIMIT_DATA].rlim_cur;
    if (data_limit != RLIM_INFINITY && requested - start > data_limit) {
      return SyscallResult::Value(static_cast<int64_t>(current));
    }
    const uint64_t old_top = sentry::PageRoundUp(current), new_top = sentry::PageRoundUp(requested);
    if (new_top > old_top &&
        !CheckAddressSpaceLimit(t, old_top, new_top - old_top, MAP_FIXED).ok()) {
      return SyscallResult::Value(static_cast<int64_t>(current));
    }
  }
  return SyscallResult::Value(static_cast<int64_t>(mm.Brk(requested)));
}

SyscallResult Mmap(Task& t, const SyscallArgs& a) {
  const uint64_t addr = a[0], len = a[1];
  const int prot = static_cast<int>(a[2]), flags = static_cast<int>(a[3]);
  const int fd = static_cast<int>(a[4]);
  const uint64_t off = a[5];
  if (len == 0 || (off & (sentry::kPageSize - 1))) return SyscallResult::Error(EINVAL);
  // A length that rounds up past the end of the address space: Linux's
  // PAGE_ALIGN wraps to 0 and mmap answers ENOMEM.
  if (sentry::PageRoundUp(len) < len || len > platform::kMaxUserAddress) {
    return SyscallResult::Error(ENOMEM);
  }
  if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && (addr & (sentry::kPageSize - 1))) {
    return SyscallResult::Error(EINVAL);
  }
  constexpr int kAllowed = MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_GROWSDOWN |
                           MAP_DENYWRITE | MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE |
                           MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_FIXED_NOREPLACE |
                           MAP_SHARED_VALIDATE;
  if (flags & ~kAllowed) return SyscallResult::Error(EINVAL);
  int host_fd = -1;
  std::string name;
  if (!(flags & MAP_ANONYMOUS)) {
    std::shared_ptr<fs::File> f = Fds(t).Get(fd);
    if (!f) return SyscallResult::Error(EBADF);
    host_fd = f->HostFd();
    // /dev/zero maps as anonymous memory, private or shared, as in Linux
    // (whose maps show a shared one as "/dev/zero (deleted)").
    absl::StatusOr<struct stat> st = host_fd < 0 ? f->Stat() : absl::StatusOr<struct stat>();
    if (host_fd < 0 && st.ok() && S_ISCHR(st->st_mode) && st->st_rdev == makedev(1, 5)) {
      RUNSC_RETURN_IF_ERROR(CheckAddressSpaceLimit(t, addr, len, flags));
      absl::StatusOr<uint64_t> at =
          t.mm->Map(addr, len, prot, flags | MAP_ANONYMOUS, -1, 0,
                    (flags & MAP_SHARED) ? "/dev/zero (deleted)" : "");
      if (!at.ok()) return FromStatus(at.status());
      return SyscallResult::Value(static_cast<int64_t>(*at));
    }
    if (host_fd < 0) return SyscallResult::Error(ENODEV);
    if ((flags & MAP_SHARED) && (prot & PROT_WRITE) && (f->flags() & O_ACCMODE) != O_RDWR) {
      return SyscallResult::Error(EACCES);
    }
    name = f->Path();
  }
  RUNSC_RETURN_IF_ERROR(CheckAddressSpaceLimit(t, addr, len, flags));
  absl::StatusOr<uint64_t> at = t.mm->Map(addr, len, prot, flags, host_fd, off, name);
  if (!at.ok()) return FromStatus(at.status());
  return SyscallResult::Value(static_cast<int64_t>(*at));
}

SyscallResult Munmap(Task& t, const SyscallArgs& a) {
  if ((a[0] & (sentry::kPageSize - 1)) || !ValidRange(a[0], a[1])) return SyscallResult::Error(EINVAL);
  return FromStatus(t.mm->Unmap(a[0], a[1]));
}

SyscallResult Mprotect(Task& t, const SyscallArgs& a) {
  if (a[0] & (sentry::kPageSize - 1)) return SyscallResult::Error(EINVAL);
  if (a[1] == 0) return SyscallResult::Value(0);
  if (!ValidRange(a[0], a[1])) return SyscallResult::Error(ENOMEM);
  return FromStatus(t.mm->Protect(a[0], a[1], static_cast<int>(a[2])));
}

// Every advice goes to the host kernel in the stub, which answers as Linux
// does: EINVAL for unknown advice or MADV_REMOVE of private memory, ENOMEM
// for unmapped ranges. MADV_DONTFORK/WIPEONFORK take effect because fork
// is a host fork of the stub (DESIGN §3).
SyscallResult Madvise(Task& t, const SyscallArgs& a) {
  return InStub(t, SYS_madvise, {a[0], a[1], a[2]});
}

// mremap(2): the host checks the arguments and moves the pages; the memory
// manager records the result for /proc/self/maps and shared futexes.
SyscallResult Mremap(Task& t, const SyscallArgs& a) {
  const int flags = static_cast<int>(a[3]);
  // RLIMIT_AS counts what the remap adds: the growth, or all of the new
  // range when MREMAP_DONTUNMAP keeps the old one.
  const uint64_t old_size = sentry::PageRoundUp(a[1]), new_size = sentry::PageRoundUp(a[2]);
  const uint64_t added = (flags & MREMAP_DONTUNMAP) ? new_size
                         : new_size > old_size      ? new_size - old_size
                                                    : 0;
  if (added > 0) RUNSC_RETURN_IF_ERROR(CheckAddressSpaceLimit(t, 0, added, 0));
  absl::StatusOr<uint64_t> at = t.mm->Remap(a[0], a[1], a[2], flags, a[4]);
  if (!at.ok()) return FromStatus(at.status());
  return SyscallResult::Value(static_cast<int64_t>(*at));
}

// msync(2): a shared file mapping is the donated host file itself, so the
// host's msync in the stub writes it back (MS_SYNC) and checks the flags
// and the range (EINVAL, ENOMEM) as Linux does.
SyscallResult Msync(Task& t, const SyscallArgs& a) {
  return InStub(t, SYS_msync, {a[0], a[1], a[2]});
}

// mincore(2): the host writes the residency vector straight into the
// application's memory, so a bad vector pointer is the host's EFAULT.
SyscallResult Mincore(Task& t, const SyscallArgs& a) {
  return InStub(t, SYS_mincore, {a[0], a[1], a[2]});
}

}  // namespace

void RegisterMemory(SyscallTable& t) {
  t[SYS_brk] = {"brk", Brk, Support::kFull, ""};
  t[SYS_mmap] = {"mmap", Mmap, Support::kPartial, "file mappings need a host-backed file"};
  t[SYS_munmap] = {"munmap", Munmap, Support::kFull, ""};
  t[SYS_mprotect] = {"mprotect", Mprotect, Support::kFull, ""};
  t[SYS_madvise] = {"madvise", Madvise, Support::kFull, "carried out by the host in the stub"};
  t[SYS_mremap] = {"mremap", Mremap, Support::kFull,
                   "moved by the host in the stub; MAYMOVE, FIXED, DONTUNMAP"};
  t[SYS_msync] = {"msync", Msync, Support::kFull, "the host's msync of the mapped host file"};
  t[SYS_mincore] = {"mincore", Mincore, Support::kFull, "the host's residency of the stub's pages"};
}

}  // namespace runsc::syscalls
