// A Clock for tests: fixed until the test sets or steps it.
#ifndef TENANTLOG_TESTS_UTIL_TEST_CLOCK_H_
#define TENANTLOG_TESTS_UTIL_TEST_CLOCK_H_

#include <atomic>
#include <cstdint>

#include "tenantlog/options.h"

namespace tenantlog::test {

// 2022-04-05T02:00:00Z, the default start of every TestClock.
constexpr int64_t kTestEpochMicros = int64_t{1649124000} * 1000000;

// Thread-safe.
class TestClock : public Clock {
 public:
  explicit TestClock(int64_t now_us = kTestEpochMicros) : now_us_(now_us) {}

  int64_t NowMicros() const override { return now_us_.load(std::memory_order_relaxed); }
  void Set(int64_t now_us) { now_us_.store(now_us, std::memory_order_relaxed); }
  // Moves the clock by `delta_us` (negative: backwards) and returns the new time.
  int64_t Advance(int64_t delta_us) {
    return now_us_.fetch_add(delta_us, std::memory_order_relaxed) + delta_us;
  }

 private:
  std::atomic<int64_t> now_us_;
};

}  // namespace tenantlog::test

#endif  // TENANTLOG_TESTS_UTIL_TEST_CLOCK_H_
