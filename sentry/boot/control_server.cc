#include "sentry/boot/control_server.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"

#include "absl/strings/str_cat.h"
#include "base/logging.h"
#include "nlohmann/json.hpp"

namespace runsc::sentry {
namespace {

using nlohmann::json;

// How long one client may take to send its request or take its reply. runsc
// sends the request at once; a stalled client is dropped, not waited for.
constexpr int kClientTimeoutMs = 5000;

std::string Dump(const json& j) {
  // Handler messages may carry bytes that are not UTF-8 (paths): replace
  // them rather than throw.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string OkReply(json extra = json::object()) {
  extra["ok"] = true;
  return Dump(extra);
}

std::string ErrorReply(absl::string_view message) {
  return Dump(json{{"ok", false}, {"error", std::string(message)}});
}

std::string MalformedReply(absl::string_view why) {
  return ErrorReply(absl::StrCat("malformed request: ", why));
}

// The first member of `request` whose name is not in `allowed`, if any.
std::optional<std::string> UnknownMember(const json& request,
                                        std::initializer_list<absl::string_view> allowed) {
  for (auto it = request.begin(); it != request.end(); ++it) {
    bool known = false;
    for (absl::string_view name : allowed) known = known || it.key() == name;
    if (!known) return it.key();
  }
  return std::nullopt;
}

// `value` as an unsigned integer no larger than `max`, or nullopt.
std::optional<uint64_t> Unsigned(const json& value, uint64_t max) {
  if (!value.is_number_unsigned()) {
    if (!value.is_number_integer() || value.get<int64_t>() < 0) return std::nullopt;
  }
  uint64_t v = value.get<uint64_t>();
  if (v > max) return std::nullopt;
  return v;
}

absl::Status Malformed(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("malformed request: ", why));
}

absl::Status StringArray(const json& request, const char* name, bool required,
                         std::vector<std::string>& out) {
  auto it = request.find(name);
  if (it == request.end()) {
    return required ? Malformed(absl::StrCat("\"", name, "\" is missing")) : absl::OkStatus();
  }
  if (!it->is_array()) return Malformed(absl::StrCat("\"", name, "\" must be an array"));
  for (const json& e : *it) {
    if (!e.is_string()) return Malformed(absl::StrCat("\"", name, "\" must hold strings"));
    out.push_back(e.get<std::string>());
  }
  return absl::OkStatus();
}

absl::Status Uint32(const json& request, const char* name, uint32_t& out) {
  auto it = request.find(name);
  if (it == request.end()) return absl::OkStatus();
  std::optional<uint64_t> v = Unsigned(*it, UINT32_MAX);
  if (!v.has_value()) return Malformed(absl::StrCat("\"", name, "\" must be a 32-bit unsigned integer"));
  out = static_cast<uint32_t>(*v);
  return absl::OkStatus();
}

absl::Status Uint64(const json& object, const char* name, uint64_t& out) {
  auto it = object.find(name);
  if (it == object.end()) return Malformed(absl::StrCat("\"", name, "\" is missing"));
  std::optional<uint64_t> v = Unsigned(*it, UINT64_MAX);
  if (!v.has_value()) return Malformed(absl::StrCat("\"", name, "\" must be an unsigned integer"));
  out = *v;
  return absl::OkStatus();
}

absl::StatusOr<ExecRequest> ParseExec(const json& request) {
  if (std::optional<std::string> extra =
          UnknownMember(request, {"cmd", "argv", "env", "cwd", "uid", "gid", "groups",
                                  "no_new_privs", "caps", "rlimits", "terminal"})) {
    return Malformed(absl::StrCat("unknown member \"", *extra, "\" for cmd \"exec\""));
  }
  ExecRequest exec;
  if (absl::Status s = StringArray(request, "argv", true, exec.argv); !s.ok()) return s;
  if (exec.argv.empty() || exec.argv[0].empty()) return Malformed("\"argv\" must name a program");
  if (absl::Status s = StringArray(request, "env", false, exec.env); !s.ok()) return s;
  if (auto it = request.find("cwd"); it != request.end()) {
    if (!it->is_string() || it->get<std::string>().empty() || it->get<std::string>()[0] != '/') {
      return Malformed("\"cwd\" must be an absolute path");
    }
    exec.cwd = it->get<std::string>();
  }
  if (absl::Status s = Uint32(request, "uid", exec.uid); !s.ok()) return s;
  if (absl::Status s = Uint32(request, "gid", exec.gid); !s.ok()) return s;
  if (auto it = request.find("groups"); it != request.end()) {
    if (!it->is_array() || it->size() > 65536) return Malformed("\"groups\" must be an array of gids");
    for (const json& g : *it) {
      std::optional<uint64_t> gid = Unsigned(g, UINT32_MAX);
      if (!gid.has_value()) return Malformed("\"groups\" must be an array of gids");
      exec.groups.push_back(static_cast<uint32_t>(*gid));
    }
  }
  if (auto it = request.find("no_new_privs"); it != request.end()) {
    if (!it->is_boolean()) return Malformed("\"no_new_privs\" must be a boolean");
    exec.no_new_privs = it->get<bool>();
  }
  if (auto it = request.find("terminal"); it != request.end()) {
    if (!it->is_boolean()) return Malformed("\"terminal\" must be a boolean");
    exec.terminal = it->get<bool>();
  }
  if (auto it = request.find("caps"); it != request.end()) {
    if (!it->is_object()) return Malformed("\"caps\" must be an object");
    if (std::optional<std::string> extra = UnknownMember(
            *it, {"effective", "permitted", "inheritable", "bounding", "ambient"})) {
      return Malformed(absl::StrCat("unknown member \"", *extra, "\" in \"caps\""));
    }
    ExecRequest::Capabilities caps;
    if (absl::Status s = Uint64(*it, "effective", caps.effective); !s.ok()) return s;
    if (absl::Status s = Uint64(*it, "permitted", caps.permitted); !s.ok()) return s;
    if (absl::Status s = Uint64(*it, "inheritable", caps.inheritable); !s.ok()) return s;
    if (it->contains("bounding")) {
      if (absl::Status s = Uint64(*it, "bounding", caps.bounding); !s.ok()) return s;
    }
    if (it->contains("ambient")) {
      if (absl::Status s = Uint64(*it, "ambient", caps.ambient); !s.ok()) return s;
    }
    exec.caps = caps;
  }
  if (auto it = request.find("rlimits"); it != request.end()) {
    if (!it->is_array()) return Malformed("\"rlimits\" must be an array");
    for (const json& r : *it) {
      if (!r.is_array() || r.size() != 3) return Malformed("each rlimit is [resource, soft, hard]");
      std::optional<uint64_t> resource = Unsigned(r[0], RLIM_NLIMITS - 1);
      std::optional<uint64_t> soft = Unsigned(r[1], UINT64_MAX), hard = Unsigned(r[2], UINT64_MAX);
      if (!resource || !soft || !hard || *soft > *hard) return Malformed("bad rlimit");
      exec.rlimits.push_back({static_cast<int>(*resource), *soft, *hard});
    }
  }
  return exec;
}

ControlServer::Response HandleExec(const json& request, std::vector<UniqueFd> fds,
                                   ControlHandler& handler) {
  absl::StatusOr<ExecRequest> exec = ParseExec(request);
  if (!exec.ok()) return {ErrorReply(exec.status().message())};
  if (fds.size() != 3) {
    return {MalformedReply(absl::StrCat("exec needs 3 descriptors (stdin, stdout, stderr), got ",
                                        fds.size()))};
  }
  std::array<UniqueFd, 3> stdio = {std::move(fds[0]), std::move(fds[1]), std::move(fds[2])};
  absl::StatusOr<ExecStarted> started = handler.Exec(*exec, std::move(stdio));
  if (!started.ok()) return {ErrorReply(started.status().message())};
  return {OkReply(json{{"pid", started->pid}}), [wait = std::move(started->wait)] {
            absl::StatusOr<int> status = wait ? wait() : absl::InternalError("no wait");
            return status.ok() ? OkReply(json{{"status", *status}})
                               : ErrorReply(status.status().message());
          }};
}

std::string HandleSignal(const json& request, ControlHandler& handler) {
  if (std::optional<std::string> extra = UnknownMember(request, {"cmd", "signo", "all", "pid", "terminal"})) {
    return MalformedReply(absl::StrCat("unknown member \"", *extra, "\" for cmd \"signal\""));
  }
  auto signo_it = request.find("signo");
  if (signo_it == request.end()) return MalformedReply("\"signo\" is missing");
  if (!signo_it->is_number_integer()) return MalformedReply("\"signo\" must be an integer");
  // Read as the widest type first so that a huge value cannot wrap into range.
  int64_t signo = signo_it->is_number_unsigned()
                      ? static_cast<int64_t>(std::min<uint64_t>(signo_it->get<uint64_t>(), 1u << 20))
                      : signo_it->get<int64_t>();
  if (signo < 1 || signo > kControlMaxSignal) {
    return MalformedReply(absl::StrCat("\"signo\" ", signo, " is not a signal number (1..",
                                       kControlMaxSignal, ")"));
  }
  bool all = false;
  if (auto all_it = request.find("all"); all_it != request.end()) {
    if (!all_it->is_boolean()) return MalformedReply("\"all\" must be a boolean");
    all = all_it->get<bool>();
  }
  if (auto pid_it = request.find("pid"); pid_it != request.end()) {
    std::optional<uint64_t> pid = Unsigned(*pid_it, 1u << 22);
    if (!pid.has_value() || *pid == 0) return MalformedReply("\"pid\" must be a positive pid");
    if (all) return MalformedReply("\"pid\" and \"all\" exclude each other");
    bool terminal = false;
    if (auto it = request.find("terminal"); it != request.end()) {
      if (!it->is_boolean()) return MalformedReply("\"terminal\" must be a boolean");
      terminal = it->get<bool>();
    }
    absl::Status status =
        terminal ? handler.SignalTerminalForeground(static_cast<int>(*pid), static_cast<int>(signo))
                 : handler.SignalProcess(static_cast<int>(*pid), static_cast<int>(signo));
    return status.ok() ? OkReply() : ErrorReply(status.message());
  }
  if (request.contains("terminal")) return MalformedReply("\"terminal\" needs a \"pid\"");
  absl::Status status = handler.Signal(static_cast<int>(signo), all);
  if (!status.ok()) return ErrorReply(status.message());
  return OkReply();
}

std::string HandleNoArgs(const json& request, absl::string_view cmd) {
  if (std::optional<std::string> extra = UnknownMember(request, {"cmd"})) {
    return MalformedReply(absl::StrCat("unknown member \"", *extra, "\" for cmd \"", cmd, "\""));
  }
  return "";
}

}  // namespace

namespace {

std::string HandleWithoutFds(const json& request, const std::string& cmd,
                             ControlHandler& handler) {
  if (cmd == "signal") return HandleSignal(request, handler);
  if (cmd == "start") {
    if (std::string bad = HandleNoArgs(request, cmd); !bad.empty()) return bad;
    absl::Status status = handler.Start();
    return status.ok() ? OkReply() : ErrorReply(status.message());
  }
  if (cmd == "pids") {
    if (std::string bad = HandleNoArgs(request, cmd); !bad.empty()) return bad;
    absl::StatusOr<std::vector<pid_t>> pids = handler.HostPids();
    if (!pids.ok()) return ErrorReply(pids.status().message());
    return OkReply(json{{"pids", *pids}});
  }
  return MalformedReply(absl::StrCat("unknown cmd \"", cmd, "\""));
}

}  // namespace

ControlServer::Response ControlServer::Handle(std::string_view line, std::vector<UniqueFd> fds,
                                              ControlHandler& handler) {
  if (line.size() >= kControlMaxRequestBytes) {
    return {MalformedReply(absl::StrCat("longer than ", kControlMaxRequestBytes, " bytes"))};
  }
  json request = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded()) return {MalformedReply("not JSON")};
  if (!request.is_object()) return {MalformedReply("not a JSON object")};
  auto cmd_it = request.find("cmd");
  if (cmd_it == request.end()) return {MalformedReply("\"cmd\" is missing")};
  if (!cmd_it->is_string()) return {MalformedReply("\"cmd\" must be a string")};
  const std::string cmd = cmd_it->get<std::string>();
  if (cmd == "exec") return HandleExec(request, std::move(fds), handler);
  if (!fds.empty()) {
    return {MalformedReply(absl::StrCat("cmd \"", cmd, "\" takes no descriptors, got ", fds.size()))};
  }
  if (cmd == "wait") {
    if (std::string bad = HandleNoArgs(request, cmd); !bad.empty()) return {bad};
    return {OkReply(json{{"pid", 1}}), [&handler] {
              absl::StatusOr<int> status = handler.WaitForInit();
              return status.ok() ? OkReply(json{{"status", *status}})
                                 : ErrorReply(status.status().message());
            }};
  }
  return {HandleWithoutFds(request, cmd, handler)};
}

class ControlServer::Impl {
 public:
  Impl(UniqueFd listen_fd, ControlHandler& handler)
      : listen_fd_(std::move(listen_fd)), handler_(handler) {}

  absl::Status Start() {
    if (started_) return absl::FailedPreconditionError("control server already started");
    stop_fd_ = UniqueFd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!stop_fd_.valid()) {
      return absl::InternalError(absl::StrCat("eventfd: ", strerror(errno)));
    }
    started_ = true;
    thread_ = std::thread([this] { Serve(); });
    return absl::OkStatus();
  }

  void Stop() {
    if (!thread_.joinable()) return;
    uint64_t one = 1;
    ssize_t unused = write(stop_fd_.get(), &one, sizeof(one));
    (void)unused;
    thread_.join();
    // Exec waits end when their process does; the sentry stops serving only
    // once every task is gone (or it exits, which ends them all).
    std::vector<std::thread> waits;
    {
      absl::MutexLock lock(&waits_mu_);
      waits.swap(waits_);
    }
    for (std::thread& t : waits) t.join();
  }

 private:
  enum class Wait { kReady, kStop, kTimeout, kError };

  // Waits until `fd` has `events` or, when `stoppable`, Stop() is called, at
  // most `timeout_ms` (-1: forever).
  Wait WaitFor(int fd, short events, int timeout_ms, bool stoppable = true) {
    pollfd fds[2] = {{fd, events, 0}, {stop_fd_.get(), POLLIN, 0}};
    while (true) {
      int n = poll(fds, stoppable ? 2 : 1, timeout_ms);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Wait::kError;
      if (n == 0) return Wait::kTimeout;
      if (fds[1].revents != 0) return Wait::kStop;
      return Wait::kReady;
    }
  }

  void Serve() {
    while (true) {
      Wait wait = WaitFor(listen_fd_.get(), POLLIN, -1);
      if (wait == Wait::kStop) return;
      if (wait == Wait::kError) {
        LogError("control server: poll failed: ", strerror(errno));
        return;
      }
      UniqueFd conn(accept4(listen_fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (!conn.valid()) {
        if (errno == EINTR || errno == ECONNABORTED || errno == EAGAIN) continue;
        // EMFILE and friends: the socket stays readable, so back off rather
        // than spin.
        LogWarning("control server: accept failed: ", strerror(errno));
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      ServeConnection(std::move(conn));
    }
  }

  // Most descriptors a request may carry; more are closed by the kernel
  // (MSG_CTRUNC) and the request is refused.
  static constexpr size_t kMaxRequestFds = 8;

  // One recv of the request, taking ownership of any descriptors attached.
  // Returns the byte count, 0 at EOF, -1 with errno on error.
  ssize_t ReceiveChunk(int conn, char* buf, size_t size, std::vector<UniqueFd>& fds,
                       bool& fds_truncated) {
    iovec iov = {.iov_base = buf, .iov_len = size};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxRequestFds)];
    msghdr msg = {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    ssize_t n = recvmsg(conn, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n < 0) return n;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      const unsigned char* data = CMSG_DATA(c);
      for (size_t i = 0; i < count; ++i, data += sizeof(int)) {
        int fd;
        memcpy(&fd, data, sizeof(fd));
        fds.emplace_back(fd);
      }
    }
    if (msg.msg_flags & MSG_CTRUNC) fds_truncated = true;
    return n;
  }

  // Sends `line` + "\n"; false if the client is gone or stalls. Not cut
  // short by Stop(): a request that was handled gets its reply. `start` of a
  // short program is the case: its init may exit, and the sentry begin to
  // stop, before the reply to `start` is out.
  bool SendLine(int conn, const std::string& line) {
    std::string reply = line + "\n";
    size_t sent = 0;
    while (sent < reply.size()) {
      Wait wait = WaitFor(conn, POLLOUT, kClientTimeoutMs, /*stoppable=*/false);
      if (wait != Wait::kReady) return false;
      // MSG_NOSIGNAL: a client that went away must not kill the sentry.
      ssize_t n = send(conn, reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n < 0) return false;
      sent += n;
    }
    return true;
  }

  void ServeConnection(UniqueFd conn) {
    std::string line;
    std::vector<UniqueFd> fds;
    bool fds_truncated = false;
    bool complete = false;
    char buf[4096];
    while (!complete) {
      Wait wait = WaitFor(conn.get(), POLLIN, kClientTimeoutMs);
      if (wait != Wait::kReady) return;  // Stop, stalled client or error: drop it.
      ssize_t n = ReceiveChunk(conn.get(), buf, sizeof(buf), fds, fds_truncated);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n < 0) return;
      if (n == 0) {  // The client closed its side: what came is the request.
        if (line.empty()) return;
        break;
      }
      size_t take = static_cast<size_t>(n);
      if (const void* nl = memchr(buf, '\n', take)) {
        take = static_cast<const char*>(nl) - buf;
        complete = true;
      }
      line.append(buf, take);
      if (line.size() >= kControlMaxRequestBytes) break;  // Handle refuses it.
    }
    if (fds_truncated) {
      SendLine(conn.get(), MalformedReply(absl::StrCat("more than ", kMaxRequestFds, " descriptors")));
      return;
    }
    Response response = Handle(line, std::move(fds), handler_);
    if (!SendLine(conn.get(), response.reply) || !response.then) return;
    // An exec: its exit status follows on this connection, from a thread of
    // its own so that the next requests are served meanwhile. Its reply is
    // sent even if the client stalls: the process is gone, only the client
    // loses.
    absl::MutexLock lock(&waits_mu_);
    try {
      waits_.emplace_back([conn = std::move(conn), then = std::move(response.then)]() mutable {
        std::string reply = then() + "\n";
        ssize_t unused = send(conn.get(), reply.data(), reply.size(), MSG_NOSIGNAL);
        (void)unused;
      });
    } catch (const std::system_error& e) {
      LogWarning("control server: no thread to wait for an exec: ", e.what());
    }
  }

  UniqueFd listen_fd_;
  ControlHandler& handler_;
  UniqueFd stop_fd_;
  bool started_ = false;
  std::thread thread_;
  absl::Mutex waits_mu_;
  std::vector<std::thread> waits_ ABSL_GUARDED_BY(waits_mu_);
};

ControlServer::ControlServer(UniqueFd listen_fd, ControlHandler& handler)
    : impl_(std::make_unique<Impl>(std::move(listen_fd), handler)) {}

ControlServer::~ControlServer() { Stop(); }

absl::Status ControlServer::StartServing() { return impl_->Start(); }

void ControlServer::Stop() { impl_->Stop(); }

}  // namespace runsc::sentry
