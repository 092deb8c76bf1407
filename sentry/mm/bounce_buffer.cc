#include "sentry/mm/bounce_buffer.h"

namespace runsc::sentry {
namespace {

struct KeptBuffer {
  std::unique_ptr<uint8_t[]> storage;
  bool in_use = false;
};

// Freed when the host thread exits.
thread_local KeptBuffer kept;

}  // namespace

BounceBuffer::BounceBuffer(size_t size) : size_(size) {
  if (size <= kKeptSize && !kept.in_use) {
    if (kept.storage == nullptr) kept.storage = std::make_unique_for_overwrite<uint8_t[]>(kKeptSize);
    kept.in_use = true;
    data_ = kept.storage.get();
    return;
  }
  owned_ = std::make_unique_for_overwrite<uint8_t[]>(size);
  data_ = owned_.get();
}

BounceBuffer::~BounceBuffer() {
  if (owned_ == nullptr) kept.in_use = false;
}

}  // namespace runsc::sentry
