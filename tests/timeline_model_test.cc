// The timeline (tombstone, restore, rewind, as-of reads) against a plain model
// of DESIGN.md's recursive definition of a tenant's effective history.

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tenantlog/store.h"
#include "util/store_helpers.h"
#include "util/temp_dir.h"
#include "util/test_clock.h"
#include "util/timeline_checker.h"
#include "util/timeline_model.h"

namespace tenantlog::test {
namespace {

constexpr int64_t kHour = int64_t{3600} * 1000000;
constexpr int64_t kDay = 24 * kHour;

class TimelineTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = OpenOrDie(dir_.path(), TestOptions(&clock_)); }

  // key → payload of the current view.
  std::map<std::string, std::string> View(const std::string& tenant) {
    auto list = store_->List(tenant);
    EXPECT_TRUE(IsOk(list.status()));
    return list.ok() ? Payloads(*list) : std::map<std::string, std::string>();
  }
  std::map<std::string, std::string> ViewAsOf(const std::string& tenant, const Point& point) {
    ReadOptions options;
    options.as_of = point;
    auto list = store_->List(tenant, options);
    EXPECT_TRUE(IsOk(list.status())) << Describe(point);
    return list.ok() ? Payloads(*list) : std::map<std::string, std::string>();
  }
  uint64_t Head(const std::string& tenant) {
    auto info = store_->Describe(tenant);
    EXPECT_TRUE(IsOk(info.status()));
    return info.ok() ? info->head_seq : 0;
  }
  // Appends events with keys e<first>..e<last>, each as its own seq.
  void AppendNumbered(const std::string& tenant, uint64_t first, uint64_t last) {
    AppendBatch batch;
    for (uint64_t i = first; i <= last; ++i) {
      batch.Put("t", "e" + std::to_string(i), "v" + std::to_string(i));
    }
    auto result = store_->Append(tenant, batch);
    ASSERT_OK(result);
    ASSERT_EQ(result->first_seq, first);
    ASSERT_EQ(result->last_seq, last);
  }
  // The view holding e<i>=v<i> for every i in the given closed ranges.
  static std::map<std::string, std::string> Numbered(
      std::initializer_list<std::pair<uint64_t, uint64_t>> ranges) {
    std::map<std::string, std::string> view;
    for (auto [first, last] : ranges) {
      for (uint64_t i = first; i <= last; ++i) {
        view["e" + std::to_string(i)] = "v" + std::to_string(i);
      }
    }
    return view;
  }

  TempDir dir_;
  TestClock clock_;
  std::unique_ptr<Store> store_;
};

// DESIGN.md's example: events 1-100; rewind to 60 (marker at 101); events
// 102-120 show 1-60 then 102-120; rewinding to 100 brings back 61-100 and hides
// 102-120; rewinding to 120 undoes that.
TEST_F(TimelineTest, DesignExampleRewindsAndUndoesRewinds) {
  const std::string t = "acme";
  AppendNumbered(t, 1, 100);

  ASSERT_OK_AND_ASSIGN(RewindReport to60, store_->Rewind(t, Point::AtSeq(60), Admin()));
  EXPECT_TRUE(to60.changed);
  EXPECT_EQ(to60.target_seq, 60u);
  EXPECT_EQ(to60.marker_seq, 101u);
  EXPECT_EQ(to60.diff.removed.size(), 40u);
  EXPECT_TRUE(to60.diff.added.empty());
  EXPECT_EQ(View(t), Numbered({{1, 60}}));

  AppendNumbered(t, 102, 120);
  EXPECT_EQ(View(t), Numbered({{1, 60}, {102, 120}}));

  ASSERT_OK_AND_ASSIGN(RewindReport to100, store_->Rewind(t, Point::AtSeq(100), Admin()));
  EXPECT_TRUE(to100.changed);
  EXPECT_EQ(to100.target_seq, 100u);
  EXPECT_EQ(to100.marker_seq, 121u);
  EXPECT_EQ(View(t), Numbered({{1, 100}}));
  // The report names what comes back (with the puts that set it) and what is hidden.
  ASSERT_EQ(to100.diff.added.size(), 40u);
  for (const KeyChange& change : to100.diff.added) {
    EXPECT_EQ("e" + std::to_string(change.seq), change.key);
  }
  EXPECT_EQ(to100.diff.removed.size(), 19u);
  EXPECT_TRUE(to100.diff.changed.empty());

  ASSERT_OK_AND_ASSIGN(RewindReport to120, store_->Rewind(t, Point::AtSeq(120), Admin()));
  EXPECT_TRUE(to120.changed);
  EXPECT_EQ(to120.marker_seq, 122u);
  EXPECT_EQ(View(t), Numbered({{1, 60}, {102, 120}}));

  // Every state the tenant has shown stays readable as of its seq.
  EXPECT_EQ(ViewAsOf(t, Point::AtSeq(100)), Numbered({{1, 100}}));
  EXPECT_EQ(ViewAsOf(t, Point::AtSeq(101)), Numbered({{1, 60}}));
  EXPECT_EQ(ViewAsOf(t, Point::AtSeq(110)), Numbered({{1, 60}, {102, 110}}));
  EXPECT_EQ(ViewAsOf(t, Point::AtSeq(121)), Numbered({{1, 100}}));
  EXPECT_EQ(ViewAsOf(t, Point::AtSeq(122)), Numbered({{1, 60}, {102, 120}}));

  ASSERT_OK_AND_ASSIGN(TenantInfo info, store_->Describe(t));
  EXPECT_EQ(info.head_seq, 122u);
  EXPECT_EQ(info.event_count, 122u);
  EXPECT_EQ(info.rewinds, 3u);
}

TEST_F(TimelineTest, RewindToATimeYesterdayReturnsWhatWasVisibleThenEvenAcrossEarlierRewinds) {
  const std::string t = "globex";
  const int64_t day_before = kTestEpochMicros;
  clock_.Set(day_before);
  ASSERT_OK(store_->Append(t, PutBatch("a", "a1")));  // 1
  ASSERT_OK(store_->Append(t, PutBatch("b", "b1")));  // 2
  clock_.Set(day_before + kHour);
  ASSERT_OK(store_->Rewind(t, Point::AtSeq(1), Admin()));  // 3: hides b
  const int64_t yesterday_9 = day_before + kDay - kHour;
  clock_.Set(yesterday_9);
  ASSERT_OK(store_->Append(t, PutBatch("c", "c1")));  // 4
  ASSERT_OK(store_->Append(t, PutBatch("a", "a2")));  // 5
  const int64_t yesterday_10 = day_before + kDay;
  const auto visible_at_10 = View(t);
  ASSERT_EQ(visible_at_10, (std::map<std::string, std::string>{{"a", "a2"}, {"c", "c1"}}));

  // Today: more writes, a rewind that brings b back, a rewind to empty, more writes.
  clock_.Set(yesterday_10 + 2 * kHour);
  ASSERT_OK(store_->Append(t, PutBatch("d", "d1")));             // 6
  ASSERT_OK(store_->Rewind(t, Point::AtSeq(2), Admin()));        // 7: a1, b1
  ASSERT_OK(store_->Append(t, PutBatch("e", "e1")));             // 8
  ASSERT_OK(store_->Rewind(t, Point::AtSeq(0), Admin()));        // 9: empty
  ASSERT_OK(store_->Append(t, PutBatch("f", "f1")));             // 10
  ASSERT_EQ(View(t), (std::map<std::string, std::string>{{"f", "f1"}}));

  EXPECT_EQ(ViewAsOf(t, Point::AtTime(yesterday_10)), visible_at_10);
  ASSERT_OK_AND_ASSIGN(uint64_t seq_at_10, store_->ResolvePoint(t, Point::AtTime(yesterday_10)));
  EXPECT_EQ(seq_at_10, 5u);

  ASSERT_OK_AND_ASSIGN(RewindReport report,
                       store_->Rewind(t, Point::AtTime(yesterday_10), Admin()));
  EXPECT_TRUE(report.changed);
  EXPECT_EQ(report.target_seq, 5u);
  EXPECT_EQ(report.marker_seq, 11u);
  EXPECT_EQ(View(t), visible_at_10);
}

TEST_F(TimelineTest, RewindingToAHiddenStateBringsItBack) {
  const std::string t = "initech";
  ASSERT_OK(store_->Append(t, PutBatch("x", "1")));   // 1
  ASSERT_OK(store_->Append(t, PutBatch("y", "2")));   // 2
  ASSERT_OK(store_->Rewind(t, Point::AtSeq(1), Admin()));  // 3
  ASSERT_OK(store_->Append(t, PutBatch("z", "3")));   // 4
  ASSERT_EQ(View(t), (std::map<std::string, std::string>{{"x", "1"}, {"z", "3"}}));
  // Seq 2's state (x, y) is hidden; rewinding to it shows it again.
  ASSERT_OK_AND_ASSIGN(RewindReport report, store_->Rewind(t, Point::AtSeq(2), Admin()));
  EXPECT_TRUE(report.changed);
  EXPECT_EQ(View(t), (std::map<std::string, std::string>{{"x", "1"}, {"y", "2"}}));
  // And the rewind itself can be undone: back to seq 4's state.
  ASSERT_OK(store_->Rewind(t, Point::AtSeq(4), Admin()));
  EXPECT_EQ(View(t), (std::map<std::string, std::string>{{"x", "1"}, {"z", "3"}}));
}

TEST_F(TimelineTest, RewindToTheStateAlreadyShownWritesNothing) {
  const std::string t = "hooli";
  ASSERT_OK(store_->Append(t, PutBatch("a", "1")));  // 1
  ASSERT_OK(store_->Append(t, PutBatch("b", "2")));  // 2
  ASSERT_OK(store_->Append(t, PutBatch("c", "3")));  // 3
  ASSERT_OK_AND_ASSIGN(RewindReport at_head, store_->Rewind(t, Point::AtSeq(3), Admin()));
  EXPECT_FALSE(at_head.changed);
  EXPECT_EQ(at_head.marker_seq, 0u);
  EXPECT_EQ(at_head.target_seq, 3u);
  EXPECT_TRUE(at_head.diff.empty());
  EXPECT_EQ(Head(t), 3u);

  ASSERT_OK(store_->Rewind(t, Point::AtSeq(1), Admin()));  // 4
  ASSERT_EQ(Head(t), 4u);
  // Now seq 1, seq 4 (the marker) and the head all show the same state.
  for (uint64_t to : {1u, 4u}) {
    ASSERT_OK_AND_ASSIGN(RewindReport again, store_->Rewind(t, Point::AtSeq(to), Admin()));
    EXPECT_FALSE(again.changed) << "rewind to " << to;
    EXPECT_EQ(again.marker_seq, 0u) << "rewind to " << to;
    EXPECT_TRUE(again.diff.empty()) << "rewind to " << to;
    EXPECT_EQ(Head(t), 4u) << "rewind to " << to << " wrote an event";
  }
  EXPECT_EQ(View(t), (std::map<std::string, std::string>{{"a", "1"}}));
}

// The state as of a seq is its effective history (DESIGN.md: "the state as of
// x is the state as of s, followed by the events in (r, x]"), which every view
// folds, application reducers included. A point with a different history is a
// different state even when the built-in view's keys happen to be equal: the
// rewind is written, with an empty key diff.
TEST_F(TimelineTest, RewindToADifferentHistoryWithEqualKeysIsStillWritten) {
  const std::string t = "pied-piper";
  ASSERT_OK(store_->Append(t, PutBatch("a", "1")));  // 1
  ASSERT_OK(store_->Append(t, PutBatch("b", "2")));  // 2
  ASSERT_OK(store_->Append(t, DeleteBatch("b")));    // 3: the same keys as seq 1
  ASSERT_OK_AND_ASSIGN(RewindReport report, store_->Rewind(t, Point::AtSeq(1), Admin()));
  EXPECT_TRUE(report.changed);
  EXPECT_EQ(report.marker_seq, 4u);
  EXPECT_TRUE(report.diff.empty());
  EXPECT_EQ(View(t), (std::map<std::string, std::string>{{"a", "1"}}));
}

TEST_F(TimelineTest, RewindBeyondTheHeadIsInvalidAndWritesNothing) {
  const std::string t = "umbrella";
  ASSERT_OK(store_->Append(t, PutBatch("a", "1")));
  EXPECT_CODE(kInvalidArgument, store_->Rewind(t, Point::AtSeq(2), Admin()));
  EXPECT_CODE(kInvalidArgument, store_->Rewind(t, Point::AtSeq(1000), Admin()));
  EXPECT_CODE(kInvalidArgument,
              store_->Rewind(t, Point::AtSeq(std::numeric_limits<uint64_t>::max()), Admin()));
  EXPECT_EQ(Head(t), 1u);
  EXPECT_EQ(View(t), (std::map<std::string, std::string>{{"a", "1"}}));
}

TEST_F(TimelineTest, RewindOfAnUnknownTenantIsNotFound) {
  EXPECT_CODE(kNotFound, store_->Rewind("nobody", Point::AtSeq(0), Admin()));
  EXPECT_CODE(kNotFound, store_->Describe("nobody"));
}

TEST_F(TimelineTest, RewindToATimeBeforeTheFirstEventShowsTheEmptyState) {
  const std::string t = "vandelay";
  ASSERT_OK(store_->Append(t, PutBatch("a", "1")));
  ASSERT_OK_AND_ASSIGN(RewindReport report,
                       store_->Rewind(t, Point::AtTime(kTestEpochMicros - 1), Admin()));
  EXPECT_TRUE(report.changed);
  EXPECT_EQ(report.target_seq, 0u);
  EXPECT_TRUE(View(t).empty());
  EXPECT_CODE(kNotFound, store_->Get(t, "a"));
}

TEST_F(TimelineTest, ADryRunRewindReportsTheChangeAndChangesNothing) {
  const std::string t = "wayne";
  ASSERT_OK(store_->Append(t, PutBatch("a", "1")));
  ASSERT_OK(store_->Append(t, PutBatch("b", "22")));
  ASSERT_OK(store_->Append(t, PutBatch("a", "333")));
  ASSERT_OK_AND_ASSIGN(RewindReport report, store_->Rewind(t, Point::AtSeq(1), DryRun()));
  EXPECT_TRUE(report.dry_run);
  EXPECT_TRUE(report.changed);
  EXPECT_EQ(report.target_seq, 1u);
  EXPECT_EQ(report.marker_seq, 0u);
  ASSERT_EQ(report.diff.changed.size(), 1u);
  EXPECT_EQ(report.diff.changed[0].key, "a");
  EXPECT_EQ(report.diff.changed[0].seq, 1u);
  EXPECT_EQ(report.diff.changed[0].before_bytes, std::optional<size_t>(3));
  EXPECT_EQ(report.diff.changed[0].after_bytes, std::optional<size_t>(1));
  ASSERT_EQ(report.diff.removed.size(), 1u);
  EXPECT_EQ(report.diff.removed[0].key, "b");
  EXPECT_EQ(report.diff.removed[0].before_bytes, std::optional<size_t>(2));
  EXPECT_FALSE(report.diff.removed[0].after_bytes.has_value());
  EXPECT_TRUE(report.diff.added.empty());
  EXPECT_EQ(Head(t), 3u);
  EXPECT_EQ(View(t), (std::map<std::string, std::string>{{"a", "333"}, {"b", "22"}}));
}

TEST_F(TimelineTest, AsOfTimeReadsTheLastEventAtOrBeforeThatTime) {
  const std::string t = "stark";
  clock_.Set(kTestEpochMicros + 10);
  ASSERT_OK(store_->Append(t, PutBatch("a", "1")));  // 1 at +10
  ASSERT_OK(store_->Append(t, PutBatch("a", "2")));  // 2 at +10
  clock_.Set(kTestEpochMicros + 20);
  ASSERT_OK(store_->Append(t, PutBatch("a", "3")));  // 3 at +20
  const std::vector<std::pair<int64_t, uint64_t>> cases = {
      {9, 0}, {10, 2}, {19, 2}, {20, 3}, {1000000, 3}};
  for (auto [offset, seq] : cases) {
    ASSERT_OK_AND_ASSIGN(uint64_t resolved,
                         store_->ResolvePoint(t, Point::AtTime(kTestEpochMicros + offset)));
    EXPECT_EQ(resolved, seq) << "time +" << offset;
    ReadOptions options;
    options.as_of = Point::AtTime(kTestEpochMicros + offset);
    auto got = store_->Get(t, "a", options);
    if (seq == 0) {
      EXPECT_CODE(kNotFound, got);
    } else {
      ASSERT_OK(got);
      EXPECT_EQ(*got, std::to_string(seq));
    }
  }
  ReadOptions beyond;
  beyond.as_of = Point::AtSeq(4);
  EXPECT_CODE(kInvalidArgument, store_->Get(t, "a", beyond));
  EXPECT_CODE(kInvalidArgument, store_->List(t, beyond));
  EXPECT_CODE(kInvalidArgument, store_->ResolvePoint(t, Point::AtSeq(4)));
}

TEST_F(TimelineTest, ControlEventsTakeSeqsAndTimesNeverDecrease) {
  const std::string t = "cyberdyne";
  clock_.Set(kTestEpochMicros + 100);
  ASSERT_OK(store_->Append(t, PutBatch("a", "1")));                 // 1
  clock_.Set(kTestEpochMicros + 50);                                  // the clock goes back
  ASSERT_OK(store_->Tombstone({t}, Admin("cleanup")));  // 2
  ASSERT_OK(store_->Restore({t}, Admin()));                           // 3
  ASSERT_OK(store_->Append(t, PutBatch("b", "2")));                   // 4
  ASSERT_OK(store_->Rewind(t, Point::AtSeq(1), Admin("oops")));       // 5
  ASSERT_OK_AND_ASSIGN(std::vector<Event> log, store_->ReadLog(t, 1, 100));
  ASSERT_EQ(log.size(), 5u);
  const std::vector<EventKind> kinds = {EventKind::kData, EventKind::kTombstone,
                                        EventKind::kRestore, EventKind::kData, EventKind::kRewind};
  for (size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(log[i].seq, i + 1);
    EXPECT_EQ(log[i].kind, kinds[i]) << "seq " << i + 1;
    EXPECT_EQ(log[i].time_us, kTestEpochMicros + 100) << "seq " << i + 1;
  }
  EXPECT_EQ(log[1].actor, "test-operator");
  EXPECT_EQ(log[1].reason, "cleanup");
  EXPECT_EQ(log[4].reason, "oops");
  EXPECT_EQ(log[4].rewind_target, 1u);
  // ReadLog pages: from a seq, at most `limit` events.
  ASSERT_OK_AND_ASSIGN(std::vector<Event> page, store_->ReadLog(t, 2, 2));
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].seq, 2u);
  EXPECT_EQ(page[1].seq, 3u);
}

TEST_F(TimelineTest, ATombstonedTenantRefusesReadsAppendsAndRewindsAndRestoreBringsItBack) {
  const std::string t = "oscorp";
  ASSERT_OK(store_->Append(t, PutBatch("a", "1")));
  ASSERT_OK(store_->Append(t, PutBatch("b", "2")));
  const auto before = View(t);
  ASSERT_OK_AND_ASSIGN(BulkReport tomb, store_->Tombstone({t}, Admin()));
  EXPECT_EQ(tomb.changed, std::vector<std::string>{t});
  EXPECT_CODE(kTenantDeleted, store_->Get(t, "a"));
  EXPECT_CODE(kTenantDeleted, store_->List(t));
  EXPECT_CODE(kTenantDeleted, store_->Append(t, PutBatch("c", "3")));
  // Rewinding a tombstoned tenant is refused: restore it first (store.h).
  EXPECT_CODE(kRefused, store_->Rewind(t, Point::AtSeq(1), Admin()));
  EXPECT_CODE(kTenantDeleted, store_->Diff(t, Point::AtSeq(1), std::nullopt));
  ASSERT_OK_AND_ASSIGN(TenantInfo info, store_->Describe(t));
  EXPECT_EQ(info.state, TenantState::kTombstoned);
  EXPECT_EQ(info.head_seq, 3u);
  // A second tombstone is reported unchanged and writes no event.
  ASSERT_OK_AND_ASSIGN(BulkReport again, store_->Tombstone({t}, Admin()));
  EXPECT_TRUE(again.changed.empty());
  EXPECT_EQ(again.unchanged, std::vector<std::string>{t});
  EXPECT_EQ(Head(t), 3u);

  ASSERT_OK_AND_ASSIGN(BulkReport restored, store_->Restore({t}, Admin()));
  EXPECT_EQ(restored.changed, std::vector<std::string>{t});
  EXPECT_EQ(View(t), before);
  ASSERT_OK_AND_ASSIGN(info, store_->Describe(t));
  EXPECT_EQ(info.state, TenantState::kActive);
  EXPECT_EQ(info.head_seq, 4u);
  ASSERT_OK_AND_ASSIGN(BulkReport restored_again, store_->Restore({t}, Admin()));
  EXPECT_EQ(restored_again.unchanged, std::vector<std::string>{t});
  EXPECT_EQ(Head(t), 4u);
}

TEST_F(TimelineTest, DiffNamesTheEventThatMadeEachDifference) {
  const std::string t = "soylent";
  ASSERT_OK(store_->Append(t, PutBatch("keep", "k")));     // 1
  ASSERT_OK(store_->Append(t, PutBatch("gone", "g")));     // 2
  ASSERT_OK(store_->Append(t, PutBatch("edit", "old")));   // 3
  ASSERT_OK(store_->Append(t, PutBatch("edit", "newer"))); // 4
  ASSERT_OK(store_->Append(t, DeleteBatch("gone")));       // 5
  ASSERT_OK(store_->Append(t, PutBatch("new", "nn")));     // 6
  ASSERT_OK(store_->Append(t, PutBatch("hidden", "h")));   // 7
  ASSERT_OK(store_->Rewind(t, Point::AtSeq(6), Admin()));  // 8 hides "hidden"

  ASSERT_OK_AND_ASSIGN(ViewDiff diff, store_->Diff(t, Point::AtSeq(3), std::nullopt));
  ASSERT_EQ(diff.added.size(), 1u);
  EXPECT_EQ(diff.added[0].key, "new");
  EXPECT_EQ(diff.added[0].seq, 6u);
  EXPECT_FALSE(diff.added[0].before_bytes.has_value());
  EXPECT_EQ(diff.added[0].after_bytes, std::optional<size_t>(2));
  ASSERT_EQ(diff.changed.size(), 1u);
  EXPECT_EQ(diff.changed[0].key, "edit");
  EXPECT_EQ(diff.changed[0].seq, 4u);
  EXPECT_EQ(diff.changed[0].before_bytes, std::optional<size_t>(3));
  EXPECT_EQ(diff.changed[0].after_bytes, std::optional<size_t>(5));
  ASSERT_EQ(diff.removed.size(), 1u);
  EXPECT_EQ(diff.removed[0].key, "gone");
  EXPECT_EQ(diff.removed[0].seq, 5u);  // its delete event

  // A key hidden by a rewind is removed by the rewind's control event.
  ASSERT_OK_AND_ASSIGN(ViewDiff hidden, store_->Diff(t, Point::AtSeq(7), Point::AtSeq(8)));
  EXPECT_TRUE(hidden.added.empty());
  EXPECT_TRUE(hidden.changed.empty());
  ASSERT_EQ(hidden.removed.size(), 1u);
  EXPECT_EQ(hidden.removed[0].key, "hidden");
  EXPECT_EQ(hidden.removed[0].seq, 8u);

  ASSERT_OK_AND_ASSIGN(ViewDiff none, store_->Diff(t, Point::AtSeq(6), std::nullopt));
  EXPECT_TRUE(none.empty());
  EXPECT_CODE(kInvalidArgument, store_->Diff(t, Point::AtSeq(9), std::nullopt));
  EXPECT_CODE(kNotFound, store_->Diff("nobody", Point::AtSeq(0), std::nullopt));
}

// Thousands of random histories, each on its own tenant of one store, every
// answer compared with the model; then every tenant again (nothing leaked
// between them), and again after reopening the store.
TEST(TimelineModelTest, RandomHistoriesMatchTheModel) {
  TempDir dir;
  TestClock clock;
  auto store = OpenOrDie(dir.path(), TestOptions(&clock));
  ASSERT_NE(store, nullptr);
  std::vector<std::unique_ptr<TimelineChecker>> checkers;
  constexpr int kHistories = 1500;
  for (int i = 0; i < kHistories; ++i) {
    const uint64_t seed = 0x7e4a47106ULL + static_cast<uint64_t>(i);
    PrngChooser chooser(seed);
    auto checker = std::make_unique<TimelineChecker>(store.get(), &clock,
                                                     "tenant-" + std::to_string(i));
    std::string error = checker->Run(chooser, 10 + static_cast<int>(chooser.Below(50)));
    ASSERT_EQ(error, "") << "seed " << seed;
    checkers.push_back(std::move(checker));
  }
  for (auto& checker : checkers) ASSERT_EQ(checker->CheckAll(), "") << "after all histories";
  store.reset();
  store = OpenOrDie(dir.path(), TestOptions(&clock));
  ASSERT_NE(store, nullptr);
  for (auto& checker : checkers) {
    checker->set_store(store.get());
    ASSERT_EQ(checker->CheckAll(), "") << "after reopening";
  }
}

// A few long histories: deep chains of rewinds over hundreds of events.
TEST(TimelineModelTest, LongRandomHistoriesMatchTheModel) {
  TempDir dir;
  TestClock clock;
  auto store = OpenOrDie(dir.path(), TestOptions(&clock));
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 6; ++i) {
    const uint64_t seed = 0x10ff5eedULL + static_cast<uint64_t>(i);
    PrngChooser chooser(seed);
    TimelineChecker checker(store.get(), &clock, "long-" + std::to_string(i));
    ASSERT_EQ(checker.Run(chooser, 600), "") << "seed " << seed;
  }
}

// The same check as a property: rapidcheck shrinks a failing script to a
// short sequence of operations.
RC_GTEST_PROP(TimelineModelProperty, AnyScriptOfOperationsMatchesTheModel, ()) {
  const auto script = *rc::gen::scale(8, rc::gen::arbitrary<std::vector<uint8_t>>());
  static TempDir dir;
  static TestClock clock;
  static std::unique_ptr<Store> store = OpenOrDie(dir.path(), TestOptions(&clock));
  static uint64_t next_tenant = 0;
  RC_ASSERT(store != nullptr);
  TimelineChecker checker(store.get(), &clock, "prop-" + std::to_string(next_tenant++));
  ScriptChooser chooser(script);
  std::string error = checker.Run(chooser, std::numeric_limits<int>::max());
  if (!error.empty()) RC_FAIL(error);
}

}  // namespace
}  // namespace tenantlog::test
