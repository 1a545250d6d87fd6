// Appending: input validation (each bad input has its status and writes
// nothing), optimistic concurrency, seq contiguity, times, concurrent writers
// and read-your-writes.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tenantlog/store.h"
#include "util/files.h"
#include "util/raw_lmdb.h"
#include "util/store_helpers.h"
#include "util/temp_dir.h"
#include "util/test_clock.h"

namespace tenantlog::test {
namespace {

constexpr uint32_t kSmallPayloadLimit = 1000;

class AppendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options options = TestOptions(&clock_);
    options.max_payload_bytes = kSmallPayloadLimit;
    store_ = OpenOrDie(dir_.path(), options);
    ASSERT_NE(store_, nullptr);
  }

  // Everything an append could have changed.
  struct Snapshot {
    std::vector<std::string> tenants;
    std::map<std::string, uint64_t> heads;
    std::map<std::string, uint64_t> chains;
    std::string data_file;
  };
  Snapshot Take() {
    Snapshot s;
    auto tenants = store_->Tenants();
    EXPECT_TRUE(IsOk(tenants.status()));
    if (tenants.ok()) {
      for (const TenantInfo& info : *tenants) {
        s.tenants.push_back(info.name);
        s.heads[info.name] = info.head_seq;
        s.chains[info.name] = info.chain_head;
      }
    }
    s.data_file = ReadFileBytes(dir_.Sub("data.mdb"));
    return s;
  }
  void ExpectUnchanged(const Snapshot& before) {
    Snapshot after = Take();
    EXPECT_EQ(after.tenants, before.tenants);
    EXPECT_EQ(after.heads, before.heads);
    EXPECT_EQ(after.chains, before.chains);
    EXPECT_TRUE(after.data_file == before.data_file) << "data.mdb changed";
  }

  TempDir dir_;
  TestClock clock_;
  std::unique_ptr<Store> store_;
};

DataEvent Put(std::string key, std::string payload, std::string type = "t") {
  DataEvent e;
  e.type = std::move(type);
  e.key = std::move(key);
  e.op = Op::kPut;
  e.payload = std::move(payload);
  return e;
}

DataEvent At(DataEvent e, int64_t time_us) {
  e.time_us = time_us;
  return e;
}

AppendBatch Batch(std::vector<DataEvent> events) {
  AppendBatch batch;
  for (DataEvent& e : events) batch.Add(std::move(e));
  return batch;
}

struct BadInput {
  std::string what;
  std::string tenant;
  AppendBatch batch;
  WriteOptions options;
  Status::Code code;
};

TEST_F(AppendTest, EveryBadInputHasItsStatusAndWritesNothing) {
  clock_.Set(kTestEpochMicros + 1000);
  ASSERT_OK(store_->Append("acme", Batch({Put("a", "1"), Put("b", "2")})));
  WriteOptions stale;
  stale.expected_head_seq = 1;
  WriteOptions ahead;
  ahead.expected_head_seq = 3;
  WriteOptions fresh_but_nonzero;
  fresh_but_nonzero.expected_head_seq = 1;
  const std::vector<BadInput> cases = {
      {"empty tenant name", "", Batch({Put("k", "v")}), {}, Status::Code::kInvalidArgument},
      {"129-character tenant name", std::string(129, 'a'), Batch({Put("k", "v")}), {},
       Status::Code::kInvalidArgument},
      {"space in tenant name", "ac me", Batch({Put("k", "v")}), {}, Status::Code::kInvalidArgument},
      {"slash in tenant name", "ac/me", Batch({Put("k", "v")}), {}, Status::Code::kInvalidArgument},
      {"colon in tenant name", "ac:me", Batch({Put("k", "v")}), {}, Status::Code::kInvalidArgument},
      {"non-ASCII tenant name", "acm\xc3\xa9", Batch({Put("k", "v")}), {},
       Status::Code::kInvalidArgument},
      {"NUL in tenant name", std::string("ac\0me", 5), Batch({Put("k", "v")}), {},
       Status::Code::kInvalidArgument},
      {"empty batch", "acme", AppendBatch(), {}, Status::Code::kInvalidArgument},
      {"empty batch, new tenant", "fresh", AppendBatch(), {}, Status::Code::kInvalidArgument},
      {"empty key", "acme", Batch({Put("", "v")}), {}, Status::Code::kInvalidArgument},
      {"key longer than the limit", "acme", Batch({Put(std::string(kMaxEntityKeyBytes + 1, 'k'), "v")}),
       {}, Status::Code::kInvalidArgument},
      {"1024-byte key", "acme", Batch({Put(std::string(1024, 'k'), "v")}), {},
       Status::Code::kInvalidArgument},
      {"empty type", "acme", Batch({Put("k", "v", "")}), {}, Status::Code::kInvalidArgument},
      {"257-byte type", "acme", Batch({Put("k", "v", std::string(257, 't'))}), {},
       Status::Code::kInvalidArgument},
      {"payload over the limit", "acme",
       Batch({Put("k", std::string(kSmallPayloadLimit + 1, 'p'))}), {},
       Status::Code::kInvalidArgument},
      {"payload over the limit, new tenant", "fresh",
       Batch({Put("k", std::string(kSmallPayloadLimit + 1, 'p'))}), {},
       Status::Code::kInvalidArgument},
      {"time before the tenant's last event", "acme",
       Batch({At(Put("k", "v"), kTestEpochMicros + 999)}), {}, Status::Code::kInvalidArgument},
      {"times decreasing inside the batch", "acme",
       Batch({At(Put("k", "v"), kTestEpochMicros + 2000), At(Put("k", "w"), kTestEpochMicros + 1500)}),
       {}, Status::Code::kInvalidArgument},
      {"a good event then a bad one (all or none)", "acme",
       Batch({Put("good", "v"), Put("", "v")}), {}, Status::Code::kInvalidArgument},
      {"a good event then a bad one, new tenant", "fresh",
       Batch({Put("good", "v"), Put("k", "v", "")}), {}, Status::Code::kInvalidArgument},
      {"expected head behind", "acme", Batch({Put("k", "v")}), stale, Status::Code::kConflict},
      {"expected head ahead", "acme", Batch({Put("k", "v")}), ahead, Status::Code::kConflict},
      {"expected head of a new tenant not 0", "fresh", Batch({Put("k", "v")}), fresh_but_nonzero,
       Status::Code::kConflict},
  };
  for (const BadInput& c : cases) {
    SCOPED_TRACE(c.what);
    const Snapshot before = Take();
    EXPECT_TRUE(HasCode(StatusOf(store_->Append(c.tenant, c.batch, c.options)), c.code));
    ExpectUnchanged(before);
  }
  EXPECT_CODE(kNotFound, store_->Describe("fresh"));
  ASSERT_OK_AND_ASSIGN(std::vector<KeyValue> view, store_->List("acme"));
  EXPECT_EQ(Payloads(view), (std::map<std::string, std::string>{{"a", "1"}, {"b", "2"}}));
}

TEST_F(AppendTest, InputsAtTheLimitsAreAccepted) {
  const std::string longest_name =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-" + std::string(63, 'x');
  ASSERT_EQ(longest_name.size(), 128u);
  for (const char* name : {"a", "A", "0", ".", "_", "-", "a.b_c-D9"}) {
    EXPECT_OK(store_->Append(name, PutBatch("k", "v"))) << name;
  }
  const std::string binary_key("\x00\xff\x01k", 4);
  const std::vector<std::pair<std::string, DataEvent>> cases = {
      {"128-character tenant name", Put("k", "v")},
      {"binary key", Put(binary_key, "bin")},
      {"key at the limit", Put(std::string(kMaxEntityKeyBytes, 'k'), "long key")},
      {"256-byte type", Put("typed", "x", std::string(256, 't'))},
      {"payload at the limit", Put("big", std::string(kSmallPayloadLimit, '\0'))},
      {"empty payload", Put("empty", "")},
  };
  // Each case on a tenant of its own, so that one failure does not hide the others.
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& [what, event] = cases[i];
    SCOPED_TRACE(what);
    const std::string tenant = i == 0 ? longest_name : "limits-" + std::to_string(i);
    auto appended = store_->Append(tenant, Batch({event}));
    EXPECT_OK(appended);
    if (!appended.ok()) continue;
    auto payload = store_->Get(tenant, event.key);
    EXPECT_OK(payload);
    if (payload.ok()) {
      EXPECT_TRUE(*payload == event.payload);
    }
    EXPECT_OK(store_->List(tenant));
    auto log = store_->ReadLog(tenant, appended->last_seq, 1);
    EXPECT_OK(log);
    if (!log.ok() || log->size() != 1) continue;
    EXPECT_TRUE((*log)[0].key == event.key);
    EXPECT_EQ((*log)[0].type, event.type);
    EXPECT_TRUE((*log)[0].payload == event.payload);
  }
}

TEST(AppendLimitsTest, TheConfiguredLimitsAreTheOnesEnforced) {
  TempDir dir;
  Options options = TestOptions();
  options.max_key_bytes = 8;
  options.max_type_bytes = 4;
  options.max_payload_bytes = 16;
  auto store = OpenOrDie(dir.path(), options);
  ASSERT_NE(store, nullptr);
  EXPECT_OK(store->Append("acme", Batch({Put("12345678", std::string(16, 'p'), "tttt")})));
  EXPECT_CODE(kInvalidArgument, store->Append("acme", Batch({Put("123456789", "p", "t")})));
  EXPECT_CODE(kInvalidArgument, store->Append("acme", Batch({Put("k", "p", "ttttt")})));
  EXPECT_CODE(kInvalidArgument, store->Append("acme", Batch({Put("k", std::string(17, 'p'))})));
  ASSERT_OK_AND_ASSIGN(TenantInfo info, store->Describe("acme"));
  EXPECT_EQ(info.head_seq, 1u);
}

// Keys are stored in LMDB keys (at most 511 bytes) behind the view prefix:
// no store accepts a longer key limit than kMaxEntityKeyBytes.
TEST(AppendLimitsTest, AKeyLimitBeyondWhatTheStoreCanHoldIsRefusedAtOpen) {
  TempDir dir;
  ASSERT_EQ(Options().max_key_bytes, kMaxEntityKeyBytes);
  for (uint32_t limit : {0u, kMaxEntityKeyBytes + 1, 1024u}) {
    Options options = TestOptions();
    options.max_key_bytes = limit;
    std::unique_ptr<Store> store;
    EXPECT_CODE(kInvalidArgument, Store::Open(options, dir.path(), &store)) << limit;
  }
  Options zero_type = TestOptions();
  zero_type.max_type_bytes = 0;
  std::unique_ptr<Store> store;
  EXPECT_CODE(kInvalidArgument, Store::Open(zero_type, dir.path(), &store));
}

TEST(AppendLimitsTest, TheDefaultPayloadLimitIs16MiB) {
  TempDir dir;
  auto store = OpenOrDie(dir.path(), TestOptions());
  ASSERT_NE(store, nullptr);
  const size_t limit = size_t{16} << 20;
  ASSERT_EQ(Options().max_payload_bytes, limit);
  EXPECT_CODE(kInvalidArgument, store->Append("acme", Batch({Put("k", std::string(limit + 1, 'p'))})));
  EXPECT_CODE(kNotFound, store->Describe("acme"));
  ASSERT_OK(store->Append("acme", Batch({Put("k", std::string(limit, 'p'))})));
  ASSERT_OK_AND_ASSIGN(std::string payload, store->Get("acme", "k"));
  EXPECT_EQ(payload.size(), limit);
}

TEST_F(AppendTest, ADeleteNeedsNoPayloadAndRemovesTheKey) {
  ASSERT_OK(store_->Append("acme", PutBatch("k", "v")));
  ASSERT_OK(store_->Append("acme", DeleteBatch("k")));
  EXPECT_CODE(kNotFound, store_->Get("acme", "k"));
  // Deleting an absent key is an event like any other.
  ASSERT_OK_AND_ASSIGN(AppendResult result, store_->Append("acme", DeleteBatch("never")));
  EXPECT_EQ(result.last_seq, 3u);
}

TEST_F(AppendTest, ExpectedHeadSeqMakesAppendsConditional) {
  WriteOptions expect;
  expect.expected_head_seq = 0;
  ASSERT_OK_AND_ASSIGN(AppendResult first, store_->Append("acme", PutBatch("k", "1"), expect));
  EXPECT_EQ(first.last_seq, 1u);
  // The same condition again is now stale.
  EXPECT_CODE(kConflict, store_->Append("acme", PutBatch("k", "2"), expect));
  expect.expected_head_seq = 1;
  ASSERT_OK_AND_ASSIGN(AppendResult second, store_->Append("acme", PutBatch("k", "2"), expect));
  EXPECT_EQ(second.last_seq, 2u);
  ASSERT_OK_AND_ASSIGN(std::string value, store_->Get("acme", "k"));
  EXPECT_EQ(value, "2");
  // Control events move the head too.
  ASSERT_OK(store_->Rewind("acme", Point::AtSeq(1), Admin()));
  expect.expected_head_seq = 2;
  EXPECT_CODE(kConflict, store_->Append("acme", PutBatch("k", "3"), expect));
  expect.expected_head_seq = 3;
  EXPECT_OK(store_->Append("acme", PutBatch("k", "3"), expect));
}

// Of several writers racing with the same expected head, exactly one wins.
TEST_F(AppendTest, RacingConditionalAppendsHaveExactlyOneWinner) {
  ASSERT_OK(store_->Append("acme", PutBatch("k", "0")));
  for (int round = 0; round < 20; ++round) {
    ASSERT_OK_AND_ASSIGN(TenantInfo info, store_->Describe("acme"));
    std::atomic<int> winners{0};
    std::atomic<int> conflicts{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        WriteOptions expect;
        expect.expected_head_seq = info.head_seq;
        auto r = store_->Append("acme", PutBatch("k", std::to_string(t)), expect);
        if (r.ok()) {
          ++winners;
        } else if (r.status().IsConflict()) {
          ++conflicts;
        }
      });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(winners.load(), 1) << "round " << round;
    EXPECT_EQ(conflicts.load(), 3) << "round " << round;
    ASSERT_OK_AND_ASSIGN(TenantInfo after, store_->Describe("acme"));
    EXPECT_EQ(after.head_seq, info.head_seq + 1);
  }
}

TEST_F(AppendTest, SeqsAreContiguousAndTheChainHeadIsTheNewestEventsChain) {
  uint64_t expected_next = 1;
  for (size_t size : {1u, 3u, 1u, 7u, 2u}) {
    AppendBatch batch;
    for (size_t i = 0; i < size; ++i) batch.Put("t", "k" + std::to_string(i), "v");
    ASSERT_OK_AND_ASSIGN(AppendResult result, store_->Append("acme", batch));
    EXPECT_EQ(result.first_seq, expected_next);
    EXPECT_EQ(result.last_seq, expected_next + size - 1);
    expected_next += size;
    ASSERT_OK_AND_ASSIGN(TenantInfo info, store_->Describe("acme"));
    EXPECT_EQ(info.head_seq, result.last_seq);
    EXPECT_EQ(info.chain_head, result.chain_head);
    ASSERT_OK_AND_ASSIGN(std::vector<Event> newest, store_->ReadLog("acme", result.last_seq, 1));
    ASSERT_EQ(newest.size(), 1u);
    EXPECT_EQ(newest[0].chain, result.chain_head);
  }
  ASSERT_OK_AND_ASSIGN(std::vector<Event> log, store_->ReadLog("acme", 1, 1000));
  ASSERT_EQ(log.size(), expected_next - 1);
  std::set<uint64_t> chains;
  for (size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(log[i].seq, i + 1);
    chains.insert(log[i].chain);
  }
  EXPECT_EQ(chains.size(), log.size()) << "chain hashes repeat";
  // Each tenant has its own seqs.
  ASSERT_OK_AND_ASSIGN(AppendResult other, store_->Append("globex", PutBatch("k", "v")));
  EXPECT_EQ(other.first_seq, 1u);
}

TEST_F(AppendTest, EventTimesComeFromTheClockAndNeverDecrease) {
  clock_.Set(kTestEpochMicros + 500);
  ASSERT_OK(store_->Append("acme", PutBatch("a", "1")));                           // 1 at +500
  clock_.Set(kTestEpochMicros + 100);                                               // clock goes back
  ASSERT_OK(store_->Append("acme", PutBatch("b", "2")));                           // 2 raised to +500
  ASSERT_OK(store_->Append("acme", Batch({At(Put("c", "3"), kTestEpochMicros + 500)})));  // equal: fine
  ASSERT_OK(store_->Append("acme", Batch({At(Put("d", "4"), kTestEpochMicros + 900),
                                           Put("e", "5")})));  // 4 at +900, 5 raised to +900
  clock_.Set(kTestEpochMicros + 2000);
  ASSERT_OK(store_->Append("acme", PutBatch("f", "6")));  // 6 at +2000
  ASSERT_OK_AND_ASSIGN(std::vector<Event> log, store_->ReadLog("acme", 1, 100));
  const std::vector<int64_t> times = {500, 500, 500, 900, 900, 2000};
  ASSERT_EQ(log.size(), times.size());
  for (size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(log[i].time_us, kTestEpochMicros + times[i]) << "seq " << i + 1;
  }
  ASSERT_OK_AND_ASSIGN(TenantInfo info, store_->Describe("acme"));
  EXPECT_EQ(info.created_us, kTestEpochMicros + 500);
  EXPECT_EQ(info.updated_us, kTestEpochMicros + 2000);
  // Another tenant's times are its own: an earlier time is fine there.
  EXPECT_OK(store_->Append("globex", Batch({At(Put("a", "1"), kTestEpochMicros)})));
}

TEST_F(AppendTest, ATombstonedTenantRefusesAppendsAndWritesNothing) {
  ASSERT_OK(store_->Append("acme", PutBatch("a", "1")));
  ASSERT_OK(store_->Tombstone({"acme"}, Admin()));
  const Snapshot before = Take();
  EXPECT_CODE(kTenantDeleted, store_->Append("acme", PutBatch("a", "2")));
  ExpectUnchanged(before);
  ASSERT_OK(store_->Restore({"acme"}, Admin()));
  ASSERT_OK_AND_ASSIGN(AppendResult result, store_->Append("acme", PutBatch("a", "2")));
  EXPECT_EQ(result.first_seq, 4u);
}

// Many threads append to one tenant and to their own tenants at once: every
// event lands exactly once, each batch's seqs are contiguous, and every
// tenant's seqs are 1..n without gaps.
TEST_F(AppendTest, ConcurrentAppendsLoseAndDuplicateNothing) {
  constexpr int kThreads = 4;
  constexpr int kBatches = 60;
  struct Written {
    AppendResult result;
    std::vector<std::string> payloads;
  };
  std::vector<std::vector<Written>> shared_writes(kThreads);
  std::vector<std::vector<Written>> own_writes(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        const size_t size = 1 + static_cast<size_t>((t + b) % 3);
        for (const bool shared : {true, false}) {
          AppendBatch batch;
          Written written;
          for (size_t i = 0; i < size; ++i) {
            std::string payload = "thread" + std::to_string(t) + "-batch" + std::to_string(b) +
                                  "-event" + std::to_string(i);
            batch.Put("t", "key" + std::to_string(i), payload);
            written.payloads.push_back(payload);
          }
          auto r = store_->Append(shared ? "shared" : "own-" + std::to_string(t), batch);
          if (!r.ok()) {
            ++failures;
            continue;
          }
          written.result = *r;
          (shared ? shared_writes : own_writes)[t].push_back(written);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(failures.load(), 0);

  auto check = [&](const std::string& tenant, const std::vector<Written>& writes) {
    SCOPED_TRACE(tenant);
    auto log = store_->ReadLog(tenant, 1, std::numeric_limits<size_t>::max());
    ASSERT_OK(log);
    std::map<uint64_t, std::string> by_seq;
    for (size_t i = 0; i < log->size(); ++i) {
      EXPECT_EQ((*log)[i].seq, i + 1);
      by_seq[(*log)[i].seq] = (*log)[i].payload;
    }
    size_t total = 0;
    for (const Written& w : writes) {
      ASSERT_EQ(w.result.last_seq - w.result.first_seq + 1, w.payloads.size());
      for (size_t i = 0; i < w.payloads.size(); ++i) {
        EXPECT_EQ(by_seq[w.result.first_seq + i], w.payloads[i]);
      }
      total += w.payloads.size();
    }
    EXPECT_EQ(log->size(), total);
  };
  std::vector<Written> all_shared;
  for (int t = 0; t < kThreads; ++t) {
    all_shared.insert(all_shared.end(), shared_writes[t].begin(), shared_writes[t].end());
    check("own-" + std::to_string(t), own_writes[t]);
  }
  check("shared", all_shared);
}

// Durable appends made at the same time share commits (group commit), and
// every caller's events are there, each in its own tenant.
TEST(GroupCommitTest, ConcurrentDurableAppendsShareCommits) {
  constexpr int kThreads = 8;
  constexpr int kAppends = 40;
  TempDir dir;
  Options options;
  ASSERT_TRUE(options.sync);
  std::unique_ptr<Store> store = OpenOrDie(dir.path(), options);
  ASSERT_NE(store, nullptr);
  std::atomic<int> ready{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ++ready;
      while (ready.load() < kThreads) std::this_thread::yield();
      for (int i = 0; i < kAppends; ++i) {
        if (!store->Append("t" + std::to_string(t), PutBatch("k", std::to_string(i))).ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(failures.load(), 0);

  const AppendStats stats = store->append_stats();
  EXPECT_EQ(stats.appends, uint64_t{kThreads * kAppends});
  EXPECT_EQ(stats.events, uint64_t{kThreads * kAppends});
  // One commit per append would be kThreads * kAppends; a flush lasts long
  // enough for the other threads to queue behind it.
  EXPECT_LE(stats.commits * 2, stats.appends) << stats.commits << " commits";
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_OK_AND_ASSIGN(TenantInfo info, store->Describe("t" + std::to_string(t)));
    EXPECT_EQ(info.head_seq, uint64_t{kAppends});
    ASSERT_OK_AND_ASSIGN(std::string last, store->Get("t" + std::to_string(t), "k"));
    EXPECT_EQ(last, std::to_string(kAppends - 1));
  }
}

// Batches of two tenants appended in turn fill their leaf pages, though
// each tenant's log grows in front of the other's entries (a split in the
// middle of the page would leave every page half empty), and neither
// tenant's events change.
TEST_F(AppendTest, InterleavedBatchesFillTheirPages) {
  constexpr int kBatches = 12;
  constexpr int kEvents = 100;
  for (int b = 0; b < kBatches; ++b) {
    for (const char* tenant : {"left", "right"}) {
      AppendBatch batch;
      for (int i = 0; i < kEvents; ++i) {
        batch.Put("t", "k" + std::to_string(i % 7), std::string(200, static_cast<char>('a' + b)));
      }
      ASSERT_OK(store_->Append(tenant, batch));
    }
  }
  for (const char* tenant : {"left", "right"}) {
    ASSERT_OK_AND_ASSIGN(std::vector<Event> log, store_->ReadLog(tenant, 1, kBatches * kEvents + 1));
    ASSERT_EQ(log.size(), size_t{kBatches * kEvents});
    for (size_t i = 0; i < log.size(); ++i) {
      ASSERT_EQ(log[i].seq, i + 1);
      ASSERT_EQ(log[i].payload, std::string(200, static_cast<char>('a' + i / kEvents)));
    }
  }
  ASSERT_OK_AND_ASSIGN(VerifyReport verified, store_->Verify({"left", "right"}));
  EXPECT_TRUE(verified.ok);
  store_.reset();

  const DatabaseSpace events = MeasureDatabase(dir_.path(), "events");
  const double fill = static_cast<double>(events.entry_bytes) /
                      static_cast<double>(events.leaf_pages * events.page_bytes);
  EXPECT_GE(fill, 0.8) << events.leaf_pages << " leaf pages for " << events.entry_bytes << " bytes";
}

// A failed append is not counted: only what committed is.
TEST_F(AppendTest, AppendStatsCountWhatCommitted) {
  ASSERT_OK(store_->Append("acme", PutBatch("a", "1")));
  AppendBatch two;
  two.Put("t", "b", "2");
  two.Put("t", "c", "3");
  ASSERT_OK(store_->Append("acme", two));
  WriteOptions stale;
  stale.expected_head_seq = 1;
  EXPECT_TRUE(store_->Append("acme", PutBatch("d", "4"), stale).status().IsConflict());
  const AppendStats stats = store_->append_stats();
  EXPECT_EQ(stats.appends, 2u);
  EXPECT_EQ(stats.events, 3u);
  EXPECT_EQ(stats.commits, 2u);
}

// An append is visible to every read that starts after it returns, and a
// reader running alongside a writer never sees a value go backwards.
TEST_F(AppendTest, ReadsSeeEveryCompletedAppend) {
  constexpr int kWrites = 300;
  std::atomic<bool> done{false};
  std::atomic<int> regressions{0};
  std::atomic<int> read_errors{0};
  std::thread reader([&] {
    int last = -1;
    while (!done.load()) {
      auto value = store_->Get("acme", "counter");
      if (!value.ok()) {
        if (!value.status().IsNotFound()) ++read_errors;
        continue;
      }
      int now = std::stoi(*value);
      if (now < last) ++regressions;
      last = now;
    }
  });
  for (int i = 0; i < kWrites; ++i) {
    ASSERT_OK(store_->Append("acme", PutBatch("counter", std::to_string(i))));
    ASSERT_OK_AND_ASSIGN(std::string value, store_->Get("acme", "counter"));
    ASSERT_EQ(value, std::to_string(i));
  }
  done = true;
  reader.join();
  EXPECT_EQ(regressions.load(), 0);
  EXPECT_EQ(read_errors.load(), 0);
  ASSERT_OK_AND_ASSIGN(std::string last, store_->Get("acme", "counter"));
  EXPECT_EQ(last, std::to_string(kWrites - 1));
}

}  // namespace
}  // namespace tenantlog::test
