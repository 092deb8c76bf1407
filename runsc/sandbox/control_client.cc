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

absl::StatusOr<json> ControlClient::Call(const json& request) {
  std::string line = request.dump() + "\n";
  if (line.size() > sentry::kControlMaxRequestBytes) {
    return absl::InvalidArgumentError("control request too long");
  }

  UniqueFd dir(open(state_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return UnreachableErrno(absl::StrCat("open ", state_dir_));
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return UnreachableErrno("socket");
  SetTimeouts(fd.get(), timeout_);
  // Through /proc/self/fd, as the server bound it: no sun_path length limit.
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/%s", dir.get(),
           kControlSocketName);
  while (connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (errno == EINTR) continue;
    return IoError(absl::StrCat("connect to ", state_dir_, "/", kControlSocketName));
  }

  size_t sent = 0;
  while (sent < line.size()) {
    ssize_t n = send(fd.get(), line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("send");
    sent += n;
  }

  std::string reply;
  while (reply.find('\n') == std::string::npos) {
    if (reply.size() > sentry::kControlMaxReplyBytes) {
      return absl::InternalError("reply from the sentry is too long");
    }
    char buf[4096];
    ssize_t n = recv(fd.get(), buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("recv");
    if (n == 0) {
      if (reply.empty()) return Unreachable("the sentry closed the connection without a reply");
      break;
    }
    reply.append(buf, n);
  }
  reply.resize(std::min(reply.size(), reply.find('\n')));

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

absl::Status ControlClient::Start() { return Call({{"cmd", "start"}}).status(); }

absl::Status ControlClient::Signal(int signo, bool all) {
  return Call({{"cmd", "signal"}, {"signo", signo}, {"all", all}}).status();
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
