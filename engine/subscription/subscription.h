// Subscriptions (tenantlog/subscription.h): a tenant's feed read from its log,
// and the notifier that wakes subscribers when this process commits.
#ifndef TENANTLOG_ENGINE_SUBSCRIPTION_SUBSCRIPTION_H_
#define TENANTLOG_ENGINE_SUBSCRIPTION_SUBSCRIPTION_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>

#include "lmdb/lmdb_env.h"
#include "tenantlog/status.h"
#include "tenantlog/subscription.h"

namespace tenantlog::subscription {

// Counts this process's write commits and wakes whoever waits for the next.
// Thread-safe.
class CommitNotifier {
 public:
  // Called after every successful write commit.
  void Notify();
  // The number of commits notified so far.
  uint64_t commits() const;
  // Returns when commits() differs from `seen` or `timeout` has passed.
  void WaitFor(uint64_t seen, std::chrono::nanoseconds timeout) const;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  uint64_t commits_ = 0;  // guarded by mu_
};

// How often a waiting subscription looks for commits of other processes.
constexpr std::chrono::milliseconds kPollInterval{50};

// A subscription to tenant `tenant` (a valid name), as Store::Subscribe
// describes. REQUIRES: `env` and `notifier` outlive the subscription.
// Errors: InvalidArgument (after_position beyond the head), NotFound
// (after_position > 0 for an unknown tenant), Corruption, IOError.
Result<std::unique_ptr<Subscription>> Subscribe(lmdb::LmdbEnv* env, const CommitNotifier* notifier,
                                                std::string_view tenant, uint64_t after_position);

}  // namespace tenantlog::subscription

#endif  // TENANTLOG_ENGINE_SUBSCRIPTION_SUBSCRIPTION_H_
