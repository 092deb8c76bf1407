#include "fs/host_terminals.h"

#include "absl/strings/str_cat.h"

namespace runsc::fs {

void HostTerminals::PruneLocked() {
  for (auto it = ttys_.begin(); it != ttys_.end();) {
    if (it->second.expired()) {
      it = ttys_.erase(it);
    } else {
      ++it;
    }
  }
}

int HostTerminals::LowestFreeLocked() {
  // Linux gives the lowest free pts number; a number frees up when the
  // last holder of its terminal lets go.
  PruneLocked();
  int n = 0;
  while (ttys_.contains(n) || reserved_.contains(n)) ++n;
  return n;
}

int HostTerminals::Reserve() {
  absl::MutexLock lock(&mu_);
  int n = LowestFreeLocked();
  reserved_.insert(n);
  return n;
}

void HostTerminals::Release(int n) {
  absl::MutexLock lock(&mu_);
  reserved_.erase(n);
}

std::shared_ptr<HostTty> HostTerminals::Add(UniqueFd fd) {
  absl::MutexLock lock(&mu_);
  const int n = LowestFreeLocked();
  auto tty = std::make_shared<HostTty>(std::move(fd), absl::StrCat("/dev/pts/", n));
  ttys_[n] = tty;
  return tty;
}

std::vector<std::pair<int, std::shared_ptr<HostTty>>> HostTerminals::List() {
  std::vector<std::pair<int, std::shared_ptr<HostTty>>> out;
  absl::MutexLock lock(&mu_);
  for (const auto& [n, weak] : ttys_) {
    if (std::shared_ptr<HostTty> tty = weak.lock()) out.emplace_back(n, std::move(tty));
  }
  return out;
}

std::shared_ptr<HostTty> HostTerminals::Find(int n) {
  absl::MutexLock lock(&mu_);
  auto it = ttys_.find(n);
  return it == ttys_.end() ? nullptr : it->second.lock();
}

std::shared_ptr<HostTty> HostTerminals::ControllingTerminalOf(sentry::Task& task) {
  // Not under mu_: IsControllingTerminalOf takes the kernel mutex.
  for (auto& [n, tty] : List()) {
    if (tty->job_control().IsControllingTerminalOf(task)) return tty;
  }
  return nullptr;
}

}  // namespace runsc::fs
