#include "runsc/sandbox/process_identity.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/errno_status.h"
#include "base/unique_fd.h"

namespace runsc::sandbox {
namespace {

// Field numbers (1-based, proc(5)) after the command name: state is field 3,
// starttime field 22.
constexpr size_t kStateField = 3;
constexpr size_t kStartTimeField = 22;

}  // namespace

absl::StatusOr<ProcStat> ParseProcStat(std::string_view text) {
  size_t paren = text.rfind(')');
  if (paren == std::string_view::npos) {
    return absl::InvalidArgumentError("malformed /proc/<pid>/stat: no ')'");
  }
  absl::string_view rest(text.data() + paren + 1, text.size() - paren - 1);
  std::vector<absl::string_view> fields = absl::StrSplit(rest, ' ', absl::SkipEmpty());
  // fields[0] is field 3.
  if (fields.size() < kStartTimeField - 2) {
    return absl::InvalidArgumentError("malformed /proc/<pid>/stat: too few fields");
  }
  ProcStat stat;
  absl::string_view state = fields[kStateField - 3];
  if (state.size() != 1) return absl::InvalidArgumentError("malformed /proc/<pid>/stat: state");
  stat.state = state[0];
  if (!absl::SimpleAtoi(fields[kStartTimeField - 3], &stat.start_time)) {
    return absl::InvalidArgumentError("malformed /proc/<pid>/stat: starttime");
  }
  return stat;
}

namespace {

absl::StatusOr<ProcStat> ReadProcStat(pid_t pid) {
  std::string path = absl::StrCat("/proc/", pid, "/stat");
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT || errno == ESRCH) {
      return absl::NotFoundError(absl::StrCat("no process ", pid));
    }
    return HostError(absl::StrCat("open ", path));
  }
  char buf[1024];
  ssize_t n;
  do {
    n = read(fd.get(), buf, sizeof(buf));
  } while (n < 0 && errno == EINTR);
  // ESRCH: the process went away between open and read.
  if (n < 0 && errno == ESRCH) return absl::NotFoundError(absl::StrCat("no process ", pid));
  if (n < 0) return HostError(absl::StrCat("read ", path));
  return ParseProcStat(std::string_view(buf, n));
}

}  // namespace

absl::StatusOr<ProcessIdentity> IdentifyProcess(pid_t pid) {
  if (pid <= 0) return absl::InvalidArgumentError(absl::StrCat("invalid pid ", pid));
  absl::StatusOr<ProcStat> stat = ReadProcStat(pid);
  if (!stat.ok()) return stat.status();
  return ProcessIdentity{pid, stat->start_time};
}

bool IsLive(const ProcessIdentity& process) {
  if (process.pid <= 0) return false;
  absl::StatusOr<ProcStat> stat = ReadProcStat(process.pid);
  if (!stat.ok()) return false;
  return stat->start_time == process.start_time && stat->state != 'Z' && stat->state != 'X';
}

}  // namespace runsc::sandbox
