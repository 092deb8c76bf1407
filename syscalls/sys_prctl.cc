// prctl(2): the process attributes real programs set and read (the task's
// name, parent-death signal, dumpable, no_new_privs, subreaper, keepcaps,
// timer slack, the bounding and ambient capability sets) and the questions
// they ask (seccomp mode). Any other option is
// EINVAL, as Linux answers for options it does not know.
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <cstring>

#include "base/logging.h"
#include "syscalls/helpers.h"

namespace runsc::syscalls {
namespace {

using sentry::Task;

constexpr size_t kCommSize = 16;  // TASK_COMM_LEN, with the NUL.
using sentry::Credentials;

bool IsCapability(uint64_t cap) { return cap <= static_cast<uint64_t>(Credentials::kLastCapability); }

// For the log line about an option this sentry does not implement.
std::string OptionName(int option) {
  switch (option) {
    case PR_GET_TIMING: return "PR_GET_TIMING";
    case PR_SET_TIMING: return "PR_SET_TIMING";
    case PR_SET_SECCOMP: return "PR_SET_SECCOMP";
    case PR_GET_TSC: return "PR_GET_TSC";
    case PR_SET_TSC: return "PR_SET_TSC";
    case PR_GET_SECUREBITS: return "PR_GET_SECUREBITS";
    case PR_SET_SECUREBITS: return "PR_SET_SECUREBITS";
    case PR_MCE_KILL: return "PR_MCE_KILL";
    case PR_MCE_KILL_GET: return "PR_MCE_KILL_GET";
    case PR_SET_MM: return "PR_SET_MM";
    case PR_SET_PTRACER: return "PR_SET_PTRACER";
    case PR_GET_TID_ADDRESS: return "PR_GET_TID_ADDRESS";
    case PR_SET_THP_DISABLE: return "PR_SET_THP_DISABLE";
    case PR_GET_THP_DISABLE: return "PR_GET_THP_DISABLE";
    case PR_SET_SPECULATION_CTRL: return "PR_SET_SPECULATION_CTRL";
    case PR_GET_SPECULATION_CTRL: return "PR_GET_SPECULATION_CTRL";
    case PR_SET_VMA: return "PR_SET_VMA";
    default: return absl::StrCat("option ", option);
  }
}

// PR_SET_NAME: at most 15 bytes are read (strncpy_from_user); a longer
// name is cut, an unreadable one is EFAULT.
SyscallResult SetName(Task& t, uint64_t addr) {
  absl::StatusOr<std::string> name = t.mm->CopyInString(addr, kCommSize - 1);
  if (!name.ok() && ErrnoOf(name.status()) == ENAMETOOLONG) {
    // No NUL in the first 15 bytes, which were readable: they are the name.
    std::string raw(kCommSize - 1, '\0');
    RUNSC_RETURN_IF_ERROR(
        t.mm->CopyIn(addr, absl::MakeSpan(reinterpret_cast<uint8_t*>(raw.data()), raw.size())));
    name = std::move(raw);
  }
  if (!name.ok()) return FromStatus(name.status());
  std::string comm = name->substr(0, std::min(name->find('\0'), kCommSize - 1));
  absl::MutexLock lock(&t.kernel().mu);
  t.comm = std::move(comm);
  return SyscallResult::Value(0);
}

SyscallResult GetName(Task& t, uint64_t addr) {
  char comm[kCommSize] = {};
  {
    absl::MutexLock lock(&t.kernel().mu);
    std::strncpy(comm, t.comm.c_str(), kCommSize - 1);
  }
  RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(addr, comm));
  return SyscallResult::Value(0);
}

// PR_CAPBSET_DROP: takes CAP_SETPCAP (checked before the number, as Linux
// does); the capability can never come back to this task or its children.
SyscallResult DropFromBoundingSet(Task& t, uint64_t cap) {
  if (!t.creds.HasCapability(CAP_SETPCAP)) return SyscallResult::Error(EPERM);
  if (!IsCapability(cap)) return SyscallResult::Error(EINVAL);
  t.creds.cap_bounding &= ~(uint64_t{1} << cap);
  return SyscallResult::Value(0);
}

// PR_CAP_AMBIENT: the ambient set (capabilities(7)), which a non-root
// program keeps across execve. Raising needs the capability permitted and
// inheritable; the unused arguments must be 0.
SyscallResult Ambient(Task& t, const SyscallArgs& a) {
  Credentials& c = t.creds;
  if (a[1] == PR_CAP_AMBIENT_CLEAR_ALL) {
    if (a[2] != 0 || a[3] != 0 || a[4] != 0) return SyscallResult::Error(EINVAL);
    c.cap_ambient = 0;
    return SyscallResult::Value(0);
  }
  if (!IsCapability(a[2]) || a[3] != 0 || a[4] != 0) return SyscallResult::Error(EINVAL);
  const uint64_t bit = uint64_t{1} << a[2];
  switch (a[1]) {
    case PR_CAP_AMBIENT_IS_SET:
      return SyscallResult::Value((c.cap_ambient & bit) != 0 ? 1 : 0);
    case PR_CAP_AMBIENT_RAISE:
      if ((c.cap_permitted & bit) == 0 || (c.cap_inheritable & bit) == 0) {
        return SyscallResult::Error(EPERM);
      }
      c.cap_ambient |= bit;
      return SyscallResult::Value(0);
    case PR_CAP_AMBIENT_LOWER:
      c.cap_ambient &= ~bit;
      return SyscallResult::Value(0);
    default:
      return SyscallResult::Error(EINVAL);
  }
}

// prctl(option, arg2, arg3, arg4, arg5)
SyscallResult Prctl(Task& t, const SyscallArgs& a) {
  const int option = static_cast<int>(a[0]);
  sentry::Kernel& k = t.kernel();
  switch (option) {
    case PR_SET_NAME:
      return SetName(t, a[1]);
    case PR_GET_NAME:
      return GetName(t, a[1]);
    case PR_SET_PDEATHSIG: {
      if (a[1] > static_cast<uint64_t>(sentry::kMaxSignal)) return SyscallResult::Error(EINVAL);
      absl::MutexLock lock(&k.mu);
      t.leader().pdeath_signal = static_cast<int>(a[1]);  // Sent to the process.
      return SyscallResult::Value(0);
    }
    case PR_GET_PDEATHSIG: {
      int32_t sig;
      {
        absl::MutexLock lock(&k.mu);
        sig = t.leader().pdeath_signal;
      }
      RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[1], sig));
      return SyscallResult::Value(0);
    }
    case PR_GET_DUMPABLE:
      return SyscallResult::Value(t.mm->dumpable());
    case PR_SET_DUMPABLE:
      // SUID_DUMP_DISABLE or SUID_DUMP_USER; 2 (root-only dumps) is for the
      // administrator's fs.suid_dumpable, not for prctl.
      if (a[1] != 0 && a[1] != 1) return SyscallResult::Error(EINVAL);
      t.mm->set_dumpable(static_cast<int>(a[1]));
      return SyscallResult::Value(0);
    case PR_SET_NO_NEW_PRIVS: {
      if (a[1] != 1 || a[2] != 0 || a[3] != 0 || a[4] != 0) return SyscallResult::Error(EINVAL);
      absl::MutexLock lock(&k.mu);
      t.no_new_privs = true;
      return SyscallResult::Value(0);
    }
    case PR_GET_NO_NEW_PRIVS: {
      if (a[1] != 0 || a[2] != 0 || a[3] != 0 || a[4] != 0) return SyscallResult::Error(EINVAL);
      absl::MutexLock lock(&k.mu);
      return SyscallResult::Value(t.no_new_privs ? 1 : 0);
    }
    case PR_GET_SECCOMP:
      // No filter can be installed in the sandbox (PR_SET_SECCOMP and
      // seccomp(2) are not implemented): the mode is SECCOMP_MODE_DISABLED.
      return SyscallResult::Value(0);
    case PR_SET_CHILD_SUBREAPER: {
      absl::MutexLock lock(&k.mu);
      t.leader().child_subreaper = a[1] != 0;  // A property of the process.
      return SyscallResult::Value(0);
    }
    case PR_GET_CHILD_SUBREAPER: {
      int32_t subreaper;
      {
        absl::MutexLock lock(&k.mu);
        subreaper = t.leader().child_subreaper ? 1 : 0;
      }
      RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[1], subreaper));
      return SyscallResult::Value(0);
    }
    case PR_CAPBSET_READ:
      if (!IsCapability(a[1])) return SyscallResult::Error(EINVAL);
      return SyscallResult::Value((t.creds.cap_bounding >> a[1]) & 1);
    case PR_CAPBSET_DROP:
      return DropFromBoundingSet(t, a[1]);
    case PR_CAP_AMBIENT:
      return Ambient(t, a);
    case PR_GET_KEEPCAPS:
      return SyscallResult::Value(t.keep_caps ? 1 : 0);
    case PR_SET_KEEPCAPS:
      // SECBIT_KEEP_CAPS: what the uid calls consult when root gives up
      // its uids; execve clears it.
      if (a[1] > 1) return SyscallResult::Error(EINVAL);
      t.keep_caps = a[1] == 1;
      return SyscallResult::Value(0);
    case PR_GET_TIMERSLACK:
      return SyscallResult::Value(static_cast<int64_t>(t.timer_slack_ns));
    case PR_SET_TIMERSLACK:
      // Stored and reported; the sentry's timers do not coalesce.
      t.timer_slack_ns = a[1] == 0 ? t.default_timer_slack_ns : a[1];
      return SyscallResult::Value(0);
    default:
      LogDebug("prctl ", OptionName(option), " is not supported: returning EINVAL");
      return SyscallResult::Error(EINVAL);
  }
}

}  // namespace

void RegisterPrctl(SyscallTable& t) {
  t[SYS_prctl] = {"prctl", Prctl, Support::kPartial,
                  "NAME, PDEATHSIG, DUMPABLE, NO_NEW_PRIVS, CHILD_SUBREAPER, KEEPCAPS and "
                  "TIMERSLACK (stored), GET_SECCOMP (0), CAPBSET_READ/DROP, CAP_AMBIENT; other options "
                  "give EINVAL"};
}

}  // namespace runsc::syscalls
