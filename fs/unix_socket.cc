#include "fs/unix_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>

#include <algorithm>

#include "base/errno_status.h"

namespace runsc::fs {
namespace {

constexpr int kErestartsys = 512;
constexpr int kShutdownBoth = UnixSocket::kShutdownRead | UnixSocket::kShutdownWrite;

}  // namespace

UnixSocket::UnixSocket(sentry::Kernel& kernel, int type) : kernel_(kernel), type_(type) {}

// Release() emptied the queues before the last reference went, so nothing
// destroyed here takes a lock: an endpoint may die with kernel().mu held.
UnixSocket::~UnixSocket() = default;

std::pair<std::shared_ptr<UnixSocket>, std::shared_ptr<UnixSocket>> UnixSocket::NewPair(
    sentry::Kernel& kernel, int type, const UnixCredentials& creds) {
  auto a = std::make_shared<UnixSocket>(kernel, type);
  auto b = std::make_shared<UnixSocket>(kernel, type);
  absl::MutexLock lock(&kernel.mu);
  a->state_ = b->state_ = State::kConnected;
  a->peer_ = b;
  b->peer_ = a;
  a->peer_creds_ = b->peer_creds_ = creds;
  return {std::move(a), std::move(b)};
}

void UnixSocket::ChangedLocked() {
  ++seq_;
  kernel_.cv.SignalAll();
}

absl::Time UnixSocket::Deadline(absl::Duration timeout) const {
  return timeout == absl::InfiniteDuration() ? absl::InfiniteFuture() : absl::Now() + timeout;
}

absl::Status UnixSocket::WaitLocked(sentry::Task& task, bool nonblock, absl::Time deadline) {
  if (nonblock) return ErrnoError(EAGAIN, "unix socket operation would block");
  if (absl::Now() >= deadline) return ErrnoError(EAGAIN, "unix socket timeout expired");
  if (task.InterruptedLocked()) {
    return deadline == absl::InfiniteFuture() ? ErrnoError(kErestartsys, "interrupted")
                                              : ErrnoError(EINTR, "interrupted");
  }
  sentry::Task::SleepingScope sleeping(task);
  if (deadline == absl::InfiniteFuture()) {
    kernel_.cv.Wait(&kernel_.mu);
  } else {
    kernel_.cv.WaitWithDeadline(&kernel_.mu, deadline);
  }
  return absl::OkStatus();
}

// ---- Names ----

std::string UnixSocket::Address() {
  absl::MutexLock lock(&kernel_.mu);
  return address_;
}

absl::StatusOr<std::string> UnixSocket::PeerAddress() {
  absl::MutexLock lock(&kernel_.mu);
  if (peer_ == nullptr) return ErrnoError(ENOTCONN, "unix socket has no peer");
  return peer_->address_;
}

bool UnixSocket::IsBound() {
  absl::MutexLock lock(&kernel_.mu);
  return !address_.empty();
}

absl::Status UnixSocket::BindAbstract(UnixSocketTable& table, const std::string& address) {
  absl::MutexLock bind_lock(&bind_mu_);
  if (IsBound()) return ErrnoError(EINVAL, "unix socket is already bound");
  if (absl::Status s = table.BindAbstract(type_, address.substr(1), weak_from_this()); !s.ok()) {
    return s;
  }
  table_ = &table;
  absl::MutexLock lock(&kernel_.mu);
  address_ = address;
  return absl::OkStatus();
}

absl::Status UnixSocket::Autobind(UnixSocketTable& table) {
  absl::MutexLock bind_lock(&bind_mu_);
  if (IsBound()) return absl::OkStatus();
  absl::StatusOr<std::string> name = table.BindAutomatic(type_, weak_from_this());
  if (!name.ok()) return name.status();
  table_ = &table;
  absl::MutexLock lock(&kernel_.mu);
  address_ = std::string(1, '\0') + *name;
  return absl::OkStatus();
}

absl::Status UnixSocket::BindPath(UnixSocketTable& table, UnixSocketTable::InodeKey key,
                                  const std::string& address) {
  absl::MutexLock bind_lock(&bind_mu_);
  if (IsBound()) return ErrnoError(EINVAL, "unix socket is already bound");
  table.BindInode(key, weak_from_this());
  table_ = &table;
  bound_inode_ = key;
  absl::MutexLock lock(&kernel_.mu);
  address_ = address;
  return absl::OkStatus();
}

// ---- Connections ----

absl::Status UnixSocket::Listen(int backlog, const UnixCredentials& creds) {
  if (type_ == SOCK_DGRAM) return ErrnoError(EOPNOTSUPP, "listen on a datagram socket");
  absl::MutexLock lock(&kernel_.mu);
  if (address_.empty()) return ErrnoError(EINVAL, "listen on an unbound socket");
  if (state_ == State::kConnected) return ErrnoError(EINVAL, "listen on a connected socket");
  // As listen(2): a backlog above somaxconn (or negative, taken unsigned)
  // is somaxconn.
  backlog_ = static_cast<unsigned>(backlog) > static_cast<unsigned>(kMaxBacklog)
                 ? kMaxBacklog
                 : static_cast<size_t>(backlog);
  state_ = State::kListening;
  peer_creds_ = creds;
  ChangedLocked();
  return absl::OkStatus();
}

absl::StatusOr<UnixSocket::Accepted> UnixSocket::Accept(sentry::Task& task, bool nonblock) {
  Accepted out;
  absl::MutexLock lock(&kernel_.mu);
  const absl::Time deadline = Deadline(rcvtimeo_);
  for (;;) {
    if (state_ != State::kListening || released_) {
      return ErrnoError(EINVAL, "accept on a socket that does not listen");
    }
    if (!pending_.empty()) break;
    if (absl::Status s = WaitLocked(task, nonblock, deadline); !s.ok()) return s;
  }
  out.socket = std::move(pending_.front());
  pending_.pop_front();
  out.socket->embryo_ = false;
  // As Linux's unix_sock_inherit_flags.
  out.socket->passcred_.store(passcred_.load());
  if (out.socket->peer_ != nullptr) out.peer_address = out.socket->peer_->address_;
  ChangedLocked();  // Room in the backlog: a waiting connect may go on.
  return out;
}

absl::Status UnixSocket::Connect(sentry::Task& task, const std::shared_ptr<UnixSocket>& server,
                                 bool nonblock, const UnixCredentials& creds) {
  if (server->type_ != type_) return ErrnoError(EPROTOTYPE, "unix socket of another type");
  absl::MutexLock lock(&kernel_.mu);
  const absl::Time deadline = Deadline(sndtimeo_);
  for (;;) {
    if (server->released_ || server->state_ != State::kListening ||
        (server->shutdown_ & kShutdownRead)) {
      return ErrnoError(ECONNREFUSED, "unix socket does not listen");
    }
    if (server->pending_.size() <= server->backlog_) break;
    if (absl::Status s = WaitLocked(task, nonblock, deadline); !s.ok()) return s;
  }
  if (state_ == State::kConnected) return ErrnoError(EISCONN, "unix socket is already connected");
  if (state_ == State::kListening) return ErrnoError(EINVAL, "connect of a listening socket");
  auto embryo = std::make_shared<UnixSocket>(kernel_, type_);
  embryo->address_ = server->address_;
  embryo->state_ = State::kConnected;
  embryo->embryo_ = true;
  embryo->peer_ = shared_from_this();
  embryo->peer_creds_ = creds;
  peer_ = embryo;
  peer_creds_ = server->peer_creds_;
  state_ = State::kConnected;
  server->pending_.push_back(std::move(embryo));
  server->ChangedLocked();
  ChangedLocked();
  return absl::OkStatus();
}

absl::Status UnixSocket::ConnectDatagram(const std::shared_ptr<UnixSocket>& peer) {
  if (peer != nullptr && peer->type_ != type_) {
    return ErrnoError(EPROTOTYPE, "unix socket of another type");
  }
  std::shared_ptr<UnixSocket> old;  // Dropped after the lock.
  absl::MutexLock lock(&kernel_.mu);
  if (peer != nullptr) {
    if (peer->released_) return ErrnoError(ECONNREFUSED, "unix socket is gone");
    if (peer->peer_ != nullptr && peer->peer_.get() != this) {
      return ErrnoError(EPERM, "datagram socket is connected to another socket");
    }
  }
  old = std::move(peer_);
  peer_ = peer;
  state_ = peer != nullptr ? State::kConnected : State::kUnconnected;
  ChangedLocked();
  return absl::OkStatus();
}

void UnixSocket::Shutdown(int how) {
  const int mode = how + 1;  // SHUT_RD..SHUT_RDWR to read/write bits, as Linux.
  absl::MutexLock lock(&kernel_.mu);
  shutdown_ |= mode;
  ChangedLocked();
  if (peer_ != nullptr && type_ != SOCK_DGRAM) {
    int peer_mode = 0;
    if (mode & kShutdownRead) peer_mode |= kShutdownWrite;
    if (mode & kShutdownWrite) peer_mode |= kShutdownRead;
    peer_->shutdown_ |= peer_mode;
    peer_->ChangedLocked();
  }
}

void UnixSocket::Release() {
  {
    absl::MutexLock bind_lock(&bind_mu_);
    if (table_ != nullptr) {
      const std::string address = Address();
      if (bound_inode_.has_value()) {
        table_->UnbindInode(*bound_inode_, this);
      } else if (!address.empty() && address[0] == '\0') {
        table_->UnbindAbstract(type_, address.substr(1), this);
      }
      table_ = nullptr;
    }
  }
  // Released only after kernel_.mu: they hold files.
  std::deque<Message> dropped;
  std::deque<std::shared_ptr<UnixSocket>> embryos;
  std::shared_ptr<UnixSocket> peer;
  {
    absl::MutexLock lock(&kernel_.mu);
    released_ = true;
    shutdown_ = kShutdownBoth;
    const bool had_unread = !queue_.empty();
    for (Message& m : queue_) UnchargeLocked(m);
    dropped.swap(queue_);
    queued_bytes_ = 0;
    embryos.swap(pending_);
    peer = std::move(peer_);
    if (peer != nullptr && type_ != SOCK_DGRAM) {
      // As Linux: the peer can neither read more nor write, and learns of
      // data it sent that was never read (or of a connection never
      // accepted) as ECONNRESET.
      peer->shutdown_ = kShutdownBoth;
      if (had_unread || embryo_) peer->error_ = ECONNRESET;
      peer->ChangedLocked();
    }
    ChangedLocked();
  }
  for (std::shared_ptr<UnixSocket>& e : embryos) e->Release();
}

// ---- Data ----

void UnixSocket::UnchargeLocked(Message& m) {
  if (m.sender == nullptr) return;
  m.sender->send_charge_ -= m.charge;
  m.charge = 0;
  m.sender->ChangedLocked();
}

void UnixSocket::DeliverLocked(UnixSocket& receiver, Message m) {
  m.sender = shared_from_this();
  m.charge = m.data.size() + kMessageOverhead;
  send_charge_ += m.charge;
  receiver.queued_bytes_ += m.data.size();
  receiver.queue_.push_back(std::move(m));
  receiver.ChangedLocked();
}

absl::StatusOr<size_t> UnixSocket::Send(sentry::Task& task, SendArgs args) {
  return type_ == SOCK_STREAM ? SendStream(task, args) : SendRecord(task, args);
}

absl::StatusOr<size_t> UnixSocket::SendStream(sentry::Task& task, SendArgs& args) {
  absl::MutexLock lock(&kernel_.mu);
  if (args.has_address) {
    return state_ == State::kConnected ? ErrnoError(EISCONN, "sendto on a connected stream")
                                       : ErrnoError(EOPNOTSUPP, "sendto on a stream socket");
  }
  if (state_ != State::kConnected || peer_ == nullptr) {
    return ErrnoError(ENOTCONN, "stream socket is not connected");
  }
  const absl::Time deadline = Deadline(sndtimeo_);
  const absl::Span<const uint8_t> data = args.data;
  size_t sent = 0;
  do {
    UnixSocket& peer = *peer_;
    if ((shutdown_ & kShutdownWrite) || peer.released_ || (peer.shutdown_ & kShutdownRead)) {
      if (sent > 0) return sent;
      return ErrnoError(EPIPE, "stream socket is shut down for writing");
    }
    if (data.empty()) break;
    if (send_charge_ >= static_cast<size_t>(sndbuf_)) {
      if (absl::Status s = WaitLocked(task, args.nonblock, deadline); !s.ok()) {
        if (sent > 0) return sent;
        return s;
      }
      continue;
    }
    const size_t chunk = std::min({data.size() - sent, kMaxStreamChunk,
                                   static_cast<size_t>(sndbuf_ / 2 - 64)});
    Message m;
    m.data.assign(data.begin() + sent, data.begin() + sent + chunk);
    m.creds = args.creds;
    m.from = address_;
    // Files travel with the first bytes of the write.
    if (sent == 0) m.rights = std::move(args.rights);
    DeliverLocked(peer, std::move(m));
    sent += chunk;
  } while (sent < data.size());
  return sent;
}

absl::StatusOr<size_t> UnixSocket::SendRecord(sentry::Task& task, SendArgs& args) {
  std::shared_ptr<UnixSocket> dead_peer;  // Dropped after the lock.
  absl::MutexLock lock(&kernel_.mu);
  if (type_ == SOCK_SEQPACKET) {
    if (state_ != State::kConnected) return ErrnoError(ENOTCONN, "seqpacket socket is not connected");
    args.to = nullptr;  // As Linux: a connected seqpacket ignores the address.
  }
  if (args.data.size() + 32 > static_cast<size_t>(sndbuf_)) {
    return ErrnoError(EMSGSIZE, "message is larger than the send buffer");
  }
  const absl::Time deadline = Deadline(sndtimeo_);
  UnixSocket* other = nullptr;
  for (;;) {
    other = args.to != nullptr ? args.to.get() : peer_.get();
    if (other == nullptr) return ErrnoError(ENOTCONN, "datagram socket has no destination");
    if (shutdown_ & kShutdownWrite) return ErrnoError(EPIPE, "socket is shut down for writing");
    if (other->released_) {
      if (type_ == SOCK_SEQPACKET) return ErrnoError(EPIPE, "peer is gone");
      if (other == peer_.get()) {
        dead_peer = std::move(peer_);
        state_ = State::kUnconnected;
      }
      return ErrnoError(ECONNREFUSED, "datagram peer is gone");
    }
    if (other->shutdown_ & kShutdownRead) return ErrnoError(EPIPE, "peer is shut down for reading");
    const bool mutual = other->peer_.get() == this;
    if (type_ == SOCK_DGRAM && other->peer_ != nullptr && !mutual) {
      return ErrnoError(EPERM, "datagram socket is connected to another socket");
    }
    const bool full = send_charge_ >= static_cast<size_t>(sndbuf_) ||
                      (type_ == SOCK_DGRAM && !mutual && other->queue_.size() > kMaxDatagramQueue);
    if (!full) break;
    if (absl::Status s = WaitLocked(task, args.nonblock, deadline); !s.ok()) return s;
  }
  Message m;
  m.data.assign(args.data.begin(), args.data.end());
  m.rights = std::move(args.rights);
  m.creds = args.creds;
  m.from = address_;
  DeliverLocked(*other, std::move(m));
  return args.data.size();
}

absl::StatusOr<UnixSocket::Received> UnixSocket::Recv(sentry::Task& task, const RecvArgs& args) {
  return type_ == SOCK_STREAM ? RecvStream(task, args) : RecvRecord(task, args);
}

absl::StatusOr<UnixSocket::Received> UnixSocket::RecvStream(sentry::Task& task,
                                                            const RecvArgs& args) {
  Received out;
  std::deque<Message> consumed;  // Released after the lock.
  absl::MutexLock lock(&kernel_.mu);
  if (state_ != State::kConnected) return ErrnoError(EINVAL, "stream socket is not connected");
  if (args.size == 0) return out;
  const absl::Time deadline = Deadline(rcvtimeo_);
  const bool passcred = passcred_.load();
  // MSG_WAITALL waits for all of it; a peek takes what is there.
  const size_t target = args.waitall && !args.peek ? args.size : 1;
  size_t index = 0;  // A peek walks the queue without consuming it.
  bool first = true;
  for (;;) {
    if (out.data.size() >= args.size) break;
    if (index >= queue_.size()) {
      if (out.data.size() >= target) break;
      if (error_ != 0) {
        if (!out.data.empty()) break;
        const int e = error_;
        error_ = 0;
        return ErrnoError(e, "connection reset by peer");
      }
      if (shutdown_ & kShutdownRead) break;  // End of file.
      if (absl::Status s = WaitLocked(task, args.nonblock, deadline); !s.ok()) {
        if (!out.data.empty()) break;
        return s;
      }
      continue;
    }
    Message& m = queue_[index];
    // Never glue bytes of different writers when the reader asks who wrote.
    if (passcred) {
      if (!out.creds.has_value()) {
        out.creds = m.creds;
      } else if (*out.creds != m.creds) {
        break;
      }
    }
    if (first) {
      out.from = m.from;
      first = false;
    }
    const size_t n = std::min(m.data.size() - m.offset, args.size - out.data.size());
    out.data.insert(out.data.end(), m.data.begin() + m.offset, m.data.begin() + m.offset + n);
    const bool had_rights = !m.rights.empty();
    if (had_rights) {
      if (args.peek) {
        out.rights = m.rights;
      } else {
        out.rights = std::move(m.rights);
        m.rights.clear();
      }
    }
    if (args.peek) {
      ++index;
    } else {
      m.offset += n;
      queued_bytes_ -= n;
      if (m.offset == m.data.size()) {
        UnchargeLocked(m);
        consumed.push_back(std::move(m));
        queue_.pop_front();
      }
    }
    // The files end the read, so they arrive with the bytes they came with.
    if (had_rights) break;
  }
  out.length = out.data.size();
  return out;
}

absl::StatusOr<UnixSocket::Received> UnixSocket::RecvRecord(sentry::Task& task,
                                                            const RecvArgs& args) {
  Received out;
  std::deque<Message> consumed;  // Released after the lock.
  absl::MutexLock lock(&kernel_.mu);
  if (type_ == SOCK_SEQPACKET && state_ != State::kConnected) {
    return ErrnoError(ENOTCONN, "seqpacket socket is not connected");
  }
  const absl::Time deadline = Deadline(rcvtimeo_);
  while (queue_.empty()) {
    if (error_ != 0) {
      const int e = error_;
      error_ = 0;
      return ErrnoError(e, "connection reset by peer");
    }
    if (shutdown_ & kShutdownRead) return out;  // End of file.
    if (absl::Status s = WaitLocked(task, args.nonblock, deadline); !s.ok()) return s;
  }
  Message& m = queue_.front();
  const size_t n = std::min(args.size, m.data.size());
  out.data.assign(m.data.begin(), m.data.begin() + n);
  if (m.data.size() > args.size) out.msg_flags |= MSG_TRUNC;
  out.length = args.trunc ? m.data.size() : n;
  out.from = m.from;
  if (passcred_.load()) out.creds = m.creds;
  if (args.peek) {
    out.rights = m.rights;
  } else {
    out.rights = std::move(m.rights);
    queued_bytes_ -= m.data.size();
    UnchargeLocked(m);
    consumed.push_back(std::move(m));
    queue_.pop_front();
    ChangedLocked();  // Senders waiting for the queue to shrink.
  }
  return out;
}

// ---- Options and state ----

void UnixSocket::SetSendBuffer(int requested) {
  const uint32_t val = std::min<uint32_t>(static_cast<uint32_t>(requested), kMaxBufferRequest);
  absl::MutexLock lock(&kernel_.mu);
  sndbuf_ = std::max<int>(static_cast<int>(val * 2), kMinSndbuf);
  ChangedLocked();
}

void UnixSocket::SetReceiveBuffer(int requested) {
  const uint32_t val = std::min<uint32_t>(static_cast<uint32_t>(requested), kMaxBufferRequest);
  absl::MutexLock lock(&kernel_.mu);
  rcvbuf_ = std::max<int>(static_cast<int>(val * 2), kMinRcvbuf);
}

int UnixSocket::SendBuffer() {
  absl::MutexLock lock(&kernel_.mu);
  return sndbuf_;
}

int UnixSocket::ReceiveBuffer() {
  absl::MutexLock lock(&kernel_.mu);
  return rcvbuf_;
}

void UnixSocket::SetTimeouts(std::optional<absl::Duration> receive,
                             std::optional<absl::Duration> send) {
  absl::MutexLock lock(&kernel_.mu);
  if (receive.has_value()) rcvtimeo_ = *receive;
  if (send.has_value()) sndtimeo_ = *send;
}

absl::Duration UnixSocket::ReceiveTimeout() {
  absl::MutexLock lock(&kernel_.mu);
  return rcvtimeo_;
}

absl::Duration UnixSocket::SendTimeout() {
  absl::MutexLock lock(&kernel_.mu);
  return sndtimeo_;
}

bool UnixSocket::Listening() {
  absl::MutexLock lock(&kernel_.mu);
  return state_ == State::kListening;
}

int UnixSocket::TakeError() {
  absl::MutexLock lock(&kernel_.mu);
  const int e = error_;
  error_ = 0;
  return e;
}

UnixCredentials UnixSocket::PeerCredentials() {
  absl::MutexLock lock(&kernel_.mu);
  return peer_creds_;
}

absl::StatusOr<int> UnixSocket::QueuedBytes() {
  absl::MutexLock lock(&kernel_.mu);
  if (state_ == State::kListening) return ErrnoError(EINVAL, "FIONREAD on a listening socket");
  if (type_ == SOCK_DGRAM) {
    return queue_.empty() ? 0 : static_cast<int>(queue_.front().data.size());
  }
  return static_cast<int>(std::min<size_t>(queued_bytes_, INT32_MAX));
}

int UnixSocket::UnreadSentBytes() {
  absl::MutexLock lock(&kernel_.mu);
  return static_cast<int>(std::min<size_t>(send_charge_, INT32_MAX));
}

bool UnixSocket::WritableLocked() const {
  if (state_ == State::kListening) return false;
  if (send_charge_ * 4 > static_cast<size_t>(sndbuf_)) return false;
  // A datagram socket whose destination's queue is full is not writable,
  // unless the destination is connected back to it (unix_dgram_poll).
  if (type_ == SOCK_DGRAM && peer_ != nullptr && peer_->peer_.get() != this &&
      peer_->queue_.size() > kMaxDatagramQueue) {
    return false;
  }
  return true;
}

short UnixSocket::PollLocked(short events) const {
  short mask = 0;
  if (error_ != 0) mask |= POLLERR;
  if (shutdown_ == kShutdownBoth) mask |= POLLHUP;
  if (shutdown_ & kShutdownRead) mask |= POLLRDHUP | POLLIN | POLLRDNORM;
  if (state_ == State::kListening) {
    if (!pending_.empty()) mask |= POLLIN | POLLRDNORM;
  } else if (!queue_.empty()) {
    mask |= POLLIN | POLLRDNORM;
  }
  // A connection-based socket that is not (yet) connected hangs up.
  if (type_ != SOCK_DGRAM && state_ == State::kUnconnected) mask |= POLLHUP;
  if (WritableLocked()) mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
  return mask & (events | POLLERR | POLLHUP);
}

// ---- The file ----

namespace {
uint64_t InodeNumber(const void* socket) { return reinterpret_cast<uintptr_t>(socket) & 0xffffff; }
}  // namespace

UnixSocketFile::UnixSocketFile(std::shared_ptr<UnixSocket> socket, int flags)
    : File(O_RDWR | (flags & O_NONBLOCK)), socket_(std::move(socket)) {
  set_path("socket:[" + std::to_string(InodeNumber(socket_.get())) + "]");
}

UnixSocketFile::~UnixSocketFile() { socket_->Release(); }

absl::StatusOr<size_t> UnixSocketFile::Read(sentry::Task& task, absl::Span<uint8_t> buf) {
  // As sock_read_iter: an empty read neither blocks nor takes a record.
  if (buf.empty()) return 0;
  absl::StatusOr<UnixSocket::Received> r = socket_->Recv(
      task, UnixSocket::RecvArgs{.size = buf.size(), .nonblock = (flags() & O_NONBLOCK) != 0});
  if (!r.ok()) return r.status();
  // A read has nowhere to put files: they are closed, as on Linux.
  std::copy(r->data.begin(), r->data.end(), buf.begin());
  return r->data.size();
}

absl::StatusOr<size_t> UnixSocketFile::Write(sentry::Task& task, absl::Span<const uint8_t> buf) {
  UnixSocket::SendArgs args;
  args.data = buf;
  args.creds = UnixCredentials{task.tgid(), task.creds.uid, task.creds.gid};
  args.nonblock = (flags() & O_NONBLOCK) != 0;
  return socket_->Send(task, std::move(args));
}

absl::StatusOr<struct stat> UnixSocketFile::Stat() {
  struct stat st {};
  st.st_mode = S_IFSOCK | 0777;
  st.st_nlink = 1;
  st.st_blksize = 4096;
  st.st_ino = InodeNumber(socket_.get());
  return st;
}

absl::StatusOr<int64_t> UnixSocketFile::Ioctl(sentry::Task& task, uint64_t cmd, uint64_t arg) {
  int32_t value = 0;
  switch (cmd) {
    case FIONREAD: {  // SIOCINQ
      absl::StatusOr<int> n = socket_->QueuedBytes();
      if (!n.ok()) return n.status();
      value = *n;
      break;
    }
    case TIOCOUTQ:  // SIOCOUTQ
      value = socket_->UnreadSentBytes();
      break;
    default:
      return ErrnoError(ENOTTY, "ioctl not supported on a unix socket");
  }
  if (absl::Status s = task.mm->CopyOutObject(arg, value); !s.ok()) return s;
  return 0;
}

}  // namespace runsc::fs
