#include "util/draining_mutex.h"

#include <time.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace tenantlog {

namespace {

// A failure here is a misuse (a lock taken twice, say): the process stops,
// as std::shared_mutex would by throwing.
void Check(int rc, const char* what) {
  if (rc == 0) return;
  std::fprintf(stderr, "tenantlog: rwlock %s failed: %s\n", what, std::strerror(rc));
  std::abort();
}

// ThreadSanitizer intercepts pthread_rwlock_timedwrlock, which takes a
// deadline on the system clock, but not pthread_rwlock_clockwrlock: under it,
// a timeout may stretch or shrink when the system clock is set.
#if defined(__SANITIZE_THREAD__)
constexpr clockid_t kDeadlineClock = CLOCK_REALTIME;
int WrLockBy(pthread_rwlock_t* rw, const timespec* deadline) { return pthread_rwlock_timedwrlock(rw, deadline); }
#else
constexpr clockid_t kDeadlineClock = CLOCK_MONOTONIC;
int WrLockBy(pthread_rwlock_t* rw, const timespec* deadline) {
  return pthread_rwlock_clockwrlock(rw, kDeadlineClock, deadline);
}
#endif

}  // namespace

WriterFirstMutex::WriterFirstMutex() {
  pthread_rwlockattr_t attr;
  Check(pthread_rwlockattr_init(&attr), "init attributes");
  Check(pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP), "set kind");
  Check(pthread_rwlock_init(&rw_, &attr), "init");
  pthread_rwlockattr_destroy(&attr);
}

void WriterFirstMutex::lock() { Check(pthread_rwlock_wrlock(&rw_), "lock"); }

bool WriterFirstMutex::try_lock_for(std::chrono::nanoseconds timeout) {
  timespec at{};
  clock_gettime(kDeadlineClock, &at);
  const int64_t ns = at.tv_nsec + timeout.count();
  at.tv_sec += static_cast<time_t>(ns / 1000000000);
  at.tv_nsec = static_cast<long>(ns % 1000000000);
  const int rc = WrLockBy(&rw_, &at);
  if (rc == ETIMEDOUT) return false;
  Check(rc, "lock with a timeout");
  return true;
}

void WriterFirstMutex::unlock() { Check(pthread_rwlock_unlock(&rw_), "unlock"); }

void WriterFirstMutex::lock_shared() { Check(pthread_rwlock_rdlock(&rw_), "lock shared"); }

void DrainingMutex::lock() { LockUnless([] { return false; }); }

bool DrainingMutex::LockUnless(const std::function<bool()>& done) {
  exclusive_mu_.lock();
  if (done()) {
    exclusive_mu_.unlock();
    return false;
  }
  std::chrono::nanoseconds hold_back = max_hold_back_;
  for (;;) {
    const int found = cohort_.load();
    cohort_.store(found ^ 1);
    {
      std::unique_lock lock(drain_mu_);
      draining_.store(true);
      drained_.wait(lock, [&] { return holders_[found].load() == 0; });
      draining_.store(false);
    }
    // Only holders that came while it drained remain: shut newcomers out
    // while they leave, unless one of them stays longer than the bound.
    if (rw_.try_lock_for(hold_back)) return true;
    hold_back *= 2;
  }
}

void DrainingMutex::unlock() {
  rw_.unlock();
  exclusive_mu_.unlock();
}

void DrainingMutex::Leave(int cohort) {
  if (holders_[cohort].fetch_sub(1) == 1 && draining_.load()) {
    std::lock_guard lock(drain_mu_);
    drained_.notify_all();
  }
}

DrainingMutex::SharedLock::SharedLock(DrainingMutex& mu) : mu_(mu) {
  // Counted before it asks for the rwlock, in the cohort that is current once
  // it is counted: every holder, and every newcomer a timed-out attempt held
  // back, is in a cohort lock() waits for before it tries again.
  for (;;) {
    cohort_ = mu_.cohort_.load();
    mu_.holders_[cohort_].fetch_add(1);
    if (mu_.cohort_.load() == cohort_) break;
    mu_.Leave(cohort_);
  }
  mu_.rw_.lock_shared();
}

void DrainingMutex::SharedLock::unlock() {
  owns_ = false;
  mu_.rw_.unlock_shared();
  mu_.Leave(cohort_);
}

}  // namespace tenantlog
