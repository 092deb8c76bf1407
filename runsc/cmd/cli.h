// runsc's command line: global flags (runc's contract, DESIGN §7) and the
// subcommands, each a Command.
//
// runc flags that containerd or podman may pass and that have no meaning
// here are accepted and ignored, and only these:
//   --criu PATH        checkpoint/restore is not implemented, so no CRIU is used
//   --rootless VALUE   auto|false accepted; true is refused at create/run
//   create/run --no-pivot, --no-new-keyring   (see CreateFlags)
// Every other unknown flag, and every unknown command, is an error.
#ifndef RUNSC_RUNSC_CMD_CLI_H_
#define RUNSC_RUNSC_CMD_CLI_H_

#include <memory>
#include <vector>

#include "runsc/cmd/command.h"

namespace runsc::cmd {

// Every subcommand, in --help order.
std::vector<std::unique_ptr<Command>> AllCommands();

// Parses `argv`, runs the command and returns runsc's exit code. Errors go
// to stderr, and to the --log file (as JSON lines with --log-format json).
int Main(int argc, char** argv);

}  // namespace runsc::cmd

#endif  // RUNSC_RUNSC_CMD_CLI_H_
