#include "runsc/sandbox/seccomp_policy.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/errno_status.h"
#include "base/unique_fd.h"

namespace runsc::sandbox {
namespace {

std::string SyscallName(int nr) {
  char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
  std::string result = name != nullptr ? name : absl::StrCat("syscall ", nr);
  free(name);
  return result;
}

// libseccomp returns -errno.
absl::Status SeccompError(int rc, absl::string_view what) {
  return ErrnoError(-rc, absl::StrCat(what, ": ", strerror(-rc)));
}

}  // namespace

void SeccompPolicy::Release::operator()(void* ctx) const {
  seccomp_release(static_cast<scmp_filter_ctx>(ctx));
}

absl::Status SeccompPolicy::Install() const {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return HostError("prctl(PR_SET_NO_NEW_PRIVS)");
  if (int rc = seccomp_load(ctx_.get()); rc != 0) {
    return SeccompError(rc, absl::StrCat("loading the ", name_, " seccomp filter"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<uint8_t>> SeccompPolicy::ExportBpf() const {
  // seccomp_export_bpf writes to an fd: a memfd holds it.
  UniqueFd fd(memfd_create("seccomp-bpf", MFD_CLOEXEC));
  if (!fd.valid()) return HostError("memfd_create");
  if (int rc = seccomp_export_bpf(ctx_.get(), fd.get()); rc != 0) {
    return SeccompError(rc, "seccomp_export_bpf");
  }
  off_t size = lseek(fd.get(), 0, SEEK_END);
  std::vector<uint8_t> bpf(size);
  if (pread(fd.get(), bpf.data(), bpf.size(), 0) != size) return HostError("reading the BPF");
  return bpf;
}

SeccompPolicyBuilder& SeccompPolicyBuilder::Allow(std::initializer_list<int> syscalls) {
  for (int nr : syscalls) rules_.push_back({nr, SCMP_ACT_ALLOW, {}});
  return *this;
}

SeccompPolicyBuilder& SeccompPolicyBuilder::AllowIf(int syscall, std::vector<scmp_arg_cmp> args) {
  rules_.push_back({syscall, SCMP_ACT_ALLOW, std::move(args)});
  return *this;
}

SeccompPolicyBuilder& SeccompPolicyBuilder::Fail(int syscall, int error) {
  rules_.push_back({syscall, static_cast<uint32_t>(SCMP_ACT_ERRNO(error)), {}});
  return *this;
}

SeccompPolicyBuilder& SeccompPolicyBuilder::OnDenied(DeniedAction action) {
  denied_ = action;
  return *this;
}

absl::StatusOr<SeccompPolicy> SeccompPolicyBuilder::TryBuild() const {
  const uint32_t denied = denied_ == DeniedAction::kLog ? SCMP_ACT_LOG : SCMP_ACT_KILL_PROCESS;
  scmp_filter_ctx ctx = seccomp_init(denied);
  if (ctx == nullptr) return absl::InternalError(absl::StrCat("seccomp_init for ", name_));
  SeccompPolicy policy(name_, ctx);
  // Every thread gets the filter (the sentry may already have some).
  if (int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1); rc != 0) {
    return SeccompError(rc, absl::StrCat(name_, " policy: TSYNC"));
  }
  for (const Rule& rule : rules_) {
    int rc = seccomp_rule_add_array(ctx, rule.action, rule.syscall, rule.args.size(),
                                    rule.args.empty() ? nullptr : rule.args.data());
    if (rc != 0) {
      return SeccompError(rc, absl::StrCat(name_, " policy: rule for ", SyscallName(rule.syscall)));
    }
  }
  return policy;
}

}  // namespace runsc::sandbox
