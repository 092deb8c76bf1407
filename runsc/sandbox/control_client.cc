#include "runsc/sandbox/control_client.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/unique_fd.h"
#include "runsc/sandbox/sandbox.h"
#include "runsc/status_macros.h"
#include "sentry/boot/control_server.h"

namespace runsc::sandbox {
namespace {

using nlohmann::json;

absl::Status Unreachable(absl::string_view what) {
  return absl::UnavailableError(absl::StrCat("cannot reach the sandbox: ", what));
}

absl::Status UnreachableErrno(absl::string_view what) {
  return Unreachable(absl::StrCat(what, ": ", strerror(errno)));
}

// Every blocking call on `fd` (connect included) gives up after `timeout`.
void SetTimeouts(int fd, absl::Duration timeout) {
  timeval tv = absl::ToTimeval(timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

absl::Status IoError(absl::string_view what) {
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINPROGRESS) {
    return Unreachable(absl::StrCat(what, ": the sentry did not answer in time"));
  }
  return UnreachableErrno(what);
}

}  // namespace

namespace {

// Sends `line` with `fds` attached to its first byte.
absl::Status SendWithFds(int fd, const std::string& line, const std::vector<int>& fds) {
  size_t sent = 0;
  std::vector<char> control(fds.empty() ? 0 : CMSG_SPACE(sizeof(int) * fds.size()));
  while (sent < line.size()) {
    iovec iov = {.iov_base = const_cast<char*>(line.data() + sent), .iov_len = line.size() - sent};
    msghdr msg = {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (sent == 0 && !fds.empty()) {
      msg.msg_control = control.data();
      msg.msg_controllen = control.size();
      cmsghdr* c = CMSG_FIRSTHDR(&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
      memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
    }
    ssize_t n = sendmsg(fd, &msg, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("send");
    sent += n;
  }
  return absl::OkStatus();
}

// One reply line from the sentry, parsed; its error if it says "ok": false.
absl::StatusOr<json> ReadReply(int fd, std::string& buffer) {
  while (buffer.find('\n') == std::string::npos) {
    if (buffer.size() > sentry::kControlMaxReplyBytes) {
      return absl::InternalError("reply from the sentry is too long");
    }
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("recv");
    if (n == 0) {
      if (buffer.empty()) return Unreachable("the sentry closed the connection without a reply");
      break;
    }
    buffer.append(buf, n);
  }
  size_t nl = std::min(buffer.size(), buffer.find('\n'));
  std::string reply = buffer.substr(0, nl);
  buffer.erase(0, std::min(buffer.size(), nl + 1));

  json parsed = json::parse(reply, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object() || !parsed.contains("ok") || !parsed["ok"].is_boolean()) {
    return absl::InternalError(
        absl::StrCat("malformed reply from the sentry: ", reply.substr(0, 200)));
  }
  if (!parsed["ok"].get<bool>()) {
    auto error = parsed.find("error");
    return absl::UnknownError(error != parsed.end() && error->is_string()
                                  ? error->get<std::string>()
                                  : std::string("the sentry refused the request"));
  }
  return parsed;
}

// exec and wait: the first reply carries the pid; the exit status follows
// on the same connection whenever the process ends, so no timeout from there.
absl::StatusOr<ExecSession> SessionAfterFirstReply(UniqueFd fd) {
  std::string buffer;
  RUNSC_ASSIGN_OR_RETURN(json reply, ReadReply(fd.get(), buffer));
  auto pid = reply.find("pid");
  if (pid == reply.end() || !pid->is_number_integer()) {
    return absl::InternalError("malformed reply from the sentry: no pid");
  }
  SetTimeouts(fd.get(), absl::ZeroDuration());
  return ExecSession(std::move(fd), pid->get<int>(), std::move(buffer));
}

absl::StatusOr<UniqueFd> Connect(const std::string& state_dir, absl::Duration timeout) {
  UniqueFd dir(open(state_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return UnreachableErrno(absl::StrCat("open ", state_dir));
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return UnreachableErrno("socket");
  SetTimeouts(fd.get(), timeout);
  // Through /proc/self/fd, as the server bound it: no sun_path length limit.
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/%s", dir.get(),
           kControlSocketName);
  while (connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (errno == EINTR) continue;
    return IoError(absl::StrCat("connect to ", state_dir, "/", kControlSocketName));
  }
  return fd;
}

}  // namespace

absl::StatusOr<json> ControlClient::CallWithFds(const json& request, const std::vector<int>& fds) {
  std::string line = request.dump() + "\n";
  if (line.size() > sentry::kControlMaxRequestBytes) {
    return absl::InvalidArgumentError("control request too long");
  }
  RUNSC_ASSIGN_OR_RETURN(UniqueFd fd, Connect(state_dir_, timeout_));
  RUNSC_RETURN_IF_ERROR(SendWithFds(fd.get(), line, fds));
  std::string buffer;
  return ReadReply(fd.get(), buffer);
}

absl::StatusOr<json> ControlClient::Call(const json& request) { return CallWithFds(request, {}); }

absl::StatusOr<ExecSession> ControlClient::Exec(json request, const std::array<int, 3>& stdio) {
  request["cmd"] = "exec";
  std::string line = request.dump() + "\n";
  if (line.size() > sentry::kControlMaxRequestBytes) {
    return absl::InvalidArgumentError("exec: the arguments and environment are too long");
  }
  RUNSC_ASSIGN_OR_RETURN(UniqueFd fd, Connect(state_dir_, timeout_));
  RUNSC_RETURN_IF_ERROR(SendWithFds(fd.get(), line, {stdio.begin(), stdio.end()}));
  return SessionAfterFirstReply(std::move(fd));
}

absl::StatusOr<ExecSession> ControlClient::WaitForInit() {
  RUNSC_ASSIGN_OR_RETURN(UniqueFd fd, Connect(state_dir_, timeout_));
  RUNSC_RETURN_IF_ERROR(SendWithFds(fd.get(), json{{"cmd", "wait"}}.dump() + "\n", {}));
  return SessionAfterFirstReply(std::move(fd));
}

absl::StatusOr<int> ExecSession::Wait() {
  RUNSC_ASSIGN_OR_RETURN(json reply, ReadReply(conn_.get(), pending_));
  auto status = reply.find("status");
  if (status == reply.end() || !status->is_number_integer()) {
    return absl::InternalError("malformed reply from the sentry: no exit status");
  }
  return status->get<int>();
}

absl::Status ControlClient::Start() { return Call({{"cmd", "start"}}).status(); }

absl::Status ControlClient::Signal(int signo, bool all) {
  return Call({{"cmd", "signal"}, {"signo", signo}, {"all", all}}).status();
}

absl::Status ControlClient::SignalProcess(int pid, int signo) {
  return Call({{"cmd", "signal"}, {"signo", signo}, {"pid", pid}}).status();
}

absl::Status ControlClient::SignalTerminalForeground(int pid, int signo) {
  return Call({{"cmd", "signal"}, {"signo", signo}, {"pid", pid}, {"terminal", true}}).status();
}

absl::StatusOr<std::vector<pid_t>> ControlClient::HostPids() {
  RUNSC_ASSIGN_OR_RETURN(json reply, Call({{"cmd", "pids"}}));
  auto it = reply.find("pids");
  if (it == reply.end() || !it->is_array()) {
    return absl::InternalError("malformed reply from the sentry: no pids");
  }
  std::vector<pid_t> pids;
  for (const json& pid : *it) {
    if (!pid.is_number_integer()) return absl::InternalError("malformed reply: bad pid");
    pids.push_back(pid.get<pid_t>());
  }
  return pids;
}

}  // namespace runsc::sandbox
