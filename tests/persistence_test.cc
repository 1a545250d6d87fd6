// What a store holds survives closing and reopening it, and what one process
// commits is seen by another process that has the store open, at its next read.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <limits>
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

bool SameEvent(const Event& a, const Event& b) {
  return a.seq == b.seq && a.time_us == b.time_us && a.kind == b.kind && a.type == b.type &&
         a.key == b.key && a.op == b.op && a.payload == b.payload && a.actor == b.actor &&
         a.reason == b.reason && a.rewind_target == b.rewind_target && a.chain == b.chain;
}

bool SameInfo(const TenantInfo& a, const TenantInfo& b) {
  return a.name == b.name && a.id == b.id && a.state == b.state && a.head_seq == b.head_seq &&
         a.event_count == b.event_count && a.chain_head == b.chain_head &&
         a.created_us == b.created_us && a.updated_us == b.updated_us &&
         a.state_changed_us == b.state_changed_us && a.rewinds == b.rewinds;
}

struct Everything {
  std::vector<TenantInfo> tenants;
  std::map<std::string, std::vector<Event>> logs;
  std::map<std::string, std::vector<std::map<std::string, std::string>>> states;  // as of each seq
  std::vector<AuditEntry> audit;
};

// Reads all a store holds: records, logs, the state as of every seq, the audit log.
void ReadEverything(Store& store, Everything* out) {
  ASSERT_OK_AND_ASSIGN(out->tenants, store.Tenants());
  for (const TenantInfo& info : out->tenants) {
    ASSERT_OK_AND_ASSIGN(out->logs[info.name],
                         store.ReadLog(info.name, 1, std::numeric_limits<size_t>::max()));
    if (info.state != TenantState::kActive) continue;
    for (uint64_t seq = 0; seq <= info.head_seq; ++seq) {
      ReadOptions options;
      options.as_of = Point::AtSeq(seq);
      ASSERT_OK_AND_ASSIGN(std::vector<KeyValue> list, store.List(info.name, options));
      out->states[info.name].push_back(Payloads(list));
    }
  }
  ASSERT_OK_AND_ASSIGN(out->audit, store.Audit());
}

void ExpectSame(const Everything& a, const Everything& b) {
  ASSERT_EQ(a.tenants.size(), b.tenants.size());
  for (size_t i = 0; i < a.tenants.size(); ++i) {
    EXPECT_TRUE(SameInfo(a.tenants[i], b.tenants[i])) << a.tenants[i].name;
  }
  for (const auto& [name, log] : a.logs) {
    const auto& other = b.logs.at(name);
    ASSERT_EQ(log.size(), other.size()) << name;
    for (size_t i = 0; i < log.size(); ++i) {
      EXPECT_TRUE(SameEvent(log[i], other[i])) << name << " seq " << i + 1;
    }
  }
  EXPECT_EQ(a.states, b.states);
  ASSERT_EQ(a.audit.size(), b.audit.size());
  for (size_t i = 0; i < a.audit.size(); ++i) {
    EXPECT_EQ(a.audit[i].seq, b.audit[i].seq);
    EXPECT_EQ(a.audit[i].command, b.audit[i].command);
    EXPECT_EQ(a.audit[i].tenants, b.audit[i].tenants);
    EXPECT_EQ(a.audit[i].outcome, b.audit[i].outcome);
  }
}

// Reopens the store in `dir` into *store and expects it to read as `before`.
void ReopenAndExpectSame(const std::string& dir, const Options& options, const Everything& before,
                         std::unique_ptr<Store>* store) {
  *store = OpenOrDie(dir, options);
  ASSERT_NE(*store, nullptr);
  Everything after;
  ReadEverything(**store, &after);
  if (::testing::Test::HasFatalFailure()) return;
  ExpectSame(before, after);
}

TEST(PersistenceTest, DataTimelineAndViewsSurviveReopening) {
  TempDir dir;
  TestClock clock;
  Options options;  // durable commits, as an application would run
  options.clock = &clock;
  std::vector<RandomHistory> histories;
  Everything before;
  {
    auto store = OpenOrDie(dir.path(), options);
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 5; ++i) {
      histories.push_back(MakeRandomHistory(900 + static_cast<uint64_t>(i), 60, 6));
      ASSERT_OK(ApplyHistory(*store, clock, "tenant-" + std::to_string(i), histories.back()));
    }
    // One tenant tombstoned, one with views never read.
    ASSERT_OK(store->Tombstone({"tenant-4"}, Admin()));
    for (int i = 0; i < 3; ++i) ASSERT_OK(store->List("tenant-" + std::to_string(i)));
    ReadEverything(*store, &before);
    if (HasFatalFailure()) return;
  }
  // The states read back match the model of each history.
  for (int i = 0; i < 4; ++i) {
    const auto& states = before.states.at("tenant-" + std::to_string(i));
    const TimelineModel& model = histories[static_cast<size_t>(i)].model;
    ASSERT_EQ(states.size(), model.head() + 1);
    for (uint64_t seq = 0; seq <= model.head(); ++seq) {
      EXPECT_EQ(states[seq], Payloads(model.StateAt(seq))) << "tenant-" << i << " seq " << seq;
    }
  }
  {
    std::unique_ptr<Store> store;
    ReopenAndExpectSame(dir.path(), options, before, &store);
    if (HasFatalFailure()) return;
    EXPECT_CODE(kTenantDeleted, store->List("tenant-4"));
    ASSERT_OK(store->Restore({"tenant-4"}, Admin()));
    ASSERT_OK_AND_ASSIGN(std::vector<KeyValue> restored, store->List("tenant-4"));
    EXPECT_EQ(Payloads(restored), Payloads(histories[4].model.Current()));
  }
  {
    Options read_only = options;
    read_only.read_only = true;
    auto store = OpenOrDie(dir.path(), read_only);
    ASSERT_NE(store, nullptr);
    ASSERT_OK_AND_ASSIGN(std::vector<KeyValue> restored, store->List("tenant-4"));
    EXPECT_EQ(Payloads(restored), Payloads(histories[4].model.Current()));
    ASSERT_OK_AND_ASSIGN(VerifyReport report, store->Verify({}));
    EXPECT_TRUE(report.ok);
    EXPECT_EQ(report.tenants, 5u);
  }
}

// LMDB lays out the engine's own event values 8-byte aligned (they are
// whole multiples of 8 bytes), and the reader decodes them in place; values
// at other alignments (another writer's layout) must read the same, through
// a copy. (Under UBSan, decoding one of those in place fails the test.)
TEST(PersistenceTest, EventsStoredAtAnyAlignmentReadTheSame) {
  TempDir dir;
  TestClock clock;
  const Options options = TestOptions(&clock);
  Everything before;
  {
    auto store = OpenOrDie(dir.path(), options);
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 3; ++i) {
      ASSERT_OK(ApplyHistory(*store, clock, "tenant-" + std::to_string(i),
                             MakeRandomHistory(700 + static_cast<uint64_t>(i), 40, 6)));
    }
    ReadEverything(*store, &before);
    if (HasFatalFailure()) return;
  }
  EXPECT_EQ(CountMisalignedEventValues(dir.path()), 0u);
  MisalignStoredEvents(dir.path());
  ASSERT_GT(CountMisalignedEventValues(dir.path()), 1u);  // the unowned entry, and events
  for (const TenantInfo& info : before.tenants) DropTenantViews(dir.path(), info.id);

  std::unique_ptr<Store> store;
  ReopenAndExpectSame(dir.path(), options, before, &store);
  if (HasFatalFailure()) return;
  ASSERT_OK_AND_ASSIGN(VerifyReport report, store->Verify({}));
  EXPECT_TRUE(report.ok);
  EXPECT_EQ(report.tenants, 3u);
}

// Runs `body` in a child process that opens its own Store on `dir`, and
// returns the child's exit code (0: body succeeded).
int RunInChildProcess(const std::string& dir, const std::function<Status(Store&)>& body) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    std::unique_ptr<Store> store;
    Options options;
    options.sync = false;
    if (!Store::Open(options, dir, &store).ok()) _exit(10);
    Status s = body(*store);
    store.reset();
    _exit(s.ok() ? 0 : 20 + static_cast<int>(s.code()));
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -2;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

class TwoProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenOrDie(dir_.path(), TestOptions(&clock_));
    ASSERT_NE(store_, nullptr);
    ASSERT_OK(store_->Append("acme", PutBatch("a", "1")));  // 1
    ASSERT_OK(store_->Append("acme", PutBatch("b", "2")));  // 2
    ASSERT_OK(store_->Append("acme", PutBatch("a", "3")));  // 3
    // The view is materialised at seq 3 in this process's store.
    ASSERT_OK_AND_ASSIGN(std::vector<KeyValue> list, store_->List("acme"));
    ASSERT_EQ(Payloads(list), (std::map<std::string, std::string>{{"a", "3"}, {"b", "2"}}));
  }

  TempDir dir_;
  TestClock clock_;
  std::unique_ptr<Store> store_;
};

TEST_F(TwoProcessTest, ARewindByAnotherProcessIsSeenAtTheNextRead) {
  ASSERT_EQ(RunInChildProcess(dir_.path(), [](Store& other) {
              return StatusOf(other.Rewind("acme", Point::AtSeq(1), Admin()));
            }),
            0);
  ASSERT_OK_AND_ASSIGN(std::string a, store_->Get("acme", "a"));
  EXPECT_EQ(a, "1");
  EXPECT_CODE(kNotFound, store_->Get("acme", "b"));
  ASSERT_OK_AND_ASSIGN(std::vector<KeyValue> list, store_->List("acme"));
  EXPECT_EQ(Payloads(list), (std::map<std::string, std::string>{{"a", "1"}}));
  ASSERT_OK_AND_ASSIGN(TenantInfo info, store_->Describe("acme"));
  EXPECT_EQ(info.head_seq, 4u);
  EXPECT_EQ(info.rewinds, 1u);
  // And this process can undo it, which the other process sees in turn.
  ASSERT_OK(store_->Rewind("acme", Point::AtSeq(3), Admin()));
  EXPECT_EQ(RunInChildProcess(dir_.path(), [](Store& other) -> Status {
              auto b = other.Get("acme", "b");
              if (!b.ok()) return b.status();
              return *b == "2" ? Status::OK() : Status::Corruption("b is " + *b);
            }),
            0);
}

TEST_F(TwoProcessTest, AppendsAndTombstonesByAnotherProcessAreSeenAtTheNextRead) {
  ASSERT_EQ(RunInChildProcess(dir_.path(), [](Store& other) {
              AppendBatch batch;
              batch.Put("t", "c", "4");
              batch.Delete("t", "a");
              return StatusOf(other.Append("acme", batch));
            }),
            0);
  ASSERT_OK_AND_ASSIGN(std::vector<KeyValue> list, store_->List("acme"));
  EXPECT_EQ(Payloads(list), (std::map<std::string, std::string>{{"b", "2"}, {"c", "4"}}));
  // A conditional append from this process sees the other's head.
  WriteOptions stale;
  stale.expected_head_seq = 3;
  EXPECT_CODE(kConflict, store_->Append("acme", PutBatch("d", "5"), stale));

  ASSERT_EQ(RunInChildProcess(dir_.path(), [](Store& other) {
              return StatusOf(other.Tombstone({"acme"}, Admin()));
            }),
            0);
  EXPECT_CODE(kTenantDeleted, store_->List("acme"));
  EXPECT_CODE(kTenantDeleted, store_->Append("acme", PutBatch("d", "5")));
  ASSERT_EQ(RunInChildProcess(dir_.path(), [](Store& other) {
              return StatusOf(other.Restore({"acme"}, Admin()));
            }),
            0);
  ASSERT_OK_AND_ASSIGN(list, store_->List("acme"));
  EXPECT_EQ(Payloads(list), (std::map<std::string, std::string>{{"b", "2"}, {"c", "4"}}));
}

}  // namespace
}  // namespace tenantlog::test
