#include "fs/memfd.h"

#include <fcntl.h>

#include "gtest/gtest.h"

namespace runsc::fs {
namespace {

TEST(MemfdTest, FlagsAndNamesAreChecked) {
  EXPECT_EQ(ErrnoOf(NewMemfd("x", 0x1000, 0, 0).status()), EINVAL);
  EXPECT_EQ(ErrnoOf(NewMemfd("x", kMfdExec | kMfdNoexecSeal, 0, 0).status()), EINVAL);
  EXPECT_EQ(ErrnoOf(NewMemfd("x", kMfdHugetlb, 0, 0).status()), EINVAL);
  EXPECT_EQ(ErrnoOf(NewMemfd(std::string(kMemfdMaxNameLength + 1, 'n'), 0, 0, 0).status()), EINVAL);
  absl::StatusOr<std::shared_ptr<File>> f = NewMemfd(std::string(kMemfdMaxNameLength, 'n'), 0, 0, 0);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ((*f)->Path(), "/memfd:" + std::string(kMemfdMaxNameLength, 'n') + " (deleted)");
}

TEST(MemfdTest, WithoutAllowSealingOnlySealSealIsThere) {
  absl::StatusOr<std::shared_ptr<File>> f = NewMemfd("plain", 0, 0, 0);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(*(*f)->GetSeals(), F_SEAL_SEAL);
  EXPECT_EQ(ErrnoOf((*f)->AddSeals(F_SEAL_WRITE)), EPERM);
  absl::StatusOr<struct stat> st = (*f)->Stat();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->st_nlink, 0u);
  EXPECT_EQ(st->st_mode, S_IFREG | 0777);
}

TEST(MemfdTest, SealsAreEnforcedOnTruncateAndOnTheHostMemfd) {
  absl::StatusOr<std::shared_ptr<File>> f = NewMemfd("sealed", kMfdAllowSealing, 0, 0);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(*(*f)->GetSeals(), 0);
  ASSERT_TRUE((*f)->Truncate(100).ok());
  ASSERT_TRUE((*f)->AddSeals(F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE).ok());
  EXPECT_EQ(ErrnoOf((*f)->Truncate(50)), EPERM);
  EXPECT_EQ(ErrnoOf((*f)->Truncate(200)), EPERM);
  // The host memfd carries the seals too, so a mapping cannot get round them.
  EXPECT_EQ(fcntl((*f)->HostFd(), F_GET_SEALS), F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
  EXPECT_EQ(ErrnoOf((*f)->AddSeals(0x100000)), EINVAL);
}

TEST(MemfdTest, NoexecSealSetsSealExecAndDropsExecBits) {
  absl::StatusOr<std::shared_ptr<File>> f = NewMemfd("noexec", kMfdNoexecSeal, 0, 0);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(*(*f)->GetSeals(), 0x20);
  EXPECT_EQ((*f)->Stat()->st_mode, S_IFREG | 0666);
}

}  // namespace
}  // namespace runsc::fs
