#include "util/timeline_model.h"

#include <algorithm>
#include <sstream>

namespace tenantlog::test {

uint64_t TimelineModel::AppendData(int64_t time_us, const std::string& key, Op op,
                                   const std::string& payload) {
  ModelEvent e;
  e.seq = head() + 1;
  e.time_us = time_us;
  e.kind = EventKind::kData;
  e.key = key;
  e.op = op;
  e.payload = op == Op::kPut ? payload : std::string();
  events_.push_back(e);
  return e.seq;
}

uint64_t TimelineModel::AppendTombstone(int64_t time_us) {
  events_.push_back(ModelEvent{head() + 1, time_us, EventKind::kTombstone, "", Op::kPut, "", 0});
  tombstoned_ = true;
  return head();
}

uint64_t TimelineModel::AppendRestore(int64_t time_us) {
  events_.push_back(ModelEvent{head() + 1, time_us, EventKind::kRestore, "", Op::kPut, "", 0});
  tombstoned_ = false;
  return head();
}

uint64_t TimelineModel::AppendRewind(int64_t time_us, uint64_t target) {
  events_.push_back(
      ModelEvent{head() + 1, time_us, EventKind::kRewind, "", Op::kPut, "", target});
  ++rewinds_;
  return head();
}

std::optional<uint64_t> TimelineModel::Resolve(const Point& point) const {
  if (!point.is_time()) {
    if (point.seq() > head()) return std::nullopt;
    return point.seq();
  }
  uint64_t seq = 0;
  for (const ModelEvent& e : events_) {
    if (e.time_us <= point.time_us()) seq = e.seq;
  }
  return seq;
}

ModelView TimelineModel::StateAt(uint64_t x) const {
  ModelView view;
  uint64_t first = 1;
  for (uint64_t r = x; r >= 1; --r) {
    const ModelEvent& e = event(r);
    if (e.kind == EventKind::kRewind) {
      view = StateAt(e.rewind_target);
      first = r + 1;
      break;
    }
  }
  for (uint64_t seq = first; seq <= x; ++seq) {
    const ModelEvent& e = event(seq);
    if (e.kind != EventKind::kData) continue;
    if (e.op == Op::kPut) {
      view[e.key] = ModelValue{e.payload, e.seq};
    } else {
      view.erase(e.key);
    }
  }
  return view;
}

std::vector<uint64_t> TimelineModel::HistoryAt(uint64_t x) const {
  std::vector<uint64_t> history;
  uint64_t first = 1;
  for (uint64_t r = x; r >= 1; --r) {
    const ModelEvent& e = event(r);
    if (e.kind == EventKind::kRewind) {
      history = HistoryAt(e.rewind_target);
      first = r + 1;
      break;
    }
  }
  for (uint64_t seq = first; seq <= x; ++seq) history.push_back(seq);
  return history;
}

std::map<std::string, std::string> Payloads(const ModelView& view) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : view) out[key] = value.payload;
  return out;
}


ViewDiff ModelDiff(const ModelView& from, const ModelView& to) {
  ViewDiff diff;
  for (const auto& [key, after] : to) {
    auto before = from.find(key);
    if (before == from.end()) {
      diff.added.push_back(KeyChange{key, after.seq, std::nullopt, after.payload.size()});
    } else if (before->second.payload != after.payload) {
      diff.changed.push_back(
          KeyChange{key, after.seq, before->second.payload.size(), after.payload.size()});
    }
  }
  for (const auto& [key, before] : from) {
    if (to.count(key) == 0) {
      diff.removed.push_back(KeyChange{key, 0, before.payload.size(), std::nullopt});
    }
  }
  return diff;
}

namespace {

std::string Show(const std::optional<size_t>& size) {
  return size.has_value() ? std::to_string(*size) : "unset";
}

void CompareList(const char* what, std::vector<KeyChange> expected, std::vector<KeyChange> actual,
                 std::ostringstream& out) {
  auto by_key = [](const KeyChange& a, const KeyChange& b) { return a.key < b.key; };
  std::sort(expected.begin(), expected.end(), by_key);
  std::sort(actual.begin(), actual.end(), by_key);
  std::vector<std::string> expected_keys, actual_keys;
  for (const KeyChange& c : expected) expected_keys.push_back(c.key);
  for (const KeyChange& c : actual) actual_keys.push_back(c.key);
  if (expected_keys != actual_keys) {
    out << what << ": expected keys {";
    for (const auto& k : expected_keys) out << " '" << k << "'";
    out << " }, got {";
    for (const auto& k : actual_keys) out << " '" << k << "'";
    out << " }\n";
    return;
  }
  for (size_t i = 0; i < expected.size(); ++i) {
    const KeyChange& e = expected[i];
    const KeyChange& a = actual[i];
    if (e.seq != 0 && e.seq != a.seq) {
      out << what << " '" << e.key << "': expected seq " << e.seq << ", got " << a.seq << "\n";
    }
    if (e.before_bytes != a.before_bytes || e.after_bytes != a.after_bytes) {
      out << what << " '" << e.key << "': expected sizes " << Show(e.before_bytes) << " -> "
          << Show(e.after_bytes) << ", got " << Show(a.before_bytes) << " -> "
          << Show(a.after_bytes) << "\n";
    }
  }
}

}  // namespace

std::string CompareDiffs(const ViewDiff& expected, const ViewDiff& actual) {
  std::ostringstream out;
  CompareList("added", expected.added, actual.added, out);
  CompareList("changed", expected.changed, actual.changed, out);
  CompareList("removed", expected.removed, actual.removed, out);
  return out.str();
}

}  // namespace tenantlog::test
