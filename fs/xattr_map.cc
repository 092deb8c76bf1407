#include "fs/xattr_map.h"

#include <sys/xattr.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "base/errno_status.h"
#include "fs/xattr.h"

namespace runsc::fs {

absl::Status XattrMap::CheckName(const std::string& name) {
  for (const char* prefix : {"user.", "trusted."}) {
    if (!absl::StartsWith(name, prefix)) continue;
    // xattr_resolve_name(): a handler's prefix alone names nothing.
    if (name.size() == std::char_traits<char>::length(prefix)) {
      return ErrnoError(EINVAL, "xattr name is only a namespace prefix");
    }
    if (name.size() > kXattrNameMax) return ErrnoError(ERANGE, "xattr name too long");
    return absl::OkStatus();
  }
  return ErrnoError(EOPNOTSUPP, "tmpfs keeps user.* and trusted.* extended attributes only");
}

std::vector<std::pair<std::string, std::string>>::iterator XattrMap::Find(
    const std::string& name) {
  return std::find_if(entries_.begin(), entries_.end(),
                      [&](const auto& entry) { return entry.first == name; });
}

std::vector<std::pair<std::string, std::string>>::const_iterator XattrMap::Find(
    const std::string& name) const {
  return std::find_if(entries_.begin(), entries_.end(),
                      [&](const auto& entry) { return entry.first == name; });
}

absl::StatusOr<std::string> XattrMap::Get(const std::string& name) const {
  if (absl::Status s = CheckName(name); !s.ok()) return s;
  auto it = Find(name);
  if (it == entries_.end()) return ErrnoError(ENODATA, "no such extended attribute");
  return it->second;
}

absl::Status XattrMap::Set(const std::string& name, const std::string& value, int flags) {
  if (absl::Status s = CheckName(name); !s.ok()) return s;
  if (value.size() > kXattrSizeMax) return ErrnoError(E2BIG, "xattr value larger than 64 KiB");
  auto it = Find(name);
  if (it != entries_.end() && (flags & XATTR_CREATE)) {
    return ErrnoError(EEXIST, "XATTR_CREATE of an attribute that exists");
  }
  if (it == entries_.end() && (flags & XATTR_REPLACE)) {
    return ErrnoError(ENODATA, "XATTR_REPLACE of an attribute that does not exist");
  }
  const size_t old_size = it == entries_.end() ? 0 : name.size() + it->second.size();
  const size_t new_bytes = bytes_ - old_size + name.size() + value.size();
  if (new_bytes > kMaxBytes) return ErrnoError(ENOSPC, "no room for more extended attributes");
  if (it == entries_.end()) {
    entries_.emplace_back(name, value);
  } else {
    it->second = value;
  }
  bytes_ = new_bytes;
  return absl::OkStatus();
}

absl::Status XattrMap::Remove(const std::string& name) {
  if (absl::Status s = CheckName(name); !s.ok()) return s;
  auto it = Find(name);
  if (it == entries_.end()) return ErrnoError(ENODATA, "no such extended attribute");
  bytes_ -= it->first.size() + it->second.size();
  entries_.erase(it);
  return absl::OkStatus();
}

std::vector<std::string> XattrMap::List() const {
  std::vector<std::string> names;
  names.reserve(entries_.size());
  for (const auto& [name, value] : entries_) names.push_back(name);
  return names;
}

}  // namespace runsc::fs
