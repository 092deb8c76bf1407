#include "platform/cpu_pairing.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/logging.h"

namespace runsc::platform {

std::shared_ptr<CpuPairing> CpuPairing::Create(bool enabled) {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof(allowed), &allowed) == 0) {
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &allowed)) cpus.push_back(cpu);
    }
  } else {
    LogWarning("cpu pairing: sched_getaffinity: ", strerror(errno), "; threads are not paired");
  }
  // On one CPU every pair shares it already.
  if (!enabled || cpus.size() < 2) cpus.clear();
  return std::shared_ptr<CpuPairing>(new CpuPairing(std::move(cpus), allowed));
}

size_t CpuPairing::ChooseLocked(int current_cpu) const {
  size_t best = 0;
  for (size_t i = 0; i < cpus_.size(); ++i) {
    const bool fewer = pairs_[i] < pairs_[best];
    const bool tie_here = pairs_[i] == pairs_[best] && cpus_[i] == current_cpu;
    if (fewer || tie_here) best = i;
  }
  return best;
}

CpuPairing::Pin CpuPairing::PinCallerWith(pid_t stub_tid) {
  Pin pin;
  if (!enabled()) return pin;
  const pid_t self = static_cast<pid_t>(syscall(SYS_gettid));
  absl::MutexLock lock(&mu_);
  const size_t index = ChooseLocked(sched_getcpu());
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpus_[index], &one);
  // The stub thread first: if it cannot be moved, neither is the sentry
  // thread, which would otherwise be pinned for nothing.
  if (sched_setaffinity(stub_tid, sizeof(one), &one) != 0 ||
      sched_setaffinity(self, sizeof(one), &one) != 0) {
    if (!warned_) {
      LogWarning("cpu pairing: sched_setaffinity: ", strerror(errno),
                 "; application threads and their sentry threads are not kept on one CPU");
      warned_ = true;
    }
    return pin;
  }
  ++pairs_[index];
  pin.owner_ = shared_from_this();
  pin.sentry_tid_ = self;
  pin.cpu_ = cpus_[index];
  return pin;
}

void CpuPairing::Unpin(pid_t sentry_tid, int cpu) {
  absl::MutexLock lock(&mu_);
  for (size_t i = 0; i < cpus_.size(); ++i) {
    if (cpus_[i] == cpu && pairs_[i] > 0) --pairs_[i];
  }
  // Only the sentry thread itself undoes its pin: once it has exited its
  // tid may name another thread, whose pin must stay.
  if (sentry_tid == static_cast<pid_t>(syscall(SYS_gettid))) {
    (void)sched_setaffinity(0, sizeof(allowed_), &allowed_);
  }
}

std::vector<int> CpuPairing::PairsPerCpu() const {
  absl::MutexLock lock(&mu_);
  return pairs_;
}

CpuPairing::Pin& CpuPairing::Pin::operator=(Pin&& other) noexcept {
  if (this != &other) {
    Reset();
    owner_ = std::move(other.owner_);
    sentry_tid_ = other.sentry_tid_;
    cpu_ = other.cpu_;
    other.owner_.reset();
    other.cpu_ = -1;
  }
  return *this;
}

void CpuPairing::Pin::Reset() {
  if (owner_ != nullptr) owner_->Unpin(sentry_tid_, cpu_);
  owner_.reset();
  cpu_ = -1;
}

}  // namespace runsc::platform
