// runsc create [--bundle B] [--pid-file P] [--console-socket S] ID
#ifndef RUNSC_RUNSC_CMD_CREATE_H_
#define RUNSC_RUNSC_CMD_CREATE_H_

#include <string>

#include "runsc/cmd/command.h"
#include "runsc/container/container.h"

namespace runsc::cmd {

// The flags create and run share.
struct CreateFlags {
  std::string id;
  std::string bundle = ".";
  std::string pid_file;
  std::string console_socket;
  int preserve_fds = 0;
  bool no_pivot = false;        // Ignored: the sentry never pivots the container's root on the host.
  bool no_new_keyring = false;  // Ignored: keyrings are not passed through to the host.

  void Register(CLI::App& app);
  // CreateOptions for Container::Create, or an error for what is not
  // supported (--preserve-fds).
  [[nodiscard]] absl::StatusOr<container::CreateOptions> Options() const;
};

class CreateCommand : public Command {
 public:
  std::string_view Name() const override { return "create"; }
  std::string_view Synopsis() const override {
    return "create a container from a bundle; it runs nothing until `start`";
  }
  void SetFlags(CLI::App& app) override { flags_.Register(app); }
  absl::StatusOr<int> Execute(const config::GlobalConfig& config) override;

 private:
  CreateFlags flags_;
};

}  // namespace runsc::cmd

#endif  // RUNSC_RUNSC_CMD_CREATE_H_
