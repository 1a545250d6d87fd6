// Tenants are isolated byte for byte: whatever is done to one tenant (writes,
// admin actions, reads, verify, refused and invalid calls), every other
// tenant's rows in `events`, `tenants`, `names`, `views` and `view_state` are
// exactly the bytes they were before.

#include <gtest/gtest.h>

#include <functional>
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

namespace tenantlog::test {
namespace {

const char kTarget[] = "target";

struct Operation {
  std::string name;
  std::function<void(Store&)> run;
};

class IsolationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    // Bystanders with rewinds, tombstones and materialised views; one stays tombstoned.
    names_ = {kTarget, "bystander-a", "bystander-b", "bystander-c", "bystander-d"};
    for (size_t i = 0; i < names_.size(); ++i) {
      RandomHistory history = MakeRandomHistory(4242 + i, 40, 6);
      ASSERT_OK(ApplyHistory(*store, clock_, names_[i], history));
    }
    // "targets" and "target-2" sort and encode next to the target's name.
    for (const char* neighbour : {"targets", "target-2", "targeT"}) {
      names_.push_back(neighbour);
      ASSERT_OK(store->Append(neighbour, PutBatch("k", neighbour)));
    }
    for (const std::string& name : names_) ASSERT_OK(store->List(name));
    ASSERT_OK(store->Tombstone({"bystander-d"}, Admin()));
    ASSERT_OK_AND_ASSIGN(std::vector<TenantInfo> tenants, store->Tenants());
    for (const TenantInfo& info : tenants) ids_[info.name] = info.id;
    ASSERT_EQ(ids_.size(), names_.size());
  }

  std::unique_ptr<Store> Open() { return OpenOrDie(dir_.path(), TestOptions(&clock_)); }

  // Every tenant but the target, by name. REQUIRES: the store is closed.
  std::map<std::string, TenantBytes> Bystanders() {
    std::map<std::string, TenantBytes> bytes;
    for (const auto& [name, id] : ids_) {
      if (name != kTarget) bytes[name] = ReadTenantBytes(dir_.path(), id, name);
    }
    return bytes;
  }

  TempDir dir_;
  TestClock clock_;
  std::vector<std::string> names_;
  std::map<std::string, uint64_t> ids_;
};

TEST_F(IsolationTest, NoOperationOnOneTenantChangesAnotherTenantsBytes) {
  const std::vector<Operation> operations = {
      {"append", [](Store& s) { ASSERT_OK(s.Append(kTarget, PutBatch("key-1", "new value"))); }},
      {"append a batch with a delete",
       [](Store& s) {
         AppendBatch batch;
         batch.Put("t", "key-2", "x");
         batch.Delete("t", "key-3");
         batch.Put("t", "fresh", std::string(3000, 'y'));
         ASSERT_OK(s.Append(kTarget, batch));
       }},
      {"append a batch of several pages",
       [](Store& s) {
         AppendBatch batch;
         for (int i = 0; i < 60; ++i) batch.Put("t", "page-" + std::to_string(i), std::string(300, 'p'));
         ASSERT_OK(s.Append(kTarget, batch));
       }},
      {"conditional append that conflicts",
       [](Store& s) {
         WriteOptions stale;
         stale.expected_head_seq = 1;
         EXPECT_CODE(kConflict, s.Append(kTarget, PutBatch("k", "v"), stale));
       }},
      {"invalid append", [](Store& s) { EXPECT_CODE(kInvalidArgument, s.Append(kTarget, PutBatch("", "v"))); }},
      {"reads",
       [](Store& s) {
         ASSERT_OK(s.List(kTarget));
         (void)s.Get(kTarget, "key-1");
         ASSERT_OK(s.ReadLog(kTarget, 1, 1000));
         ASSERT_OK(s.Describe(kTarget));
         ASSERT_OK(s.Tenants());
       }},
      {"as-of reads and diffs",
       [](Store& s) {
         ReadOptions options;
         options.as_of = Point::AtSeq(5);
         ASSERT_OK(s.List(kTarget, options));
         options.as_of = Point::AtTime(kTestEpochMicros + 20);
         ASSERT_OK(s.List(kTarget, options));
         ASSERT_OK(s.Diff(kTarget, Point::AtSeq(3), std::nullopt));
         ASSERT_OK(s.ResolvePoint(kTarget, Point::AtTime(kTestEpochMicros + 10)));
       }},
      {"rewind dry run", [](Store& s) { ASSERT_OK(s.Rewind(kTarget, Point::AtSeq(4), DryRun())); }},
      {"rewind to a seq", [](Store& s) { ASSERT_OK(s.Rewind(kTarget, Point::AtSeq(4), Admin())); }},
      {"rewind to a time",
       [](Store& s) { ASSERT_OK(s.Rewind(kTarget, Point::AtTime(kTestEpochMicros + 30), Admin())); }},
      {"undo the rewinds",
       [](Store& s) {
         auto info = s.Describe(kTarget);
         ASSERT_OK(info);
         ASSERT_OK(s.Rewind(kTarget, Point::AtSeq(info->head_seq - 2), Admin()));
       }},
      {"read after a rewind", [](Store& s) { ASSERT_OK(s.List(kTarget)); }},
      {"tombstone dry run", [](Store& s) { ASSERT_OK(s.Tombstone({kTarget}, DryRun())); }},
      {"tombstone", [](Store& s) { ASSERT_OK(s.Tombstone({kTarget}, Admin())); }},
      {"refused reads of the tombstoned tenant",
       [](Store& s) { EXPECT_CODE(kTenantDeleted, s.List(kTarget)); }},
      {"tombstone again (unchanged)", [](Store& s) { ASSERT_OK(s.Tombstone({kTarget}, Admin())); }},
      {"restore dry run", [](Store& s) { ASSERT_OK(s.Restore({kTarget}, DryRun())); }},
      {"restore", [](Store& s) { ASSERT_OK(s.Restore({kTarget}, Admin())); }},
      {"read after restore", [](Store& s) { ASSERT_OK(s.List(kTarget)); }},
      {"refused tombstone (unknown tenant in the list)",
       [](Store& s) { EXPECT_CODE(kRefused, s.Tombstone({kTarget, "no-such-tenant"}, Admin())); }},
      {"refused tombstone (blast radius)",
       [](Store& s) {
         AdminContext context = Admin();
         context.max_tenants = 0;
         EXPECT_CODE(kRefused, s.Tombstone({kTarget}, context));
       }},
      {"verify the tenant", [](Store& s) { ASSERT_OK(s.Verify({kTarget})); }},
      {"verify everything", [](Store& s) { ASSERT_OK(s.Verify({})); }},
      {"audit", [](Store& s) {
         ASSERT_OK(s.RecordAudit(Admin(), {kTarget}, "ok"));
         ASSERT_OK(s.Audit());
       }},
  };
  std::map<std::string, TenantBytes> before = Bystanders();
  for (const Operation& op : operations) {
    SCOPED_TRACE(op.name);
    {
      auto store = Open();
      ASSERT_NE(store, nullptr);
      clock_.Advance(5);
      op.run(*store);
      if (::testing::Test::HasFatalFailure()) return;
    }
    std::map<std::string, TenantBytes> after = Bystanders();
    for (const auto& [name, bytes] : before) {
      EXPECT_EQ(DescribeDifference(bytes, after[name]), "") << name << " changed by: " << op.name;
    }
    before = std::move(after);
  }
}

// The target's own bytes do change when it is written to: the snapshot sees it.
TEST_F(IsolationTest, TheSnapshotSeesAWriteToTheTenantItself) {
  const TenantBytes before = ReadTenantBytes(dir_.path(), ids_[kTarget], kTarget);
  ASSERT_FALSE(before.tables.at("events").empty());
  ASSERT_EQ(before.tables.at("tenants").size(), 1u);
  ASSERT_EQ(before.tables.at("names").size(), 1u);
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->Append(kTarget, PutBatch("k", "v")));
  }
  const TenantBytes after = ReadTenantBytes(dir_.path(), ids_[kTarget], kTarget);
  EXPECT_NE(DescribeDifference(before, after), "");
  EXPECT_EQ(after.tables.at("events").size(), before.tables.at("events").size() + 1);
}

}  // namespace
}  // namespace tenantlog::test
