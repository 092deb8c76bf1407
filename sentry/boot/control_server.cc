#include "sentry/boot/control_server.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <thread>
#include <utility>

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

std::string HandleSignal(const json& request, ControlHandler& handler) {
  if (std::optional<std::string> extra = UnknownMember(request, {"cmd", "signo", "all"})) {
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

std::string ControlServer::HandleRequest(std::string_view line, ControlHandler& handler) {
  if (line.size() >= kControlMaxRequestBytes) {
    return MalformedReply(absl::StrCat("longer than ", kControlMaxRequestBytes, " bytes"));
  }
  json request = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded()) return MalformedReply("not JSON");
  if (!request.is_object()) return MalformedReply("not a JSON object");
  auto cmd_it = request.find("cmd");
  if (cmd_it == request.end()) return MalformedReply("\"cmd\" is missing");
  if (!cmd_it->is_string()) return MalformedReply("\"cmd\" must be a string");
  const std::string cmd = cmd_it->get<std::string>();

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
  }

 private:
  enum class Wait { kReady, kStop, kTimeout, kError };

  // Waits until `fd` has `events` or Stop() is called, at most `timeout_ms`
  // (-1: forever).
  Wait WaitFor(int fd, short events, int timeout_ms) {
    pollfd fds[2] = {{fd, events, 0}, {stop_fd_.get(), POLLIN, 0}};
    while (true) {
      int n = poll(fds, 2, timeout_ms);
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
      ServeConnection(conn.get());
    }
  }

  void ServeConnection(int conn) {
    std::string line;
    bool complete = false;
    char buf[1024];
    while (!complete) {
      Wait wait = WaitFor(conn, POLLIN, kClientTimeoutMs);
      if (wait != Wait::kReady) return;  // Stop, stalled client or error: drop it.
      ssize_t n = recv(conn, buf, sizeof(buf), MSG_DONTWAIT);
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
      if (line.size() >= kControlMaxRequestBytes) break;  // HandleRequest refuses it.
    }
    std::string reply = HandleRequest(line, handler_) + "\n";
    size_t sent = 0;
    while (sent < reply.size()) {
      Wait wait = WaitFor(conn, POLLOUT, kClientTimeoutMs);
      if (wait != Wait::kReady) return;
      // MSG_NOSIGNAL: a client that went away must not kill the sentry.
      ssize_t n = send(conn, reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n < 0) return;
      sent += n;
    }
  }

  UniqueFd listen_fd_;
  ControlHandler& handler_;
  UniqueFd stop_fd_;
  bool started_ = false;
  std::thread thread_;
};

ControlServer::ControlServer(UniqueFd listen_fd, ControlHandler& handler)
    : impl_(std::make_unique<Impl>(std::move(listen_fd), handler)) {}

ControlServer::~ControlServer() { Stop(); }

absl::Status ControlServer::StartServing() { return impl_->Start(); }

void ControlServer::Stop() { impl_->Stop(); }

}  // namespace runsc::sentry
