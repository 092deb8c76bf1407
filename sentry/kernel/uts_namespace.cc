#include "sentry/kernel/uts_namespace.h"

#include "absl/strings/str_cat.h"

namespace runsc::sentry {

std::string UtsNamespace::hostname() const {
  absl::MutexLock lock(&mu_);
  return hostname_;
}

std::string UtsNamespace::domainname() const {
  absl::MutexLock lock(&mu_);
  return domainname_;
}

absl::Status UtsNamespace::SetHostname(absl::string_view name) {
  if (name.size() > kMaxNameLength) {
    return absl::InvalidArgumentError(absl::StrCat("hostname of ", name.size(), " bytes"));
  }
  absl::MutexLock lock(&mu_);
  hostname_ = std::string(name);
  return absl::OkStatus();
}

absl::Status UtsNamespace::SetDomainname(absl::string_view name) {
  if (name.size() > kMaxNameLength) {
    return absl::InvalidArgumentError(absl::StrCat("domainname of ", name.size(), " bytes"));
  }
  absl::MutexLock lock(&mu_);
  domainname_ = std::string(name);
  return absl::OkStatus();
}

std::shared_ptr<UtsNamespace> UtsNamespace::Clone() const {
  absl::MutexLock lock(&mu_);
  return std::make_shared<UtsNamespace>(hostname_, domainname_);
}

}  // namespace runsc::sentry
