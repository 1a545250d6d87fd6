// One rebuild at a time per persisted view of a tenant. A read that finds a
// view to rebuild while another read through the same Store rebuilds it
// waits for that rebuild and then reads what it stored, rather than folding
// the same log again: after a restore, many readers of one tenant cost one
// fold. When that rebuild fails, the waiting reads take the lead in turn.
#ifndef TENANTLOG_ENGINE_VIEWS_REBUILD_LATCH_H_
#define TENANTLOG_ENGINE_VIEWS_REBUILD_LATCH_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <utility>

#include "tenantlog/store.h"

namespace tenantlog::views {

// Thread-safety: every method may be called concurrently.
class RebuildLatch {
 public:
  // Held by the one read that rebuilds a view; destroying it wakes the reads
  // waiting for that view. Movable, not copyable.
  class Lead {
   public:
    Lead(Lead&& other) noexcept : latch_(std::exchange(other.latch_, nullptr)), key_(other.key_) {}
    Lead& operator=(Lead&& other) noexcept;
    Lead(const Lead&) = delete;
    Lead& operator=(const Lead&) = delete;
    ~Lead() { Release(); }

   private:
    friend class RebuildLatch;
    Lead(RebuildLatch* latch, std::pair<uint64_t, uint32_t> key) : latch_(latch), key_(key) {}
    void Release();

    RebuildLatch* latch_;
    std::pair<uint64_t, uint32_t> key_;
  };

  // A count that grows each time a lead is released (after its rebuild
  // committed). A read takes it before the transaction in which it finds a
  // view to rebuild. Lock-free: every read of a persisted view takes it.
  uint64_t generation() const { return generation_.load(); }

  // The lead of view `view_id` of tenant `tenant_id`, when no other read
  // holds it and no lead was released since generation() returned
  // `seen` (the rebuild released may have stored the view after the caller's
  // snapshot was taken); nullopt otherwise. Never blocks.
  std::optional<Lead> TryLead(uint64_t tenant_id, uint32_t view_id, uint64_t seen);

  // Returns once no read holds the lead of the view.
  // REQUIRES: the caller holds no transaction of the store (the lead's write
  // may have to grow the map, which waits for every open transaction).
  void Wait(uint64_t tenant_id, uint32_t view_id);

  ViewStats stats() const;

 private:
  void Release(std::pair<uint64_t, uint32_t> key);

  mutable std::mutex mu_;
  std::condition_variable released_;
  std::set<std::pair<uint64_t, uint32_t>> leads_;  // guarded by mu_
  std::atomic<uint64_t> generation_{0};            // written under mu_
  ViewStats stats_;                                // guarded by mu_
};

}  // namespace tenantlog::views

#endif  // TENANTLOG_ENGINE_VIEWS_REBUILD_LATCH_H_
