#include "fs/xattr.h"

#include <linux/capability.h>

#include "absl/strings/match.h"
#include "base/errno_status.h"
#include "fs/file_access.h"
#include "fs/fsnotify.h"

namespace runsc::fs {
namespace {

absl::Status Permitted(sentry::Task& task, const XattrTarget& target, const std::string& name,
                       int want) {
  return FileAccess::Of(target.st).CheckXattr(task.creds, name, want);
}

absl::Status NoFilesystem() {
  return ErrnoError(EOPNOTSUPP, "a file of no filesystem keeps no extended attributes");
}

void Changed(const XattrTarget& target) {
  if (target.dentry != nullptr) NotifyXattrChange(*target.dentry);
}

}  // namespace

absl::StatusOr<std::string> GetXattr(sentry::Task& task, const XattrTarget& target,
                                     const std::string& name) {
  if (absl::Status s = Permitted(task, target, name, kMayRead); !s.ok()) return s;
  if (target.node == nullptr) return NoFilesystem();
  return target.node->GetXattr(name);
}

absl::Status SetXattr(sentry::Task& task, const XattrTarget& target, const std::string& name,
                      const std::string& value, int flags) {
  if (absl::Status s = Permitted(task, target, name, kMayWrite); !s.ok()) return s;
  if (target.node == nullptr) return NoFilesystem();
  if (absl::Status s = target.node->SetXattr(name, value, flags); !s.ok()) return s;
  Changed(target);
  return absl::OkStatus();
}

absl::StatusOr<std::string> ListXattr(sentry::Task& task, const XattrTarget& target) {
  if (target.node == nullptr) return std::string();
  absl::StatusOr<std::vector<std::string>> names = target.node->ListXattr();
  if (!names.ok()) return names.status();
  // As simple_xattr_list(): trusted.* names are not even shown to who
  // could not read them.
  const bool trusted = task.creds.HasCapability(CAP_SYS_ADMIN);
  std::string out;
  for (const std::string& name : *names) {
    if (!trusted && absl::StartsWith(name, "trusted.")) continue;
    out.append(name);
    out.push_back('\0');
  }
  return out;
}

absl::Status RemoveXattr(sentry::Task& task, const XattrTarget& target, const std::string& name) {
  if (absl::Status s = Permitted(task, target, name, kMayWrite); !s.ok()) return s;
  if (target.node == nullptr) return NoFilesystem();
  if (absl::Status s = target.node->RemoveXattr(name); !s.ok()) return s;
  Changed(target);
  return absl::OkStatus();
}

}  // namespace runsc::fs
