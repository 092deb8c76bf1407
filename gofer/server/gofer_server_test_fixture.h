// The fixture the gofer server tests share: a host tree with files, a
// directory, symlinks and a FIFO, served by a real GoferServer on one end
// of a socketpair, with a real GoferClient (and a raw dup) on the other.
#ifndef RUNSC_GOFER_SERVER_GOFER_SERVER_TEST_FIXTURE_H_
#define RUNSC_GOFER_SERVER_GOFER_SERVER_TEST_FIXTURE_H_

#include "gofer/server/gofer_server.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <climits>
#include <cstdio>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/errno_status.h"
#include "gofer/client/gofer_client.h"
#include "gofer/proto/gofer.pb.h"
#include "gofer/proto/wire.h"
#include "gtest/gtest.h"

namespace runsc::gofer::server_test {

namespace fs = std::filesystem;

inline size_t CountOpenFds() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

class GoferServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = fs::path(::testing::TempDir()) / "gofer_server_test.XXXXXX";
    ASSERT_NE(mkdtemp(templ.data()), nullptr) << strerror(errno);
    root_ = templ;
    WriteFile(root_ / "hello.txt", "hello, gofer\n");
    fs::create_directory(root_ / "dir");
    WriteFile(root_ / "dir" / "inner.txt", "inner\n");
    fs::create_symlink("/etc/shadow", root_ / "shadow_link");
    fs::create_symlink("../../..", root_ / "up_link");
    fs::create_symlink("hello.txt", root_ / "hello_link");
    ASSERT_EQ(mkfifo((root_ / "fifo").c_str(), 0600), 0);
  }

  void TearDown() override {
    StopServer();
    fs::remove_all(root_);
  }

  static void WriteFile(const fs::path& path, const std::string& contents) {
    std::ofstream(path) << contents;
  }
  static std::string ReadAll(const fs::path& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  void StartServer(GoferServerOptions options = {}, std::vector<GoferMount> mounts = {}) {
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
    server_socket_.reset(fds[1]);
    raw_.reset(dup(fds[0]));
    client_.emplace(UniqueFd(fds[0]));
    UniqueFd root(open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(root.valid());
    server_.emplace(std::move(root), options, std::move(mounts));
    server_thread_ = std::thread([this] { serve_status_ = server_->Serve(server_socket_.get()); });
  }

  // Hangs up and checks the server took that as a clean end.
  void StopServer() {
    if (!server_thread_.joinable()) return;
    client_.reset();
    raw_.reset();
    server_thread_.join();
    EXPECT_TRUE(serve_status_.ok()) << serve_status_;
    server_.reset();
    server_socket_.reset();
  }

  GoferClient& client() { return *client_; }

  WalkedFile AttachOrDie() {
    absl::StatusOr<WalkedFile> root = client().Attach();
    EXPECT_TRUE(root.ok()) << root.status();
    return root.value_or(WalkedFile{});
  }

  // Sends raw bytes as one message on the client's connection and returns
  // the reply, as a hostile sentry would see it.
  proto::Response RawCall(absl::string_view bytes, int fd = -1) {
    EXPECT_TRUE(SendPacket(raw_.get(), bytes, fd).ok());
    std::vector<char> buffer(kMaxMessageSize);
    absl::StatusOr<ReceivedPacket> packet = ReceivePacket(raw_.get(), absl::MakeSpan(buffer));
    EXPECT_TRUE(packet.ok()) << packet.status();
    proto::Response response;
    if (!packet.ok()) return response;
    EXPECT_FALSE(packet->hung_up);
    EXPECT_TRUE(packet->fds.empty());
    EXPECT_TRUE(response.ParseFromArray(buffer.data(), static_cast<int>(packet->size)));
    return response;
  }

  proto::Response RawCall(const proto::Request& request) {
    return RawCall(request.SerializeAsString());
  }

  int RawWalkErrno(FileId dir, const std::string& name) {
    proto::Request request;
    request.mutable_walk()->set_dir(dir);
    request.mutable_walk()->set_name(name);
    proto::Response response = RawCall(request);
    return response.has_error() ? response.error().linux_errno() : 0;
  }

  // The server answers a valid request normally after whatever came before.
  void ExpectStillServing() {
    absl::StatusOr<WalkedFile> root = client().Attach();
    ASSERT_TRUE(root.ok()) << root.status();
    EXPECT_TRUE(client().Close(root->id).ok());
  }

  fs::path root_;
  UniqueFd server_socket_;
  UniqueFd raw_;  // A dup of the client's socket, for hand-made messages.
  std::optional<GoferClient> client_;
  std::optional<GoferServer> server_;
  std::thread server_thread_;
  absl::Status serve_status_;
};

// Bind mounts: host trees outside the root, served as further attach roots.
class GoferServerMountTest : public GoferServerTest {
 protected:
  void SetUp() override {
    GoferServerTest::SetUp();
    std::string templ = fs::path(::testing::TempDir()) / "gofer_mounts_test.XXXXXX";
    ASSERT_NE(mkdtemp(templ.data()), nullptr) << strerror(errno);
    host_ = templ;
    fs::create_directory(host_ / "rw");
    fs::create_directory(host_ / "ro");
    WriteFile(host_ / "rw" / "existing", "rw data\n");
    WriteFile(host_ / "ro" / "existing", "ro data\n");
    WriteFile(host_ / "hosts", "127.0.0.1 localhost\n");
    std::vector<GoferMount> mounts;
    mounts.push_back(DirMount(host_ / "rw", false));
    mounts.push_back(DirMount(host_ / "ro", true));
    GoferMount file{.fd = UniqueFd(open((host_ / "hosts").c_str(), O_PATH | O_CLOEXEC)),
                    .parent = UniqueFd(open(host_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)),
                    .name = "hosts",
                    .read_only = false};
    mounts.push_back(std::move(file));
    StartServer({}, std::move(mounts));
  }
  void TearDown() override {
    GoferServerTest::TearDown();
    fs::remove_all(host_);
  }
  static GoferMount DirMount(const fs::path& path, bool read_only) {
    return GoferMount{.fd = UniqueFd(open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)),
                      .read_only = read_only};
  }
  WalkedFile AttachMount(uint32_t mount) {
    absl::StatusOr<WalkedFile> attached = client().Attach(mount);
    EXPECT_TRUE(attached.ok()) << attached.status();
    return attached.value_or(WalkedFile{});
  }

  fs::path host_;
};


}  // namespace runsc::gofer::server_test

#endif  // RUNSC_GOFER_SERVER_GOFER_SERVER_TEST_FIXTURE_H_
