// Drives one tenant of a Store through random operations (appends, rewinds to
// seqs and times, tombstones, restores, as-of reads, diffs) and compares every
// answer with the TimelineModel.
#ifndef TENANTLOG_TESTS_UTIL_TIMELINE_CHECKER_H_
#define TENANTLOG_TESTS_UTIL_TIMELINE_CHECKER_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tenantlog/store.h"
#include "util/test_clock.h"
#include "util/timeline_model.h"

namespace tenantlog::test {

// Where the checker's random choices come from.
class Chooser {
 public:
  virtual ~Chooser() = default;
  // A value in [0, n). REQUIRES: n > 0.
  virtual uint64_t Below(uint64_t n) = 0;
  // True when the source has nothing more to give (a finite script).
  virtual bool Exhausted() const = 0;
  bool OneIn(uint64_t n) { return Below(n) == 0; }
};

// Choices from a seeded PRNG: the same seed, the same run.
class PrngChooser : public Chooser {
 public:
  explicit PrngChooser(uint64_t seed) : rng_(seed) {}
  uint64_t Below(uint64_t n) override {
    return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_);
  }
  bool Exhausted() const override { return false; }

 private:
  std::mt19937_64 rng_;
};

// Choices read from a byte string (for property tests, whose shrinking then
// shortens the script). Past its end every choice is 0.
class ScriptChooser : public Chooser {
 public:
  explicit ScriptChooser(const std::vector<uint8_t>& script) : script_(script) {}
  uint64_t Below(uint64_t n) override {
    uint64_t value = 0;
    for (uint64_t range = 1; range < n && pos_ < script_.size(); range <<= 8) {
      value = (value << 8) | script_[pos_++];
    }
    return value % n;
  }
  bool Exhausted() const override { return pos_ >= script_.size(); }

 private:
  const std::vector<uint8_t>& script_;
  size_t pos_ = 0;
};

class TimelineChecker {
 public:
  // `store` and `clock` must outlive the checker; `tenant` must be new to the store.
  TimelineChecker(Store* store, TestClock* clock, std::string tenant);

  // Runs up to `max_ops` random operations (fewer when `chooser` runs out),
  // checking each answer. Returns "" or the first mismatch with the trace of
  // operations that led to it.
  std::string Run(Chooser& chooser, int max_ops);

  // Compares the tenant's current view, record and whole log with the model.
  std::string CheckAll();

  // Lets tests point the checker at a reopened store.
  void set_store(Store* store) { store_ = store; }
  const TimelineModel& model() const { return model_; }
  const std::string& tenant() const { return tenant_; }

 private:
  std::string Step(Chooser& c);
  std::string DoAppend(Chooser& c);
  std::string DoRewind(Chooser& c);
  std::string DoTombstoneOrRestore(Chooser& c, bool tombstone);
  std::string DoAsOfRead(Chooser& c);
  std::string DoDiff(Chooser& c);
  std::string DoResolve(Chooser& c);
  std::string CheckCurrent();
  std::string CheckLog();

  Point RandomPoint(Chooser& c, bool allow_beyond_head);
  std::string RandomKey(Chooser& c);
  std::string RandomPayload(Chooser& c);
  // Time the engine gives an event appended now: the clock, raised to the
  // tenant's last event time.
  int64_t NextEventTime() const;
  std::string Fail(const std::string& what) const;
  void Trace(std::string line) { trace_.push_back(std::move(line)); }

  Store* store_;
  TestClock* clock_;
  std::string tenant_;
  TimelineModel model_;
  bool created_ = false;
  uint64_t payload_counter_ = 0;
  std::vector<std::string> trace_;
};

std::string Describe(const Point& point);

}  // namespace tenantlog::test

#endif  // TENANTLOG_TESTS_UTIL_TIMELINE_CHECKER_H_
