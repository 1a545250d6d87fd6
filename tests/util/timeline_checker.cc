#include "util/timeline_checker.h"

#include <algorithm>
#include <limits>
#include <sstream>

#include "util/store_helpers.h"

namespace tenantlog::test {
namespace {

constexpr int kKeys = 6;

std::string ShowMap(const std::map<std::string, std::string>& m) {
  std::ostringstream out;
  out << "{";
  for (const auto& [k, v] : m) out << " " << k << "=" << v;
  out << " }";
  return out.str();
}

std::string ShowStatus(const Status& s) { return CodeName(s.code()) + " " + s.message(); }

std::string ExpectCode(const Status& s, Status::Code code, const std::string& what) {
  if (s.code() == code) return "";
  return what + ": expected " + CodeName(code) + ", got " + ShowStatus(s);
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

std::string Describe(const Point& point) {
  return point.is_time() ? "time " + std::to_string(point.time_us())
                         : "seq " + std::to_string(point.seq());
}

TimelineChecker::TimelineChecker(Store* store, TestClock* clock, std::string tenant)
    : store_(store), clock_(clock), tenant_(std::move(tenant)) {}

std::string TimelineChecker::Fail(const std::string& what) const {
  std::ostringstream out;
  out << "tenant " << tenant_ << ": " << what << "\n  operations so far:\n";
  for (const std::string& line : trace_) out << "    " << line << "\n";
  return out.str();
}

int64_t TimelineChecker::NextEventTime() const {
  return std::max(clock_->NowMicros(), model_.LastTime(std::numeric_limits<int64_t>::min()));
}

std::string TimelineChecker::RandomKey(Chooser& c) { return "k" + std::to_string(c.Below(kKeys)); }

std::string TimelineChecker::RandomPayload(Chooser& c) {
  // Some payloads repeat (so a re-put of the same value is no change),
  // most are unique, and sizes vary.
  switch (c.Below(8)) {
    case 0: return "";
    case 1: return "same";
    case 2: return "other";
    default:
      return "p" + std::to_string(++payload_counter_) + std::string(c.Below(20), 'x');
  }
}

Point TimelineChecker::RandomPoint(Chooser& c, bool allow_beyond_head) {
  const uint64_t head = model_.head();
  if (c.OneIn(2)) {
    return Point::AtSeq(c.Below(head + (allow_beyond_head ? 2 : 1)));
  }
  if (head == 0 || c.OneIn(10)) {
    // Before everything, or in the future.
    return c.OneIn(2) ? Point::AtTime(kTestEpochMicros - 1000)
                      : Point::AtTime(clock_->NowMicros() + 1000);
  }
  const ModelEvent& e = model_.event(1 + c.Below(head));
  return Point::AtTime(e.time_us + static_cast<int64_t>(c.Below(3)) - 1);
}

std::string TimelineChecker::Run(Chooser& chooser, int max_ops) {
  for (int i = 0; i < max_ops && !chooser.Exhausted(); ++i) {
    std::string error = Step(chooser);
    if (!error.empty()) return error;
  }
  return CheckAll();
}

std::string TimelineChecker::Step(Chooser& c) {
  clock_->Advance(static_cast<int64_t>(c.Below(3)));
  if (!created_) {
    if (c.OneIn(4)) {
      // A tenant with no events does not exist for reads and admin calls.
      Trace("probe unknown tenant");
      std::string e = ExpectCode(StatusOf(store_->List(tenant_)), Status::Code::kNotFound,
                                 "List of an unknown tenant");
      if (e.empty()) {
        e = ExpectCode(StatusOf(store_->Rewind(tenant_, Point::AtSeq(0), Admin())),
                       Status::Code::kNotFound, "Rewind of an unknown tenant");
      }
      if (e.empty()) {
        e = ExpectCode(StatusOf(store_->Tombstone({tenant_}, Admin())), Status::Code::kRefused,
                       "Tombstone of an unknown tenant");
      }
      if (e.empty()) {
        e = ExpectCode(StatusOf(store_->Describe(tenant_)), Status::Code::kNotFound,
                       "Describe of an unknown tenant");
      }
      if (!e.empty()) return Fail(e);
    }
    return DoAppend(c);
  }
  uint64_t r = c.Below(100);
  std::string error;
  if (r < 40) {
    error = DoAppend(c);
  } else if (r < 52) {
    error = DoRewind(c);
  } else if (r < 56) {
    error = DoTombstoneOrRestore(c, /*tombstone=*/true);
  } else if (r < 60) {
    error = DoTombstoneOrRestore(c, /*tombstone=*/false);
  } else if (r < 78) {
    error = DoAsOfRead(c);
  } else if (r < 86) {
    error = DoDiff(c);
  } else if (r < 91) {
    error = DoResolve(c);
  } else {
    // The clock jumps back (events keep non-decreasing times) or forward.
    int64_t delta = c.OneIn(2) ? -static_cast<int64_t>(c.Below(10)) : static_cast<int64_t>(c.Below(1000));
    clock_->Advance(delta);
    Trace("clock " + std::to_string(delta) + " -> " + std::to_string(clock_->NowMicros()));
    return "";
  }
  if (!error.empty()) return error;
  return CheckCurrent();
}

std::string TimelineChecker::DoAppend(Chooser& c) {
  const uint64_t n = 1 + c.Below(4);
  const int explicit_at = c.OneIn(6) ? static_cast<int>(c.Below(n)) : -1;
  const bool want_bad_time = explicit_at >= 0 && model_.head() > 0 && c.OneIn(3);
  const bool tombstoned = model_.tombstoned();
  AppendBatch batch;
  std::vector<ModelEvent> expected;
  int64_t previous = model_.LastTime(std::numeric_limits<int64_t>::min());
  bool bad_time = false;
  std::ostringstream trace;
  trace << "append";
  for (uint64_t i = 0; i < n; ++i) {
    DataEvent e;
    e.type = "t" + std::to_string(c.Below(3));
    e.key = RandomKey(c);
    e.op = c.OneIn(4) ? Op::kDelete : Op::kPut;
    if (e.op == Op::kPut) e.payload = RandomPayload(c);
    int64_t time = std::max(clock_->NowMicros(), previous);
    if (static_cast<int>(i) == explicit_at && !tombstoned) {
      if (want_bad_time) {
        time = model_.LastTime(0) - 1 - static_cast<int64_t>(c.Below(5));
        bad_time = true;
      } else {
        int64_t base =
            previous == std::numeric_limits<int64_t>::min() ? clock_->NowMicros() : previous;
        time = base + static_cast<int64_t>(c.Below(5));
      }
      e.time_us = time;
    }
    previous = time;
    trace << " [" << e.key << " " << (e.op == Op::kPut ? "put '" + e.payload + "'" : "delete")
          << (e.time_us ? " at " + std::to_string(*e.time_us) : "") << "]";
    expected.push_back(ModelEvent{0, time, EventKind::kData, e.key, e.op, e.payload, 0});
    batch.Add(std::move(e));
  }
  WriteOptions options;
  bool conflict = false;
  if (!bad_time && !tombstoned && c.OneIn(6)) {
    if (c.OneIn(2)) {
      options.expected_head_seq = model_.head();
    } else {
      options.expected_head_seq = model_.head() + 1 + c.Below(2);
      conflict = true;
    }
    trace << " expecting head " << *options.expected_head_seq;
  }
  Trace(trace.str());

  auto result = store_->Append(tenant_, batch, options);
  if (tombstoned) {
    std::string e = ExpectCode(result.status(), Status::Code::kTenantDeleted, "append to tombstoned");
    return e.empty() ? "" : Fail(e);
  }
  if (bad_time) {
    std::string e = ExpectCode(result.status(), Status::Code::kInvalidArgument,
                               "append with a time before the tenant's last event");
    return e.empty() ? "" : Fail(e);
  }
  if (conflict) {
    std::string e = ExpectCode(result.status(), Status::Code::kConflict,
                               "append with a wrong expected head seq");
    return e.empty() ? "" : Fail(e);
  }
  if (!result.ok()) return Fail("append failed: " + ShowStatus(result.status()));
  const uint64_t first = model_.head() + 1;
  for (const ModelEvent& e : expected) model_.AppendData(e.time_us, e.key, e.op, e.payload);
  created_ = true;
  if (result->first_seq != first || result->last_seq != model_.head()) {
    return Fail("append returned seqs " + std::to_string(result->first_seq) + ".." +
                std::to_string(result->last_seq) + ", expected " + std::to_string(first) + ".." +
                std::to_string(model_.head()));
  }
  return "";
}

std::string TimelineChecker::DoRewind(Chooser& c) {
  const Point to = RandomPoint(c, /*allow_beyond_head=*/true);
  const bool dry = c.OneIn(4);
  Trace(std::string(dry ? "dry-run " : "") + "rewind to " + Describe(to));
  auto report = store_->Rewind(tenant_, to, dry ? DryRun() : Admin());
  if (model_.tombstoned()) {
    std::string e = ExpectCode(report.status(), Status::Code::kRefused, "rewind of tombstoned");
    return e.empty() ? "" : Fail(e);
  }
  const auto target = model_.Resolve(to);
  if (!target) {
    std::string e = ExpectCode(report.status(), Status::Code::kInvalidArgument,
                               "rewind beyond the head");
    return e.empty() ? "" : Fail(e);
  }
  if (!report.ok()) return Fail("rewind failed: " + ShowStatus(report.status()));
  const ModelView current = model_.Current();
  const ModelView wanted = model_.StateAt(*target);
  const bool changed = model_.HistoryAt(*target) != model_.HistoryAt(model_.head());
  std::ostringstream problems;
  if (report->dry_run != dry) problems << "dry_run=" << report->dry_run << "; ";
  if (report->changed != changed) {
    problems << "changed=" << report->changed << ", expected " << changed << " (current "
             << ShowMap(Payloads(current)) << ", target " << ShowMap(Payloads(wanted)) << "); ";
  }
  if (report->target_seq != *target) {
    problems << "target_seq=" << report->target_seq << ", expected " << *target << "; ";
  }
  const uint64_t marker = changed && !dry ? model_.head() + 1 : 0;
  if (report->marker_seq != marker) {
    problems << "marker_seq=" << report->marker_seq << ", expected " << marker << "; ";
  }
  std::string diff = CompareDiffs(ModelDiff(current, wanted), report->diff);
  if (!diff.empty()) problems << "diff: " << diff;
  if (!problems.str().empty()) return Fail("rewind report: " + problems.str());
  if (changed && !dry) model_.AppendRewind(NextEventTime(), *target);
  return "";
}

std::string TimelineChecker::DoTombstoneOrRestore(Chooser& c, bool tombstone) {
  const bool dry = c.OneIn(4);
  const char* name = tombstone ? "tombstone" : "restore";
  Trace(std::string(dry ? "dry-run " : "") + name);
  auto report = tombstone ? store_->Tombstone({tenant_}, dry ? DryRun() : Admin())
                          : store_->Restore({tenant_}, dry ? DryRun() : Admin());
  if (!report.ok()) return Fail(std::string(name) + " failed: " + ShowStatus(report.status()));
  const bool changes = tombstone != model_.tombstoned();
  const std::vector<std::string> mine = {tenant_};
  const std::vector<std::string> none;
  if (report->dry_run != dry || Sorted(report->changed) != (changes ? mine : none) ||
      Sorted(report->unchanged) != (changes ? none : mine)) {
    return Fail(std::string(name) + " report: dry_run=" + std::to_string(report->dry_run) +
                " changed=" + std::to_string(report->changed.size()) +
                " unchanged=" + std::to_string(report->unchanged.size()) +
                (changes ? " (expected the tenant changed)" : " (expected it unchanged)"));
  }
  if (changes && !dry) {
    if (tombstone) {
      model_.AppendTombstone(NextEventTime());
    } else {
      model_.AppendRestore(NextEventTime());
    }
  }
  return "";
}

std::string TimelineChecker::DoAsOfRead(Chooser& c) {
  const Point at = RandomPoint(c, /*allow_beyond_head=*/true);
  ReadOptions options;
  options.as_of = at;
  const std::string key = RandomKey(c);
  Trace("read as of " + Describe(at) + " (List, Get " + key + ")");
  auto list = store_->List(tenant_, options);
  auto get = store_->Get(tenant_, key, options);
  if (model_.tombstoned()) {
    std::string e = ExpectCode(list.status(), Status::Code::kTenantDeleted, "as-of List of tombstoned");
    if (e.empty()) {
      e = ExpectCode(get.status(), Status::Code::kTenantDeleted, "as-of Get of tombstoned");
    }
    return e.empty() ? "" : Fail(e);
  }
  const auto seq = model_.Resolve(at);
  if (!seq) {
    std::string e = ExpectCode(list.status(), Status::Code::kInvalidArgument,
                               "as-of List beyond the head");
    if (e.empty()) {
      e = ExpectCode(get.status(), Status::Code::kInvalidArgument, "as-of Get beyond the head");
    }
    return e.empty() ? "" : Fail(e);
  }
  if (!list.ok()) return Fail("as-of List failed: " + ShowStatus(list.status()));
  const auto expected = Payloads(model_.StateAt(*seq));
  if (Payloads(*list) != expected) {
    return Fail("as-of List (seq " + std::to_string(*seq) + "): expected " + ShowMap(expected) +
                ", got " + ShowMap(Payloads(*list)));
  }
  auto it = expected.find(key);
  if (it == expected.end()) {
    std::string e = ExpectCode(get.status(), Status::Code::kNotFound, "as-of Get of an absent key");
    return e.empty() ? "" : Fail(e);
  }
  if (!get.ok()) return Fail("as-of Get failed: " + ShowStatus(get.status()));
  if (*get != it->second) {
    return Fail("as-of Get " + key + ": expected '" + it->second + "', got '" + *get + "'");
  }
  return "";
}

std::string TimelineChecker::DoDiff(Chooser& c) {
  const Point from = RandomPoint(c, /*allow_beyond_head=*/true);
  std::optional<Point> to;
  if (!c.OneIn(3)) to = RandomPoint(c, /*allow_beyond_head=*/true);
  Trace("diff from " + Describe(from) + " to " + (to ? Describe(*to) : "now"));
  auto diff = store_->Diff(tenant_, from, to);
  if (model_.tombstoned()) {
    std::string e = ExpectCode(diff.status(), Status::Code::kTenantDeleted, "Diff of tombstoned");
    return e.empty() ? "" : Fail(e);
  }
  const auto from_seq = model_.Resolve(from);
  const auto to_seq = to ? model_.Resolve(*to) : std::optional<uint64_t>(model_.head());
  if (!from_seq || !to_seq) {
    std::string e = ExpectCode(diff.status(), Status::Code::kInvalidArgument, "Diff beyond the head");
    return e.empty() ? "" : Fail(e);
  }
  if (!diff.ok()) return Fail("Diff failed: " + ShowStatus(diff.status()));
  ViewDiff expected = ModelDiff(model_.StateAt(*from_seq), model_.StateAt(*to_seq));
  if (*from_seq > *to_seq) {
    // Backwards in the log, "the newer value" is not defined: compare keys and sizes.
    for (auto* list : {&expected.added, &expected.changed}) {
      for (KeyChange& change : *list) change.seq = 0;
    }
  }
  std::string problems = CompareDiffs(expected, *diff);
  if (!problems.empty()) {
    return Fail("Diff seq " + std::to_string(*from_seq) + " -> " + std::to_string(*to_seq) +
                ": " + problems);
  }
  return "";
}

std::string TimelineChecker::DoResolve(Chooser& c) {
  const Point at = RandomPoint(c, /*allow_beyond_head=*/true);
  Trace("resolve " + Describe(at));
  auto seq = store_->ResolvePoint(tenant_, at);
  const auto expected = model_.Resolve(at);
  if (!expected) {
    std::string e = ExpectCode(seq.status(), Status::Code::kInvalidArgument, "ResolvePoint beyond the head");
    return e.empty() ? "" : Fail(e);
  }
  if (!seq.ok()) return Fail("ResolvePoint failed: " + ShowStatus(seq.status()));
  if (*seq != *expected) {
    return Fail("ResolvePoint " + Describe(at) + ": expected " + std::to_string(*expected) +
                ", got " + std::to_string(*seq));
  }
  return "";
}

std::string TimelineChecker::CheckCurrent() {
  if (!created_) return "";
  auto info = store_->Describe(tenant_);
  if (!info.ok()) return Fail("Describe failed: " + ShowStatus(info.status()));
  const TenantState state = model_.tombstoned() ? TenantState::kTombstoned : TenantState::kActive;
  if (info->head_seq != model_.head() || info->state != state ||
      info->rewinds != model_.rewinds() || info->event_count != model_.head() ||
      info->updated_us != model_.LastTime(0) || info->created_us != model_.event(1).time_us) {
    std::ostringstream out;
    out << "Describe: head_seq " << info->head_seq << " (expected " << model_.head()
        << "), state " << static_cast<int>(info->state) << " (expected "
        << static_cast<int>(state) << "), rewinds " << info->rewinds << " (expected "
        << model_.rewinds() << "), event_count " << info->event_count << ", updated_us "
        << info->updated_us << " (expected " << model_.LastTime(0) << "), created_us "
        << info->created_us << " (expected " << model_.event(1).time_us << ")";
    return Fail(out.str());
  }
  auto list = store_->List(tenant_);
  if (model_.tombstoned()) {
    std::string e = ExpectCode(list.status(), Status::Code::kTenantDeleted, "List of tombstoned");
    return e.empty() ? "" : Fail(e);
  }
  if (!list.ok()) return Fail("List failed: " + ShowStatus(list.status()));
  const auto expected = Payloads(model_.Current());
  if (Payloads(*list) != expected) {
    return Fail("List: expected " + ShowMap(expected) + ", got " + ShowMap(Payloads(*list)));
  }
  for (size_t i = 1; i < list->size(); ++i) {
    if (!((*list)[i - 1].key < (*list)[i].key)) return Fail("List is not in key order");
  }
  return "";
}

std::string TimelineChecker::CheckLog() {
  if (!created_) return "";
  auto log = store_->ReadLog(tenant_, 1, std::numeric_limits<size_t>::max());
  if (!log.ok()) return Fail("ReadLog failed: " + ShowStatus(log.status()));
  if (log->size() != model_.head()) {
    return Fail("ReadLog: " + std::to_string(log->size()) + " events, expected " +
                std::to_string(model_.head()));
  }
  for (size_t i = 0; i < log->size(); ++i) {
    const Event& got = (*log)[i];
    const ModelEvent& want = model_.events()[i];
    bool same = got.seq == want.seq && got.time_us == want.time_us && got.kind == want.kind;
    if (same && want.kind == EventKind::kData) {
      same = got.key == want.key && got.op == want.op &&
             (want.op == Op::kDelete || got.payload == want.payload);
    }
    if (same && want.kind == EventKind::kRewind) same = got.rewind_target == want.rewind_target;
    if (same && want.kind != EventKind::kData) same = got.actor == "test-operator";
    if (!same) {
      std::ostringstream out;
      out << "ReadLog event " << i + 1 << ": got seq " << got.seq << " time " << got.time_us
          << " kind " << static_cast<int>(got.kind) << " key " << got.key << " op "
          << static_cast<int>(got.op) << " payload '" << got.payload << "' target "
          << got.rewind_target << " actor '" << got.actor << "'; expected seq " << want.seq
          << " time " << want.time_us << " kind " << static_cast<int>(want.kind) << " key "
          << want.key << " op " << static_cast<int>(want.op) << " payload '" << want.payload
          << "' target " << want.rewind_target;
      return Fail(out.str());
    }
  }
  auto info = store_->Describe(tenant_);
  if (!info.ok()) return Fail("Describe failed: " + ShowStatus(info.status()));
  if (!log->empty() && info->chain_head != log->back().chain) {
    return Fail("Describe chain_head differs from the newest event's chain");
  }
  return "";
}

std::string TimelineChecker::CheckAll() {
  std::string error = CheckCurrent();
  if (error.empty()) error = CheckLog();
  return error;
}

}  // namespace tenantlog::test
