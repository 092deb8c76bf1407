#include "fs/tmpfs.h"

#include <sys/sysinfo.h>

#include <charconv>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/logging.h"
#include "fs/tmpfs_dir.h"

namespace runsc::fs {
namespace {

using tmpfs_internal::PageRoundUp;

// A size= or nr_inodes= value: a number with an optional k/m/g/t suffix, or
// (for sizes) a percentage of the machine's memory.
absl::StatusOr<uint64_t> ParseSize(const std::string& option, absl::string_view value,
                                   bool percent_allowed) {
  if (value.empty()) return absl::InvalidArgumentError(absl::StrCat("tmpfs option ", option, ": empty value"));
  uint64_t multiplier = 1;
  const char last = absl::ascii_tolower(value.back());
  bool percent = false;
  switch (last) {
    case 'k': multiplier = uint64_t{1} << 10; break;
    case 'm': multiplier = uint64_t{1} << 20; break;
    case 'g': multiplier = uint64_t{1} << 30; break;
    case 't': multiplier = uint64_t{1} << 40; break;
    case '%': percent = true; break;
    default: break;
  }
  if (multiplier != 1 || percent) value.remove_suffix(1);
  uint64_t n;
  if (!absl::SimpleAtoi(value, &n) || (percent && !percent_allowed)) {
    return absl::InvalidArgumentError(absl::StrCat("tmpfs option ", option, ": bad value"));
  }
  if (percent) {
    struct sysinfo info {};
    if (sysinfo(&info) != 0) return absl::InternalError("sysinfo for a tmpfs size in %");
    return static_cast<uint64_t>(info.totalram) * info.mem_unit / 100 * n;
  }
  if (n > std::numeric_limits<uint64_t>::max() / multiplier) {
    return absl::InvalidArgumentError(absl::StrCat("tmpfs option ", option, ": too large"));
  }
  return n * multiplier;
}

}  // namespace

absl::StatusOr<TmpfsOptions> ParseTmpfsOptions(const std::vector<std::string>& options) {
  TmpfsOptions out;
  for (const std::string& option : options) {
    const size_t eq = option.find('=');
    const std::string key = option.substr(0, eq);
    const absl::string_view value =
        eq == std::string::npos ? absl::string_view() : absl::string_view(option).substr(eq + 1);
    if (eq == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("unknown tmpfs option \"", option, "\""));
    }
    if (key == "size") {
      absl::StatusOr<uint64_t> size = ParseSize(option, value, true);
      if (!size.ok()) return size.status();
      // Linux rounds the limit up to whole pages.
      out.size_bytes = PageRoundUp(*size);
    } else if (key == "nr_inodes") {
      absl::StatusOr<uint64_t> n = ParseSize(option, value, false);
      if (!n.ok()) return n.status();
      LogDebug("tmpfs option ", option, " accepted; inode counts are not limited");
    } else if (key == "mode") {
      uint32_t mode = 0;
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), mode, 8);
      if (value.empty() || error != std::errc() || end != value.data() + value.size() ||
          mode > 07777) {
        return absl::InvalidArgumentError(absl::StrCat("tmpfs option ", option, ": bad mode"));
      }
      out.mode = mode;
    } else if (key == "uid" || key == "gid") {
      uint32_t id;
      if (!absl::SimpleAtoi(value, &id) || id == static_cast<uint32_t>(-1)) {
        return absl::InvalidArgumentError(absl::StrCat("tmpfs option ", option, ": bad id"));
      }
      (key == "uid" ? out.uid : out.gid) = id;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown tmpfs option \"", option, "\""));
    }
  }
  return out;
}

std::shared_ptr<Node> NewTmpfs(const TmpfsOptions& options) {
  auto fs = std::make_shared<tmpfs_internal::Tmpfs>(options);
  return std::make_shared<tmpfs_internal::TmpfsDir>(fs, options.mode & 07777, options.uid, options.gid, nullptr);
}

}  // namespace runsc::fs
