#include "gofer/client/gofer_client.h"

#include <atomic>
#include <cerrno>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/errno_status.h"
#include "gofer/proto/gofer.pb.h"
#include "gofer/proto/wire.h"

namespace runsc::gofer {
namespace {

// A validated reply: the response is the one the request asked for and `fd`
// is set iff the operation donates one.
struct Reply {
  proto::Response response;
  UniqueFd fd;
};

// The request and the reply name the same operation by the same field number
// (see gofer.proto); these pin that down for the ones this client sends.
static_assert(static_cast<int>(proto::Request::kAttach) == proto::Response::kAttach);
static_assert(static_cast<int>(proto::Request::kWalk) == proto::Response::kWalk);
static_assert(static_cast<int>(proto::Request::kStat) == proto::Response::kStat);
static_assert(static_cast<int>(proto::Request::kOpen) == proto::Response::kOpen);
static_assert(static_cast<int>(proto::Request::kReadDir) == proto::Response::kReadDir);
static_assert(static_cast<int>(proto::Request::kReadLink) == proto::Response::kReadLink);
static_assert(static_cast<int>(proto::Request::kClose) == proto::Response::kClose);
static_assert(static_cast<int>(proto::Request::kCreate) == proto::Response::kCreate);
static_assert(static_cast<int>(proto::Request::kMkdir) == proto::Response::kMkdir);
static_assert(static_cast<int>(proto::Request::kMknod) == proto::Response::kMknod);
static_assert(static_cast<int>(proto::Request::kSymlink) == proto::Response::kSymlink);
static_assert(static_cast<int>(proto::Request::kLink) == proto::Response::kLink);
static_assert(static_cast<int>(proto::Request::kUnlink) == proto::Response::kUnlink);
static_assert(static_cast<int>(proto::Request::kRename) == proto::Response::kRename);
static_assert(static_cast<int>(proto::Request::kSetAttr) == proto::Response::kSetAttr);
static_assert(static_cast<int>(proto::Request::kStatFs) == proto::Response::kStatFs);
static_assert(static_cast<int>(proto::Request::kGetXattr) == proto::Response::kGetXattr);
static_assert(static_cast<int>(proto::Request::kSetXattr) == proto::Response::kSetXattr);
static_assert(static_cast<int>(proto::Request::kListXattr) == proto::Response::kListXattr);
static_assert(static_cast<int>(proto::Request::kRemoveXattr) == proto::Response::kRemoveXattr);

absl::Status BadReply(absl::string_view what) {
  return ErrnoError(EIO, absl::StrCat("malformed gofer reply: ", what));
}

FileStat FromProto(const proto::Stat& in) {
  FileStat out;
  out.dev = in.dev();
  out.ino = in.ino();
  out.mode = in.mode();
  out.nlink = in.nlink();
  out.uid = in.uid();
  out.gid = in.gid();
  out.rdev = in.rdev();
  out.size = in.size();
  out.blksize = in.blksize();
  out.blocks = in.blocks();
  out.atime_sec = in.atime_sec();
  out.atime_nsec = in.atime_nsec();
  out.mtime_sec = in.mtime_sec();
  out.mtime_nsec = in.mtime_nsec();
  out.ctime_sec = in.ctime_sec();
  out.ctime_nsec = in.ctime_nsec();
  return out;
}

absl::StatusOr<WalkedFile> ToWalkedFile(uint64_t id, const proto::Stat& stat) {
  if (id == 0) return BadReply("file id 0");
  return WalkedFile{.id = id, .stat = FromProto(stat)};
}

}  // namespace

class GoferClient::Impl {
 public:
  explicit Impl(UniqueFd socket) : socket_(std::move(socket)), buffer_(kMaxMessageSize) {}

  // Sends `request` and waits for its reply; `donates_fd` says whether a
  // successful reply must carry exactly one fd (else it must carry none).
  absl::StatusOr<Reply> Call(const proto::Request& request, bool donates_fd) {
    std::string bytes;
    if (!request.SerializeToString(&bytes) || bytes.size() > kMaxMessageSize) {
      return ErrnoError(EINVAL, "gofer request does not fit in a message");
    }
    absl::MutexLock lock(&mu_);
    requests_sent_.fetch_add(1, std::memory_order_relaxed);
    if (broken_) return ErrnoError(EIO, "gofer connection is broken by an earlier failure");
    if (absl::Status sent = SendPacket(socket_.get(), bytes); !sent.ok()) {
      broken_ = true;
      return ErrnoError(EIO, absl::StrCat("sending to the gofer: ", sent.message()));
    }
    absl::StatusOr<ReceivedPacket> packet = ReceivePacket(socket_.get(), absl::MakeSpan(buffer_));
    if (!packet.ok() || packet->hung_up) {
      // The reply may still be on its way or gone: either way, later replies
      // could no longer be matched to their requests.
      broken_ = true;
      return ErrnoError(EIO, packet.ok() ? "the gofer hung up"
                                         : absl::StrCat("receiving from the gofer: ",
                                                        packet.status().message()));
    }
    // From here every return drops `packet`, closing any fds it carried that
    // are not handed to the caller.
    if (packet->truncated) return BadReply("larger than the message limit");
    if (packet->control_truncated) return BadReply("more fds than any reply carries");
    Reply reply;
    if (!reply.response.ParseFromArray(buffer_.data(), static_cast<int>(packet->size))) {
      return BadReply("not a Response message");
    }
    if (reply.response.has_error()) {
      if (!packet->fds.empty()) return BadReply("error carries an fd");
      int err = reply.response.error().linux_errno();
      if (err <= 0 || err >= 4096) return BadReply(absl::StrCat("errno ", err, " out of range"));
      return ErrnoError(err, absl::StrCat("gofer: ", reply.response.error().message()));
    }
    if (static_cast<int>(reply.response.result_case()) != static_cast<int>(request.op_case())) {
      return BadReply(absl::StrCat("answers operation ", reply.response.result_case(),
                                   " to a request for operation ", request.op_case()));
    }
    if (packet->fds.size() != (donates_fd ? 1u : 0u)) {
      return BadReply(absl::StrCat("carries ", packet->fds.size(), " fds, expected ",
                                   donates_fd ? 1 : 0));
    }
    if (donates_fd) reply.fd = std::move(packet->fds[0]);
    return reply;
  }

  uint64_t RequestsSent() const { return requests_sent_.load(std::memory_order_relaxed); }

 private:
  absl::Mutex mu_;
  std::atomic<uint64_t> requests_sent_{0};
  const UniqueFd socket_;
  bool broken_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<char> buffer_ ABSL_GUARDED_BY(mu_);
};

GoferClient::GoferClient(UniqueFd socket) : impl_(std::make_unique<Impl>(std::move(socket))) {}

GoferClient::~GoferClient() = default;

uint64_t GoferClient::RequestsSent() const { return impl_->RequestsSent(); }

absl::StatusOr<WalkedFile> GoferClient::Attach(uint32_t mount) {
  proto::Request request;
  request.mutable_attach()->set_mount(mount);
  absl::StatusOr<Reply> reply = impl_->Call(request, /*donates_fd=*/false);
  if (!reply.ok()) return reply.status();
  const proto::AttachResponse& attach = reply->response.attach();
  return ToWalkedFile(attach.id(), attach.stat());
}

absl::StatusOr<WalkedFile> GoferClient::Walk(FileId dir, absl::string_view name) {
  if (absl::Status valid = CheckNameComponent(name); !valid.ok()) return valid;
  proto::Request request;
  request.mutable_walk()->set_dir(dir);
  request.mutable_walk()->set_name(std::string(name));
  absl::StatusOr<Reply> reply = impl_->Call(request, /*donates_fd=*/false);
  if (!reply.ok()) return reply.status();
  const proto::WalkResponse& walk = reply->response.walk();
  return ToWalkedFile(walk.id(), walk.stat());
}

absl::StatusOr<FileStat> GoferClient::Stat(FileId file) {
  proto::Request request;
  request.mutable_stat()->set_id(file);
  absl::StatusOr<Reply> reply = impl_->Call(request, /*donates_fd=*/false);
  if (!reply.ok()) return reply.status();
  return FromProto(reply->response.stat().stat());
}

absl::StatusOr<UniqueFd> GoferClient::Open(FileId file, int flags) {
  proto::Request request;
  request.mutable_open()->set_id(file);
  request.mutable_open()->set_flags(flags);
  absl::StatusOr<Reply> reply = impl_->Call(request, /*donates_fd=*/true);
  if (!reply.ok()) return reply.status();
  return std::move(reply->fd);
}

absl::StatusOr<std::vector<DirEntry>> GoferClient::ReadDir(FileId dir) {
  std::vector<DirEntry> entries;
  uint64_t cookie = 0;
  for (;;) {
    proto::Request request;
    request.mutable_read_dir()->set_dir(dir);
    request.mutable_read_dir()->set_cookie(cookie);
    absl::StatusOr<Reply> reply = impl_->Call(request, /*donates_fd=*/false);
    if (!reply.ok()) return reply.status();
    const proto::ReadDirResponse& page = reply->response.read_dir();
    for (const proto::DirEntry& e : page.entries()) {
      // The sentry builds paths from these names: hold the gofer to the same
      // rule it holds the sentry to.
      if (e.name() != "." && e.name() != ".." && !CheckNameComponent(e.name()).ok()) {
        return BadReply("directory entry with an invalid name");
      }
      if (e.type() > 0xff) return BadReply("directory entry type out of range");
      entries.push_back(DirEntry{.name = e.name(), .ino = e.ino(),
                                 .type = static_cast<uint8_t>(e.type())});
    }
    if (page.end()) return entries;
    // A page that neither ends the listing nor moves on would loop forever.
    if (page.entries().empty() || page.next_cookie() == cookie) {
      return BadReply("directory page makes no progress");
    }
    cookie = page.next_cookie();
  }
}

absl::StatusOr<std::string> GoferClient::ReadLink(FileId file) {
  proto::Request request;
  request.mutable_read_link()->set_id(file);
  absl::StatusOr<Reply> reply = impl_->Call(request, /*donates_fd=*/false);
  if (!reply.ok()) return reply.status();
  return reply->response.read_link().target();
}

absl::StatusOr<CreatedFile> GoferClient::Create(FileId dir, absl::string_view name, int flags,
                                                uint32_t mode) {
  if (absl::Status valid = CheckNameComponent(name); !valid.ok()) return valid;
  proto::Request request;
  proto::CreateRequest* create = request.mutable_create();
  create->set_dir(dir);
  create->set_name(std::string(name));
  create->set_flags(flags);
  create->set_mode(mode);
  absl::StatusOr<Reply> reply = impl_->Call(request, /*donates_fd=*/true);
  if (!reply.ok()) return reply.status();
  absl::StatusOr<WalkedFile> file =
      ToWalkedFile(reply->response.create().id(), reply->response.create().stat());
  if (!file.ok()) return file.status();
  return CreatedFile{.file = *file, .fd = std::move(reply->fd)};
}

absl::StatusOr<WalkedFile> GoferClient::Mkdir(FileId dir, absl::string_view name, uint32_t mode) {
  if (absl::Status valid = CheckNameComponent(name); !valid.ok()) return valid;
  proto::Request request;
  request.mutable_mkdir()->set_dir(dir);
  request.mutable_mkdir()->set_name(std::string(name));
  request.mutable_mkdir()->set_mode(mode);
  absl::StatusOr<Reply> reply = impl_->Call(request, /*donates_fd=*/false);
  if (!reply.ok()) return reply.status();
  return ToWalkedFile(reply->response.mkdir().id(), reply->response.mkdir().stat());
}

absl::StatusOr<WalkedFile> GoferClient::Mknod(FileId dir, absl::string_view name, uint32_t mode) {
  if (absl::Status valid = CheckNameComponent(name); !valid.ok()) return valid;
  proto::Request request;
  request.mutable_mknod()->set_dir(dir);
  request.mutable_mknod()->set_name(std::string(name));
  request.mutable_mknod()->set_mode(mode);
  absl::StatusOr<Reply> reply = impl_->Call(request, /*donates_fd=*/false);
  if (!reply.ok()) return reply.status();
  return ToWalkedFile(reply->response.mknod().id(), reply->response.mknod().stat());
}

absl::StatusOr<WalkedFile> GoferClient::Symlink(FileId dir, absl::string_view name,
                                                absl::string_view target) {
  if (absl::Status valid = CheckNameComponent(name); !valid.ok()) return valid;
  proto::Request request;
  request.mutable_symlink()->set_dir(dir);
  request.mutable_symlink()->set_name(std::string(name));
  request.mutable_symlink()->set_target(std::string(target));
  absl::StatusOr<Reply> reply = impl_->Call(request, /*donates_fd=*/false);
  if (!reply.ok()) return reply.status();
  return ToWalkedFile(reply->response.symlink().id(), reply->response.symlink().stat());
}

absl::StatusOr<WalkedFile> GoferClient::Link(FileId target, FileId dir, absl::string_view name) {
  if (absl::Status valid = CheckNameComponent(name); !valid.ok()) return valid;
  proto::Request request;
  request.mutable_link()->set_target(target);
  request.mutable_link()->set_dir(dir);
  request.mutable_link()->set_name(std::string(name));
  absl::StatusOr<Reply> reply = impl_->Call(request, /*donates_fd=*/false);
  if (!reply.ok()) return reply.status();
  return ToWalkedFile(reply->response.link().id(), reply->response.link().stat());
}

absl::Status GoferClient::Unlink(FileId dir, absl::string_view name, int flags) {
  if (absl::Status valid = CheckNameComponent(name); !valid.ok()) return valid;
  proto::Request request;
  request.mutable_unlink()->set_dir(dir);
  request.mutable_unlink()->set_name(std::string(name));
  request.mutable_unlink()->set_flags(flags);
  return impl_->Call(request, /*donates_fd=*/false).status();
}

absl::Status GoferClient::Rename(FileId old_dir, absl::string_view old_name, FileId new_dir,
                                 absl::string_view new_name, uint32_t flags) {
  if (absl::Status valid = CheckNameComponent(old_name); !valid.ok()) return valid;
  if (absl::Status valid = CheckNameComponent(new_name); !valid.ok()) return valid;
  proto::Request request;
  proto::RenameRequest* rename = request.mutable_rename();
  rename->set_old_dir(old_dir);
  rename->set_old_name(std::string(old_name));
  rename->set_new_dir(new_dir);
  rename->set_new_name(std::string(new_name));
  rename->set_flags(flags);
  return impl_->Call(request, /*donates_fd=*/false).status();
}

absl::StatusOr<FileStat> GoferClient::SetAttr(FileId file, const SetAttrRequest& set) {
  proto::Request request;
  proto::SetAttrRequest* out = request.mutable_set_attr();
  out->set_id(file);
  uint32_t valid = 0;
  if (set.mode) {
    valid |= proto::SET_ATTR_MODE;
    out->set_mode(*set.mode);
  }
  if (set.owner) {
    valid |= proto::SET_ATTR_OWNER;
    out->set_uid(set.owner->first);
    out->set_gid(set.owner->second);
  }
  if (set.size) {
    valid |= proto::SET_ATTR_SIZE;
    out->set_size(*set.size);
  }
  if (set.times) {
    valid |= proto::SET_ATTR_TIMES;
    out->set_atime_sec(set.times->first.tv_sec);
    out->set_atime_nsec(set.times->first.tv_nsec);
    out->set_mtime_sec(set.times->second.tv_sec);
    out->set_mtime_nsec(set.times->second.tv_nsec);
  }
  out->set_valid(valid);
  absl::StatusOr<Reply> reply = impl_->Call(request, /*donates_fd=*/false);
  if (!reply.ok()) return reply.status();
  return FromProto(reply->response.set_attr().stat());
}

absl::StatusOr<FsStat> GoferClient::StatFs(FileId file) {
  proto::Request request;
  request.mutable_stat_fs()->set_id(file);
  absl::StatusOr<Reply> reply = impl_->Call(request, /*donates_fd=*/false);
  if (!reply.ok()) return reply.status();
  const proto::StatFsResponse& in = reply->response.stat_fs();
  return FsStat{.type = in.type(), .bsize = in.bsize(), .blocks = in.blocks(),
                .bfree = in.bfree(), .bavail = in.bavail(), .files = in.files(),
                .ffree = in.ffree(), .namelen = in.namelen(), .frsize = in.frsize(),
                .flags = in.flags()};
}

absl::StatusOr<std::string> GoferClient::GetXattr(FileId file, absl::string_view name) {
  if (absl::Status valid = CheckXattrName(name); !valid.ok()) return valid;
  proto::Request request;
  proto::GetXattrRequest* out = request.mutable_get_xattr();
  out->set_id(file);
  out->set_name(std::string(name));
  absl::StatusOr<Reply> reply = impl_->Call(request, /*donates_fd=*/false);
  if (!reply.ok()) return reply.status();
  std::string value = std::move(*reply->response.mutable_get_xattr()->mutable_value());
  if (value.size() > kMaxXattrValueSize) return BadReply("xattr value larger than 64 KiB");
  return value;
}

absl::StatusOr<FileStat> GoferClient::SetXattr(FileId file, absl::string_view name,
                                               absl::string_view value, int flags) {
  if (absl::Status valid = CheckXattrName(name); !valid.ok()) return valid;
  if (value.size() > kMaxXattrValueSize) {
    return ErrnoError(E2BIG, "xattr value larger than XATTR_SIZE_MAX");
  }
  proto::Request request;
  proto::SetXattrRequest* out = request.mutable_set_xattr();
  out->set_id(file);
  out->set_name(std::string(name));
  out->set_value(std::string(value));
  out->set_flags(static_cast<uint32_t>(flags));
  absl::StatusOr<Reply> reply = impl_->Call(request, /*donates_fd=*/false);
  if (!reply.ok()) return reply.status();
  return FromProto(reply->response.set_xattr().stat());
}

absl::StatusOr<std::vector<std::string>> GoferClient::ListXattr(FileId file) {
  proto::Request request;
  request.mutable_list_xattr()->set_id(file);
  absl::StatusOr<Reply> reply = impl_->Call(request, /*donates_fd=*/false);
  if (!reply.ok()) return reply.status();
  absl::string_view all = reply->response.list_xattr().names();
  if (all.size() > kMaxXattrListSize) return BadReply("xattr list larger than 64 KiB");
  // The gofer is trusted less than this: every name must be one it may serve.
  std::vector<std::string> names;
  while (!all.empty()) {
    const size_t end = all.find('\0');
    if (end == absl::string_view::npos) return BadReply("xattr list without a final NUL");
    absl::string_view one = all.substr(0, end);
    if (!CheckXattrName(one).ok()) return BadReply("xattr list names an attribute not served");
    names.emplace_back(one);
    all.remove_prefix(end + 1);
  }
  return names;
}

absl::StatusOr<FileStat> GoferClient::RemoveXattr(FileId file, absl::string_view name) {
  if (absl::Status valid = CheckXattrName(name); !valid.ok()) return valid;
  proto::Request request;
  proto::RemoveXattrRequest* out = request.mutable_remove_xattr();
  out->set_id(file);
  out->set_name(std::string(name));
  absl::StatusOr<Reply> reply = impl_->Call(request, /*donates_fd=*/false);
  if (!reply.ok()) return reply.status();
  return FromProto(reply->response.remove_xattr().stat());
}

absl::Status GoferClient::Close(FileId file) {
  proto::Request request;
  request.mutable_close()->set_id(file);
  return impl_->Call(request, /*donates_fd=*/false).status();
}

}  // namespace runsc::gofer
