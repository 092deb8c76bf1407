#include "runsc/cmd/syscalls.h"

#include <iostream>

#include "syscalls/syscall_table.h"

namespace runsc::cmd {

void SyscallsCommand::SetFlags(CLI::App& app) {
  app.add_option("-f,--format", format_, "markdown or json")
      ->check(CLI::IsMember({"markdown", "json"}))
      ->capture_default_str();
}

absl::StatusOr<int> SyscallsCommand::Execute(const config::GlobalConfig& config) {
  std::cout << syscalls::DescribeTable(/*json=*/format_ == "json") << std::flush;
  if (!std::cout) return absl::UnavailableError("cannot write the syscall table to stdout");
  return 0;
}

}  // namespace runsc::cmd
