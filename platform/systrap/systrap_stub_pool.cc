#include "platform/systrap/systrap_stub_pool.h"

#include "base/logging.h"

namespace runsc::platform::systrap {

SystrapStubPool::SystrapStubPool(size_t capacity, ForkFresh fork_fresh)
    : capacity_(capacity), fork_fresh_(std::move(fork_fresh)) {}

SystrapStubPool::~SystrapStubPool() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (refill_.joinable()) refill_.join();
}

bool SystrapStubPool::ShouldRefill() const {
  return !stopping_ && !refill_failed_ && ready_.size() < capacity_;
}

std::unique_ptr<SystrapAddressSpace> SystrapStubPool::Take() {
  absl::MutexLock lock(&mu_);
  std::unique_ptr<SystrapAddressSpace> taken;
  if (!ready_.empty()) {
    taken = std::move(ready_.front());
    ready_.pop_front();
  }
  // The first address space of a sandbox is its init's: many containers
  // never ask for a second, and should not pay for a pool.
  if (++takes_ == 2 && capacity_ > 0) {
    refill_ = std::thread([this] { RefillLoop(); });
  }
  refill_failed_ = false;  // Worth another try: something was released.
  return taken;
}

std::vector<pid_t> SystrapStubPool::ReadyPids() {
  absl::MutexLock lock(&mu_);
  std::vector<pid_t> pids;
  for (const auto& as : ready_) pids.push_back(as->HostPid());
  return pids;
}

void SystrapStubPool::WaitUntilSettled() {
  absl::MutexLock lock(&mu_);
  auto settled = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return ready_.size() >= capacity_ || refill_failed_ || stopping_;
  };
  mu_.Await(absl::Condition(&settled));
}

void SystrapStubPool::RefillLoop() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      auto wake = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || ShouldRefill();
      };
      mu_.Await(absl::Condition(&wake));
      if (stopping_) return;
    }
    absl::StatusOr<std::unique_ptr<SystrapAddressSpace>> fresh = fork_fresh_();
    absl::MutexLock lock(&mu_);
    if (fresh.ok()) {
      ready_.push_back(std::move(*fresh));
    } else {
      LogDebug("systrap stub pool: refill failed (retried at the next exec): ",
               fresh.status().message());
      refill_failed_ = true;
    }
  }
}

}  // namespace runsc::platform::systrap
