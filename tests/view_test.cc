// Views are caches of the log: however a view got to its state (caught up
// after every batch, built once at the end, rebuilt after being dropped, read
// after reopening, or folded on the fly as of the head), it holds the same
// keys and payloads, down to the stored bytes.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tenantlog/store.h"
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

}  // namespace
}  // namespace tenantlog::test
