// AF_UNIX endpoints as unix(7) and the host kernel define them: stream
// bytes and record boundaries, peeking and truncation, files passed with
// SCM_RIGHTS, credentials, shutdown and close as the peer sees them,
// listening and connecting through the name table, send-buffer limits,
// readiness, and blocking that a signal or a timeout ends.
#include "fs/unix_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <chrono>
#include <string>
#include <thread>

#include "base/errno_status.h"
#include "fs/pipe.h"
#include "fs/unix_socket_table.h"
#include "gtest/gtest.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/no_dispatch.h"
#include "sentry/kernel/task.h"

namespace runsc::fs {
namespace {

constexpr int kErestartsys = 512;

using sentry::NoDispatch;

absl::Span<const uint8_t> Bytes(const std::string& s) {
  return absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
std::string Text(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }

class UnixSocketTest : public ::testing::Test {
 protected:
  UnixSocketTest() : kernel_(nullptr, dispatcher_), task_(kernel_, 1, nullptr) {}

  // A connected pair, each end an open file (whose destruction is close).
  void MakePair(int type) {
    auto [a, b] = UnixSocket::NewPair(kernel_, type, kCreds);
    a_ = std::make_shared<UnixSocketFile>(a, O_NONBLOCK);
    b_ = std::make_shared<UnixSocketFile>(b, O_NONBLOCK);
  }
  std::shared_ptr<UnixSocketFile> NewSocket(int type, int flags = O_NONBLOCK) {
    return std::make_shared<UnixSocketFile>(std::make_shared<UnixSocket>(kernel_, type), flags);
  }

  absl::StatusOr<size_t> Send(UnixSocketFile& f, const std::string& s,
                              std::vector<std::shared_ptr<File>> rights = {},
                              UnixCredentials creds = kCreds) {
    UnixSocket::SendArgs args;
    args.data = Bytes(s);
    args.rights = std::move(rights);
    args.creds = creds;
    args.nonblock = true;
    return f.socket().Send(task_, std::move(args));
  }
  absl::StatusOr<UnixSocket::Received> Recv(UnixSocketFile& f, size_t size, bool peek = false,
                                            bool trunc = false) {
    return f.socket().Recv(task_, UnixSocket::RecvArgs{
                                      .size = size, .peek = peek, .trunc = trunc, .nonblock = true});
  }
  short Poll(UnixSocketFile& f, short events = POLLIN | POLLOUT | POLLRDHUP) {
    absl::MutexLock lock(&kernel_.mu);
    return f.PollLocked(task_, events);
  }
  uint64_t Seq(UnixSocketFile& f) {
    absl::MutexLock lock(&kernel_.mu);
    return f.EventSeqLocked();
  }
  void QueueSignal(int sig) {
    siginfo_t info{};
    info.si_signo = sig;
    absl::MutexLock lock(&kernel_.mu);
    task_.pending.push_back(info);
  }
  // A stream listener bound to an abstract name in `table_`.
  std::shared_ptr<UnixSocketFile> Listener(const std::string& name, int backlog = 8,
                                           int type = SOCK_STREAM) {
    auto l = NewSocket(type);
    EXPECT_TRUE(l->socket().BindAbstract(table_, std::string(1, '\0') + name).ok());
    EXPECT_TRUE(l->socket().Listen(backlog, kServerCreds).ok());
    return l;
  }

  static constexpr UnixCredentials kCreds{7, 1000, 1001};
  static constexpr UnixCredentials kServerCreds{9, 0, 0};
  NoDispatch dispatcher_;
  sentry::Kernel kernel_;
  sentry::Task task_;
  UnixSocketTable table_;
  std::shared_ptr<UnixSocketFile> a_, b_;
};

TEST_F(UnixSocketTest, StreamMergesWritesAndReadsShort) {
  MakePair(SOCK_STREAM);
  ASSERT_EQ(*Send(*a_, "ab"), 2u);
  ASSERT_EQ(*Send(*a_, "cde"), 3u);
  EXPECT_EQ(Text(Recv(*b_, 4)->data), "abcd");  // Across two writes.
  EXPECT_EQ(Text(Recv(*b_, 100)->data), "e");
  EXPECT_EQ(ErrnoOf(Recv(*b_, 1).status()), EAGAIN);
  // And the other way.
  ASSERT_EQ(*Send(*b_, "back"), 4u);
  EXPECT_EQ(Text(Recv(*a_, 100)->data), "back");
}

TEST_F(UnixSocketTest, FileReadAndWriteAreRecvAndSend) {
  MakePair(SOCK_STREAM);
  EXPECT_EQ(*a_->Write(task_, Bytes("file")), 4u);
  uint8_t buf[8];
  EXPECT_EQ(*b_->Read(task_, absl::MakeSpan(buf, 8)), 4u);
  EXPECT_EQ(std::string(buf, buf + 4), "file");
  EXPECT_EQ(ErrnoOf(b_->Read(task_, absl::MakeSpan(buf, 8)).status()), EAGAIN);
  // An empty read neither blocks nor fails.
  EXPECT_EQ(*b_->Read(task_, absl::MakeSpan(buf, 0)), 0u);
  absl::StatusOr<struct stat> st = a_->Stat();
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(S_ISSOCK(st->st_mode));
  EXPECT_EQ(a_->Path().rfind("socket:[", 0), 0u);
}

TEST_F(UnixSocketTest, PeekLeavesDataQueued) {
  MakePair(SOCK_STREAM);
  ASSERT_TRUE(Send(*a_, "peek").ok());
  EXPECT_EQ(Text(Recv(*b_, 10, /*peek=*/true)->data), "peek");
  EXPECT_EQ(Text(Recv(*b_, 2, /*peek=*/true)->data), "pe");
  EXPECT_EQ(Text(Recv(*b_, 10)->data), "peek");
}

TEST_F(UnixSocketTest, DatagramsKeepBoundaries) {
  MakePair(SOCK_DGRAM);
  ASSERT_TRUE(Send(*a_, "abc").ok());
  ASSERT_TRUE(Send(*a_, "").ok());  // An empty record is a record.
  ASSERT_TRUE(Send(*a_, "de").ok());
  EXPECT_EQ(Text(Recv(*b_, 100)->data), "abc");
  absl::StatusOr<UnixSocket::Received> empty = Recv(*b_, 100);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->length, 0u);
  EXPECT_EQ(Text(Recv(*b_, 100)->data), "de");
}

TEST_F(UnixSocketTest, SeqpacketTruncatesAndDropsTheRestOfARecord) {
  MakePair(SOCK_SEQPACKET);
  ASSERT_TRUE(Send(*a_, "abcdef").ok());
  ASSERT_TRUE(Send(*a_, "gh").ok());
  ASSERT_TRUE(Send(*a_, "ijklmn").ok());
  absl::StatusOr<UnixSocket::Received> r = Recv(*b_, 3);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Text(r->data), "abc");
  EXPECT_EQ(r->length, 3u);
  EXPECT_EQ(r->msg_flags & MSG_TRUNC, MSG_TRUNC);
  r = Recv(*b_, 3);
  EXPECT_EQ(Text(r->data), "gh");
  EXPECT_EQ(r->msg_flags & MSG_TRUNC, 0);
  // MSG_TRUNC asks for the record's real length.
  r = Recv(*b_, 2, /*peek=*/false, /*trunc=*/true);
  EXPECT_EQ(Text(r->data), "ij");
  EXPECT_EQ(r->length, 6u);
}

TEST_F(UnixSocketTest, RightsTravelWithTheFirstBytesAndEndTheRead) {
  MakePair(SOCK_STREAM);
  auto [pipe_read, pipe_write] = Pipe::Create(kernel_, 0);
  ASSERT_TRUE(Send(*a_, "ab").ok());
  ASSERT_TRUE(Send(*a_, "cd", {pipe_write}).ok());
  ASSERT_TRUE(Send(*a_, "ef").ok());
  // A peek sees the file too, and leaves it queued.
  absl::StatusOr<UnixSocket::Received> r = Recv(*b_, 100, /*peek=*/true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Text(r->data), "abcd");
  ASSERT_EQ(r->rights.size(), 1u);
  r = Recv(*b_, 100);
  EXPECT_EQ(Text(r->data), "abcd");  // Not past the message with the file.
  ASSERT_EQ(r->rights.size(), 1u);
  EXPECT_EQ(r->rights[0], pipe_write);  // The same open file description.
  EXPECT_EQ(Text(Recv(*b_, 100)->data), "ef");
}

TEST_F(UnixSocketTest, FilesQueuedAtAClosedSocketAreReleased) {
  MakePair(SOCK_DGRAM);
  auto [pipe_read, pipe_write] = Pipe::Create(kernel_, O_NONBLOCK);
  ASSERT_TRUE(Send(*a_, "x", {pipe_write}).ok());
  pipe_write.reset();
  b_.reset();  // Closed with the file still queued.
  // The pipe's last write end went with it: its reader sees end of file.
  uint8_t byte;
  EXPECT_EQ(*pipe_read->Read(task_, absl::MakeSpan(&byte, 1)), 0u);
}

TEST_F(UnixSocketTest, CredentialsComeWithSoPasscredAndSplitStreamReads) {
  MakePair(SOCK_STREAM);
  ASSERT_TRUE(Send(*a_, "one").ok());
  EXPECT_FALSE(Recv(*b_, 100)->creds.has_value());
  b_->socket().SetPassCred(true);
  const UnixCredentials other{8, 2000, 2001};
  ASSERT_TRUE(Send(*a_, "ab").ok());
  ASSERT_TRUE(Send(*a_, "cd", {}, other).ok());
  absl::StatusOr<UnixSocket::Received> r = Recv(*b_, 100);
  EXPECT_EQ(Text(r->data), "ab");  // Different writers are never glued.
  ASSERT_TRUE(r->creds.has_value());
  EXPECT_EQ(*r->creds, kCreds);
  r = Recv(*b_, 100);
  EXPECT_EQ(Text(r->data), "cd");
  EXPECT_EQ(*r->creds, other);
  EXPECT_EQ(a_->socket().PeerCredentials(), kCreds);
}

TEST_F(UnixSocketTest, ShutdownForWritingGivesThePeerEofAndTheWriterEpipe) {
  for (int type : {SOCK_STREAM, SOCK_SEQPACKET}) {
    MakePair(type);
    ASSERT_TRUE(Send(*a_, "x").ok());
    a_->socket().Shutdown(SHUT_WR);
    EXPECT_EQ(Text(Recv(*b_, 10)->data), "x") << type;
    absl::StatusOr<UnixSocket::Received> eof = Recv(*b_, 10);
    ASSERT_TRUE(eof.ok()) << type;
    EXPECT_EQ(eof->length, 0u);
    EXPECT_EQ(ErrnoOf(Send(*a_, "y").status()), EPIPE) << type;
    EXPECT_EQ(Poll(*b_), POLLIN | POLLOUT | POLLRDHUP) << type;
    EXPECT_EQ(Poll(*a_), POLLOUT) << type;
    ASSERT_TRUE(Send(*b_, "z").ok());  // The other direction still works.
    EXPECT_EQ(Text(Recv(*a_, 10)->data), "z");
  }
}

TEST_F(UnixSocketTest, CloseWithUnreadDataResetsThePeerOnce) {
  MakePair(SOCK_STREAM);
  ASSERT_TRUE(Send(*a_, "unread").ok());
  b_.reset();
  EXPECT_EQ(Poll(*a_), POLLIN | POLLOUT | POLLHUP | POLLRDHUP | POLLERR);
  EXPECT_EQ(ErrnoOf(Recv(*a_, 10).status()), ECONNRESET);
  EXPECT_EQ(Recv(*a_, 10)->length, 0u);  // Then end of file.
  EXPECT_EQ(ErrnoOf(Send(*a_, "x").status()), EPIPE);
  // getpeername still names the gone peer (here: unbound).
  EXPECT_EQ(*a_->socket().PeerAddress(), "");
}

TEST_F(UnixSocketTest, DatagramPeerGoneIsEconnrefusedThenEnotconn) {
  MakePair(SOCK_DGRAM);
  b_.reset();
  EXPECT_EQ(ErrnoOf(Send(*a_, "x").status()), ECONNREFUSED);
  EXPECT_EQ(ErrnoOf(Send(*a_, "x").status()), ENOTCONN);
  EXPECT_EQ(ErrnoOf(Recv(*a_, 10).status()), EAGAIN);
}

TEST_F(UnixSocketTest, ReadinessOfNewConnectedAndListeningSockets) {
  auto stream = NewSocket(SOCK_STREAM);
  EXPECT_EQ(Poll(*stream), POLLOUT | POLLHUP);  // Not connected: hung up, as Linux.
  auto dgram = NewSocket(SOCK_DGRAM);
  EXPECT_EQ(Poll(*dgram), POLLOUT);
  MakePair(SOCK_STREAM);
  EXPECT_EQ(Poll(*b_), POLLOUT);
  const uint64_t before = Seq(*b_);
  ASSERT_TRUE(Send(*a_, "x").ok());
  EXPECT_NE(Seq(*b_), before);
  EXPECT_EQ(Poll(*b_), POLLIN | POLLOUT);
  EXPECT_EQ(Poll(*b_, POLLOUT), POLLOUT);  // Only what was asked (and errors).

  auto listener = Listener("ready");
  EXPECT_EQ(Poll(*listener), 0);
  auto client = NewSocket(SOCK_STREAM);
  ASSERT_TRUE(client->socket().Connect(task_, listener->shared_socket(), true, kCreds).ok());
  EXPECT_EQ(Poll(*listener), POLLIN);
}

TEST_F(UnixSocketTest, SendBufferLimitsQueuedBytes) {
  MakePair(SOCK_STREAM);
  // As Linux with the default buffer: 278 one-byte writes, then EAGAIN,
  // and no POLLOUT until the reader makes room.
  int sent = 0;
  while (Send(*a_, "x").ok()) ++sent;
  EXPECT_EQ(sent, 278);
  EXPECT_EQ(Poll(*a_, POLLOUT), 0);
  EXPECT_EQ(ErrnoOf(Send(*a_, "x").status()), EAGAIN);
  ASSERT_EQ(Recv(*b_, 1000)->length, 278u);
  EXPECT_EQ(Poll(*a_, POLLOUT), POLLOUT);

  // A large nonblocking write is short, not refused.
  absl::StatusOr<size_t> n = Send(*a_, std::string(1 << 20, 'y'));
  ASSERT_TRUE(n.ok());
  EXPECT_GT(*n, 0u);
  EXPECT_LT(*n, size_t{1} << 20);
  EXPECT_EQ(ErrnoOf(Send(*a_, "y").status()), EAGAIN);
}

TEST_F(UnixSocketTest, OversizedDatagramIsEmsgsize) {
  MakePair(SOCK_DGRAM);
  EXPECT_EQ(*Send(*a_, std::string(UnixSocket::kDefaultBuffer - 32, 'a')),
            size_t{UnixSocket::kDefaultBuffer - 32});
  EXPECT_EQ(ErrnoOf(Send(*a_, std::string(UnixSocket::kDefaultBuffer - 31, 'a')).status()),
            EMSGSIZE);
  EXPECT_EQ(ErrnoOf(Send(*a_, "a").status()), EAGAIN);  // The buffer is full.
  a_->socket().SetSendBuffer(1);
  EXPECT_EQ(a_->socket().SendBuffer(), UnixSocket::kMinSndbuf);
  a_->socket().SetSendBuffer(1 << 30);
  EXPECT_EQ(a_->socket().SendBuffer(), 2 * UnixSocket::kMaxBufferRequest);
}

TEST_F(UnixSocketTest, ListenConnectAcceptThroughAnAbstractName) {
  auto listener = Listener("server");
  ASSERT_EQ(table_.FindAbstract(SOCK_STREAM, "server"), listener->shared_socket());
  // Each type has its own abstract names.
  EXPECT_EQ(table_.FindAbstract(SOCK_DGRAM, "server"), nullptr);

  auto client = NewSocket(SOCK_STREAM);
  ASSERT_TRUE(client->socket().Autobind(table_).ok());
  ASSERT_TRUE(client->socket().Connect(task_, listener->shared_socket(), true, kCreds).ok());
  EXPECT_EQ(ErrnoOf(client->socket().Connect(task_, listener->shared_socket(), true, kCreds)),
            EISCONN);
  absl::StatusOr<UnixSocket::Accepted> accepted = listener->socket().Accept(task_, true);
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(accepted->peer_address, client->socket().Address());
  auto server = std::make_shared<UnixSocketFile>(accepted->socket, O_NONBLOCK);
  EXPECT_EQ(server->socket().Address(), std::string(1, '\0') + "server");
  EXPECT_EQ(*client->socket().PeerAddress(), std::string(1, '\0') + "server");
  // Each side's SO_PEERCRED is the other's: the listener's from listen().
  EXPECT_EQ(client->socket().PeerCredentials(), kServerCreds);
  EXPECT_EQ(server->socket().PeerCredentials(), kCreds);
  ASSERT_TRUE(Send(*client, "hi").ok());
  EXPECT_EQ(Text(Recv(*server, 10)->data), "hi");
  EXPECT_EQ(ErrnoOf(listener->socket().Accept(task_, true).status()), EAGAIN);

  listener.reset();  // The name goes with the socket.
  EXPECT_EQ(table_.FindAbstract(SOCK_STREAM, "server"), nullptr);
  EXPECT_EQ(table_.SizeForTest(), 1u);  // The client's autobound name.
}

TEST_F(UnixSocketTest, ConnectErrors) {
  auto bound = NewSocket(SOCK_STREAM);
  ASSERT_TRUE(bound->socket().BindAbstract(table_, std::string("\0quiet", 6)).ok());
  EXPECT_EQ(ErrnoOf(bound->socket().BindAbstract(table_, std::string("\0again", 6))), EINVAL);
  auto other = NewSocket(SOCK_STREAM);
  EXPECT_EQ(ErrnoOf(other->socket().BindAbstract(table_, std::string("\0quiet", 6))), EADDRINUSE);
  auto client = NewSocket(SOCK_STREAM);
  // Bound but not listening.
  EXPECT_EQ(ErrnoOf(client->socket().Connect(task_, bound->shared_socket(), true, kCreds)),
            ECONNREFUSED);
  auto dgram = NewSocket(SOCK_DGRAM);
  EXPECT_EQ(ErrnoOf(client->socket().Connect(task_, dgram->shared_socket(), true, kCreds)),
            EPROTOTYPE);
  EXPECT_EQ(ErrnoOf(dgram->socket().Listen(1, kCreds)), EOPNOTSUPP);
  EXPECT_EQ(ErrnoOf(client->socket().Listen(1, kCreds)), EINVAL);  // Unbound.
  EXPECT_EQ(ErrnoOf(client->socket().Accept(task_, true).status()), EINVAL);
  // A stream that is not connected neither reads nor writes.
  EXPECT_EQ(ErrnoOf(Recv(*client, 1).status()), EINVAL);
  EXPECT_EQ(ErrnoOf(Send(*client, "x").status()), ENOTCONN);
}

TEST_F(UnixSocketTest, FullBacklogIsEagainAndClosingTheListenerResetsPendingClients) {
  auto listener = Listener("backlog", /*backlog=*/0);
  auto first = NewSocket(SOCK_STREAM);
  auto second = NewSocket(SOCK_STREAM);
  // As Linux, a backlog of n admits n + 1 pending connections.
  ASSERT_TRUE(first->socket().Connect(task_, listener->shared_socket(), true, kCreds).ok());
  EXPECT_EQ(ErrnoOf(second->socket().Connect(task_, listener->shared_socket(), true, kCreds)),
            EAGAIN);
  listener.reset();
  EXPECT_EQ(ErrnoOf(Recv(*first, 1).status()), ECONNRESET);
  EXPECT_EQ(Recv(*first, 1)->length, 0u);
}

TEST_F(UnixSocketTest, BlockedConnectGoesOnWhenTheBacklogDrains) {
  auto listener = Listener("drain", /*backlog=*/0);
  auto first = NewSocket(SOCK_STREAM);
  ASSERT_TRUE(first->socket().Connect(task_, listener->shared_socket(), true, kCreds).ok());
  std::thread acceptor([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    sentry::Task other(kernel_, 2, nullptr);
    ASSERT_TRUE(listener->socket().Accept(other, true).ok());
  });
  auto second = NewSocket(SOCK_STREAM, 0);
  EXPECT_TRUE(second->socket().Connect(task_, listener->shared_socket(), false, kCreds).ok());
  acceptor.join();
}

TEST_F(UnixSocketTest, DatagramsToANameCarryTheSendersName) {
  auto server = NewSocket(SOCK_DGRAM);
  ASSERT_TRUE(server->socket().BindAbstract(table_, std::string("\0dgram", 6)).ok());
  auto client = NewSocket(SOCK_DGRAM);
  UnixSocket::SendArgs args;
  args.data = Bytes("unnamed");
  args.to = table_.FindAbstract(SOCK_DGRAM, "dgram");
  args.nonblock = true;
  ASSERT_TRUE(client->socket().Send(task_, std::move(args)).ok());
  EXPECT_EQ(Recv(*server, 100)->from, "");
  ASSERT_TRUE(client->socket().Autobind(table_).ok());
  const std::string name = client->socket().Address();
  ASSERT_EQ(name.size(), 6u);  // NUL and five hex digits.
  for (int i = 0; i < 20; ++i) {
    UnixSocket::SendArgs more;
    more.data = Bytes("x");
    more.to = server->shared_socket();
    more.nonblock = true;
    absl::StatusOr<size_t> n = client->socket().Send(task_, std::move(more));
    if (i <= static_cast<int>(UnixSocket::kMaxDatagramQueue)) {
      ASSERT_TRUE(n.ok()) << i;
    } else {
      // A receiver not connected back queues max_dgram_qlen + 1 at most.
      EXPECT_EQ(ErrnoOf(n.status()), EAGAIN) << i;
      break;
    }
  }
  EXPECT_EQ(Recv(*server, 100)->from, name);
  // A datagram socket connected elsewhere refuses others.
  auto third = NewSocket(SOCK_DGRAM);
  ASSERT_TRUE(server->socket().ConnectDatagram(third->shared_socket()).ok());
  EXPECT_EQ(ErrnoOf(client->socket().ConnectDatagram(server->shared_socket())), EPERM);
}

TEST_F(UnixSocketTest, BlockedReaderWakesForAWriter) {
  auto [a, b] = UnixSocket::NewPair(kernel_, SOCK_STREAM, kCreds);
  a_ = std::make_shared<UnixSocketFile>(a, 0);
  b_ = std::make_shared<UnixSocketFile>(b, 0);
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    sentry::Task other(kernel_, 2, nullptr);
    ASSERT_TRUE(a_->Write(other, Bytes("wake")).ok());
  });
  uint8_t buf[8];
  EXPECT_EQ(*b_->Read(task_, absl::MakeSpan(buf, 8)), 4u);
  writer.join();
}

TEST_F(UnixSocketTest, SignalsAndTimeoutsEndABlockedReceive) {
  auto [a, b] = UnixSocket::NewPair(kernel_, SOCK_DGRAM, kCreds);
  b_ = std::make_shared<UnixSocketFile>(b, 0);
  a_ = std::make_shared<UnixSocketFile>(a, 0);
  uint8_t buf[4];
  QueueSignal(SIGUSR1);
  // No timeout: ERESTARTSYS (SA_RESTART decides); with one: EINTR.
  EXPECT_EQ(ErrnoOf(b_->Read(task_, absl::MakeSpan(buf, 4)).status()), kErestartsys);
  b_->socket().SetTimeouts(absl::Seconds(10), std::nullopt);
  EXPECT_EQ(ErrnoOf(b_->Read(task_, absl::MakeSpan(buf, 4)).status()), EINTR);
  {
    absl::MutexLock lock(&kernel_.mu);
    task_.pending.clear();
  }
  b_->socket().SetTimeouts(absl::Milliseconds(20), std::nullopt);
  EXPECT_EQ(ErrnoOf(b_->Read(task_, absl::MakeSpan(buf, 4)).status()), EAGAIN);
}

TEST_F(UnixSocketTest, TableKeepsInodeBindingsUntilTheirSocketGoes) {
  auto s = NewSocket(SOCK_STREAM);
  const UnixSocketTable::InodeKey key{1, 42};
  ASSERT_TRUE(s->socket().BindPath(table_, key, "/tmp/sock").ok());
  EXPECT_EQ(ErrnoOf(s->socket().BindPath(table_, {1, 43}, "/tmp/other")), EINVAL);
  EXPECT_EQ(table_.FindInode(key), s->shared_socket());
  EXPECT_EQ(table_.FindInode({2, 42}), nullptr);
  s.reset();
  EXPECT_EQ(table_.FindInode(key), nullptr);
  EXPECT_EQ(table_.SizeForTest(), 0u);
}

}  // namespace
}  // namespace runsc::fs
