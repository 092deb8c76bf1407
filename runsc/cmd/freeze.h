// runsc pause ID / runsc resume ID: one command class, two names. Both
// freeze or thaw the sandbox's cgroup (sentry, gofer and stubs), so the
// whole sandbox stops at once, not only the tasks the sentry runs.
#ifndef RUNSC_RUNSC_CMD_FREEZE_H_
#define RUNSC_RUNSC_CMD_FREEZE_H_

#include <string>

#include "runsc/cmd/command.h"

namespace runsc::cmd {

class FreezeCommand : public Command {
 public:
  // `pause`: true for runsc pause, false for runsc resume.
  explicit FreezeCommand(bool pause) : pause_(pause) {}
  std::string_view Name() const override { return pause_ ? "pause" : "resume"; }
  std::string_view Synopsis() const override {
    return pause_ ? "suspend every process of a container (cgroup freezer)"
                  : "resume a paused container";
  }
  void SetFlags(CLI::App& app) override;
  absl::StatusOr<int> Execute(const config::GlobalConfig& config) override;

 private:
  bool pause_;
  std::string id_;
};

}  // namespace runsc::cmd

#endif  // RUNSC_RUNSC_CMD_FREEZE_H_
