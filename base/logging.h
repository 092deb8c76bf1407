// Process-wide logging for runsc, the sentry and the gofer.
//
// One sink per process, chosen at start-up (stderr, or the --log/--debug-log
// file), in text or JSON lines ({"level":"error","msg":"…","time":"…"}, the
// format containerd's shim parses). Debug lines are dropped unless enabled.
#ifndef RUNSC_BASE_LOGGING_H_
#define RUNSC_BASE_LOGGING_H_

#include "absl/strings/string_view.h"

#include "absl/strings/str_cat.h"

namespace runsc {

enum class LogLevel { kDebug, kInfo, kWarning, kError };
enum class LogFormat { kText, kJson };

struct LogConfig {
  int fd = 2;                  // Where lines go; not owned.
  LogFormat format = LogFormat::kText;
  bool debug = false;          // Emit kDebug lines.
  absl::string_view component;  // "runsc", "sentry", "gofer": prefixes text lines.
};

// Replaces the sink. Safe to call before threads start; later calls race.
void ConfigureLogging(const LogConfig& config);
bool DebugLoggingEnabled();
void LogLine(LogLevel level, absl::string_view message);

template <typename... Args>
void LogDebug(const Args&... args) {
  if (DebugLoggingEnabled()) LogLine(LogLevel::kDebug, absl::StrCat(args...));
}
template <typename... Args>
void LogInfo(const Args&... args) {
  LogLine(LogLevel::kInfo, absl::StrCat(args...));
}
template <typename... Args>
void LogWarning(const Args&... args) {
  LogLine(LogLevel::kWarning, absl::StrCat(args...));
}
template <typename... Args>
void LogError(const Args&... args) {
  LogLine(LogLevel::kError, absl::StrCat(args...));
}

}  // namespace runsc

#endif  // RUNSC_BASE_LOGGING_H_
