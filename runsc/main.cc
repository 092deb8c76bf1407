// The runsc binary: the OCI runtime, and (hidden subcommands) the sandbox's
// sentry and gofer processes.
#include "runsc/cmd/cli.h"

int main(int argc, char** argv) { return runsc::cmd::Main(argc, argv); }
