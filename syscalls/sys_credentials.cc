// Credentials: the uid/gid families, supplementary groups, fs ids and the
// capability sets. All of it is the task's virtual Credentials: nothing
// reaches the host, whose sentry keeps its own identity.
//
// The rules are Linux's (kernel/sys.c, kernel/groups.c, kernel/capability.c
// and security/commoncap.c): "privileged" means CAP_SETUID (uid calls) or
// CAP_SETGID (gid calls, setgroups) in the task's effective set. Simplified
// against Linux: one user namespace, no securebits but SECBIT_KEEP_CAPS
// (prctl's PR_SET_KEEPCAPS), no file capabilities; execve applies
// capabilities(7)'s rules for files without them (Credentials).
#include <linux/capability.h>
#include <sys/syscall.h>

#include <algorithm>

#include "syscalls/helpers.h"

namespace runsc::syscalls {
namespace {

using sentry::Credentials;
using sentry::Task;

constexpr uint32_t kNoChange = static_cast<uint32_t>(-1);  // Also the invalid id.
constexpr int kNgroupsMax = 65536;
// The capabilities an fsuid of 0 brings (CAP_FS_MASK).
constexpr uint64_t kFsCapabilities =
    (uint64_t{1} << CAP_CHOWN) | (uint64_t{1} << CAP_DAC_OVERRIDE) |
    (uint64_t{1} << CAP_DAC_READ_SEARCH) | (uint64_t{1} << CAP_FOWNER) |
    (uint64_t{1} << CAP_FSETID) | (uint64_t{1} << CAP_LINUX_IMMUTABLE) |
    (uint64_t{1} << CAP_MAC_OVERRIDE) | (uint64_t{1} << CAP_MKNOD);

uint32_t Id(uint64_t arg) { return static_cast<uint32_t>(arg); }

// Linux's cap_emulate_setxuid and the fsuid fixup (commoncap.c), run after
// every change of uids: leaving root drops capabilities, returning to euid 0
// raises the permitted ones.
void FixUpCapabilities(Credentials& c, const Credentials& old, bool keep_caps) {
  const bool was_root = old.uid == 0 || old.euid == 0 || old.suid == 0;
  const bool is_root = c.uid == 0 || c.euid == 0 || c.suid == 0;
  if (was_root && !is_root) {
    if (!keep_caps) c.cap_permitted = c.cap_effective = 0;
    // Even with KEEP_CAPS: old programs expect setuid to non-root and
    // execve to drop every capability.
    c.cap_ambient = 0;
  }
  if (old.euid == 0 && c.euid != 0) c.cap_effective = 0;
  if (old.euid != 0 && c.euid == 0) c.cap_effective = c.cap_permitted;
  if (old.fsuid == 0 && c.fsuid != 0) c.cap_effective &= ~kFsCapabilities;
  if (old.fsuid != 0 && c.fsuid == 0) c.cap_effective |= c.cap_permitted & kFsCapabilities;
}

// The ids a task may take without privilege in setresuid and friends.
bool IsOneOf(uint32_t id, uint32_t a, uint32_t b, uint32_t c) { return id == a || id == b || id == c; }

SyscallResult CommitUids(Task& t, const Credentials& next) {
  const Credentials old = t.creds;
  t.creds = next;
  FixUpCapabilities(t.creds, old, t.keep_caps);
  return SyscallResult::Value(0);
}

SyscallResult Setuid(Task& t, const SyscallArgs& a) {
  const uint32_t uid = Id(a[0]);
  if (uid == kNoChange) return SyscallResult::Error(EINVAL);
  Credentials c = t.creds;
  if (c.HasCapability(CAP_SETUID)) {
    c.uid = c.suid = uid;
  } else if (uid != c.uid && uid != c.suid) {
    return SyscallResult::Error(EPERM);
  }
  c.euid = c.fsuid = uid;
  return CommitUids(t, c);
}

SyscallResult Setreuid(Task& t, const SyscallArgs& a) {
  const uint32_t r = Id(a[0]), e = Id(a[1]);
  const Credentials& old = t.creds;
  const bool privileged = old.HasCapability(CAP_SETUID);
  Credentials c = old;
  if (r != kNoChange) {
    if (!privileged && r != old.uid && r != old.euid) return SyscallResult::Error(EPERM);
    c.uid = r;
  }
  if (e != kNoChange) {
    if (!privileged && !IsOneOf(e, old.uid, old.euid, old.suid)) return SyscallResult::Error(EPERM);
    c.euid = e;
  }
  // The saved id follows the effective one whenever the real id is set or
  // the effective one becomes something other than the old real id.
  if (r != kNoChange || (e != kNoChange && e != old.uid)) c.suid = c.euid;
  c.fsuid = c.euid;
  return CommitUids(t, c);
}

SyscallResult Setresuid(Task& t, const SyscallArgs& a) {
  const uint32_t ids[3] = {Id(a[0]), Id(a[1]), Id(a[2])};
  const Credentials& old = t.creds;
  if (!old.HasCapability(CAP_SETUID)) {
    for (uint32_t id : ids) {
      if (id != kNoChange && !IsOneOf(id, old.uid, old.euid, old.suid)) {
        return SyscallResult::Error(EPERM);
      }
    }
  }
  Credentials c = old;
  if (ids[0] != kNoChange) c.uid = ids[0];
  if (ids[1] != kNoChange) c.euid = ids[1];
  if (ids[2] != kNoChange) c.suid = ids[2];
  c.fsuid = c.euid;
  return CommitUids(t, c);
}

SyscallResult Setgid(Task& t, const SyscallArgs& a) {
  const uint32_t gid = Id(a[0]);
  if (gid == kNoChange) return SyscallResult::Error(EINVAL);
  Credentials& c = t.creds;
  if (c.HasCapability(CAP_SETGID)) {
    c.gid = c.sgid = gid;
  } else if (gid != c.gid && gid != c.sgid) {
    return SyscallResult::Error(EPERM);
  }
  c.egid = c.fsgid = gid;
  return SyscallResult::Value(0);
}

SyscallResult Setregid(Task& t, const SyscallArgs& a) {
  const uint32_t r = Id(a[0]), e = Id(a[1]);
  const Credentials old = t.creds;
  const bool privileged = old.HasCapability(CAP_SETGID);
  Credentials& c = t.creds;
  if (r != kNoChange && !privileged && r != old.gid && r != old.egid) {
    return SyscallResult::Error(EPERM);
  }
  if (e != kNoChange && !privileged && !IsOneOf(e, old.gid, old.egid, old.sgid)) {
    return SyscallResult::Error(EPERM);
  }
  if (r != kNoChange) c.gid = r;
  if (e != kNoChange) c.egid = e;
  if (r != kNoChange || (e != kNoChange && e != old.gid)) c.sgid = c.egid;
  c.fsgid = c.egid;
  return SyscallResult::Value(0);
}

SyscallResult Setresgid(Task& t, const SyscallArgs& a) {
  const uint32_t ids[3] = {Id(a[0]), Id(a[1]), Id(a[2])};
  Credentials& c = t.creds;
  if (!c.HasCapability(CAP_SETGID)) {
    for (uint32_t id : ids) {
      if (id != kNoChange && !IsOneOf(id, c.gid, c.egid, c.sgid)) return SyscallResult::Error(EPERM);
    }
  }
  if (ids[0] != kNoChange) c.gid = ids[0];
  if (ids[1] != kNoChange) c.egid = ids[1];
  if (ids[2] != kNoChange) c.sgid = ids[2];
  c.fsgid = c.egid;
  return SyscallResult::Value(0);
}

// getresuid/getresgid: three 32-bit ids, each to its own pointer.
SyscallResult CopyOutIds(Task& t, const SyscallArgs& a, const uint32_t (&ids)[3]) {
  for (int i = 0; i < 3; ++i) RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[i], ids[i]));
  return SyscallResult::Value(0);
}
SyscallResult Getresuid(Task& t, const SyscallArgs& a) {
  const uint32_t ids[3] = {t.creds.uid, t.creds.euid, t.creds.suid};
  return CopyOutIds(t, a, ids);
}
SyscallResult Getresgid(Task& t, const SyscallArgs& a) {
  const uint32_t ids[3] = {t.creds.gid, t.creds.egid, t.creds.sgid};
  return CopyOutIds(t, a, ids);
}

// setfsuid/setfsgid always return the old fs id; an id the caller may not
// take (or -1) changes nothing, without an error.
SyscallResult Setfsuid(Task& t, const SyscallArgs& a) {
  const uint32_t id = Id(a[0]);
  const Credentials old = t.creds;
  if (id != kNoChange && (IsOneOf(id, old.uid, old.euid, old.suid) || id == old.fsuid ||
                          old.HasCapability(CAP_SETUID))) {
    Credentials c = old;
    c.fsuid = id;
    CommitUids(t, c);
  }
  return SyscallResult::Value(old.fsuid);
}

SyscallResult Setfsgid(Task& t, const SyscallArgs& a) {
  const uint32_t id = Id(a[0]);
  Credentials& c = t.creds;
  const uint32_t old = c.fsgid;
  if (id != kNoChange && (IsOneOf(id, c.gid, c.egid, c.sgid) || id == c.fsgid ||
                          c.HasCapability(CAP_SETGID))) {
    c.fsgid = id;
  }
  return SyscallResult::Value(old);
}

SyscallResult Getgroups(Task& t, const SyscallArgs& a) {
  const int size = static_cast<int>(a[0]);
  const std::vector<uint32_t>& g = t.creds.groups;
  if (size < 0) return SyscallResult::Error(EINVAL);
  if (size == 0) return SyscallResult::Value(static_cast<int64_t>(g.size()));
  if (static_cast<size_t>(size) < g.size()) return SyscallResult::Error(EINVAL);
  RUNSC_RETURN_IF_ERROR(t.mm->CopyOut(
      a[1], absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(g.data()), g.size() * 4)));
  return SyscallResult::Value(static_cast<int64_t>(g.size()));
}

SyscallResult Setgroups(Task& t, const SyscallArgs& a) {
  const int size = static_cast<int>(a[0]);
  if (size < 0 || size > kNgroupsMax) return SyscallResult::Error(EINVAL);
  if (!t.creds.HasCapability(CAP_SETGID)) return SyscallResult::Error(EPERM);
  std::vector<uint32_t> groups(size);
  RUNSC_RETURN_IF_ERROR(
      t.mm->CopyIn(a[1], absl::MakeSpan(reinterpret_cast<uint8_t*>(groups.data()), groups.size() * 4)));
  std::sort(groups.begin(), groups.end());
  t.creds.groups = std::move(groups);
  return SyscallResult::Value(0);
}

// The header's version names how many data structs follow: one for the
// 32-bit version 1, two for versions 2 and 3. An unknown version is EINVAL,
// and the kernel writes the version it prefers back into the header.
absl::StatusOr<int> DataStructsFor(Task& t, uint64_t header_addr, uint32_t version) {
  switch (version) {
    case _LINUX_CAPABILITY_VERSION_1: return 1;
    case _LINUX_CAPABILITY_VERSION_2:
    case _LINUX_CAPABILITY_VERSION_3: return 2;
    default: {
      const uint32_t preferred = _LINUX_CAPABILITY_VERSION_3;
      if (absl::Status s = t.mm->CopyOutObject(header_addr, preferred); !s.ok()) return s;
      return ErrnoError(EINVAL, "unknown capability version");
    }
  }
}

SyscallResult Capget(Task& t, const SyscallArgs& a) {
  __user_cap_header_struct header;
  RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(a[0], header));
  absl::StatusOr<int> structs = DataStructsFor(t, a[0], header.version);
  // With no data pointer, capget only answers which version it prefers.
  if (a[1] == 0) {
    if (structs.ok() || ErrnoOf(structs.status()) == EINVAL) return SyscallResult::Value(0);
    return FromStatus(structs.status());
  }
  if (!structs.ok()) return FromStatus(structs.status());
  if (header.pid < 0) return SyscallResult::Error(EINVAL);
  Credentials creds;
  if (header.pid == 0 || header.pid == t.tgid()) {
    creds = t.creds;
  } else {
    absl::MutexLock lock(&t.kernel().mu);
    Task* target = t.kernel().FindTask(header.pid);
    if (target == nullptr || target->zombie) return SyscallResult::Error(ESRCH);
    creds = target->creds;  // Written only by its own thread: a snapshot.
  }
  __user_cap_data_struct data[2] = {};
  for (int i = 0; i < 2; ++i) {
    data[i].effective = static_cast<uint32_t>(creds.cap_effective >> (32 * i));
    data[i].permitted = static_cast<uint32_t>(creds.cap_permitted >> (32 * i));
    data[i].inheritable = static_cast<uint32_t>(creds.cap_inheritable >> (32 * i));
  }
  RUNSC_RETURN_IF_ERROR(t.mm->CopyOut(
      a[1], absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(data), *structs * sizeof(data[0]))));
  return SyscallResult::Value(0);
}

SyscallResult Capset(Task& t, const SyscallArgs& a) {
  __user_cap_header_struct header;
  RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(a[0], header));
  absl::StatusOr<int> structs = DataStructsFor(t, a[0], header.version);
  if (!structs.ok()) return FromStatus(structs.status());
  // Only a task's own capabilities can be set.
  if (header.pid != 0 && header.pid != t.tgid()) return SyscallResult::Error(EPERM);
  __user_cap_data_struct data[2] = {};
  RUNSC_RETURN_IF_ERROR(t.mm->CopyIn(
      a[1], absl::MakeSpan(reinterpret_cast<uint8_t*>(data), *structs * sizeof(data[0]))));
  uint64_t effective = 0, permitted = 0, inheritable = 0;
  for (int i = 0; i < 2; ++i) {
    effective |= uint64_t{data[i].effective} << (32 * i);
    permitted |= uint64_t{data[i].permitted} << (32 * i);
    inheritable |= uint64_t{data[i].inheritable} << (32 * i);
  }
  const Credentials& c = t.creds;
  auto subset = [](uint64_t a, uint64_t b) { return (a & ~b) == 0; };
  // cap_capset: the inheritable set grows only within the permitted set
  // (unless CAP_SETPCAP) and the bounding set; nothing raises the permitted
  // set; the effective set stays within the permitted one.
  if (!c.HasCapability(CAP_SETPCAP) && !subset(inheritable, c.cap_inheritable | c.cap_permitted)) {
    return SyscallResult::Error(EPERM);
  }
  if (!subset(inheritable, c.cap_inheritable | c.cap_bounding) ||
      !subset(permitted, c.cap_permitted) || !subset(effective, permitted)) {
    return SyscallResult::Error(EPERM);
  }
  t.creds.cap_effective = effective;
  t.creds.cap_permitted = permitted;
  t.creds.cap_inheritable = inheritable;
  // The ambient set stays within permitted and inheritable.
  t.creds.cap_ambient &= permitted & inheritable;
  return SyscallResult::Value(0);
}

}  // namespace

void RegisterCredentials(SyscallTable& t) {
  t[SYS_setuid] = {"setuid", Setuid, Support::kFull, "virtual credentials"};
  t[SYS_setgid] = {"setgid", Setgid, Support::kFull, "virtual credentials"};
  t[SYS_setreuid] = {"setreuid", Setreuid, Support::kFull, "virtual credentials"};
  t[SYS_setregid] = {"setregid", Setregid, Support::kFull, "virtual credentials"};
  t[SYS_setresuid] = {"setresuid", Setresuid, Support::kFull, "virtual credentials"};
  t[SYS_setresgid] = {"setresgid", Setresgid, Support::kFull, "virtual credentials"};
  t[SYS_getresuid] = {"getresuid", Getresuid, Support::kFull, ""};
  t[SYS_getresgid] = {"getresgid", Getresgid, Support::kFull, ""};
  t[SYS_setfsuid] = {"setfsuid", Setfsuid, Support::kFull, ""};
  t[SYS_setfsgid] = {"setfsgid", Setfsgid, Support::kFull, ""};
  t[SYS_getgroups] = {"getgroups", Getgroups, Support::kFull, ""};
  t[SYS_setgroups] = {"setgroups", Setgroups, Support::kFull, "kept sorted"};
  t[SYS_capget] = {"capget", Capget, Support::kPartial,
                   "virtual sets (from the spec, execve's rules); no file capabilities"};
  t[SYS_capset] = {"capset", Capset, Support::kPartial,
                   "own task only; securebits other than KEEP_CAPS not modelled"};
}

}  // namespace runsc::syscalls
