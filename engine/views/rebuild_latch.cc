#include "views/rebuild_latch.h"

namespace tenantlog::views {

RebuildLatch::Lead& RebuildLatch::Lead::operator=(Lead&& other) noexcept {
  if (this != &other) {
    Release();
    latch_ = std::exchange(other.latch_, nullptr);
    key_ = other.key_;
  }
  return *this;
}

void RebuildLatch::Lead::Release() {
  if (latch_ != nullptr) std::exchange(latch_, nullptr)->Release(key_);
}

std::optional<RebuildLatch::Lead> RebuildLatch::TryLead(uint64_t tenant_id, uint32_t view_id,
                                                        uint64_t seen) {
  const std::pair key{tenant_id, view_id};
  std::lock_guard lock(mu_);
  if (generation_.load() != seen || !leads_.insert(key).second) return std::nullopt;
  stats_.rebuilds += 1;
  return Lead(this, key);
}

void RebuildLatch::Wait(uint64_t tenant_id, uint32_t view_id) {
  const std::pair key{tenant_id, view_id};
  std::unique_lock lock(mu_);
  if (leads_.count(key) == 0) return;
  stats_.rebuild_waits += 1;
  released_.wait(lock, [&] { return leads_.count(key) == 0; });
}

ViewStats RebuildLatch::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void RebuildLatch::Release(std::pair<uint64_t, uint32_t> key) {
  {
    std::lock_guard lock(mu_);
    leads_.erase(key);
    generation_ += 1;
  }
  released_.notify_all();
}

}  // namespace tenantlog::views
