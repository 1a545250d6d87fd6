// Every admin action is in the audit log with its actor, command, arguments,
// tenants, dry-run flag and outcome: successes, no-ops, dry runs and refusals.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "tenantlog/store.h"
#include "util/store_helpers.h"
#include "util/temp_dir.h"
#include "util/test_clock.h"

namespace tenantlog::test {
namespace {

bool StartsWith(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenOrDie(dir_.path(), TestOptions(&clock_));
    ASSERT_NE(store_, nullptr);
    for (const char* name : {"acme", "globex", "initech"}) {
      ASSERT_OK(store_->Append(name, PutBatch("k", "1")));
      ASSERT_OK(store_->Append(name, PutBatch("k", "2")));
    }
  }

  // The entries recorded since the last call.
  std::vector<AuditEntry> NewEntries() {
    auto all = store_->Audit();
    EXPECT_TRUE(IsOk(all.status()));
    if (!all.ok()) return {};
    std::vector<AuditEntry> fresh(all->begin() + static_cast<std::ptrdiff_t>(seen_), all->end());
    seen_ = all->size();
    return fresh;
  }

  static AdminContext Context(const std::string& actor, bool dry_run) {
    AdminContext context;
    context.actor = actor;
    context.reason = "audit test";
    context.dry_run = dry_run;
    return context;
  }

  TempDir dir_;
  TestClock clock_;
  std::unique_ptr<Store> store_;
  size_t seen_ = 0;
};

TEST_F(AuditTest, EveryAdminCallIsRecordedWithItsOutcome) {
  ASSERT_TRUE(NewEntries().empty()) << "appends are not admin actions";
  struct Expected {
    std::string what;
    std::string actor;
    std::string command;
    std::vector<std::string> tenants;
    bool dry_run;
    std::string outcome_prefix;
  };
  std::vector<Expected> expected;
  auto check_one = [&](const Expected& want, uint64_t reported_seq) {
    SCOPED_TRACE(want.what);
    std::vector<AuditEntry> entries = NewEntries();
    ASSERT_EQ(entries.size(), 1u);
    const AuditEntry& e = entries[0];
    EXPECT_EQ(e.actor, want.actor);
    EXPECT_EQ(e.command, want.command);
    EXPECT_EQ(Sorted(e.tenants), Sorted(want.tenants));
    EXPECT_EQ(e.dry_run, want.dry_run);
    EXPECT_TRUE(StartsWith(e.outcome, want.outcome_prefix))
        << "outcome '" << e.outcome << "', expected it to start with '" << want.outcome_prefix << "'";
    EXPECT_EQ(e.time_us, clock_.NowMicros());
    if (reported_seq != 0) {
      EXPECT_EQ(e.seq, reported_seq);
    }
  };

  clock_.Advance(10);
  ASSERT_OK_AND_ASSIGN(BulkReport tomb, store_->Tombstone({"acme", "globex"}, Context("alice", false)));
  check_one({"tombstone", "alice", "tombstone", {"acme", "globex"}, false, "ok"}, tomb.audit_seq);

  clock_.Advance(10);
  ASSERT_OK_AND_ASSIGN(BulkReport dry, store_->Tombstone({"initech"}, Context("bob", true)));
  check_one({"tombstone dry run", "bob", "tombstone", {"initech"}, true, ""}, dry.audit_seq);

  clock_.Advance(10);
  AdminContext limited = Context("carol", false);
  limited.max_tenants = 1;
  EXPECT_CODE(kRefused, store_->Tombstone({"initech", "acme"}, limited));
  check_one({"tombstone over the blast radius", "carol", "tombstone", {"initech", "acme"}, false,
             "refused"},
            0);

  clock_.Advance(10);
  EXPECT_CODE(kRefused, store_->Tombstone({"initech", "nobody"}, Context("carol", false)));
  check_one({"tombstone of an unknown tenant", "carol", "tombstone", {"initech", "nobody"}, false,
             "refused"},
            0);

  clock_.Advance(10);
  ASSERT_OK_AND_ASSIGN(BulkReport restore_dry, store_->Restore({"acme"}, Context("dave", true)));
  check_one({"restore dry run", "dave", "restore", {"acme"}, true, ""}, restore_dry.audit_seq);

  clock_.Advance(10);
  EXPECT_CODE(kRefused, store_->Restore({"acme", "nobody"}, Context("dave", false)));
  check_one({"restore of an unknown tenant", "dave", "restore", {"acme", "nobody"}, false, "refused"},
            0);

  clock_.Advance(10);
  ASSERT_OK_AND_ASSIGN(BulkReport restore, store_->Restore({"acme", "globex"}, Context("dave", false)));
  check_one({"restore", "dave", "restore", {"acme", "globex"}, false, "ok"}, restore.audit_seq);

  clock_.Advance(10);
  ASSERT_OK_AND_ASSIGN(RewindReport rewind_dry,
                       store_->Rewind("acme", Point::AtSeq(1), Context("erin", true)));
  check_one({"rewind dry run", "erin", "rewind", {"acme"}, true, ""}, rewind_dry.audit_seq);

  clock_.Advance(10);
  ASSERT_OK_AND_ASSIGN(RewindReport rewind, store_->Rewind("acme", Point::AtSeq(1), Context("erin", false)));
  check_one({"rewind", "erin", "rewind", {"acme"}, false, "ok"}, rewind.audit_seq);

  clock_.Advance(10);
  ASSERT_OK_AND_ASSIGN(RewindReport noop, store_->Rewind("acme", Point::AtSeq(1), Context("erin", false)));
  ASSERT_FALSE(noop.changed);
  check_one({"rewind to the state shown", "erin", "rewind", {"acme"}, false, "unchanged"},
            noop.audit_seq);

  clock_.Advance(10);
  AdminContext tool = Context("frank", false);
  tool.command = "append";
  tool.arguments = {"append", "acme", "--type", "t", "--key", "k"};
  ASSERT_OK_AND_ASSIGN(uint64_t recorded, store_->RecordAudit(tool, {"acme"}, "ok: seq 7"));
  check_one({"RecordAudit", "frank", "append", {"acme"}, false, "ok: seq 7"}, recorded);
  ASSERT_OK_AND_ASSIGN(std::vector<AuditEntry> all, store_->Audit());
  EXPECT_EQ(all.back().arguments, tool.arguments);
}

TEST_F(AuditTest, ARefusedRewindOfATombstonedTenantIsAudited) {
  ASSERT_OK(store_->Tombstone({"initech"}, Admin()));
  ASSERT_OK_AND_ASSIGN(std::vector<AuditEntry> before, store_->Audit());
  EXPECT_CODE(kRefused, store_->Rewind("initech", Point::AtSeq(1), Context("gina", false)));
  ASSERT_OK_AND_ASSIGN(std::vector<AuditEntry> after, store_->Audit());
  ASSERT_EQ(after.size(), before.size() + 1);
  EXPECT_EQ(after.back().actor, "gina");
  EXPECT_EQ(after.back().command, "rewind");
  EXPECT_EQ(after.back().tenants, std::vector<std::string>{"initech"});
  EXPECT_TRUE(StartsWith(after.back().outcome, "refused")) << after.back().outcome;
  ASSERT_OK_AND_ASSIGN(TenantInfo info, store_->Describe("initech"));
  EXPECT_EQ(info.head_seq, 3u) << "a refused rewind wrote an event";
}

TEST_F(AuditTest, TheCommandAndArgumentsOfTheContextAreRecorded) {
  AdminContext context = Context("ops", false);
  context.command = "tenantlog tombstone";
  context.arguments = {"tombstone", "acme", "--reason", "cleanup"};
  ASSERT_OK(store_->Tombstone({"acme"}, context));
  ASSERT_OK_AND_ASSIGN(std::vector<AuditEntry> all, store_->Audit());
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].command, "tenantlog tombstone");
  EXPECT_EQ(all[0].arguments, context.arguments);
}

TEST_F(AuditTest, AuditSeqsIncreaseAndSinceFiltersByTime) {
  std::vector<int64_t> times;
  for (int i = 0; i < 6; ++i) {
    times.push_back(clock_.Advance(100));
    ASSERT_OK(store_->Rewind("acme", Point::AtSeq(i % 2 == 0 ? 1 : 2), Admin()));
  }
  ASSERT_OK_AND_ASSIGN(std::vector<AuditEntry> all, store_->Audit());
  ASSERT_EQ(all.size(), 6u);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].time_us, times[i]);
    if (i > 0) {
      EXPECT_GT(all[i].seq, all[i - 1].seq);
    }
  }
  ASSERT_OK_AND_ASSIGN(std::vector<AuditEntry> recent, store_->Audit(times[3]));
  ASSERT_EQ(recent.size(), 3u);
  EXPECT_EQ(recent[0].seq, all[3].seq);
  ASSERT_OK_AND_ASSIGN(std::vector<AuditEntry> none, store_->Audit(times.back() + 1));
  EXPECT_TRUE(none.empty());
}

TEST_F(AuditTest, TheAuditLogSurvivesReopeningAndVerifies) {
  ASSERT_OK(store_->Tombstone({"globex"}, Admin()));
  ASSERT_OK(store_->Restore({"globex"}, DryRun()));
  ASSERT_OK_AND_ASSIGN(std::vector<AuditEntry> before, store_->Audit());
  store_.reset();
  store_ = OpenOrDie(dir_.path(), TestOptions(&clock_));
  ASSERT_NE(store_, nullptr);
  ASSERT_OK_AND_ASSIGN(std::vector<AuditEntry> after, store_->Audit());
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].seq, before[i].seq);
    EXPECT_EQ(after[i].actor, before[i].actor);
    EXPECT_EQ(after[i].command, before[i].command);
    EXPECT_EQ(after[i].tenants, before[i].tenants);
    EXPECT_EQ(after[i].dry_run, before[i].dry_run);
    EXPECT_EQ(after[i].outcome, before[i].outcome);
  }
  ASSERT_OK_AND_ASSIGN(VerifyReport report, store_->Verify({}));
  EXPECT_TRUE(report.ok);
}

}  // namespace
}  // namespace tenantlog::test
