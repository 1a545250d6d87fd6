// Views are caches of the log: however a view got to its state (caught up
// after every batch, built once at the end, rebuilt after being dropped, read
// after reopening, or folded on the fly as of the head), it holds the same
// keys and payloads, down to the stored bytes.

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tenantlog/reducer.h"
#include "tenantlog/store.h"
#include "util/gated_reducer.h"
#include "util/random_history.h"
#include "util/raw_lmdb.h"
#include "util/store_helpers.h"
#include "util/temp_dir.h"
#include "util/test_clock.h"
#include "util/timeline_model.h"

namespace tenantlog::test {
namespace {

constexpr int kTenants = 6;
constexpr int kHistoryLength = 80;

std::string TenantName(int i) { return "tenant-" + std::to_string(i); }

// The tenant's `views` and `view_state` rows with the tenant id taken off the
// keys, so that two stores can be compared.
std::map<std::string, RawTable> ViewBytes(const std::string& dir, uint64_t id,
                                          const std::string& name) {
  TenantBytes bytes = ReadTenantBytes(dir, id, name);
  std::map<std::string, RawTable> views;
  for (const char* db : {"views", "view_state"}) {
    for (const auto& [key, value] : bytes.tables[db]) views[db][key.substr(8)] = value;
  }
  return views;
}

class ViewTest : public ::testing::TestWithParam<uint64_t> {
 protected:
  void SetUp() override {
    incremental_ = OpenOrDie(incremental_dir_.path(), TestOptions(&clock_));
    at_end_ = OpenOrDie(at_end_dir_.path(), TestOptions(&clock_));
    ASSERT_NE(incremental_, nullptr);
    ASSERT_NE(at_end_, nullptr);
    for (int i = 0; i < kTenants; ++i) {
      histories_.push_back(MakeRandomHistory(GetParam() * 100 + static_cast<uint64_t>(i),
                                             kHistoryLength, 8));
    }
  }

  std::map<std::string, std::string> List(Store& store, const std::string& tenant,
                                          std::optional<Point> as_of = std::nullopt) {
    ReadOptions options;
    options.as_of = as_of;
    auto list = store.List(tenant, options);
    EXPECT_TRUE(IsOk(list.status())) << tenant;
    return list.ok() ? Payloads(*list) : std::map<std::string, std::string>();
  }

  TempDir incremental_dir_;
  TempDir at_end_dir_;
  TestClock clock_;
  std::unique_ptr<Store> incremental_;
  std::unique_ptr<Store> at_end_;
  std::vector<RandomHistory> histories_;
};

TEST_P(ViewTest, CaughtUpIncrementallyEqualsBuiltOnceEqualsRebuiltFromScratch) {
  // The same histories, interleaved, in two stores; one store's views are read
  // after every action, the other's only at the end.
  for (int step = 0;; ++step) {
    bool any = false;
    for (int i = 0; i < kTenants; ++i) {
      const RandomHistory& history = histories_[static_cast<size_t>(i)];
      if (step >= static_cast<int>(history.actions.size())) continue;
      any = true;
      const HistoryAction& action = history.actions[static_cast<size_t>(step)];
      const int64_t before = clock_.NowMicros();
      ASSERT_OK(ApplyAction(*incremental_, clock_, TenantName(i), action));
      clock_.Set(before);
      ASSERT_OK(ApplyAction(*at_end_, clock_, TenantName(i), action));
      auto list = incremental_->List(TenantName(i));
      if (list.status().IsTenantDeleted()) continue;
      ASSERT_OK(list);
    }
    if (!any) break;
  }

  std::map<int, uint64_t> ids_incremental, ids_at_end;
  for (int i = 0; i < kTenants; ++i) {
    SCOPED_TRACE(TenantName(i));
    const auto expected = Payloads(histories_[static_cast<size_t>(i)].model.Current());
    EXPECT_EQ(List(*incremental_, TenantName(i)), expected);
    EXPECT_EQ(List(*at_end_, TenantName(i)), expected);
    ASSERT_OK_AND_ASSIGN(TenantInfo a, incremental_->Describe(TenantName(i)));
    ASSERT_OK_AND_ASSIGN(TenantInfo b, at_end_->Describe(TenantName(i)));
    EXPECT_EQ(a.head_seq, histories_[static_cast<size_t>(i)].model.head());
    EXPECT_EQ(a.head_seq, b.head_seq);
    // The on-the-fly fold as of the head gives the same state.
    EXPECT_EQ(List(*incremental_, TenantName(i), Point::AtSeq(a.head_seq)), expected);
    ids_incremental[i] = a.id;
    ids_at_end[i] = b.id;
  }
  incremental_.reset();
  at_end_.reset();

  // Both stores hold the same view bytes.
  std::map<int, std::map<std::string, RawTable>> stored;
  for (int i = 0; i < kTenants; ++i) {
    SCOPED_TRACE(TenantName(i));
    stored[i] = ViewBytes(incremental_dir_.path(), ids_incremental[i], TenantName(i));
    EXPECT_FALSE(stored[i]["views"].empty() && !histories_[static_cast<size_t>(i)].model.Current().empty())
        << "no stored view rows for a tenant with live keys";
    EXPECT_EQ(stored[i], ViewBytes(at_end_dir_.path(), ids_at_end[i], TenantName(i)));
  }

  // Dropped views are rebuilt from the log, identical.
  for (int i = 0; i < kTenants; ++i) {
    EXPECT_GT(DropTenantViews(at_end_dir_.path(), ids_at_end[i]), 0u) << TenantName(i);
  }
  at_end_ = OpenOrDie(at_end_dir_.path(), TestOptions(&clock_));
  ASSERT_NE(at_end_, nullptr);
  for (int i = 0; i < kTenants; ++i) {
    EXPECT_EQ(List(*at_end_, TenantName(i)),
              Payloads(histories_[static_cast<size_t>(i)].model.Current()))
        << TenantName(i) << " after its views were dropped";
  }
  at_end_.reset();
  for (int i = 0; i < kTenants; ++i) {
    EXPECT_EQ(stored[i], ViewBytes(at_end_dir_.path(), ids_at_end[i], TenantName(i)))
        << TenantName(i) << ": rebuilt view bytes differ";
  }
}

TEST_P(ViewTest, ViewsReadTheSameAfterReopening) {
  for (int i = 0; i < kTenants; ++i) {
    ASSERT_OK(ApplyHistory(*incremental_, clock_, TenantName(i), histories_[static_cast<size_t>(i)]));
  }
  std::map<int, std::map<std::string, std::string>> before;
  for (int i = 0; i < kTenants; ++i) before[i] = List(*incremental_, TenantName(i));
  incremental_.reset();
  incremental_ = OpenOrDie(incremental_dir_.path(), TestOptions(&clock_));
  ASSERT_NE(incremental_, nullptr);
  for (int i = 0; i < kTenants; ++i) {
    EXPECT_EQ(List(*incremental_, TenantName(i)), before[i]) << TenantName(i);
    EXPECT_EQ(before[i], Payloads(histories_[static_cast<size_t>(i)].model.Current()));
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, ViewTest, ::testing::Range<uint64_t>(1, 9));

// A view behind by some batches catches up; one whose timeline changed (a
// rewind, a restore) is rebuilt: either way it equals the fold of the log.
TEST(ViewCatchUpTest, AViewBehindATimelineChangeIsRebuilt) {
  TempDir dir;
  TestClock clock;
  auto store = OpenOrDie(dir.path(), TestOptions(&clock));
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Append("acme", PutBatch("a", "1")));
  ASSERT_OK(store->Append("acme", PutBatch("b", "2")));
  ASSERT_OK_AND_ASSIGN(std::vector<KeyValue> first, store->List("acme"));  // view at seq 2
  ASSERT_EQ(first.size(), 2u);
  ASSERT_OK(store->Append("acme", PutBatch("c", "3")));           // 3
  ASSERT_OK(store->Rewind("acme", Point::AtSeq(1), Admin()));     // 4: a
  ASSERT_OK(store->Append("acme", PutBatch("d", "4")));           // 5: a, d
  ASSERT_OK(store->Tombstone({"acme"}, Admin()));                 // 6
  ASSERT_OK(store->Restore({"acme"}, Admin()));                   // 7
  ASSERT_OK(store->Append("acme", DeleteBatch("a")));             // 8: d
  ASSERT_OK_AND_ASSIGN(std::vector<KeyValue> now, store->List("acme"));
  EXPECT_EQ(Payloads(now), (std::map<std::string, std::string>{{"d", "4"}}));
  ASSERT_OK_AND_ASSIGN(std::string d, store->Get("acme", "d"));
  EXPECT_EQ(d, "4");
  EXPECT_CODE(kNotFound, store->Get("acme", "b"));
  EXPECT_CODE(kNotFound, store->Get("acme", "c"));
}

// As-of reads fold on the fly and leave the stored view as it was.
TEST(ViewCatchUpTest, AsOfReadsChangeNothingStored) {
  TempDir dir;
  TestClock clock;
  auto store = OpenOrDie(dir.path(), TestOptions(&clock));
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK(store->Append("acme", PutBatch("k" + std::to_string(i % 5), std::to_string(i))));
  }
  ASSERT_OK(store->List("acme"));
  ASSERT_OK_AND_ASSIGN(TenantInfo info, store->Describe("acme"));
  store.reset();
  const TenantBytes before = ReadTenantBytes(dir.path(), info.id, "acme");
  store = OpenOrDie(dir.path(), TestOptions(&clock));
  ASSERT_NE(store, nullptr);
  for (uint64_t seq = 0; seq <= 20; ++seq) {
    ReadOptions options;
    options.as_of = Point::AtSeq(seq);
    ASSERT_OK(store->List("acme", options));
    ASSERT_OK(store->Diff("acme", Point::AtSeq(seq), std::nullopt));
  }
  ASSERT_OK(store->Rewind("acme", Point::AtSeq(3), DryRun()));
  store.reset();
  const TenantBytes after = ReadTenantBytes(dir.path(), info.id, "acme");
  EXPECT_EQ(DescribeDifference(before, after), "");
}

class ViewRebuildTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options options = TestOptions(&clock_);
    options.reducers.push_back(gate_);
    store_ = OpenOrDie(dir_.path(), options);
    ASSERT_NE(store_, nullptr);
    for (int i = 0; i < 50; ++i) {
      ASSERT_OK(store_->Append("big", PutBatch("k" + std::to_string(i % 7), std::to_string(i))));
    }
    ASSERT_OK(store_->Append("big", PutBatch("gate", "g")));
    ASSERT_OK(store_->Append("big", PutBatch("k1", "after the gate")));
    gated_.view = "gated";
  }

  // No fold waited at the gate until it gave up: a fold stopped there never
  // kept the test's own writes waiting.
  void TearDown() override { EXPECT_FALSE(gate_->TimedOut()); }

  // Starts a read of big's gated view, which has never been built, and
  // returns once its fold waits at the gate.
  std::future<Result<std::vector<KeyValue>>> StartRebuild() {
    auto read = std::async(std::launch::async, [this] { return store_->List("big", gated_); });
    EXPECT_TRUE(gate_->WaitForFold());
    return read;
  }

  // Starts `n` reads of big's gated view and returns once each waits for
  // the rebuild that StartRebuild started (false after 30 s).
  bool StartWaitingReads(int n, std::vector<std::future<Result<std::vector<KeyValue>>>>* reads) {
    const uint64_t waits_before = store_->view_stats().rebuild_waits;
    for (int i = 0; i < n; ++i) {
      reads->push_back(std::async(std::launch::async, [this] { return store_->List("big", gated_); }));
    }
    const auto deadline = std::chrono::steady_clock::now() + GatedReducer::kMaxWait;
    while (store_->view_stats().rebuild_waits < waits_before + n) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
  }

  // Opens the gate and returns the view the read StartRebuild started got
  // (empty when it failed, which fails the test).
  std::map<std::string, std::string> FinishRebuild(std::future<Result<std::vector<KeyValue>>>& read) {
    gate_->Open();
    Result<std::vector<KeyValue>> view = read.get();
    EXPECT_OK(view);
    return view.ok() ? Payloads(*view) : std::map<std::string, std::string>{};
  }

  // The value of `key` in `view`, if any.
  static std::optional<std::string> ValueOf(const std::map<std::string, std::string>& view,
                                            const std::string& key) {
    auto it = view.find(key);
    if (it == view.end()) return std::nullopt;
    return it->second;
  }

  // big's gated view as stored, read back.
  std::map<std::string, std::string> Stored() {
    auto stored = store_->List("big", gated_);
    EXPECT_OK(stored);
    return stored.ok() ? Payloads(*stored) : std::map<std::string, std::string>{};
  }

  // big's gated view as a fold of its whole history at the head.
  std::map<std::string, std::string> FoldedAtHead() {
    auto info = store_->Describe("big");
    if (!info.ok()) return {};
    ReadOptions at_head = gated_;
    at_head.as_of = Point::AtSeq(info->head_seq);
    auto folded = store_->List("big", at_head);
    return folded.ok() ? Payloads(*folded) : std::map<std::string, std::string>{};
  }

  TempDir dir_;
  TestClock clock_;
  std::shared_ptr<GatedReducer> gate_ = std::make_shared<GatedReducer>();
  std::unique_ptr<Store> store_;
  ReadOptions gated_;
};

// Rebuilding a view folds the tenant's whole log. The fold must not hold the
// store's write lock: other tenants append meanwhile.
TEST_F(ViewRebuildTest, OtherTenantsAppendWhileAViewIsRebuilt) {
  auto read = StartRebuild();
  // Must not wait for the fold, which waits for this append.
  ASSERT_OK(store_->Append("other", PutBatch("x", "1")));
  const std::map<std::string, std::string> view = FinishRebuild(read);
  EXPECT_EQ(gate_->gate_folds(), 1);  // the fold made outside the lock was stored
  EXPECT_EQ(ValueOf(view, "k1"), "after the gate");
  EXPECT_EQ(view, FoldedAtHead());
  ASSERT_OK_AND_ASSIGN(std::vector<KeyValue> other, store_->List("other"));
  EXPECT_EQ(Payloads(other), (std::map<std::string, std::string>{{"x", "1"}}));
}

// Events appended to the tenant while its view is folded outside the write
// lock are applied to that fold; a rewind meanwhile makes the view be folded
// again. Either way the view read, and the view stored, are those of the
// tenant's history at the head.
TEST_F(ViewRebuildTest, EventsAppendedDuringTheFoldAreAppliedToIt) {
  auto read = StartRebuild();
  ASSERT_OK(store_->Append("big", PutBatch("late", "appended during the fold")));
  const std::map<std::string, std::string> view = FinishRebuild(read);
  EXPECT_EQ(gate_->gate_folds(), 1);  // extended, not folded again
  EXPECT_EQ(ValueOf(view, "late"), "appended during the fold");
  EXPECT_EQ(view, FoldedAtHead());
  EXPECT_EQ(Stored(), FoldedAtHead());
}

TEST_F(ViewRebuildTest, ATenantRewoundDuringTheFoldIsFoldedAgain) {
  auto read = StartRebuild();
  ASSERT_OK(store_->Rewind("big", Point::AtSeq(10), Admin()));
  const std::map<std::string, std::string> view = FinishRebuild(read);
  EXPECT_EQ(ValueOf(view, "gate"), std::nullopt);
  EXPECT_EQ(view, FoldedAtHead());
  EXPECT_EQ(Stored(), FoldedAtHead());
}

// After a restore, many readers of one tenant cost one fold: reads of a view
// that another read is rebuilding wait for it, then read what it stored.
TEST_F(ViewRebuildTest, ConcurrentReadsOfAViewShareOneRebuild) {
  auto first = StartRebuild();
  std::vector<std::future<Result<std::vector<KeyValue>>>> others;
  ASSERT_TRUE(StartWaitingReads(3, &others));
  const std::map<std::string, std::string> view = FinishRebuild(first);
  for (auto& other : others) {
    Result<std::vector<KeyValue>> got = other.get();
    ASSERT_OK(got);
    EXPECT_EQ(Payloads(*got), view);
  }
  EXPECT_EQ(gate_->gate_folds(), 1);
  EXPECT_EQ(store_->view_stats().rebuilds, 1u);
  EXPECT_EQ(store_->view_stats().rebuild_waits, 3u);
  EXPECT_EQ(view, FoldedAtHead());
}

// When the rebuild they wait for fails, the waiting reads do not fail with
// it: one of them rebuilds the view in its turn.
TEST_F(ViewRebuildTest, ReadsWaitingForAFailedRebuildRebuildIt) {
  gate_->FailFirstFold();
  auto first = StartRebuild();
  std::vector<std::future<Result<std::vector<KeyValue>>>> others;
  ASSERT_TRUE(StartWaitingReads(3, &others));
  gate_->Open();
  Result<std::vector<KeyValue>> failed = first.get();
  EXPECT_TRUE(failed.status().IsInvalidArgument()) << failed.status().ToString();
  EXPECT_NE(failed.status().ToString().find("the first fold fails at the gate"), std::string::npos)
      << failed.status().ToString();
  std::vector<std::map<std::string, std::string>> views;
  for (auto& other : others) {
    Result<std::vector<KeyValue>> got = other.get();
    ASSERT_OK(got);
    views.push_back(Payloads(*got));
  }
  EXPECT_EQ(gate_->gate_folds(), 2);
  EXPECT_EQ(store_->view_stats().rebuilds, 2u);
  const std::map<std::string, std::string> at_head = FoldedAtHead();
  EXPECT_EQ(ValueOf(at_head, "k1"), "after the gate");
  for (const auto& view : views) EXPECT_EQ(view, at_head);
  EXPECT_EQ(Stored(), at_head);
}

}  // namespace
}  // namespace tenantlog::test
