// GoferMain in a forked child, as `runsc gofer` runs it: chroot into the
// root, close inherited fds, serve until hang-up.
#include "gofer/server/gofer_main.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/errno_status.h"
#include "gofer/client/gofer_client.h"
#include "gtest/gtest.h"

namespace runsc::gofer {
namespace {

namespace fs = std::filesystem;

class GoferMainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "chroot needs root";
    std::string templ = fs::path(::testing::TempDir()) / "gofer_main_test.XXXXXX";
    ASSERT_NE(mkdtemp(templ.data()), nullptr) << strerror(errno);
    root_ = templ;
    std::ofstream(root_ / "file.txt") << "contents";
  }

  void TearDown() override {
    // A test that did not wait has hung up by now (its client is gone).
    if (pid_ > 0) waitpid(pid_, nullptr, 0);
    if (!root_.empty()) fs::remove_all(root_);
  }

  // Forks a child running GoferMain(options) on one end of a new socketpair
  // and returns the other end. An fd the child inherits without asking for it
  // (`decoy`) must be closed by GoferMain.
  UniqueFd StartGofer(GoferOptions options) {
    int fds[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
    pid_ = fork();
    if (pid_ == 0) {
      close(fds[0]);
      [[maybe_unused]] int decoy = open("/dev/null", O_RDONLY);
      options.socket_fd = fds[1];
      _exit(GoferMain(options));
    }
    close(fds[1]);
    return UniqueFd(fds[0]);
  }

  int WaitExitCode() {
    int status = 0;
    EXPECT_EQ(waitpid(pid_, &status, 0), pid_);
    pid_ = -1;
    EXPECT_TRUE(WIFEXITED(status)) << status;
    return WEXITSTATUS(status);
  }

  fs::path root_;
  pid_t pid_ = -1;
};

TEST_F(GoferMainTest, ServesTheChrootedRootUntilHangUp) {
  GoferClient client(StartGofer(GoferOptions{.root = root_.string()}));
  absl::StatusOr<WalkedFile> root = client.Attach();
  ASSERT_TRUE(root.ok()) << root.status();
  // The gofer's root is the container root, and (before any walk) it holds
  // only the socket, the log fd and the root: nothing inherited.
  std::string proc = absl::StrCat("/proc/", pid_);
  EXPECT_EQ(fs::read_symlink(proc + "/root"), fs::canonical(root_));
  std::set<std::string> fds;
  for (const auto& entry : fs::directory_iterator(proc + "/fd")) {
    fds.insert(entry.path().filename());
  }
  EXPECT_EQ(fds.size(), 3u) << "fds: " << ::testing::PrintToString(fds);
  EXPECT_TRUE(fds.count("2"));

  absl::StatusOr<WalkedFile> file = client.Walk(root->id, "file.txt");
  ASSERT_TRUE(file.ok()) << file.status();
  absl::StatusOr<UniqueFd> fd = client.Open(file->id, O_RDONLY);
  ASSERT_TRUE(fd.ok()) << fd.status();
  char buf[16];
  EXPECT_EQ(read(fd->get(), buf, sizeof(buf)), 8);
}

TEST_F(GoferMainTest, HangUpEndsWithExitZero) {
  { GoferClient client(StartGofer(GoferOptions{.root = root_.string()})); }
  EXPECT_EQ(WaitExitCode(), 0);
}

TEST_F(GoferMainTest, ReadOnlyOptionReachesTheServer) {
  {
    GoferClient client(StartGofer(GoferOptions{.root = root_.string(), .read_only = true}));
    absl::StatusOr<WalkedFile> root = client.Attach();
    ASSERT_TRUE(root.ok()) << root.status();
    absl::StatusOr<WalkedFile> file = client.Walk(root->id, "file.txt");
    ASSERT_TRUE(file.ok()) << file.status();
    EXPECT_EQ(ErrnoOf(client.Open(file->id, O_WRONLY).status()), EROFS);
  }
  EXPECT_EQ(WaitExitCode(), 0);
}

TEST_F(GoferMainTest, MissingRootIsASetUpError) {
  UniqueFd socket = StartGofer(GoferOptions{.root = (root_ / "missing").string()});
  EXPECT_EQ(WaitExitCode(), 1);
}

}  // namespace
}  // namespace runsc::gofer
