#include "base/errno_status.h"

#include <cerrno>

#include "gtest/gtest.h"

namespace runsc {
namespace {

TEST(ErrnoStatus, CarriesTheErrno) {
  absl::Status s = ErrnoError(ENOTDIR, "walk");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(ErrnoOf(s), ENOTDIR);
  EXPECT_EQ(s.message(), "walk");
}

TEST(ErrnoStatus, OkIsZeroAndForeignStatusUsesFallback) {
  EXPECT_EQ(ErrnoOf(absl::OkStatus()), 0);
  EXPECT_EQ(ErrnoOf(absl::InternalError("x")), EIO);
  EXPECT_EQ(ErrnoOf(absl::InternalError("x"), EINVAL), EINVAL);
}

TEST(ErrnoStatus, HostErrorReadsErrno) {
  errno = EBADF;
  absl::Status s = HostError("close");
  EXPECT_EQ(ErrnoOf(s), EBADF);
  EXPECT_NE(s.message().find("close"), std::string::npos);
}

}  // namespace
}  // namespace runsc
