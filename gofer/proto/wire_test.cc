#include "gofer/proto/wire.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "base/errno_status.h"
#include "gtest/gtest.h"

namespace runsc::gofer {
namespace {

TEST(CheckNameComponentTest, AcceptsOrdinaryNames) {
  for (std::string name : {std::string("a"), std::string("file.txt"), std::string("..."),
                           std::string(".hidden"), std::string("a b"), std::string("\xff\xfe"),
                           std::string(255, 'x')}) {
    EXPECT_TRUE(CheckNameComponent(name).ok()) << name;
  }
}

TEST(CheckNameComponentTest, RefusesWhatIsNotOneComponent) {
  for (std::string name : {std::string(""), std::string("."), std::string(".."), std::string("a/b"),
                           std::string("/"), std::string("a/"), std::string("\0", 1),
                           std::string("a\0b", 3)}) {
    EXPECT_EQ(ErrnoOf(CheckNameComponent(name)), EINVAL) << "name of size " << name.size();
  }
  EXPECT_EQ(ErrnoOf(CheckNameComponent(std::string(256, 'x'))), ENAMETOOLONG);
}

TEST(CheckXattrNameTest, ServesUserNamesOnly) {
  for (std::string name : {std::string("user.a"), std::string("user.mime_type"),
                           std::string("user.\xff"), "user." + std::string(250, 'x')}) {
    EXPECT_TRUE(CheckXattrName(name).ok()) << name;
  }
  // The security line: well-formed, refused.
  for (const char* name : {"security.capability", "security.selinux", "trusted.overlay.opaque",
                           "system.posix_acl_access", "system.posix_acl_default", "User.a",
                           "user", "other.x"}) {
    EXPECT_EQ(ErrnoOf(CheckXattrName(name)), EOPNOTSUPP) << name;
  }
  // Malformed.
  for (std::string name : {std::string(), std::string("user."), std::string("user.a\0b", 8),
                           std::string("security.capability\0", 20),
                           "user." + std::string(251, 'x')}) {
    EXPECT_EQ(ErrnoOf(CheckXattrName(name)), EINVAL) << "name of size " << name.size();
  }
}

class PacketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
    a_.reset(fds[0]);
    b_.reset(fds[1]);
  }
  UniqueFd a_, b_;
  std::vector<char> buffer_ = std::vector<char>(kMaxMessageSize);
};

TEST_F(PacketTest, MessageWithFd) {
  UniqueFd file(open("/dev/null", O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(SendPacket(a_.get(), "hello", file.get()).ok());
  absl::StatusOr<ReceivedPacket> p = ReceivePacket(b_.get(), absl::MakeSpan(buffer_));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_FALSE(p->hung_up);
  EXPECT_EQ(std::string(buffer_.data(), p->size), "hello");
  ASSERT_EQ(p->fds.size(), 1u);
  struct stat got, want;
  ASSERT_EQ(fstat(p->fds[0].get(), &got), 0);
  ASSERT_EQ(fstat(file.get(), &want), 0);
  EXPECT_EQ(got.st_ino, want.st_ino);
  EXPECT_EQ(fcntl(p->fds[0].get(), F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
}

TEST_F(PacketTest, EmptyMessageIsNotHangUp) {
  ASSERT_TRUE(SendPacket(a_.get(), "").ok());
  absl::StatusOr<ReceivedPacket> p = ReceivePacket(b_.get(), absl::MakeSpan(buffer_));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_FALSE(p->hung_up);
  EXPECT_EQ(p->size, 0u);
}

TEST_F(PacketTest, HangUp) {
  a_.reset();
  absl::StatusOr<ReceivedPacket> p = ReceivePacket(b_.get(), absl::MakeSpan(buffer_));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->hung_up);
  EXPECT_EQ(ErrnoOf(SendPacket(b_.get(), "x")), EPIPE);
}

TEST_F(PacketTest, OversizedMessageIsTruncated) {
  std::string big(kMaxMessageSize + 100, 'x');
  ASSERT_TRUE(SendPacket(a_.get(), big).ok());
  ASSERT_TRUE(SendPacket(a_.get(), "next").ok());
  absl::StatusOr<ReceivedPacket> p = ReceivePacket(b_.get(), absl::MakeSpan(buffer_));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->truncated);
  // The tail is gone, not read as the next message.
  p = ReceivePacket(b_.get(), absl::MakeSpan(buffer_));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_FALSE(p->truncated);
  EXPECT_EQ(std::string(buffer_.data(), p->size), "next");
}

}  // namespace
}  // namespace runsc::gofer
