// Random tenant histories (appends, rewinds, tombstones, restores) generated
// against the TimelineModel, so that every action is valid when applied in
// order and the model holds the expected result.
#ifndef TENANTLOG_TESTS_UTIL_RANDOM_HISTORY_H_
#define TENANTLOG_TESTS_UTIL_RANDOM_HISTORY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tenantlog/event.h"
#include "tenantlog/status.h"
#include "tenantlog/store.h"
#include "util/test_clock.h"
#include "util/timeline_model.h"

namespace tenantlog::test {

struct HistoryAction {
  enum class Kind { kAppend, kRewind, kTombstone, kRestore };
  Kind kind = Kind::kAppend;
  AppendBatch batch;                       // kAppend
  uint64_t rewind_to = 0;                  // kRewind: a seq
  int64_t clock_step_us = 1;               // the clock moves by this before the action
};

struct RandomHistory {
  std::vector<HistoryAction> actions;
  // The tenant's log after every action, as the model expects it. The model's
  // event times assume the clock starts at `start_us` and only the actions move it.
  TimelineModel model;
  int64_t start_us = kTestEpochMicros;
};

// A history of `length` actions over `keys` entity keys, from `seed`.
// Ends with the tenant active when `end_active`.
RandomHistory MakeRandomHistory(uint64_t seed, int length, int keys, bool end_active = true);

// Applies one action to `tenant` (moving `clock` first).
Status ApplyAction(Store& store, TestClock& clock, const std::string& tenant,
                   const HistoryAction& action);

// Applies every action; stops at the first error.
Status ApplyHistory(Store& store, TestClock& clock, const std::string& tenant,
                    const RandomHistory& history);

}  // namespace tenantlog::test

#endif  // TENANTLOG_TESTS_UTIL_RANDOM_HISTORY_H_
