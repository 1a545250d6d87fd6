// The lock an LmdbEnv's transactions hold shared and a map resize holds
// exclusively (LMDB requires that no transaction of the process is open while
// the map is resized).
//
// DrainingMutex: a reader-writer lock for an exclusive section that must wait
// for every shared holder, however long one holds it, without holding new
// shared holders back for that long. lock() first waits, holding nobody back,
// for the shared holders it found to leave. Then it shuts newcomers out for at
// most `max_hold_back` while the holders that came meanwhile leave. If one of
// those stays longer, it lets newcomers in, waits for those holders the same
// way, and tries again with twice the bound, so that holders longer than the
// bound that keep coming cannot keep it out: a newcomer is held back at most
// about twice as long as the longest holder that came while lock() waited.
// So a resize waits for a backup's copy or a long fold open when it asks,
// while other transactions go on.
//
// WriterFirstMutex, under it: a reader-writer lock under which a thread
// waiting to lock exclusively goes before threads that ask to lock shared
// after it, so that it waits only for the holders it found. (std::shared_mutex
// is glibc's default rwlock, which lets new readers pass a waiting writer:
// readers that overlap without pause can keep it out indefinitely.)
//
// REQUIRES: a thread that holds either lock does not lock it again, shared or
// not (DrainingMutex::lock() would wait for the thread's own shared hold; a
// writer waiting between two shared locks of WriterFirstMutex would deadlock
// the thread). glibc 2.29 or later (earlier ones could leave a reader waiting
// on a free WriterFirstMutex); Debian 12 has 2.36.
// Thread-safety: locks; every method may be called concurrently.
#ifndef TENANTLOG_ENGINE_UTIL_DRAINING_MUTEX_H_
#define TENANTLOG_ENGINE_UTIL_DRAINING_MUTEX_H_

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

namespace tenantlog {

// Meets the standard SharedMutex requirements used by std::unique_lock and
// std::shared_lock.
class WriterFirstMutex {
 public:
  WriterFirstMutex();
  ~WriterFirstMutex() { pthread_rwlock_destroy(&rw_); }
  WriterFirstMutex(const WriterFirstMutex&) = delete;
  WriterFirstMutex& operator=(const WriterFirstMutex&) = delete;

  void lock();
  bool try_lock() { return pthread_rwlock_trywrlock(&rw_) == 0; }
  // As lock(), but gives up after `timeout`. Readers it held back meanwhile
  // get in once it gives up.
  bool try_lock_for(std::chrono::nanoseconds timeout);
  void unlock();
  void lock_shared();
  bool try_lock_shared() { return pthread_rwlock_tryrdlock(&rw_) == 0; }
  void unlock_shared() { unlock(); }

 private:
  pthread_rwlock_t rw_;
};

class DrainingMutex {
 public:
  explicit DrainingMutex(std::chrono::milliseconds max_hold_back) : max_hold_back_(max_hold_back) {}
  DrainingMutex(const DrainingMutex&) = delete;
  DrainingMutex& operator=(const DrainingMutex&) = delete;

  // Exclusive: usable with std::unique_lock.
  void lock();
  void unlock();

  // Locks exclusively, as lock(), unless `done`, called first, returns true;
  // then returns false without waiting for any shared holder. `done` runs
  // while no other exclusive holder is in, so it may read what only
  // exclusive holders change. Lets threads that queue for the same change
  // (a growth, say) skip it once one of them has made it.
  bool LockUnless(const std::function<bool()>& done);

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
  // A shared holder, or one waiting to be, leaves `cohort`.
  void Leave(int cohort);

  const std::chrono::milliseconds max_hold_back_;
  WriterFirstMutex rw_;
  // Shared holders, and those waiting to be, are counted in two cohorts:
  // lock() moves newcomers to the other cohort and waits for the one it
  // found to empty.
  std::atomic<int> cohort_{0};
  std::atomic<int64_t> holders_[2] = {0, 0};
  std::atomic<bool> draining_{false};  // lock() waits on drained_
  std::mutex drain_mu_;
  std::condition_variable drained_;
  std::mutex exclusive_mu_;  // one lock() at a time; held until unlock()
};

}  // namespace tenantlog

#endif  // TENANTLOG_ENGINE_UTIL_DRAINING_MUTEX_H_
