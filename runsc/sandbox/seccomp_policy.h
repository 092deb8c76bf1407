// A seccomp-bpf policy for a sandbox process (sentry, gofer), built with
// libseccomp. The stubs' filter is different (platform/stub/stub_filter.h):
// it checks the instruction pointer, which libseccomp cannot express.
//
// Policies are data: a chaining builder in the style of sandbox2's
// PolicyBuilder that keeps the first error and reports it at TryBuild().
//
//   RUNSC_ASSIGN_OR_RETURN(SeccompPolicy policy,
//       SeccompPolicyBuilder("gofer").Allow({SYS_read, SYS_write}).TryBuild());
//   RUNSC_RETURN_IF_ERROR(policy.Install());
#ifndef RUNSC_RUNSC_SANDBOX_SECCOMP_POLICY_H_
#define RUNSC_RUNSC_SANDBOX_SECCOMP_POLICY_H_

#include <seccomp.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace runsc::sandbox {

// What happens to a syscall the policy does not allow.
enum class DeniedAction {
  kKillProcess,  // The default: fail closed.
  kLog,          // Allowed, and logged by the kernel (audit type 1326): for
                 // deriving a policy, never for production.
};

// A built filter, ready to install.
class SeccompPolicy {
 public:
  SeccompPolicy(SeccompPolicy&&) = default;
  SeccompPolicy& operator=(SeccompPolicy&&) = default;

  // Loads the filter into the calling process (every thread: TSYNC).
  // Sets no_new_privs if it is not set yet. Irrevocable.
  [[nodiscard]] absl::Status Install() const;

  // The filter as BPF, for tests and debugging.
  [[nodiscard]] absl::StatusOr<std::vector<uint8_t>> ExportBpf() const;

  const std::string& name() const { return name_; }

 private:
  friend class SeccompPolicyBuilder;
  struct Release {
    void operator()(void* ctx) const;
  };
  SeccompPolicy(std::string name, void* ctx) : name_(std::move(name)), ctx_(ctx) {}
  std::string name_;
  std::unique_ptr<void, Release> ctx_;
};

class SeccompPolicyBuilder {
 public:
  explicit SeccompPolicyBuilder(std::string name) : name_(std::move(name)) {}

  // Allowed whatever the arguments.
  SeccompPolicyBuilder& Allow(std::initializer_list<int> syscalls);
  // Allowed when every comparison holds, e.g. SCMP_A0(SCMP_CMP_EQ, AF_UNIX).
  // Several AllowIf for one syscall: allowed when any of them holds.
  SeccompPolicyBuilder& AllowIf(int syscall, std::vector<scmp_arg_cmp> args);
  // Fails with `error` instead of running (ENOSYS for clone3 makes glibc
  // fall back to clone, whose flags a filter can see).
  SeccompPolicyBuilder& Fail(int syscall, int error);
  SeccompPolicyBuilder& OnDenied(DeniedAction action);
  const std::string& name() const { return name_; }

  // The filter, or the first error met while adding rules.
  [[nodiscard]] absl::StatusOr<SeccompPolicy> TryBuild() const;

 private:
  struct Rule {
    int syscall;
    uint32_t action;
    std::vector<scmp_arg_cmp> args;
  };
  std::string name_;
  DeniedAction denied_ = DeniedAction::kKillProcess;
  std::vector<Rule> rules_;
};

}  // namespace runsc::sandbox

#endif  // RUNSC_RUNSC_SANDBOX_SECCOMP_POLICY_H_
