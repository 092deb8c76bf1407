// Signal arguments as `runc kill` takes them: a number ("9"), or a name with
// or without the SIG prefix, in any case ("KILL", "SIGKILL", "sigterm"),
// including RTMIN, RTMIN+n, RTMAX-n and RTMAX.
#ifndef RUNSC_RUNSC_CMD_SIGNAL_PARSER_H_
#define RUNSC_RUNSC_CMD_SIGNAL_PARSER_H_

#include <string_view>

#include "absl/status/statusor.h"

namespace runsc::cmd {

// The signal number (1..64) for `text`, or InvalidArgument naming it.
[[nodiscard]] absl::StatusOr<int> ParseSignal(std::string_view text);

}  // namespace runsc::cmd

#endif  // RUNSC_RUNSC_CMD_SIGNAL_PARSER_H_
