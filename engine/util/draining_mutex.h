// DrainingMutex: a reader-writer lock for an exclusive section that must wait
// for every shared holder, however long one holds it, without holding new
// shared holders back for that long.
//
// lock() first waits, holding nobody back, for the shared holders it found to
// leave. Then it shuts new ones out, for at most `max_hold_back`, while those
// that came meanwhile leave; when one of those stays longer, it lets new ones
// in again and waits for it the same way.
//
// An LmdbEnv's transactions hold it shared and a map resize exclusively: the
// resize waits for a backup's copy or a long fold open when it asks, while
// other transactions go on.
//
// REQUIRES: a thread that holds it does not lock it again, shared or not.
// Thread-safety: a lock; every method may be called concurrently.
#ifndef TENANTLOG_ENGINE_UTIL_DRAINING_MUTEX_H_
#define TENANTLOG_ENGINE_UTIL_DRAINING_MUTEX_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "util/writer_first_mutex.h"

namespace tenantlog {

class DrainingMutex {
 public:
  explicit DrainingMutex(std::chrono::steady_clock::duration max_hold_back) : max_hold_back_(max_hold_back) {}
  DrainingMutex(const DrainingMutex&) = delete;
  DrainingMutex& operator=(const DrainingMutex&) = delete;

  // Exclusive: usable with std::unique_lock.
  void lock();
  void unlock();

  // Holds the mutex shared from construction until unlock() or destruction.
  class SharedLock {
   public:
    explicit SharedLock(DrainingMutex& mu);
    ~SharedLock() {
      if (owns_) unlock();
    }
    SharedLock(const SharedLock&) = delete;
    SharedLock& operator=(const SharedLock&) = delete;
    // REQUIRES: still held.
    void unlock();

   private:
    DrainingMutex& mu_;
    int cohort_;
    bool owns_ = true;
  };

 private:
  const std::chrono::steady_clock::duration max_hold_back_;
  WriterFirstMutex rw_;
  // Shared holders are counted in two cohorts: lock() moves newcomers to the
  // other cohort and waits for the one it found to empty.
  std::atomic<int> cohort_{0};
  std::atomic<int64_t> holders_[2] = {0, 0};
  std::atomic<bool> draining_{false};  // lock() waits on drained_
  std::mutex drain_mu_;
  std::condition_variable drained_;
  std::mutex exclusive_mu_;  // one lock() at a time; held until unlock()
};

}  // namespace tenantlog

#endif  // TENANTLOG_ENGINE_UTIL_DRAINING_MUTEX_H_
