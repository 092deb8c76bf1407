#include "sentry/kernel/credentials.h"

namespace runsc::sentry {

void Credentials::ResetTo(uint32_t new_uid, uint32_t new_gid) {
  uid = euid = suid = fsuid = new_uid;
  gid = egid = sgid = fsgid = new_gid;
  cap_effective = cap_permitted = new_uid == 0 ? kAllCapabilities : 0;
  cap_inheritable = 0;
  cap_bounding = kAllCapabilities;
  cap_ambient = 0;
}

void Credentials::InstallCapabilities(const CapabilitySets& sets) {
  cap_bounding = sets.bounding & kAllCapabilities;
  cap_permitted = sets.permitted & kAllCapabilities;
  cap_effective = sets.effective & cap_permitted;
  // capset keeps the inheritable set within the bounding set (runc drops
  // the bounding set first).
  cap_inheritable = sets.inheritable & cap_bounding;
  // PR_CAP_AMBIENT_RAISE needs the capability permitted and inheritable;
  // runc skips the others.
  cap_ambient = sets.ambient & cap_permitted & cap_inheritable;
}

void Credentials::TransformForExecve(bool setid_file, bool no_new_privs) {
  if (setid_file) cap_ambient = 0;
  const bool root = uid == 0 || euid == 0;
  // No file capabilities: the file's permitted and inheritable sets are
  // empty, except that for root they count as full (and its effective bit
  // as set when the euid is 0).
  uint64_t permitted = root ? (cap_bounding | cap_inheritable) : 0;
  // LSM_UNSAFE_NO_NEW_PRIVS: what would be gained is cut to what was had.
  if (no_new_privs) permitted &= cap_permitted;
  permitted |= cap_ambient;
  cap_permitted = permitted & kAllCapabilities;
  cap_effective = euid == 0 ? cap_permitted : cap_ambient;
  suid = euid;
  fsuid = euid;
  sgid = egid;
  fsgid = egid;
}

}  // namespace runsc::sentry
