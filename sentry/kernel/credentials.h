// A task's virtual identity: the uid/gid families, supplementary groups and
// the five capability sets of capabilities(7). Nothing of it reaches the
// host; the sentry checks every permission against it.
#ifndef RUNSC_SENTRY_KERNEL_CREDENTIALS_H_
#define RUNSC_SENTRY_KERNEL_CREDENTIALS_H_

#include <cstdint>
#include <vector>

namespace runsc::sentry {

// The capability sets a container's process is given (OCI
// process.capabilities, runsc exec --cap), bit n for capability n.
struct CapabilitySets {
  uint64_t bounding = 0, effective = 0, permitted = 0, inheritable = 0, ambient = 0;
};

struct Credentials {
  // Every capability this ABI names: CAP_CHOWN (0) .. CAP_CHECKPOINT_RESTORE (40).
  static constexpr int kLastCapability = 40;
  static constexpr uint64_t kAllCapabilities = (uint64_t{2} << kLastCapability) - 1;

  uint32_t uid = 0, euid = 0, suid = 0, fsuid = 0;
  uint32_t gid = 0, egid = 0, sgid = 0, fsgid = 0;
  std::vector<uint32_t> groups;  // Sorted, as Linux keeps them.
  // capget(2)'s sets and the bounding and ambient sets (prctl(2)). Kept
  // within the invariants Linux keeps: effective within permitted, ambient
  // within permitted and inheritable. No file capabilities exist here.
  uint64_t cap_effective = kAllCapabilities, cap_permitted = kAllCapabilities;
  uint64_t cap_inheritable = 0;
  uint64_t cap_bounding = kAllCapabilities;
  uint64_t cap_ambient = 0;

  bool HasCapability(int cap) const {
    return cap >= 0 && cap <= kLastCapability && ((cap_effective >> cap) & 1);
  }

  // For a task that starts as uid/gid with no capability sets given (boot
  // without process.capabilities): ids and fs ids, every capability for uid
  // 0 and none for anyone else, a full bounding set.
  void ResetTo(uint32_t new_uid, uint32_t new_gid);

  // Installs the sets a container's process was given, as runc's init does
  // before it execs the program (bounding set dropped first, then capset,
  // then each ambient capability raised): what capset would refuse is left
  // out, an ambient capability must be permitted and inheritable. Unknown
  // bits are ignored.
  void InstallCapabilities(const CapabilitySets& sets);

  // The capability transformation of execve(2) for a file without file
  // capabilities (capabilities(7), security/commoncap.c): root (real or
  // effective uid 0) gets the bounding set plus its inheritable set as
  // permitted, and all of it effective if its euid is 0; anyone else keeps
  // only the ambient set. `setid_file`: the file's set-user/group-ID bit
  // changed euid or egid, which clears the ambient set. `no_new_privs`
  // (prctl, OCI noNewPrivileges): nothing is gained that was not permitted
  // before. The saved ids take the effective ones.
  void TransformForExecve(bool setid_file, bool no_new_privs);
};

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_KERNEL_CREDENTIALS_H_
