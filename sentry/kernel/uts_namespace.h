// The names uname(2) reports that a container may change: the hostname and
// the NIS domain name of one UTS namespace. Tasks share one until
// unshare(CLONE_NEWUTS) gives a task its own copy, so a sethostname in the
// copy is not seen by the rest of the container (as in Linux).
#ifndef RUNSC_SENTRY_KERNEL_UTS_NAMESPACE_H_
#define RUNSC_SENTRY_KERNEL_UTS_NAMESPACE_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace runsc::sentry {

class UtsNamespace {
 public:
  // __NEW_UTS_LEN: the longest name, without its NUL.
  static constexpr size_t kMaxNameLength = 64;

  UtsNamespace(std::string hostname, std::string domainname)
      : hostname_(std::move(hostname)), domainname_(std::move(domainname)) {}

  std::string hostname() const;
  std::string domainname() const;
  // InvalidArgument (EINVAL) for a name longer than kMaxNameLength; the
  // name may hold any bytes, NUL included, as sethostname(2) takes them.
  absl::Status SetHostname(absl::string_view name);
  absl::Status SetDomainname(absl::string_view name);

  // A new namespace that starts with this one's names.
  std::shared_ptr<UtsNamespace> Clone() const;

 private:
  mutable absl::Mutex mu_;
  std::string hostname_ ABSL_GUARDED_BY(mu_);
  std::string domainname_ ABSL_GUARDED_BY(mu_);
};

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_KERNEL_UTS_NAMESPACE_H_
