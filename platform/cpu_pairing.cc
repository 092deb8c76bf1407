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
  const int count = static_cast<int>(cpus.size());
  // On one CPU every pair shares it already.
  if (!enabled || cpus.size() < 2) cpus.clear();
  return std::shared_ptr<CpuPairing>(new CpuPairing(std::move(cpus), allowed, count));
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

bool CpuPairing::PinLocked(Pin& pin, pid_t sentry_tid, pid_t stub_tid) {
  const size_t index = ChooseLocked(sched_getcpu());
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpus_[index], &one);
  // The stub thread first: if it cannot be moved, neither is the sentry
  // thread, which would otherwise be pinned for nothing.
  if (sched_setaffinity(stub_tid, sizeof(one), &one) != 0 ||
      sched_setaffinity(sentry_tid, sizeof(one), &one) != 0) {
    if (!warned_) {
      LogWarning("cpu pairing: sched_setaffinity: ", strerror(errno),
                 "; application threads and their sentry threads are not kept on one CPU");
      warned_ = true;
    }
    return false;
  }
  ++pairs_[index];
  pin.sentry_tid_ = sentry_tid;
  pin.cpu_ = cpus_[index];
  return true;
}

CpuPairing::Pin CpuPairing::PinCallerWith(pid_t stub_tid) {
  Pin pin;
  if (!enabled()) return pin;
  const pid_t self = static_cast<pid_t>(syscall(SYS_gettid));
  absl::MutexLock lock(&mu_);
  if (PinLocked(pin, self, stub_tid)) HoldLocked(pin, self);
  return pin;
}

void CpuPairing::HoldLocked(Pin& pin, pid_t sentry_tid) {
  pin.owner_ = shared_from_this();
  pin.sentry_tid_ = sentry_tid;
  ++pins_held_[sentry_tid];
}

bool CpuPairing::ReleaseLocked(pid_t sentry_tid) {
  auto it = pins_held_.find(sentry_tid);
  if (it == pins_held_.end()) return true;
  if (--it->second > 0) return false;
  pins_held_.erase(it);
  return true;
}

void CpuPairing::CountLocked(std::vector<int>& counts, int cpu, int delta) {
  for (size_t i = 0; i < cpus_.size(); ++i) {
    if (cpus_[i] == cpu && counts[i] + delta >= 0) counts[i] += delta;
  }
}

bool CpuPairing::StartSpinning(Pin& pin, pid_t stub_tid) {
  if (pin.spinning_) return true;
  absl::MutexLock lock(&mu_);
  if (spinning_ >= max_spinning_pairs()) return false;
  if (pin.owner_ != nullptr) {
    // The two CPUs with the fewest spinners; the sentry thread keeps its
    // own on a tie (it is running there now).
    const int here = sched_getcpu();
    size_t first = 0;
    for (size_t i = 0; i < cpus_.size(); ++i) {
      const bool fewer = spinners_[i] < spinners_[first];
      if (fewer || (spinners_[i] == spinners_[first] && cpus_[i] == here)) first = i;
    }
    size_t second = first == 0 ? 1 : 0;
    for (size_t i = 0; i < cpus_.size(); ++i) {
      if (i != first && spinners_[i] < spinners_[second]) second = i;
    }
    cpu_set_t sentry_cpu;
    CPU_ZERO(&sentry_cpu);
    CPU_SET(cpus_[first], &sentry_cpu);
    cpu_set_t stub_cpu;
    CPU_ZERO(&stub_cpu);
    CPU_SET(cpus_[second], &stub_cpu);
    // Both or neither: on failure the pair is put back on its one CPU.
    if (sched_setaffinity(stub_tid, sizeof(stub_cpu), &stub_cpu) != 0 ||
        sched_setaffinity(pin.sentry_tid_, sizeof(sentry_cpu), &sentry_cpu) != 0) {
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(pin.cpu_, &one);
      (void)sched_setaffinity(stub_tid, sizeof(one), &one);
      (void)sched_setaffinity(pin.sentry_tid_, sizeof(one), &one);
      return false;
    }
    CountLocked(pairs_, pin.cpu_, -1);
    ++spinners_[first];
    ++spinners_[second];
    pin.cpu_ = cpus_[first];
    pin.stub_cpu_ = cpus_[second];
  } else {
    HoldLocked(pin, static_cast<pid_t>(syscall(SYS_gettid)));  // Holds the spinning place.
  }
  ++spinning_;
  pin.spinning_ = true;
  return true;
}

void CpuPairing::StopSpinning(Pin& pin, pid_t stub_tid) {
  if (!pin.spinning_) return;
  absl::MutexLock lock(&mu_);
  --spinning_;
  CountLocked(spinners_, pin.cpu_, -1);
  CountLocked(spinners_, pin.stub_cpu_, -1);
  pin.spinning_ = false;
  pin.cpu_ = -1;
  pin.stub_cpu_ = -1;
  if (!enabled() || !PinLocked(pin, pin.sentry_tid_, stub_tid)) {
    pin.owner_.reset();
    ReleaseLocked(pin.sentry_tid_);
  }
}

int CpuPairing::spinning_pairs() const {
  absl::MutexLock lock(&mu_);
  return spinning_;
}

void CpuPairing::Unpin(pid_t sentry_tid, int cpu, int stub_cpu, bool spinning) {
  absl::MutexLock lock(&mu_);
  if (spinning) {
    --spinning_;
    CountLocked(spinners_, cpu, -1);
    CountLocked(spinners_, stub_cpu, -1);
  } else {
    CountLocked(pairs_, cpu, -1);
  }
  // Only the sentry thread itself undoes its pin: once it has exited its
  // tid may name another thread, whose pin must stay. Nor while it holds
  // another: that one set the affinity it has now.
  const bool last = ReleaseLocked(sentry_tid);
  if (last && sentry_tid == static_cast<pid_t>(syscall(SYS_gettid))) {
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
    stub_cpu_ = other.stub_cpu_;
    spinning_ = other.spinning_;
    other.owner_.reset();
    other.cpu_ = -1;
    other.stub_cpu_ = -1;
    other.spinning_ = false;
  }
  return *this;
}

void CpuPairing::Pin::Reset() {
  if (owner_ != nullptr) owner_->Unpin(sentry_tid_, cpu_, stub_cpu_, spinning_);
  owner_.reset();
  cpu_ = -1;
  stub_cpu_ = -1;
  spinning_ = false;
}

}  // namespace runsc::platform
