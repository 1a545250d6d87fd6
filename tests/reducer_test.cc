// Application-defined views: a reducer's view equals the reducer folded by
// the test over the model's effective history, now and as of any point, after
// random histories with rewinds, tombstones and restores; with checkpoints
// taken often and with none; across reopening, read-only opening and a new
// reducer version; and a rebuild starts from the nearest checkpoint.

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tenantlog/reducer.h"
#include "tenantlog/store.h"
#include "util/random_history.h"
#include "util/store_helpers.h"
#include "util/temp_dir.h"
#include "util/test_clock.h"
#include "util/timeline_model.h"

namespace tenantlog::test {
namespace {

// Per key, the seqs and payload sizes of its puts since its last delete, in
// order (so a fold out of order or with a missing event differs); "count"
// holds the number of events folded; "last" the key of the latest event.
class HistoryReducer : public Reducer {
 public:
  explicit HistoryReducer(uint32_t version = 1) : version_(version) {}
  std::string name() const override { return "history"; }
  uint32_t version() const override { return version_; }
  Status Apply(const Event& e, MutableView* view) const override {
    applied_.fetch_add(1);
    std::string count;
    Status s = view->Get("count", &count);
    if (!s.ok() && !s.IsNotFound()) return s;
    view->Put("count", std::to_string(s.ok() ? std::stoull(count) + 1 : 1));
    view->Put("last", e.key);
    const std::string key = "k/" + e.key;
    if (e.op == Op::kDelete) {
      view->Delete(key);
      return Status::OK();
    }
    std::string value;
    s = view->Get(key, &value);
    if (!s.ok() && !s.IsNotFound()) return s;
    if (!s.ok()) value.clear();
    value += "v" + std::to_string(version_) + "@" + std::to_string(e.seq) + ":" +
             std::to_string(e.payload.size()) + ";";
    view->Put(key, value);
    return Status::OK();
  }
  int applied() const { return applied_.load(); }
  void reset_applied() const { applied_.store(0); }

 private:
  uint32_t version_;
  mutable std::atomic<int> applied_{0};
};

// The test's own fold: a map as the MutableView.
class MapView : public MutableView {
 public:
  Status Get(std::string_view key, std::string* value) override {
    auto it = entries.find(std::string(key));
    if (it == entries.end()) return Status::NotFound("no key");
    *value = it->second;
    return Status::OK();
  }
  void Put(std::string_view key, std::string_view value) override { entries[std::string(key)] = value; }
  void Delete(std::string_view key) override { entries.erase(std::string(key)); }
  std::map<std::string, std::string> entries;
};

std::map<std::string, std::string> ExpectedAt(const TimelineModel& model, const Reducer& reducer, uint64_t at) {
  MapView view;
  for (uint64_t seq : model.HistoryAt(at)) {
    const ModelEvent& m = model.event(seq);
    if (m.kind != EventKind::kData) continue;
    Event e;
    e.seq = m.seq;
    e.time_us = m.time_us;
    e.key = m.key;
    e.op = m.op;
    e.payload = m.payload;
    EXPECT_OK(reducer.Apply(e, &view));
  }
  return view.entries;
}

ReadOptions ViewOptions(std::optional<uint64_t> as_of = std::nullopt) {
  ReadOptions options;
  options.view = "history";
  if (as_of) options.as_of = Point::AtSeq(*as_of);
  return options;
}

std::map<std::string, std::string> ReadView(Store& store, const std::string& tenant,
                                            std::optional<uint64_t> as_of = std::nullopt) {
  auto list = store.List(tenant, ViewOptions(as_of));
  EXPECT_OK(list);
  return list.ok() ? Payloads(*list) : std::map<std::string, std::string>();
}

Options WithReducer(const Clock* clock, std::shared_ptr<const Reducer> reducer, uint32_t checkpoint_interval) {
  Options options = TestOptions(clock);
  options.reducers.push_back(std::move(reducer));
  options.view_checkpoint_interval = checkpoint_interval;
  return options;
}

class ReducerHistoryTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(ReducerHistoryTest, ViewEqualsTheTestsFoldOfTheEffectiveHistoryNowAndAsOfEveryPoint) {
  const uint32_t interval = GetParam();
  auto reducer = std::make_shared<HistoryReducer>();
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    TempDir dir;
    TestClock clock;
    auto store = OpenOrDie(dir.path(), WithReducer(&clock, reducer, interval));
    ASSERT_NE(store, nullptr);
    const RandomHistory history = MakeRandomHistory(seed, 60, 5);
    // Replay the history action by action, reading the view after each one
    // so that it is caught up, rebuilt and checkpointed along the way.
    for (size_t i = 0; i < history.actions.size(); ++i) {
      ASSERT_OK(ApplyAction(*store, clock, "t", history.actions[i]));
      auto list = store->List("t", ViewOptions());
      if (list.status().IsTenantDeleted()) continue;
      ASSERT_OK(list);
    }
    const TimelineModel& expected = history.model;
    EXPECT_EQ(ReadView(*store, "t"), ExpectedAt(expected, *reducer, expected.head()));
    for (uint64_t at = 0; at <= expected.head(); ++at) {
      EXPECT_EQ(ReadView(*store, "t", at), ExpectedAt(expected, *reducer, at)) << "as of seq " << at;
    }
    // The same after reopening, and from a read-only handle.
    store.reset();
    store = OpenOrDie(dir.path(), WithReducer(&clock, reducer, interval));
    EXPECT_EQ(ReadView(*store, "t"), ExpectedAt(expected, *reducer, expected.head()));
    store.reset();
    Options read_only = WithReducer(&clock, reducer, interval);
    read_only.read_only = true;
    store = OpenOrDie(dir.path(), read_only);
    EXPECT_EQ(ReadView(*store, "t"), ExpectedAt(expected, *reducer, expected.head()));
  }
}

INSTANTIATE_TEST_SUITE_P(CheckpointInterval, ReducerHistoryTest, ::testing::Values(0u, 3u, 25u),
                         [](const auto& info) { return "every_" + std::to_string(info.param); });

TEST(ReducerTest, TheBuiltInViewIsTheSameWithCheckpointsAsWithout) {
  for (uint64_t seed = 11; seed <= 16; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const RandomHistory history = MakeRandomHistory(seed, 60, 5);
    TempDir dir;
    TestClock clock;
    Options options = TestOptions(&clock);
    options.view_checkpoint_interval = 2;
    auto store = OpenOrDie(dir.path(), options);
    ASSERT_NE(store, nullptr);
    for (const HistoryAction& action : history.actions) {
      ASSERT_OK(ApplyAction(*store, clock, "t", action));
      auto list = store->List("t");
      if (!list.status().IsTenantDeleted()) {
        ASSERT_OK(list);
      }
    }
    const TimelineModel& model = history.model;
    auto list = store->List("t");
    ASSERT_OK(list);
    EXPECT_EQ(Payloads(*list), Payloads(model.Current()));
    for (uint64_t from = 0; from <= model.head(); from += 3) {
      ReadOptions as_of;
      as_of.as_of = Point::AtSeq(from);
      auto then = store->List("t", as_of);
      ASSERT_OK(then);
      EXPECT_EQ(Payloads(*then), Payloads(model.StateAt(from))) << "as of seq " << from;
      // Diffs carry provenance (the seq of each change), which checkpoints keep.
      auto diff = store->Diff("t", Point::AtSeq(from), std::nullopt);
      ASSERT_OK(diff);
      EXPECT_EQ(CompareDiffs(ModelDiff(model.StateAt(from), model.Current()), *diff), "") << "from " << from;
    }
  }
}

TEST(ReducerTest, ARebuildAfterARewindStartsFromTheNearestCheckpointOnTheEffectiveHistory) {
  TempDir dir;
  TestClock clock;
  auto reducer = std::make_shared<HistoryReducer>();
  auto store = OpenOrDie(dir.path(), WithReducer(&clock, reducer, 100));
  ASSERT_NE(store, nullptr);
  // 1,000 events, the view read after every 100: checkpoints at 100…1000, of
  // which the 4 latest are kept (700, 800, 900, 1000).
  for (int batch = 0; batch < 10; ++batch) {
    AppendBatch events;
    for (int i = 0; i < 100; ++i) events.Put("test.put", "key" + std::to_string((batch * 100 + i) % 7), "payload");
    ASSERT_OK(store->Append("t", events));
    ASSERT_OK(store->List("t", ViewOptions()));
  }
  TimelineModel model;
  for (uint64_t seq = 1; seq <= 1000; ++seq) {
    model.AppendData(0, "key" + std::to_string((seq - 1) % 7), Op::kPut, "payload");
  }

  // As of 950: from the checkpoint at 900.
  reducer->reset_applied();
  EXPECT_EQ(ReadView(*store, "t", 950), ExpectedAt(model, *reducer, 950));
  EXPECT_EQ(reducer->applied(), 50 + 950) << "the read and the test's fold";

  // Rewind to 950: the rebuild folds 50 events on top of the checkpoint at 900.
  ASSERT_OK(store->Rewind("t", Point::AtSeq(950), Admin()));
  model.AppendRewind(0, 950);
  reducer->reset_applied();
  EXPECT_EQ(ReadView(*store, "t"), ExpectedAt(model, *reducer, model.head()));
  EXPECT_EQ(reducer->applied(), 50 + 950);

  // Rewind to 500, before every kept checkpoint: no checkpoint holds a start
  // of that history, so the rebuild folds from seq 1.
  ASSERT_OK(store->Rewind("t", Point::AtSeq(500), Admin()));
  model.AppendRewind(0, 500);
  reducer->reset_applied();
  EXPECT_EQ(ReadView(*store, "t"), ExpectedAt(model, *reducer, model.head()));
  EXPECT_EQ(reducer->applied(), 500 + 500);

  // Undo that rewind (back to the state at 1001, which showed seq 950): the
  // checkpoint at 900 is on that history again.
  ASSERT_OK(store->Rewind("t", Point::AtSeq(1001), Admin()));
  model.AppendRewind(0, 1001);
  reducer->reset_applied();
  EXPECT_EQ(ReadView(*store, "t"), ExpectedAt(model, *reducer, model.head()));
  EXPECT_EQ(reducer->applied(), 50 + 950);
}

TEST(ReducerTest, ANewVersionRebuildsTheViewFromTheLog) {
  TempDir dir;
  TestClock clock;
  auto v1 = std::make_shared<HistoryReducer>(1);
  auto store = OpenOrDie(dir.path(), WithReducer(&clock, v1, 4));
  ASSERT_NE(store, nullptr);
  TimelineModel model;
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK(store->Append("t", PutBatch("k" + std::to_string(i % 3), std::string(i, 'x'))));
    model.AppendData(0, "k" + std::to_string(i % 3), Op::kPut, std::string(i, 'x'));
    ASSERT_OK(store->List("t", ViewOptions()));
  }
  EXPECT_EQ(ReadView(*store, "t"), ExpectedAt(model, *v1, model.head()));
  store.reset();

  auto v2 = std::make_shared<HistoryReducer>(2);
  store = OpenOrDie(dir.path(), WithReducer(&clock, v2, 4));
  ASSERT_NE(store, nullptr);
  const auto expected = ExpectedAt(model, *v2, model.head());
  EXPECT_NE(expected, ExpectedAt(model, *v1, model.head()));
  v2->reset_applied();
  EXPECT_EQ(ReadView(*store, "t"), expected);
  EXPECT_EQ(v2->applied(), 20) << "a whole rebuild: no checkpoint of version 1 is used";
  // Reads as of a point use no checkpoint of the old version either.
  EXPECT_EQ(ReadView(*store, "t", 10), ExpectedAt(model, *v2, 10));
}

TEST(ReducerTest, ViewsFollowTombstoneAndRestoreAndAreIndependentPerTenant) {
  TempDir dir;
  TestClock clock;
  auto reducer = std::make_shared<HistoryReducer>();
  auto store = OpenOrDie(dir.path(), WithReducer(&clock, reducer, 2));
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Append("a", PutBatch("x", "1")));
  ASSERT_OK(store->Append("b", PutBatch("y", "22")));
  const auto a = ReadView(*store, "a");
  const auto b = ReadView(*store, "b");
  EXPECT_EQ(a.at("count"), "1");
  EXPECT_EQ(a.count("k/y"), 0u);
  ASSERT_OK(store->Tombstone({"a"}, Admin()));
  EXPECT_TRUE(store->List("a", ViewOptions()).status().IsTenantDeleted());
  EXPECT_EQ(ReadView(*store, "b"), b);
  ASSERT_OK(store->Restore({"a"}, Admin()));
  EXPECT_EQ(ReadView(*store, "a"), a);
  ASSERT_OK_AND_ASSIGN(std::string count, store->Get("a", "count", ViewOptions()));
  EXPECT_EQ(count, "1");
  EXPECT_TRUE(store->Get("a", "k/y", ViewOptions()).status().IsNotFound());
}

TEST(ReducerTest, BadReducersAndUnknownViewsAreRefusedWithClearErrors) {
  TempDir dir;
  TestClock clock;
  struct Named : HistoryReducer {
    explicit Named(std::string n) : n_(std::move(n)) {}
    std::string name() const override { return n_; }
    std::string n_;
  };
  for (const std::string& bad : {std::string(), std::string("Upper"), std::string("a/b"), std::string(65, 'a'),
                                 std::string("sp ace")}) {
    SCOPED_TRACE("name '" + bad + "'");
    Options options = TestOptions(&clock);
    options.reducers.push_back(std::make_shared<Named>(bad));
    std::unique_ptr<Store> store;
    const std::string path = dir.path() + "/never";
    Status s = Store::Open(options, path, &store);
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_NE(s.message().find("reducer name"), std::string::npos) << s.ToString();
    EXPECT_FALSE(std::filesystem::exists(path)) << "nothing is created";
  }
  {
    Options options = TestOptions(&clock);
    options.reducers = {std::make_shared<Named>("same"), std::make_shared<Named>("same")};
    std::unique_ptr<Store> store;
    Status s = Store::Open(options, dir.path() + "/never", &store);
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    options.reducers = {nullptr};
    EXPECT_TRUE(Store::Open(options, dir.path() + "/never", &store).IsInvalidArgument());
  }
  auto store = OpenOrDie(dir.path() + "/store", WithReducer(&clock, std::make_shared<HistoryReducer>(), 10));
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Append("t", PutBatch("k", "v")));
  ReadOptions unknown;
  unknown.view = "nope";
  Status s = store->List("t", unknown).status();
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("unknown view 'nope'"), std::string::npos) << s.ToString();
}

TEST(ReducerTest, AReducerErrorOrBadKeyFailsTheReadNamingViewAndSeq) {
  class Picky : public Reducer {
   public:
    std::string name() const override { return "picky"; }
    uint32_t version() const override { return 1; }
    Status Apply(const Event& e, MutableView* view) const override {
      if (e.payload == "refuse") return Status::InvalidArgument("payload refused");
      view->Put(e.payload == "empty-key" ? "" : e.key, e.payload);
      return Status::OK();
    }
  };
  TempDir dir;
  TestClock clock;
  auto store = OpenOrDie(dir.path(), WithReducer(&clock, std::make_shared<Picky>(), 10));
  ASSERT_NE(store, nullptr);
  ReadOptions picky;
  picky.view = "picky";
  ASSERT_OK(store->Append("t", PutBatch("k", "fine")));
  ASSERT_OK_AND_ASSIGN(std::string value, store->Get("t", "k", picky));
  EXPECT_EQ(value, "fine");
  ASSERT_OK(store->Append("t", PutBatch("k", "refuse")));
  Status s = store->Get("t", "k", picky).status();
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("view 'picky' failed at seq 2: payload refused"), std::string::npos) << s.ToString();
  // The built-in view is not affected.
  ASSERT_OK_AND_ASSIGN(value, store->Get("t", "k"));
  EXPECT_EQ(value, "refuse");

  ASSERT_OK(store->Append("u", PutBatch("k", "empty-key")));
  s = store->List("u", picky).status();
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("failed at seq 1: view key of 0 bytes"), std::string::npos) << s.ToString();
}

// A reducer runs inside one of the store's transactions. One that calls the
// Store gets an error naming the rule, every time, rather than a thread that
// may wait for itself (a map growth its call needs waits for the thread's
// own open transaction).
TEST(ReducerTest, AReducerThatCallsTheStoreFailsTheReadNamingTheRule) {
  class Reentrant : public Reducer {
   public:
    std::string name() const override { return "reentrant"; }
    uint32_t version() const override { return 1; }
    Status Apply(const Event& e, MutableView* view) const override {
      Status s = store->Get("other", "k").status();
      if (!s.ok()) return s;
      view->Put(e.key, e.payload);
      return Status::OK();
    }
    Store* store = nullptr;
  };
  TempDir dir;
  TestClock clock;
  auto reentrant = std::make_shared<Reentrant>();
  auto store = OpenOrDie(dir.path(), WithReducer(&clock, reentrant, 10));
  ASSERT_NE(store, nullptr);
  reentrant->store = store.get();
  ASSERT_OK(store->Append("other", PutBatch("k", "v")));
  ASSERT_OK(store->Append("t", PutBatch("k", "v")));
  ReadOptions view;
  view.view = "reentrant";
  for (bool as_of : {false, true}) {
    if (as_of) view.as_of = Point::AtSeq(1);
    Status s = store->List("t", view).status();
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_NE(s.message().find("view 'reentrant' failed at seq 1: this thread already has a transaction open "
                               "on the store: code that runs inside one (a Reducer) must not call the Store"),
              std::string::npos)
        << s.ToString();
  }
  // Outside a reducer the same call works.
  ASSERT_OK_AND_ASSIGN(std::string other, store->Get("other", "k"));
  EXPECT_EQ(other, "v");
}

}  // namespace
}  // namespace tenantlog::test
