// WriterFirstMutex: a reader-writer lock under which a thread waiting to lock
// exclusively goes before threads that ask to lock shared after it, so that
// it waits only for the holders it found. (std::shared_mutex is glibc's
// default rwlock, which lets new readers pass a waiting writer: readers that
// overlap without pause can keep it out indefinitely.) Meets the standard
// SharedMutex requirements used by std::unique_lock and std::shared_lock.
//
// REQUIRES: a thread that holds the lock shared does not lock it shared
// again (a writer waiting between the two would deadlock it). glibc 2.30 or
// later (pthread_rwlock_clockwrlock; before 2.29 a reader could be left
// waiting on a free lock of this kind); Debian 12 has 2.36.
// Thread-safety: a lock; every method may be called concurrently.
#ifndef TENANTLOG_ENGINE_UTIL_WRITER_FIRST_MUTEX_H_
#define TENANTLOG_ENGINE_UTIL_WRITER_FIRST_MUTEX_H_

#include <pthread.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace tenantlog {

class WriterFirstMutex {
 public:
  WriterFirstMutex() {
    pthread_rwlockattr_t attr;
    Check(pthread_rwlockattr_init(&attr), "init attributes");
    Check(pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP), "set kind");
    Check(pthread_rwlock_init(&rw_, &attr), "init");
    pthread_rwlockattr_destroy(&attr);
  }
  ~WriterFirstMutex() { pthread_rwlock_destroy(&rw_); }
  WriterFirstMutex(const WriterFirstMutex&) = delete;
  WriterFirstMutex& operator=(const WriterFirstMutex&) = delete;

  void lock() { Check(pthread_rwlock_wrlock(&rw_), "lock"); }
  bool try_lock() { return pthread_rwlock_trywrlock(&rw_) == 0; }
  // As lock(), but gives up at `deadline`. Readers held back meanwhile get
  // in once it gives up.
  bool try_lock_until(std::chrono::steady_clock::time_point deadline) {
    const auto since_epoch = deadline.time_since_epoch();
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
    timespec at{};
    at.tv_sec = static_cast<time_t>(seconds.count());
    at.tv_nsec = static_cast<long>(std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch - seconds).count());
    // steady_clock is CLOCK_MONOTONIC in libstdc++.
    const int rc = pthread_rwlock_clockwrlock(&rw_, CLOCK_MONOTONIC, &at);
    if (rc == ETIMEDOUT) return false;
    Check(rc, "lock before a deadline");
    return true;
  }
  void unlock() { Check(pthread_rwlock_unlock(&rw_), "unlock"); }
  void lock_shared() { Check(pthread_rwlock_rdlock(&rw_), "lock shared"); }
  bool try_lock_shared() { return pthread_rwlock_tryrdlock(&rw_) == 0; }
  void unlock_shared() { Check(pthread_rwlock_unlock(&rw_), "unlock shared"); }

 private:
  // A failure here is a misuse (a lock taken twice, say): the process stops,
  // as std::shared_mutex would by throwing.
  static void Check(int rc, const char* what) {
    if (rc == 0) return;
    std::fprintf(stderr, "tenantlog: rwlock %s failed: %s\n", what, std::strerror(rc));
    std::abort();
  }

  pthread_rwlock_t rw_;
};

}  // namespace tenantlog

#endif  // TENANTLOG_ENGINE_UTIL_WRITER_FIRST_MUTEX_H_
