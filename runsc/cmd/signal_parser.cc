#include "runsc/cmd/signal_parser.h"

#include <signal.h>

#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace runsc::cmd {
namespace {

// Linux's highest signal, and the real-time range as the C library (and so
// `kill -l`, and runc) numbers it: glibc keeps 32 and 33 for itself.
constexpr int kMaxSignal = 64;
constexpr int kRtMin = 34;
constexpr int kRtMax = 64;

constexpr std::pair<std::string_view, int> kSignals[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},       {"QUIT", SIGQUIT},   {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},     {"IOT", SIGIOT},     {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL},     {"USR1", SIGUSR1},   {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE},     {"ALRM", SIGALRM},   {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},     {"CLD", SIGCHLD},    {"CONT", SIGCONT},
    {"STOP", SIGSTOP},     {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN},   {"TTOU", SIGTTOU},
    {"URG", SIGURG},       {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ},   {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF},     {"WINCH", SIGWINCH},   {"IO", SIGIO},       {"POLL", SIGPOLL},
    {"PWR", SIGPWR},       {"SYS", SIGSYS},
};

absl::Status Invalid(std::string_view text) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid signal \"", absl::string_view(text.data(), text.size()), "\""));
}

}  // namespace

absl::StatusOr<int> ParseSignal(std::string_view text) {
  absl::string_view input(text.data(), text.size());
  int number = 0;
  if (absl::SimpleAtoi(input, &number)) {
    if (number < 1 || number > kMaxSignal) return Invalid(text);
    return number;
  }
  std::string name = absl::AsciiStrToUpper(input);
  absl::string_view rest = name;
  absl::ConsumePrefix(&rest, "SIG");
  for (const auto& [known, signo] : kSignals) {
    if (rest == absl::string_view(known.data(), known.size())) return signo;
  }
  // RTMIN, RTMIN+n, RTMAX, RTMAX-n.
  int base = 0, sign = 0;
  if (absl::ConsumePrefix(&rest, "RTMIN")) {
    base = kRtMin;
    sign = 1;
  } else if (absl::ConsumePrefix(&rest, "RTMAX")) {
    base = kRtMax;
    sign = -1;
  } else {
    return Invalid(text);
  }
  if (rest.empty()) return base;
  int offset = 0;
  bool valid_sign = sign > 0 ? absl::ConsumePrefix(&rest, "+") : absl::ConsumePrefix(&rest, "-");
  if (!valid_sign || !absl::SimpleAtoi(rest, &offset) || offset < 0 ||
      offset > kRtMax - kRtMin) {
    return Invalid(text);
  }
  return base + sign * offset;
}

}  // namespace runsc::cmd
