// Subscriptions (tenantlog/subscription.h): a consumer that applies the feed
// holds what the tenant shows, every effective event once and in order,
// across rewinds, tombstones and restores; live delivery within this process
// and from another; resuming at any position; and the errors.

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tenantlog/store.h"
#include "tenantlog/subscription.h"
#include "util/process.h"
#include "util/random_history.h"
#include "util/store_helpers.h"
#include "util/temp_dir.h"
#include "util/test_clock.h"
#include "util/timeline_model.h"

namespace tenantlog::test {
namespace {

using std::chrono::milliseconds;
using Kind = FeedItem::Kind;

std::string KindName(Kind kind) {
  switch (kind) {
    case Kind::kReset: return "reset";
    case Kind::kEvent: return "event";
    case Kind::kTombstoned: return "tombstoned";
  }
  return "?";
}

// "reset@5/4": kind, the seq of the item's event, its position.
std::string Show(const FeedItem& item) {
  return KindName(item.kind) + "@" + std::to_string(item.event.seq) + "/" + std::to_string(item.position);
}
std::string Show(const std::vector<FeedItem>& items) {
  std::string out;
  for (const FeedItem& item : items) out += (out.empty() ? "" : " ") + Show(item);
  return out;
}

// What a consumer of the feed keeps: the built-in view, rebuilt from items.
struct Consumer {
  bool reset_seen = false;
  bool tombstoned = false;
  std::map<std::string, std::string> view;
  std::vector<uint64_t> since_reset;  // seqs of the kEvent items since the last reset

  // Applies `item`; "" or what is wrong with it.
  std::string Apply(const FeedItem& item) {
    switch (item.kind) {
      case Kind::kReset:
        reset_seen = true;
        tombstoned = false;
        view.clear();
        since_reset.clear();
        return "";
      case Kind::kEvent:
        if (!reset_seen) return "an event before the first reset";
        if (tombstoned) return "an event while tombstoned: " + Show(item);
        if (item.event.kind != EventKind::kData) return "a control event as kEvent: " + Show(item);
        if (item.event.op == Op::kPut) {
          view[item.event.key] = item.event.payload;
        } else {
          view.erase(item.event.key);
        }
        since_reset.push_back(item.event.seq);
        return "";
      case Kind::kTombstoned:
        if (!reset_seen) return "a tombstone before the first reset";
        tombstoned = true;
        return "";
    }
    return "unknown kind";
  }
};

// Items until a non-blocking Next returns none, `batch` at a time.
Result<std::vector<FeedItem>> Drain(Subscription& sub, size_t batch = 1000) {
  std::vector<FeedItem> all;
  for (;;) {
    auto items = sub.Next(batch, milliseconds(0));
    if (!items.ok()) return items.status();
    if (items->empty()) return all;
    all.insert(all.end(), items->begin(), items->end());
  }
}

class SubscriptionTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = OpenOrDie(dir_.path(), TestOptions(&clock_)); }

  void Append(const std::string& tenant, const AppendBatch& batch) { ASSERT_OK(store_->Append(tenant, batch)); }
  void Rewind(const std::string& tenant, uint64_t to) {
    auto report = store_->Rewind(tenant, Point::AtSeq(to), Admin());
    ASSERT_OK(report);
    ASSERT_TRUE(report->changed);
  }
  std::unique_ptr<Subscription> Subscribe(const std::string& tenant, uint64_t after = 0) {
    auto sub = store_->Subscribe(tenant, after);
    EXPECT_OK(sub);
    return sub.ok() ? std::move(sub).value() : nullptr;
  }
  std::map<std::string, std::string> View(const std::string& tenant) {
    auto list = store_->List(tenant);
    EXPECT_OK(list);
    return list.ok() ? Payloads(*list) : std::map<std::string, std::string>();
  }
  void Purge(const std::string& tenant) {
    const std::string plan = dir_.Sub("plan-" + tenant);
    ASSERT_OK(store_->Tombstone({tenant}, Admin()));
    auto planned = store_->PlanPurge({tenant}, 0, plan, Admin());
    ASSERT_OK(planned);
    ASSERT_OK(store_->RunPurge(plan, planned->token, Admin()));
  }

  // The history of SubscribedFromTheStartSeesEveryControlEvent, seqs 1-12.
  void MakeHistory(const std::string& tenant) {
    AppendBatch batch;
    batch.Put("t", "a", "a1");  // 1
    batch.Put("t", "b", "b1");  // 2
    batch.Put("t", "c", "c1");  // 3
    Append(tenant, batch);
    Append(tenant, DeleteBatch("b"));                  // 4
    Rewind(tenant, 2);                                 // 5: shows 1-2
    Append(tenant, PutBatch("d", "d1"));               // 6: shows 1-2, 6
    ASSERT_OK(store_->Tombstone({tenant}, Admin()));   // 7
    ASSERT_OK(store_->Restore({tenant}, Admin()));     // 8
    Rewind(tenant, 4);                                 // 9: shows 1-4 (undoes the rewind at 5)
    Rewind(tenant, 8);                                 // 10: shows 1-2, 6 (undoes the rewind at 9)
    Append(tenant, PutBatch("a", "a2"));               // 11
    ASSERT_OK(store_->Tombstone({tenant}, Admin()));   // 12
  }

  TempDir dir_;
  TestClock clock_;
  std::unique_ptr<Store> store_;
};

// The whole feed of MakeHistory from a subscription made before the tenant
// existed, with the index of the first item of each item's group.
const char* const kFullFeed =
    "reset@0/0 event@1/1 event@2/2 event@3/3 event@4/4 "
    "reset@5/4 event@1/4 event@2/5 event@6/6 tombstoned@7/7 "
    "reset@8/7 event@1/7 event@2/7 event@6/8 "
    "reset@9/8 event@1/8 event@2/8 event@3/8 event@4/9 "
    "reset@10/9 event@1/9 event@2/9 event@6/10 event@11/11 tombstoned@12/12";
const size_t kGroupStart[] = {0, 1, 2, 3, 4, 5, 5, 5, 8, 9, 10, 10, 10, 10, 14, 14, 14, 14, 14,
                              19, 19, 19, 19, 23, 24};

TEST_F(SubscriptionTest, SubscribedFromTheStartSeesEveryControlEvent) {
  std::unique_ptr<Subscription> sub = Subscribe("acme");
  ASSERT_NE(sub, nullptr);
  ASSERT_NO_FATAL_FAILURE(MakeHistory("acme"));
  ASSERT_OK_AND_ASSIGN(std::vector<FeedItem> items, Drain(*sub, 1));
  EXPECT_EQ(Show(items), kFullFeed);
  EXPECT_EQ(sub->position(), 12u);
  EXPECT_EQ(items[5].event.kind, EventKind::kRewind);
  EXPECT_EQ(items[5].event.rewind_target, 2u);
  EXPECT_EQ(items[9].event.kind, EventKind::kTombstone);
  EXPECT_EQ(items[10].event.kind, EventKind::kRestore);
  EXPECT_EQ(items[10].event.actor, "test-operator");
  EXPECT_EQ(items[23].event.payload, "a2");
  ASSERT_OK_AND_ASSIGN(std::vector<FeedItem> more, sub->Next(10, milliseconds(0)));
  EXPECT_TRUE(more.empty());
}

TEST_F(SubscriptionTest, ResumingAtAnyPositionContinuesTheFeedExactly) {
  std::unique_ptr<Subscription> sub = Subscribe("acme");
  ASSERT_NE(sub, nullptr);
  ASSERT_NO_FATAL_FAILURE(MakeHistory("acme"));
  ASSERT_OK_AND_ASSIGN(std::vector<FeedItem> items, Drain(*sub, 3));
  ASSERT_EQ(Show(items), kFullFeed);
  ASSERT_EQ(items.size(), std::size(kGroupStart));
  for (size_t k = 0; k < items.size(); ++k) {
    SCOPED_TRACE("resumed after item " + std::to_string(k) + " " + Show(items[k]));
    // After the last item of a group, the next item; inside a group, the whole group again.
    const bool last_of_group = k + 1 == items.size() || kGroupStart[k + 1] != kGroupStart[k];
    const size_t expected_from = last_of_group ? k + 1 : kGroupStart[k];
    std::unique_ptr<Subscription> resumed = Subscribe("acme", items[k].position);
    ASSERT_NE(resumed, nullptr);
    EXPECT_EQ(resumed->position(), items[k].position);
    ASSERT_OK_AND_ASSIGN(std::vector<FeedItem> rest, Drain(*resumed, 1 + k % 4));
    if (items[k].position == 0) {
      // Position 0 is "from scratch": the opening reset as of the head.
      EXPECT_EQ(Show(rest), "reset@0/0 tombstoned@12/12");
      continue;
    }
    EXPECT_EQ(Show(rest), Show(std::vector<FeedItem>(items.begin() + expected_from, items.end())));
  }
}

TEST_F(SubscriptionTest, OpeningResetReplaysTheCurrentHistory) {
  ASSERT_NO_FATAL_FAILURE(MakeHistory("acme"));
  ASSERT_OK(store_->Restore({"acme"}, Admin()));  // 13: shows 1-2, 6, 11
  std::unique_ptr<Subscription> sub = Subscribe("acme");
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(sub->position(), 0u);
  ASSERT_OK_AND_ASSIGN(std::vector<FeedItem> items, Drain(*sub, 2));
  EXPECT_EQ(Show(items), "reset@0/0 event@1/0 event@2/0 event@6/0 event@11/13");
  Consumer consumer;
  for (const FeedItem& item : items) ASSERT_EQ(consumer.Apply(item), "");
  EXPECT_EQ(consumer.view, View("acme"));

  // In the middle of the opening reset, position 0: from scratch again.
  std::unique_ptr<Subscription> again = Subscribe("acme", items[2].position);
  ASSERT_NE(again, nullptr);
  ASSERT_OK_AND_ASSIGN(std::vector<FeedItem> replayed, Drain(*again));
  EXPECT_EQ(Show(replayed), Show(items));
}

TEST_F(SubscriptionTest, OpeningOfATombstonedTenantShowsTheTombstone) {
  ASSERT_NO_FATAL_FAILURE(MakeHistory("acme"));
  std::unique_ptr<Subscription> sub = Subscribe("acme");
  ASSERT_NE(sub, nullptr);
  ASSERT_OK_AND_ASSIGN(std::vector<FeedItem> items, Drain(*sub, 1));
  EXPECT_EQ(Show(items), "reset@0/0 tombstoned@12/12");
  ASSERT_OK(store_->Restore({"acme"}, Admin()));  // 13
  ASSERT_OK_AND_ASSIGN(items, Drain(*sub));
  EXPECT_EQ(Show(items), "reset@13/12 event@1/12 event@2/12 event@6/12 event@11/13");
}

TEST_F(SubscriptionTest, OtherTenantsAreNotDelivered) {
  std::unique_ptr<Subscription> sub = Subscribe("acme");
  ASSERT_NE(sub, nullptr);
  Append("globex", PutBatch("x", "1"));
  Append("acme", PutBatch("a", "1"));
  Append("globex", PutBatch("y", "2"));
  Rewind("globex", 0);
  ASSERT_OK_AND_ASSIGN(std::vector<FeedItem> items, Drain(*sub));
  EXPECT_EQ(Show(items), "reset@0/0 event@1/1");
  EXPECT_EQ(items[1].event.key, "a");
}

TEST_F(SubscriptionTest, NextReturnsNothingWhenNothingCommitted) {
  Append("acme", PutBatch("a", "1"));
  std::unique_ptr<Subscription> sub = Subscribe("acme", 1);
  ASSERT_NE(sub, nullptr);
  ASSERT_OK_AND_ASSIGN(std::vector<FeedItem> none, sub->Next(10, milliseconds(0)));
  EXPECT_TRUE(none.empty());
  ASSERT_OK_AND_ASSIGN(none, sub->Next(10, milliseconds(120)));
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(sub->position(), 1u);
}

TEST_F(SubscriptionTest, AWaitingSubscriberIsWokenByAnAppendOfAnotherThread) {
  std::unique_ptr<Subscription> sub = Subscribe("acme");
  ASSERT_NE(sub, nullptr);
  ASSERT_OK_AND_ASSIGN(std::vector<FeedItem> opening, sub->Next(10, milliseconds(0)));
  ASSERT_EQ(Show(opening), "reset@0/0");

  constexpr auto kTimeout = std::chrono::seconds(5);
  Result<std::vector<FeedItem>> received{Status::IOError("not run")};
  std::chrono::steady_clock::duration waited{};
  std::thread subscriber([&] {
    const auto start = std::chrono::steady_clock::now();
    received = sub->Next(10, std::chrono::duration_cast<milliseconds>(kTimeout));
    waited = std::chrono::steady_clock::now() - start;
  });
  std::this_thread::sleep_for(milliseconds(20));
  AppendBatch batch;
  batch.Put("t", "a", "1");
  batch.Put("t", "b", "2");
  Append("acme", batch);
  subscriber.join();
  ASSERT_OK(received);
  EXPECT_EQ(Show(*received), "event@1/1 event@2/2");
  EXPECT_LT(waited, kTimeout);

  // Without a deadline, and woken by a control event.
  std::thread forever([&] { received = sub->Next(10, milliseconds::max()); });
  std::this_thread::sleep_for(milliseconds(20));
  Rewind("acme", 1);
  forever.join();
  ASSERT_OK(received);
  EXPECT_EQ(Show(*received), "reset@3/2 event@1/3");
}

TEST_F(SubscriptionTest, CommitsOfAnotherProcessArriveByPolling) {
  Append("acme", PutBatch("a", "1"));
  std::unique_ptr<Subscription> sub = Subscribe("acme");
  ASSERT_NE(sub, nullptr);
  ASSERT_OK_AND_ASSIGN(std::vector<FeedItem> items, Drain(*sub));
  ASSERT_EQ(Show(items), "reset@0/0 event@1/1");

  auto tool = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {TENANTLOG_BIN, "--db", dir_.path(), "--actor", "other-process"};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.env = {{"TENANTLOG_DB", std::nullopt}};
    const ProcessResult r = RunProcess(argv, options);
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
  };
  // Each Next starts before the other process commits, most of the time.
  auto next = [&](std::vector<std::string> args, size_t expected_items) {
    std::vector<FeedItem> got;
    std::thread other([&] { tool(args); });
    while (got.size() < expected_items) {
      auto more = sub->Next(10, std::chrono::seconds(10));
      EXPECT_OK(more);
      if (!more.ok() || more->empty()) break;
      got.insert(got.end(), more->begin(), more->end());
    }
    other.join();
    return got;
  };
  items = next({"append", "acme", "--type", "t", "--key", "b", "--payload", "2"}, 1);
  EXPECT_EQ(Show(items), "event@2/2");
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].event.payload, "2");

  items = next({"rewind", "acme", "--to", "1"}, 2);
  EXPECT_EQ(Show(items), "reset@3/2 event@1/3");
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items[0].event.kind, EventKind::kRewind);
  EXPECT_EQ(items[0].event.actor, "other-process");
  EXPECT_EQ(View("acme"), (std::map<std::string, std::string>{{"a", "1"}}));
}

TEST_F(SubscriptionTest, ATenantCreatedLaterArrivesFromItsFirstEvent) {
  std::unique_ptr<Subscription> sub = Subscribe("acme");
  ASSERT_NE(sub, nullptr);
  ASSERT_OK_AND_ASSIGN(std::vector<FeedItem> items, Drain(*sub));
  EXPECT_EQ(Show(items), "reset@0/0");
  // Created by an import, whole, rewinds included.
  Append("source", PutBatch("a", "1"));
  Append("source", PutBatch("b", "2"));
  Rewind("source", 1);
  Append("source", PutBatch("c", "3"));
  ASSERT_OK(store_->Export("source", dir_.Sub("export")));
  ASSERT_OK(store_->Import(dir_.Sub("export"), "acme", Admin()));
  ASSERT_OK_AND_ASSIGN(items, Drain(*sub));
  EXPECT_EQ(Show(items), "event@1/1 event@2/2 reset@3/2 event@1/3 event@4/4");
  Consumer consumer;
  ASSERT_EQ(consumer.Apply(FeedItem{Kind::kReset, Event(), 0}), "");
  for (const FeedItem& item : items) ASSERT_EQ(consumer.Apply(item), "");
  EXPECT_EQ(consumer.view, View("acme"));
}

TEST_F(SubscriptionTest, BadArgumentsAreRefused) {
  Append("acme", PutBatch("a", "1"));
  EXPECT_CODE(kInvalidArgument, store_->Subscribe("bad name"));
  EXPECT_CODE(kInvalidArgument, store_->Subscribe(""));
  EXPECT_CODE(kInvalidArgument, store_->Subscribe("acme", 2));
  EXPECT_CODE(kNotFound, store_->Subscribe("nobody", 1));
  std::unique_ptr<Subscription> sub = Subscribe("acme", 1);
  ASSERT_NE(sub, nullptr);
  EXPECT_CODE(kInvalidArgument, sub->Next(0, milliseconds(0)));
}

TEST_F(SubscriptionTest, APurgedTenantEndsTheSubscription) {
  Append("acme", PutBatch("a", "1"));
  std::unique_ptr<Subscription> sub = Subscribe("acme");
  ASSERT_NE(sub, nullptr);
  ASSERT_OK_AND_ASSIGN(std::vector<FeedItem> items, Drain(*sub));
  ASSERT_EQ(Show(items), "reset@0/0 event@1/1");
  ASSERT_NO_FATAL_FAILURE(Purge("acme"));
  EXPECT_CODE(kNotFound, sub->Next(10, milliseconds(0)));
  EXPECT_CODE(kNotFound, sub->Next(10, milliseconds(0)));
  EXPECT_CODE(kNotFound, store_->Subscribe("acme", 1));

  // A new tenant of that name starts a new subscription; the old one stays over.
  std::unique_ptr<Subscription> fresh = Subscribe("acme");
  ASSERT_NE(fresh, nullptr);
  Append("acme", PutBatch("b", "2"));
  ASSERT_OK_AND_ASSIGN(items, Drain(*fresh));
  EXPECT_EQ(Show(items), "reset@0/0 event@1/1");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[1].event.key, "b");
  EXPECT_CODE(kNotFound, sub->Next(10, milliseconds(0)));
}

TEST_F(SubscriptionTest, AHistoryReplacedFromAnOlderBackupEndsTheSubscription) {
  Append("acme", PutBatch("a", "1"));
  ASSERT_OK(store_->Backup(dir_.Sub("backup"), Admin()));
  Append("acme", PutBatch("b", "2"));
  Append("acme", PutBatch("c", "3"));
  std::unique_ptr<Subscription> sub = Subscribe("acme", 3);
  ASSERT_NE(sub, nullptr);
  // Purged and brought back from the backup (seq 1) without the subscriber
  // looking, then written past the seq it read up to.
  ASSERT_NO_FATAL_FAILURE(Purge("acme"));
  ASSERT_OK_AND_ASSIGN(RestoreReport report, store_->RestoreFromBackup(dir_.Sub("backup"), {"acme"}, Admin()));
  ASSERT_EQ(report.restored, (std::vector<std::string>{"acme"}));
  for (int i = 0; i < 4; ++i) Append("acme", PutBatch("z", std::to_string(i)));
  ASSERT_OK_AND_ASSIGN(TenantInfo info, store_->Describe("acme"));
  ASSERT_GT(info.head_seq, 3u);
  auto next = sub->Next(10, milliseconds(0));
  ASSERT_CODE(kNotFound, next);
  EXPECT_NE(next.status().message().find("no longer holds"), std::string::npos) << next.status().ToString();

  // Brought back from a backup that holds what it read: it goes on.
  std::unique_ptr<Subscription> early = Subscribe("acme", 1);
  ASSERT_NE(early, nullptr);
  ASSERT_OK_AND_ASSIGN(std::vector<FeedItem> items, Drain(*early));
  EXPECT_EQ(Show(items), "event@2/2 event@3/3 event@4/4 event@5/5");
}

// Random histories: a consumer applying the feed holds what List shows, and
// the events it applied since its last reset are the effective history, each
// once, in order. Subscribes at a random point, reads a random number of items
// at a time, and now and then resumes from the last position in a new
// subscription (often in the middle of a reset group).
RC_GTEST_PROP(SubscriptionProperty, ConsumerFollowsEveryHistory, ()) {
  const uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  const int length = *rc::gen::inRange(1, 40);
  const bool end_active = *rc::gen::arbitrary<bool>();
  const RandomHistory history = MakeRandomHistory(seed, length, 6, end_active);
  const size_t subscribe_at = *rc::gen::inRange<size_t>(0, history.actions.size() + 1);
  const size_t batch = *rc::gen::inRange<size_t>(1, 6);
  const int resume_percent = *rc::gen::inRange(0, 100);

  TempDir dir;
  TestClock clock(history.start_us);
  std::unique_ptr<Store> store;
  RC_ASSERT(Store::Open(TestOptions(&clock), dir.path(), &store).ok());
  const std::string tenant = "acme";
  std::unique_ptr<Subscription> sub;
  Consumer consumer;
  TimelineModel model;  // the model's log up to the current action
  std::mt19937_64 rng(seed);

  auto check = [&] {
    // Reads until caught up; now and then resumes once, after a random number of batches.
    const uint64_t resume_after = static_cast<int>(rng() % 100) < resume_percent ? rng() % 4 : ~uint64_t{0};
    for (uint64_t batches = 0;; ++batches) {
      auto items = sub->Next(batch, milliseconds(0));
      RC_ASSERT(items.ok());
      if (items->empty()) break;
      for (const FeedItem& item : *items) {
        const std::string problem = consumer.Apply(item);
        if (!problem.empty()) RC_FAIL(problem);
        RC_ASSERT(item.position <= model.head());
        if (item.kind == Kind::kEvent) {
          const ModelEvent& e = history.model.event(item.event.seq);
          RC_ASSERT(e.kind == EventKind::kData);
          RC_ASSERT(item.event.key == e.key);
          RC_ASSERT(item.event.op == e.op);
          if (e.op == Op::kPut) RC_ASSERT(item.event.payload == e.payload);
        } else if (item.event.seq != 0) {
          const EventKind expected = history.model.event(item.event.seq).kind;
          RC_ASSERT(item.event.kind == expected);
          RC_ASSERT((expected == EventKind::kTombstone) == (item.kind == Kind::kTombstoned));
        }
      }
      if (batches == resume_after) {
        auto resumed = store->Subscribe(tenant, sub->position());
        RC_ASSERT(resumed.ok());
        sub = std::move(resumed).value();
      }
    }
    RC_ASSERT(sub->position() == model.head());
    auto list = store->List(tenant);
    if (model.head() == 0) {
      RC_ASSERT(list.status().IsNotFound());
      RC_ASSERT(consumer.view.empty());
    } else if (model.tombstoned()) {
      RC_ASSERT(list.status().IsTenantDeleted());
      RC_ASSERT(consumer.tombstoned);
    } else {
      RC_ASSERT(list.ok());
      RC_ASSERT(!consumer.tombstoned);
      RC_ASSERT(consumer.view == Payloads(*list));
      std::vector<uint64_t> effective;
      for (uint64_t seq : model.HistoryAt(model.head())) {
        if (model.event(seq).kind == EventKind::kData) effective.push_back(seq);
      }
      RC_ASSERT(consumer.since_reset == effective);
    }
  };

  for (size_t i = 0; i <= history.actions.size(); ++i) {
    if (i == subscribe_at) {
      auto opened = store->Subscribe(tenant);
      RC_ASSERT(opened.ok());
      sub = std::move(opened).value();
      check();
    }
    if (i == history.actions.size()) break;
    const HistoryAction& action = history.actions[i];
    RC_ASSERT(ApplyAction(*store, clock, tenant, action).ok());
    // Another tenant's writes are never delivered.
    if (i % 3 == 0) RC_ASSERT(store->Append("other", PutBatch("k", std::to_string(i))).ok());
    // The model's log up to here: the history's events up to the store's head.
    auto info = store->Describe(tenant);
    RC_ASSERT(info.ok());
    while (model.head() < info->head_seq) {
      const ModelEvent& e = history.model.event(model.head() + 1);
      switch (e.kind) {
        case EventKind::kData: model.AppendData(e.time_us, e.key, e.op, e.payload); break;
        case EventKind::kTombstone: model.AppendTombstone(e.time_us); break;
        case EventKind::kRestore: model.AppendRestore(e.time_us); break;
        case EventKind::kRewind: model.AppendRewind(e.time_us, e.rewind_target); break;
      }
    }
    if (sub != nullptr) check();
  }
}

}  // namespace
}  // namespace tenantlog::test
