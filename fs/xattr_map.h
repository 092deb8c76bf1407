// The extended attributes of one inode of a sentry filesystem (tmpfs),
// kept in memory, as Linux's simple_xattrs: the trusted.* and user.*
// namespaces (user.* as on tmpfs since Linux 6.6). security.* and system.*
// are EOPNOTSUPP: nothing in the sentry would act on an LSM label, a file
// capability or an ACL stored there, so accepting them would only pretend.
//
// Bounded so that an application cannot grow the sentry without limit
// through one inode: values up to XATTR_SIZE_MAX, names up to
// XATTR_NAME_MAX, and at most kMaxBytes of names and values together
// (ENOSPC past it, as tmpfs when its inode space is spent). Not
// thread-safe: the filesystem's lock guards it.
#ifndef RUNSC_FS_XATTR_MAP_H_
#define RUNSC_FS_XATTR_MAP_H_

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace runsc::fs {

class XattrMap {
 public:
  // Names and values together, per inode.
  static constexpr size_t kMaxBytes = 1 << 20;

  // ENODATA if there is no `name`; EOPNOTSUPP for a namespace not kept;
  // EINVAL for a bare prefix ("user.").
  absl::StatusOr<std::string> Get(const std::string& name) const;
  // `flags`: XATTR_CREATE (EEXIST if present), XATTR_REPLACE (ENODATA if not).
  absl::Status Set(const std::string& name, const std::string& value, int flags);
  absl::Status Remove(const std::string& name);
  // Every name, in the order they were first set (as Linux's tmpfs lists).
  std::vector<std::string> List() const;

 private:
  // EOPNOTSUPP/EINVAL as above, or E2BIG for a value or name over the limits.
  static absl::Status CheckName(const std::string& name);
  std::vector<std::pair<std::string, std::string>>::iterator Find(const std::string& name);
  std::vector<std::pair<std::string, std::string>>::const_iterator Find(
      const std::string& name) const;

  // Few per inode: a vector keeps the order and is small.
  std::vector<std::pair<std::string, std::string>> entries_;
  size_t bytes_ = 0;
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_XATTR_MAP_H_
