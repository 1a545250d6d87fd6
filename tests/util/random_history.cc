#include "util/random_history.h"

#include <algorithm>
#include <random>

#include "util/store_helpers.h"

namespace tenantlog::test {

RandomHistory MakeRandomHistory(uint64_t seed, int length, int keys, bool end_active) {
  std::mt19937_64 rng(seed);
  auto below = [&rng](uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng); };
  RandomHistory history;
  int64_t now = history.start_us;
  for (int i = 0; i < length || (end_active && history.model.tombstoned()); ++i) {
    HistoryAction action;
    action.clock_step_us = static_cast<int64_t>(below(3));
    now += action.clock_step_us;
    const int64_t event_time = std::max(now, history.model.LastTime(now));
    const uint64_t r = below(100);
    if (history.model.tombstoned()) {
      action.kind = HistoryAction::Kind::kRestore;
      if (r < 40) {
        history.model.AppendRestore(event_time);
      } else {
        now -= action.clock_step_us;  // stays tombstoned for a while: no action
        continue;
      }
    } else if (history.model.head() == 0 || r < 70) {
      action.kind = HistoryAction::Kind::kAppend;
      const uint64_t n = 1 + below(4);
      for (uint64_t e = 0; e < n; ++e) {
        const std::string key = "key-" + std::to_string(below(static_cast<uint64_t>(keys)));
        if (below(4) == 0) {
          action.batch.Delete("test.delete", key);
          history.model.AppendData(event_time, key, Op::kDelete, "");
        } else {
          const std::string payload = "payload-" + std::to_string(seed) + "-" +
                                      std::to_string(history.model.head() + 1) +
                                      std::string(below(40), '.');
          action.batch.Put("test.put", key, payload);
          history.model.AppendData(event_time, key, Op::kPut, payload);
        }
      }
    } else if (r < 90) {
      action.kind = HistoryAction::Kind::kRewind;
      action.rewind_to = below(history.model.head() + 1);
      if (history.model.HistoryAt(action.rewind_to) !=
          history.model.HistoryAt(history.model.head())) {
        history.model.AppendRewind(event_time, action.rewind_to);
      }
    } else {
      action.kind = HistoryAction::Kind::kTombstone;
      history.model.AppendTombstone(event_time);
    }
    history.actions.push_back(std::move(action));
  }
  return history;
}

Status ApplyAction(Store& store, TestClock& clock, const std::string& tenant,
                   const HistoryAction& action) {
  clock.Advance(action.clock_step_us);
  switch (action.kind) {
    case HistoryAction::Kind::kAppend:
      return StatusOf(store.Append(tenant, action.batch));
    case HistoryAction::Kind::kRewind:
      return StatusOf(store.Rewind(tenant, Point::AtSeq(action.rewind_to), Admin("history")));
    case HistoryAction::Kind::kTombstone:
      return StatusOf(store.Tombstone({tenant}, Admin("history")));
    case HistoryAction::Kind::kRestore:
      return StatusOf(store.Restore({tenant}, Admin("history")));
  }
  return Status::InvalidArgument("unknown action");
}

Status ApplyHistory(Store& store, TestClock& clock, const std::string& tenant,
                    const RandomHistory& history) {
  for (const HistoryAction& action : history.actions) {
    Status s = ApplyAction(store, clock, tenant, action);
    if (!s.ok()) return s;
  }
  return Status::OK();
}

}  // namespace tenantlog::test
