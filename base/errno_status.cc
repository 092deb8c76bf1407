#include "base/errno_status.h"

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace runsc {
namespace {

constexpr absl::string_view kErrnoPayloadUrl = "runsc/errno";

absl::StatusCode CodeForErrno(int err) {
  switch (err) {
    case ENOENT: return absl::StatusCode::kNotFound;
    case EEXIST: return absl::StatusCode::kAlreadyExists;
    case EPERM:
    case EACCES: return absl::StatusCode::kPermissionDenied;
    case EINVAL:
    case EFAULT:
    case EBADF:
    case ENOTDIR:
    case EISDIR:
    case ENAMETOOLONG:
    case ELOOP: return absl::StatusCode::kInvalidArgument;
    case ENOSYS: return absl::StatusCode::kUnimplemented;
    case ENOMEM:
    case ENOSPC:
    case EMFILE:
    case ENFILE: return absl::StatusCode::kResourceExhausted;
    case EAGAIN: return absl::StatusCode::kUnavailable;
    case EINTR: return absl::StatusCode::kAborted;
    default: return absl::StatusCode::kUnknown;
  }
}

}  // namespace

absl::Status ErrnoError(int linux_errno, absl::string_view what) {
  absl::Status status(CodeForErrno(linux_errno), what);
  status.SetPayload(kErrnoPayloadUrl, absl::Cord(absl::StrCat(linux_errno)));
  return status;
}

int ErrnoOf(const absl::Status& status, int fallback) {
  if (status.ok()) return 0;
  auto payload = status.GetPayload(kErrnoPayloadUrl);
  int err = 0;
  if (payload.has_value() && absl::SimpleAtoi(std::string(*payload), &err) && err > 0 &&
      err < 4096) {
    return err;
  }
  return fallback;
}

absl::Status HostError(absl::string_view what) {
  int err = errno;
  return ErrnoError(err, absl::StrCat(what, ": ", std::strerror(err)));
}

}  // namespace runsc
