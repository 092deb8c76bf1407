// AF_UNIX sockets (unix(7)) living entirely in the sentry: stream,
// datagram and seqpacket endpoints, their queues, listening and
// connecting, shutdown, SCM_RIGHTS / SCM_CREDENTIALS payloads and
// readiness. No host socket is ever made for them.
//
// A UnixSocket is the endpoint's state (Linux's struct sock); the file an
// fd points at is a UnixSocketFile, whose last close releases the
// endpoint. An endpoint may outlive its file, as a peer's getpeername or a
// queued message's sender still refer to it, but once released it takes
// no more data and holds no files.
//
// Locking: endpoint state is guarded by kernel().mu, and blocked calls
// wait on kernel().cv, as pipes do. Binding is serialized per socket by
// its bind mutex, taken before kernel().mu (and before the name table's
// mutex), never after. A File (a passed fd, a socket file) is never
// released with kernel().mu held: its destructor may take it.
#ifndef RUNSC_FS_UNIX_SOCKET_H_
#define RUNSC_FS_UNIX_SOCKET_H_

#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "fs/file.h"
#include "fs/unix_socket_table.h"
#include "sentry/kernel/kernel.h"

namespace runsc::fs {

// struct ucred: who sent a message or made a connection, in the sentry's
// virtual ids. Unknown ids are Linux's overflow id, as it reports them.
struct UnixCredentials {
  static constexpr uint32_t kOverflowId = 65534;
  int32_t pid = 0;
  uint32_t uid = kOverflowId;
  uint32_t gid = kOverflowId;
  bool operator==(const UnixCredentials&) const = default;
};

class UnixSocket : public std::enable_shared_from_this<UnixSocket> {
 public:
  // net.core.{w,r}mem_default, and what SO_SNDBUF/SO_RCVBUF may ask for
  // at most (wmem_max, rmem_max at their defaults); Linux stores twice the
  // value asked, at least its minimums.
  static constexpr int kDefaultBuffer = 212992;
  static constexpr int kMaxBufferRequest = 212992;
  static constexpr int kMinSndbuf = 4608;
  static constexpr int kMinRcvbuf = 2304;
  // What a queued message costs its sender's send buffer beyond its bytes
  // (Linux's skb truesize: 278 one-byte messages fill the default buffer).
  static constexpr size_t kMessageOverhead = 767;
  // net.unix.max_dgram_qlen: datagrams queued at a receiver that is not
  // connected back to the sender, past which senders wait.
  static constexpr size_t kMaxDatagramQueue = 10;
  // net.core.somaxconn: listen(2) backlogs are capped here.
  static constexpr int kMaxBacklog = 4096;
  // SCM_MAX_FD: file descriptors in one message at most.
  static constexpr size_t kMaxRights = 253;
  // A stream write is queued in messages of at most this many bytes (and
  // at most half the send buffer), as Linux's skbs.
  static constexpr size_t kMaxStreamChunk = 36544;
  // Linux's sk_shutdown bits.
  static constexpr int kShutdownRead = 1;
  static constexpr int kShutdownWrite = 2;

  // `type` is SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET.
  UnixSocket(sentry::Kernel& kernel, int type);
  ~UnixSocket();
  UnixSocket(const UnixSocket&) = delete;
  UnixSocket& operator=(const UnixSocket&) = delete;

  // socketpair(2): two connected endpoints; each one's SO_PEERCRED is
  // `creds`, the creating task's.
  static std::pair<std::shared_ptr<UnixSocket>, std::shared_ptr<UnixSocket>> NewPair(
      sentry::Kernel& kernel, int type, const UnixCredentials& creds);

  int type() const { return type_; }
  sentry::Kernel& kernel() { return kernel_; }

  // ---- Names. An address is the sun_path bytes Linux reports: a path and
  // its NUL, or a NUL and the abstract name; empty while unbound. ----
  std::string Address();
  // The connected peer's address; ENOTCONN without a peer.
  absl::StatusOr<std::string> PeerAddress();
  // bind(2) to an abstract address ('\0' first): EINVAL if already bound,
  // EADDRINUSE if the name is taken.
  [[nodiscard]] absl::Status BindAbstract(UnixSocketTable& table, const std::string& address);
  // bind(2) with an empty address, or the implicit bind of SO_PASSCRED:
  // nothing if already bound.
  [[nodiscard]] absl::Status Autobind(UnixSocketTable& table);
  // bind(2) to a path whose S_IFSOCK file was just made as inode `key`.
  // EINVAL if the socket got bound meanwhile (the caller removes the file).
  [[nodiscard]] absl::Status BindPath(UnixSocketTable& table, UnixSocketTable::InodeKey key,
                                      const std::string& address);
  bool IsBound();

  // ---- Connections. ----
  // listen(2): EOPNOTSUPP for datagrams, EINVAL if unbound or connected.
  // A listener's SO_PEERCRED, which connecting clients get, is `creds`.
  [[nodiscard]] absl::Status Listen(int backlog, const UnixCredentials& creds);
  struct Accepted {
    std::shared_ptr<UnixSocket> socket;
    std::string peer_address;  // The client's address (empty if unbound).
  };
  // accept(2): the oldest pending connection. EINVAL unless listening;
  // waits (or EAGAIN) while there is none.
  [[nodiscard]] absl::StatusOr<Accepted> Accept(sentry::Task& task, bool nonblock);
  // connect(2) of a stream or seqpacket endpoint to `server`, found by its
  // name: ECONNREFUSED unless it listens, EPROTOTYPE for another type,
  // EISCONN/EINVAL if this endpoint is connected/listening; waits (or
  // EAGAIN) while the server's backlog is full. As on Linux, a connection
  // is complete before accept: there is no EINPROGRESS.
  [[nodiscard]] absl::Status Connect(sentry::Task& task, const std::shared_ptr<UnixSocket>& server,
                                     bool nonblock, const UnixCredentials& creds);
  // connect(2) of a datagram endpoint: `peer` becomes the default
  // destination and the only sender allowed in (EPERM for others), and a
  // peer connected elsewhere refuses us (EPERM). Null `peer`: AF_UNSPEC,
  // disconnect.
  [[nodiscard]] absl::Status ConnectDatagram(const std::shared_ptr<UnixSocket>& peer);
  // shutdown(2) with SHUT_RD, SHUT_WR or SHUT_RDWR; for stream and
  // seqpacket endpoints the peer sees the other half.
  void Shutdown(int how);

  // ---- Data. ----
  struct SendArgs {
    absl::Span<const uint8_t> data;
    // SCM_RIGHTS: the files travel with the message (or its first bytes).
    std::vector<std::shared_ptr<File>> rights;
    // The sending task's ids, or those it gave with SCM_CREDENTIALS.
    UnixCredentials creds;
    // sendto(2)'s destination (datagrams; found by the caller), or null.
    std::shared_ptr<UnixSocket> to;
    // The call named an address (a stream endpoint refuses one).
    bool has_address = false;
    bool nonblock = false;
  };
  // sendmsg(2). Stream: as many bytes as fit before it would block (a
  // signal after some were sent returns their count). Datagram, seqpacket:
  // one message, EMSGSIZE if it can never fit. EPIPE once writing was shut
  // down or the peer is gone (the caller raises SIGPIPE).
  [[nodiscard]] absl::StatusOr<size_t> Send(sentry::Task& task, SendArgs args);

  struct RecvArgs {
    size_t size = 0;     // Room for data.
    bool peek = false;   // MSG_PEEK
    bool waitall = false;  // MSG_WAITALL (stream)
    bool trunc = false;  // MSG_TRUNC: return a record's real length.
    bool nonblock = false;
  };
  struct Received {
    std::vector<uint8_t> data;
    size_t length = 0;  // The call's result.
    int msg_flags = 0;  // MSG_TRUNC when a record did not fit.
    std::string from;   // Sender's address (empty if it had none).
    std::vector<std::shared_ptr<File>> rights;
    // Set when SO_PASSCRED is on: the sender's ucred.
    std::optional<UnixCredentials> creds;
  };
  // recvmsg(2). Stream: bytes from several writes, but never across
  // messages of different senders' ids when SO_PASSCRED is on, and never
  // past a message that carried files. Datagram, seqpacket: one record.
  // 0 at end of file; EAGAIN / waits while empty.
  [[nodiscard]] absl::StatusOr<Received> Recv(sentry::Task& task, const RecvArgs& args);

  // ---- Options and state. ----
  void SetPassCred(bool on) { passcred_.store(on); }
  bool PassCred() const { return passcred_.load(); }
  // SO_REUSEADDR is kept and reported; it changes nothing for unix sockets.
  void SetReuseAddr(bool on) { reuseaddr_.store(on); }
  bool ReuseAddr() const { return reuseaddr_.load(); }
  void SetSendBuffer(int requested);
  void SetReceiveBuffer(int requested);
  int SendBuffer();
  int ReceiveBuffer();
  // SO_RCVTIMEO / SO_SNDTIMEO: InfiniteDuration is "none" (block).
  void SetTimeouts(std::optional<absl::Duration> receive, std::optional<absl::Duration> send);
  absl::Duration ReceiveTimeout();
  absl::Duration SendTimeout();
  bool Listening();
  // SO_ERROR: the pending error (ECONNRESET), cleared by reading it.
  int TakeError();
  // SO_PEERCRED: who the peer was at connect/socketpair time, or pid 0
  // and overflow ids.
  UnixCredentials PeerCredentials();
  // FIONREAD: stream and seqpacket, every queued byte; datagram, the next
  // record's size. EINVAL for a listener.
  absl::StatusOr<int> QueuedBytes();
  // TIOCOUTQ: bytes this endpoint sent that nobody read yet.
  int UnreadSentBytes();

  // poll(2) readiness as Linux's unix_poll/unix_dgram_poll; requires
  // kernel().mu.
  short PollLocked(short events) const;
  uint64_t EventSeqLocked() const { return seq_; }

  // The last file of this endpoint closed: unbind its name, drop what is
  // queued (and the files in it), refuse further data, and tell the peer.
  // Takes kernel().mu itself.
  void Release();

 private:
  struct Message {
    std::vector<uint8_t> data;
    size_t offset = 0;  // Stream: bytes already read.
    std::vector<std::shared_ptr<File>> rights;
    UnixCredentials creds;
    std::string from;
    // Whose send buffer the message is charged to, and how much.
    std::shared_ptr<UnixSocket> sender;
    size_t charge = 0;
  };
  enum class State { kUnconnected, kListening, kConnected };

  // Waits on kernel().cv; non-OK when the caller must stop: EAGAIN if
  // `nonblock` or past `deadline`, ERESTARTSYS if interrupted (EINTR with
  // a timeout, as Linux's sock_intr_errno).
  absl::Status WaitLocked(sentry::Task& task, bool nonblock, absl::Time deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(kernel_.mu);
  void ChangedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(kernel_.mu);
  // Uncharges a message leaving a queue (read or dropped).
  static void UnchargeLocked(Message& m);
  // Queues `m` on `receiver`, charging this endpoint.
  void DeliverLocked(UnixSocket& receiver, Message m) ABSL_EXCLUSIVE_LOCKS_REQUIRED(kernel_.mu);
  bool WritableLocked() const;
  absl::StatusOr<size_t> SendStream(sentry::Task& task, SendArgs& args);
  absl::StatusOr<size_t> SendRecord(sentry::Task& task, SendArgs& args);
  absl::StatusOr<Received> RecvStream(sentry::Task& task, const RecvArgs& args);
  absl::StatusOr<Received> RecvRecord(sentry::Task& task, const RecvArgs& args);
  absl::Time Deadline(absl::Duration timeout) const;

  sentry::Kernel& kernel_;
  const int type_;
  std::atomic<bool> passcred_{false};
  std::atomic<bool> reuseaddr_{false};

  // Serializes bind, autobind and release of the name.
  absl::Mutex bind_mu_;
  UnixSocketTable* table_ ABSL_GUARDED_BY(bind_mu_) = nullptr;
  std::optional<UnixSocketTable::InodeKey> bound_inode_ ABSL_GUARDED_BY(bind_mu_);

  // ---- Guarded by kernel_.mu. ----
  std::string address_;
  State state_ = State::kUnconnected;
  bool released_ = false;
  // Made by connect(2), not accepted yet: releasing it resets the client.
  bool embryo_ = false;
  int shutdown_ = 0;
  int error_ = 0;
  // Stream and seqpacket: the other end, kept (for getpeername) after it
  // was released. Datagram: the connected destination.
  std::shared_ptr<UnixSocket> peer_;
  UnixCredentials peer_creds_;
  std::deque<Message> queue_;
  size_t queued_bytes_ = 0;
  // Listening: connections made, not yet accepted.
  std::deque<std::shared_ptr<UnixSocket>> pending_;
  size_t backlog_ = 0;
  // What this endpoint's messages still in some queue cost.
  size_t send_charge_ = 0;
  int sndbuf_ = kDefaultBuffer;
  int rcvbuf_ = kDefaultBuffer;
  absl::Duration rcvtimeo_ = absl::InfiniteDuration();
  absl::Duration sndtimeo_ = absl::InfiniteDuration();
  uint64_t seq_ = 0;
};

// The open file of a socket endpoint: what socket(2), socketpair(2) and
// accept(2) install. read/write are recv/send without flags.
class UnixSocketFile : public File {
 public:
  // `flags`: O_NONBLOCK or 0 (the file is always O_RDWR).
  UnixSocketFile(std::shared_ptr<UnixSocket> socket, int flags);
  ~UnixSocketFile() override;

  UnixSocket& socket() { return *socket_; }
  const std::shared_ptr<UnixSocket>& shared_socket() { return socket_; }

  absl::StatusOr<size_t> Read(sentry::Task& task, absl::Span<uint8_t> buf) override;
  absl::StatusOr<size_t> Write(sentry::Task& task, absl::Span<const uint8_t> buf) override;
  short PollLocked(sentry::Task& task, short events) override {
    return socket_->PollLocked(events);
  }
  uint64_t EventSeqLocked() const override { return socket_->EventSeqLocked(); }
  absl::StatusOr<struct stat> Stat() override;
  absl::StatusOr<int64_t> Ioctl(sentry::Task& task, uint64_t cmd, uint64_t arg) override;

 private:
  std::shared_ptr<UnixSocket> socket_;
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_UNIX_SOCKET_H_
