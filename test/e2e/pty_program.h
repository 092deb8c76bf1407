// Runs a client (ctr run -t, podman run -it, docker run -it) with a pseudo
// terminal as its stdin, stdout and stderr and its controlling terminal, as
// when a person types the command: the clients refuse -t without one.
#ifndef RUNSC_TEST_E2E_PTY_PROGRAM_H_
#define RUNSC_TEST_E2E_PTY_PROGRAM_H_

#include <string>
#include <vector>

#include "test/e2e/test_bundle.h"

namespace runsc::testing {

// Runs `argv` (argv[0] a path) on a new pty, writes `input` to the terminal,
// and returns once it exits. `out` holds everything the terminal showed
// (with the terminal's \r\n line ends), `err` is empty. exit_code as
// RunProgram's; -1 and a test failure on timeout.
CommandResult RunOnPty(const std::vector<std::string>& argv, const std::string& input,
                       int timeout_seconds = 60);

}  // namespace runsc::testing

#endif  // RUNSC_TEST_E2E_PTY_PROGRAM_H_
