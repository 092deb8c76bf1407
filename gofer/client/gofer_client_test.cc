// GoferClient against a scripted fake gofer: every reply a broken or hostile
// gofer could send must become EIO, with no fd leaked. (The client against
// the real server is covered in gofer/server/gofer_server_test.cc.)
#include "gofer/client/gofer_client.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/errno_status.h"
#include "gofer/proto/gofer.pb.h"
#include "gofer/proto/wire.h"
#include "gtest/gtest.h"

namespace runsc::gofer {
namespace {

size_t CountOpenFds() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

// Sends `bytes` with every fd in `fds` attached.
void SendWithFds(int socket, const std::string& bytes, const std::vector<int>& fds) {
  iovec iov = {.iov_base = const_cast<char*>(bytes.data()), .iov_len = bytes.size()};
  std::vector<char> control(CMSG_SPACE(sizeof(int) * std::max<size_t>(fds.size(), 1)));
  msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (!fds.empty()) {
    msg.msg_control = control.data();
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  ASSERT_EQ(sendmsg(socket, &msg, MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
}

std::string MakeStatReply() {
  proto::Response response;
  response.mutable_stat()->mutable_stat()->set_mode(0100644);
  return response.SerializeAsString();
}
std::string MakeWalkReply() {
  proto::Response response;
  response.mutable_walk()->set_id(5);
  return response.SerializeAsString();
}
std::string MakeOpenReply() {
  proto::Response response;
  response.mutable_open();
  return response.SerializeAsString();
}
std::string MakeErrorReply(int err) {
  proto::Response response;
  response.mutable_error()->set_linux_errno(err);
  return response.SerializeAsString();
}

class GoferClientTest : public ::testing::Test {
 protected:
  // What the fake gofer does with one request: returns the reply bytes and
  // the fds to attach.
  struct Answer {
    std::string bytes;
    std::vector<int> fds;
  };
  using Script = std::function<Answer(const proto::Request&)>;

  void SetUp() override {
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
    client_.emplace(UniqueFd(fds[0]));
    gofer_.reset(fds[1]);
    null_.reset(open("/dev/null", O_RDONLY | O_CLOEXEC));
  }

  void TearDown() override {
    if (fake_.joinable()) fake_.join();
  }

  // Starts a fake gofer that answers the next `count` requests with `script`.
  void Serve(Script script, int count = 1) {
    fake_ = std::thread([this, script = std::move(script), count] {
      std::vector<char> buffer(kMaxMessageSize);
      for (int i = 0; i < count; ++i) {
        absl::StatusOr<ReceivedPacket> packet = ReceivePacket(gofer_.get(), absl::MakeSpan(buffer));
        if (!packet.ok() || packet->hung_up) return;
        proto::Request request;
        EXPECT_TRUE(request.ParseFromArray(buffer.data(), static_cast<int>(packet->size)));
        Answer answer = script(request);
        SendWithFds(gofer_.get(), answer.bytes, answer.fds);
      }
    });
  }

  static Answer Respond(const proto::Response& response, std::vector<int> fds = {}) {
    return Answer{response.SerializeAsString(), std::move(fds)};
  }

  GoferClient& client() { return *client_; }

  std::optional<GoferClient> client_;
  UniqueFd gofer_;
  UniqueFd null_;  // An fd for the fake gofer to donate.
  std::thread fake_;
};

TEST_F(GoferClientTest, WellFormedRepliesPassThrough) {
  Serve([](const proto::Request& request) {
    EXPECT_EQ(request.op_case(), proto::Request::kStat);
    EXPECT_EQ(request.stat().id(), 7u);
    return Answer{MakeStatReply(), {}};
  });
  absl::StatusOr<FileStat> st = client().Stat(7);
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->mode, 0100644u);
}

TEST_F(GoferClientTest, CountsEveryRequestSentButNotOnesRefusedBeforeSending) {
  Serve([](const proto::Request&) { return Answer{MakeStatReply(), {}}; }, /*count=*/2);
  EXPECT_EQ(client().RequestsSent(), 0u);
  ASSERT_TRUE(client().Stat(7).ok());
  ASSERT_TRUE(client().Stat(8).ok());
  EXPECT_EQ(client().RequestsSent(), 2u);
  EXPECT_EQ(ErrnoOf(client().Walk(1, "a/b").status()), EINVAL);
  EXPECT_EQ(client().RequestsSent(), 2u);
}

TEST_F(GoferClientTest, ErrnoRepliesBecomeThatErrno) {
  Serve([](const proto::Request&) {
    proto::Response response;
    response.mutable_error()->set_linux_errno(ENOENT);
    response.mutable_error()->set_message("no such file");
    return Respond(response);
  });
  EXPECT_EQ(ErrnoOf(client().Stat(1).status()), ENOENT);
}

TEST_F(GoferClientTest, OpenReceivesTheDonatedFd) {
  Serve([this](const proto::Request& request) {
    EXPECT_EQ(request.open().flags(), O_RDONLY);
    proto::Response response;
    response.mutable_open();
    return Respond(response, {null_.get()});
  });
  absl::StatusOr<UniqueFd> fd = client().Open(3, O_RDONLY);
  ASSERT_TRUE(fd.ok()) << fd.status();
  EXPECT_TRUE(fd->valid());
  EXPECT_EQ(fcntl(fd->get(), F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
}

TEST_F(GoferClientTest, BadNamesAreRefusedBeforeSending) {
  // No fake gofer: a request reaching the socket would hang the test.
  for (std::string name : {std::string(""), std::string("."), std::string(".."),
                           std::string("a/b"), std::string("\0", 1)}) {
    EXPECT_EQ(ErrnoOf(client().Walk(1, name).status()), EINVAL);
  }
}

struct BadReply {
  const char* what;
  std::function<std::string()> bytes;
  int fds;  // How many copies of an fd to attach.
  bool open;  // Send an Open request (expects one fd) rather than Stat.
};

class GoferClientBadReplyTest : public GoferClientTest,
                                public ::testing::WithParamInterface<BadReply> {};

TEST_P(GoferClientBadReplyTest, IsEioAndLeaksNoFd) {
  const BadReply& bad = GetParam();
  size_t before = CountOpenFds();
  Serve([&](const proto::Request&) {
    Answer answer{bad.bytes(), {}};
    for (int i = 0; i < bad.fds; ++i) answer.fds.push_back(null_.get());
    return answer;
  });
  absl::Status status = bad.open ? client().Open(1, O_RDONLY).status() : client().Stat(1).status();
  EXPECT_EQ(ErrnoOf(status), EIO) << status;
  fake_.join();
  EXPECT_EQ(CountOpenFds(), before);
}

INSTANTIATE_TEST_SUITE_P(
    HostileGofer, GoferClientBadReplyTest,
    ::testing::Values(
        BadReply{"garbage", [] { return std::string("\xff\xff\xff"); }, 0, false},
        BadReply{"no_result", [] { return std::string(); }, 0, false},
        BadReply{"wrong_kind", MakeWalkReply, 0, false},
        BadReply{"stat_with_fd", MakeStatReply, 1, false},
        BadReply{"error_with_fd", [] { return MakeErrorReply(ENOENT); }, 1, false},
        BadReply{"errno_zero", [] { return MakeErrorReply(0); }, 0, false},
        BadReply{"errno_huge", [] { return MakeErrorReply(100000); }, 0, false},
        BadReply{"oversized", [] { return std::string(kMaxMessageSize + 1, 'x'); }, 0, false},
        BadReply{"open_without_fd", MakeOpenReply, 0, true},
        BadReply{"open_with_two_fds", MakeOpenReply, 2, true},
        BadReply{"open_with_many_fds", MakeOpenReply, 20, true}),
    [](const ::testing::TestParamInfo<BadReply>& info) { return std::string(info.param.what); });

TEST_F(GoferClientTest, ReadDirLoopsOverPages) {
  Serve(
      [](const proto::Request& request) {
        proto::Response response;
        proto::ReadDirResponse* page = response.mutable_read_dir();
        uint64_t cookie = request.read_dir().cookie();
        page->add_entries()->set_name(cookie == 0 ? "first" : "second");
        page->set_next_cookie(cookie + 1);
        page->set_end(cookie == 1);
        return Respond(response);
      },
      2);
  absl::StatusOr<std::vector<DirEntry>> entries = client().ReadDir(1);
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].name, "first");
  EXPECT_EQ((*entries)[1].name, "second");
}

TEST_F(GoferClientTest, ReadDirPageWithoutProgressIsEio) {
  Serve([](const proto::Request&) {
    proto::Response response;
    response.mutable_read_dir()->set_end(false);
    return Respond(response);
  });
  EXPECT_EQ(ErrnoOf(client().ReadDir(1).status()), EIO);
}

TEST_F(GoferClientTest, ReadDirEntryWithBadNameIsEio) {
  Serve([](const proto::Request&) {
    proto::Response response;
    response.mutable_read_dir()->add_entries()->set_name("../escape");
    response.mutable_read_dir()->set_end(true);
    return Respond(response);
  });
  EXPECT_EQ(ErrnoOf(client().ReadDir(1).status()), EIO);
}

TEST_F(GoferClientTest, HangUpIsEioAndStaysBroken) {
  gofer_.reset();
  EXPECT_EQ(ErrnoOf(client().Stat(1).status()), EIO);
  EXPECT_EQ(ErrnoOf(client().Attach().status()), EIO);
}

TEST_F(GoferClientTest, CreateRequestCarriesItsFieldsAndTakesTheFd) {
  Serve([this](const proto::Request& request) {
    EXPECT_EQ(request.op_case(), proto::Request::kCreate);
    EXPECT_EQ(request.create().dir(), 3u);
    EXPECT_EQ(request.create().name(), "new");
    EXPECT_EQ(request.create().flags(), O_RDWR);
    EXPECT_EQ(request.create().mode(), 0640u);
    proto::Response response;
    response.mutable_create()->set_id(9);
    response.mutable_create()->mutable_stat()->set_mode(S_IFREG | 0640);
    return Respond(response, {null_.get()});
  });
  absl::StatusOr<CreatedFile> created = client().Create(3, "new", O_RDWR, 0640);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->file.id, 9u);
  EXPECT_TRUE(created->fd.valid());
}

TEST_F(GoferClientTest, CreateReplyWithoutAnFdOrWithIdZeroIsEio) {
  Serve(
      [](const proto::Request&) {
        proto::Response response;
        response.mutable_create()->set_id(9);
        return Respond(response);
      },
      1);
  EXPECT_EQ(ErrnoOf(client().Create(3, "new", O_RDWR, 0600).status()), EIO);
  fake_.join();
  const size_t before = CountOpenFds();
  Serve([this](const proto::Request&) {
    proto::Response response;
    response.mutable_create();  // id 0.
    return Respond(response, {null_.get()});
  });
  EXPECT_EQ(ErrnoOf(client().Create(3, "new", O_RDWR, 0600).status()), EIO);
  fake_.join();
  EXPECT_EQ(CountOpenFds(), before);
}

TEST_F(GoferClientTest, MutationsWithBadNamesAreRefusedBeforeSending) {
  // No fake gofer runs: a request that went out would hang here.
  for (const char* name : {"", ".", "..", "a/b"}) {
    EXPECT_EQ(ErrnoOf(client().Create(1, name, O_RDWR, 0600).status()), EINVAL) << name;
    EXPECT_EQ(ErrnoOf(client().Mkdir(1, name, 0700).status()), EINVAL) << name;
    EXPECT_EQ(ErrnoOf(client().Mknod(1, name, S_IFIFO | 0600).status()), EINVAL) << name;
    EXPECT_EQ(ErrnoOf(client().Symlink(1, name, "t").status()), EINVAL) << name;
    EXPECT_EQ(ErrnoOf(client().Link(2, 1, name).status()), EINVAL) << name;
    EXPECT_EQ(ErrnoOf(client().Unlink(1, name, 0)), EINVAL) << name;
    EXPECT_EQ(ErrnoOf(client().Rename(1, name, 1, "x", 0)), EINVAL) << name;
    EXPECT_EQ(ErrnoOf(client().Rename(1, "x", 1, name, 0)), EINVAL) << name;
  }
}

TEST_F(GoferClientTest, MutationRepliesForTheWrongOperationOrWithAnFdAreEio) {
  Serve([this](const proto::Request&) { return Answer{MakeStatReply(), {}}; }, 3);
  EXPECT_EQ(ErrnoOf(client().Mkdir(1, "d", 0700).status()), EIO);
  // A reply for the wrong operation is refused but keeps the connection in step.
  EXPECT_EQ(ErrnoOf(client().Unlink(1, "d", 0)), EIO);
  EXPECT_EQ(ErrnoOf(client().StatFs(1).status()), EIO);
  fake_.join();
  Serve([this](const proto::Request&) {
    proto::Response response;
    response.mutable_unlink();
    return Respond(response, {null_.get()});
  });
  EXPECT_EQ(ErrnoOf(client().Unlink(1, "d", 0)), EIO);
}

TEST_F(GoferClientTest, SetAttrSendsOnlyWhatIsSet) {
  Serve([](const proto::Request& request) {
    EXPECT_EQ(request.op_case(), proto::Request::kSetAttr);
    EXPECT_EQ(request.set_attr().valid(), proto::SET_ATTR_MODE | proto::SET_ATTR_TIMES);
    EXPECT_EQ(request.set_attr().mode(), 0600u);
    EXPECT_EQ(request.set_attr().atime_nsec(), UTIME_NOW);
    EXPECT_EQ(request.set_attr().mtime_nsec(), UTIME_OMIT);
    proto::Response response;
    response.mutable_set_attr()->mutable_stat()->set_mode(S_IFREG | 0600);
    return Respond(response);
  });
  absl::StatusOr<FileStat> st = client().SetAttr(
      4, {.mode = 0600, .times = std::pair{timespec{0, UTIME_NOW}, timespec{0, UTIME_OMIT}}});
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->mode, S_IFREG | 0600u);
}

}  // namespace
}  // namespace runsc::gofer
