// A plain in-memory model of one tenant's log and timeline, written directly
// from DESIGN.md ("Timeline: tombstone, restore, rewind"). Tests compare the
// engine's answers with this model's.
#ifndef TENANTLOG_TESTS_UTIL_TIMELINE_MODEL_H_
#define TENANTLOG_TESTS_UTIL_TIMELINE_MODEL_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tenantlog/admin.h"
#include "tenantlog/event.h"
#include "tenantlog/store.h"
#include "util/store_helpers.h"

namespace tenantlog::test {

struct ModelEvent {
  uint64_t seq = 0;
  int64_t time_us = 0;
  EventKind kind = EventKind::kData;
  std::string key;             // data events
  Op op = Op::kPut;            // data events
  std::string payload;         // data events
  uint64_t rewind_target = 0;  // rewind events
};

// A key's value in the built-in view and the put that set it.
struct ModelValue {
  std::string payload;
  uint64_t seq = 0;
  bool operator==(const ModelValue&) const = default;
};
using ModelView = std::map<std::string, ModelValue>;

class TimelineModel {
 public:
  uint64_t head() const { return events_.size(); }
  // Time of the newest event; `floor` when there is none.
  int64_t LastTime(int64_t floor) const {
    return events_.empty() ? floor : events_.back().time_us;
  }
  bool tombstoned() const { return tombstoned_; }
  uint64_t rewinds() const { return rewinds_; }
  const std::vector<ModelEvent>& events() const { return events_; }
  const ModelEvent& event(uint64_t seq) const { return events_.at(seq - 1); }

  // Appends an event; returns its seq.
  uint64_t AppendData(int64_t time_us, const std::string& key, Op op, const std::string& payload);
  uint64_t AppendTombstone(int64_t time_us);
  uint64_t AppendRestore(int64_t time_us);
  uint64_t AppendRewind(int64_t time_us, uint64_t target);

  // The seq a point names: the seq itself, or the last event at or before
  // the time (0 when none). nullopt for a seq beyond the head.
  std::optional<uint64_t> Resolve(const Point& point) const;

  // The state as of seq x, by DESIGN.md's recursive definition: take the last
  // rewind marker at or before x, at r with target s; the state as of x is the
  // state as of s followed by the data events in (r, x]. With no marker, the
  // data events in [1, x].
  // REQUIRES: x <= head().
  ModelView StateAt(uint64_t x) const;
  ModelView Current() const { return StateAt(head()); }

  // The effective history as of seq x: the seqs of the events whose fold is
  // the state as of x, by the same definition (the events of (r, x] after the
  // history as of s; with no marker, [1, x]). Two points show the same state
  // when their effective histories are equal: every view, the built-in one
  // and any application reducer, folds this history.
  std::vector<uint64_t> HistoryAt(uint64_t x) const;

 private:
  std::vector<ModelEvent> events_;
  bool tombstoned_ = false;
  uint64_t rewinds_ = 0;
};

// key → payload: what List returns.
std::map<std::string, std::string> Payloads(const ModelView& view);

// The model's diff between two states: added, changed (payload differs) and
// removed keys, each with before/after sizes; added and changed carry the seq
// of the put that set the newer value. Removed keys carry seq 0 (the model
// does not name what hid them).
ViewDiff ModelDiff(const ModelView& from, const ModelView& to);

// Compares two diffs: the same keys in each list, with the same sizes and,
// where `expected` names one (non-zero), the same seq. "" when they match.
std::string CompareDiffs(const ViewDiff& expected, const ViewDiff& actual);

}  // namespace tenantlog::test

#endif  // TENANTLOG_TESTS_UTIL_TIMELINE_MODEL_H_
