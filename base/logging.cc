#include "base/logging.h"

#include <unistd.h>

#include <atomic>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace runsc {
namespace {

// The sink is process configuration, set once at start-up.
std::atomic<int> g_fd{2};
std::atomic<bool> g_json{false};
std::atomic<bool> g_debug{false};
char g_component[16] = "runsc";

absl::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "info";
}

}  // namespace

void ConfigureLogging(const LogConfig& config) {
  g_fd = config.fd;
  g_json = config.format == LogFormat::kJson;
  g_debug = config.debug;
  if (!config.component.empty()) {
    size_t n = std::min(config.component.size(), sizeof(g_component) - 1);
    config.component.copy(g_component, n);
    g_component[n] = '\0';
  }
}

bool DebugLoggingEnabled() { return g_debug.load(std::memory_order_relaxed); }

void LogLine(LogLevel level, absl::string_view message) {
  std::string time = absl::FormatTime(absl::RFC3339_full, absl::Now(), absl::UTCTimeZone());
  std::string line;
  if (g_json) {
    nlohmann::json j = {{"level", LevelName(level)}, {"msg", std::string(message)},
                        {"time", time}};
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  } else {
    line = absl::StrCat(time, " ", g_component, "[", getpid(), "] ", LevelName(level), ": ",
                        message, "\n");
  }
  // One write per line so concurrent writers do not interleave within a line.
  ssize_t unused = ::write(g_fd, line.data(), line.size());
  (void)unused;
}

}  // namespace runsc
