#include "util/draining_mutex.h"

namespace tenantlog {

void DrainingMutex::lock() {
  exclusive_mu_.lock();
  for (;;) {
    const int found = cohort_.load();
    cohort_.store(found ^ 1);
    {
      std::unique_lock lock(drain_mu_);
      draining_.store(true);
      drained_.wait(lock, [&] { return holders_[found].load() == 0; });
      draining_.store(false);
    }
    // Only holders that came while draining remain: shut newcomers out while
    // they leave, unless one of them holds on.
    if (rw_.try_lock_until(std::chrono::steady_clock::now() + max_hold_back_)) return;
  }
}

void DrainingMutex::unlock() {
  rw_.unlock();
  exclusive_mu_.unlock();
}

DrainingMutex::SharedLock::SharedLock(DrainingMutex& mu) : mu_(mu) {
  mu_.rw_.lock_shared();
  cohort_ = mu_.cohort_.load();
  mu_.holders_[cohort_].fetch_add(1);
}

void DrainingMutex::SharedLock::unlock() {
  owns_ = false;
  // A holder that joined its cohort after lock() found it empty is waited
  // for by the rwlock itself; the cohorts only spare lock() from holding
  // newcomers back while it waits for long holders.
  if (mu_.holders_[cohort_].fetch_sub(1) == 1 && mu_.draining_.load()) {
    std::lock_guard lock(mu_.drain_mu_);
    mu_.drained_.notify_all();
  }
  mu_.rw_.unlock_shared();
}

}  // namespace tenantlog
