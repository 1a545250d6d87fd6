// Store: opening, reading the view and the log, tenant records, read-only
// stores, the admin calls' argument checks and guards, and the small public
// helpers of the API headers.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tenantlog/store.h"
#include "util/files.h"
#include "util/store_helpers.h"
#include "util/temp_dir.h"
#include "util/test_clock.h"

namespace tenantlog::test {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenOrDie(dir_.path(), TestOptions(&clock_));
    ASSERT_NE(store_, nullptr);
  }
  void Reopen(Options options) {
    store_.reset();
    store_ = OpenOrDie(dir_.path(), options);
    ASSERT_NE(store_, nullptr);
  }

  TempDir dir_;
  TestClock clock_;
  std::unique_ptr<Store> store_;
};

TEST(StoreOpenTest, OpeningCreatesTheStoreDirectory) {
  TempDir dir;
  const std::string path = dir.Sub("new-store");
  std::unique_ptr<Store> store;
  ASSERT_OK(Store::Open(TestOptions(), path, &store));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->path(), path);
  EXPECT_TRUE(PathExists(path + "/data.mdb"));
  ASSERT_OK_AND_ASSIGN(std::vector<TenantInfo> tenants, store->Tenants());
  EXPECT_TRUE(tenants.empty());
}

TEST(StoreOpenTest, AMissingStoreIsNotFoundWithoutCreateIfMissingOrReadOnly) {
  TempDir dir;
  const std::string path = dir.Sub("absent");
  Options no_create = TestOptions();
  no_create.create_if_missing = false;
  std::unique_ptr<Store> store;
  EXPECT_CODE(kNotFound, Store::Open(no_create, path, &store));
  Options read_only = TestOptions();
  read_only.read_only = true;
  EXPECT_CODE(kNotFound, Store::Open(read_only, path, &store));
  EXPECT_FALSE(PathExists(path));
}

TEST(StoreOpenTest, ADirectoryHoldingSomethingElseIsInvalidArgument) {
  TempDir dir;
  WriteFileBytes(dir.Sub("data.mdb"), std::string(8192, 'x'));
  std::unique_ptr<Store> store;
  EXPECT_CODE(kInvalidArgument, Store::Open(TestOptions(), dir.path(), &store));
}

TEST_F(StoreTest, GetAndListReadTheLatestPayloadOfLiveKeysInKeyByteOrder) {
  AppendBatch batch;
  batch.Put("t", "b", "1");
  batch.Put("t", std::string("\xff", 1), "high");
  batch.Put("t", std::string("\x00", 1), "low");
  batch.Put("t", "B", "upper");
  batch.Put("t", "b", "2");
  batch.Put("t", "gone", "x");
  batch.Delete("t", "gone");
  ASSERT_OK(store_->Append("acme", batch));
  ASSERT_OK_AND_ASSIGN(std::string b, store_->Get("acme", "b"));
  EXPECT_EQ(b, "2");
  EXPECT_CODE(kNotFound, store_->Get("acme", "gone"));
  EXPECT_CODE(kNotFound, store_->Get("acme", "never"));
  ASSERT_OK_AND_ASSIGN(std::vector<KeyValue> list, store_->List("acme"));
  std::vector<std::string> keys;
  for (const KeyValue& kv : list) keys.push_back(kv.key);
  EXPECT_EQ(keys, (std::vector<std::string>{std::string("\x00", 1), "B", "b", std::string("\xff", 1)}));
  // A deleted key can come back.
  ASSERT_OK(store_->Append("acme", PutBatch("gone", "back")));
  ASSERT_OK_AND_ASSIGN(std::string back, store_->Get("acme", "gone"));
  EXPECT_EQ(back, "back");
}

TEST_F(StoreTest, ReadsOfAnUnknownTenantAreNotFound) {
  ASSERT_OK(store_->Append("acme", PutBatch("k", "v")));
  EXPECT_CODE(kNotFound, store_->Get("nobody", "k"));
  EXPECT_CODE(kNotFound, store_->List("nobody"));
  EXPECT_CODE(kNotFound, store_->ReadLog("nobody", 1, 10));
  EXPECT_CODE(kNotFound, store_->Describe("nobody"));
  EXPECT_CODE(kNotFound, store_->ResolvePoint("nobody", Point::AtSeq(0)));
  EXPECT_CODE(kNotFound, store_->Diff("nobody", Point::AtSeq(0), std::nullopt));
  EXPECT_CODE(kRefused, store_->Verify({"nobody"}));  // a list naming an unknown tenant
}

TEST_F(StoreTest, TenantRecordsDescribeEachTenant) {
  clock_.Set(kTestEpochMicros + 10);
  ASSERT_OK(store_->Append("globex", PutBatch("k", "v")));
  clock_.Set(kTestEpochMicros + 20);
  ASSERT_OK(store_->Append("acme", PutBatch("k", "v")));
  clock_.Set(kTestEpochMicros + 30);
  ASSERT_OK(store_->Append("acme", PutBatch("k", "w")));
  clock_.Set(kTestEpochMicros + 40);
  ASSERT_OK(store_->Tombstone({"globex"}, Admin()));
  ASSERT_OK(store_->Rewind("acme", Point::AtSeq(1), Admin()));

  ASSERT_OK_AND_ASSIGN(std::vector<TenantInfo> tenants, store_->Tenants());
  ASSERT_EQ(tenants.size(), 2u);
  const TenantInfo& acme = tenants[0];
  const TenantInfo& globex = tenants[1];
  EXPECT_EQ(acme.name, "acme");
  EXPECT_EQ(globex.name, "globex");
  EXPECT_NE(acme.id, 0u);
  EXPECT_NE(globex.id, 0u);
  EXPECT_NE(acme.id, globex.id);
  EXPECT_EQ(acme.state, TenantState::kActive);
  EXPECT_EQ(acme.head_seq, 3u);
  EXPECT_EQ(acme.event_count, 3u);
  EXPECT_EQ(acme.rewinds, 1u);
  EXPECT_EQ(acme.created_us, kTestEpochMicros + 20);
  EXPECT_EQ(acme.updated_us, kTestEpochMicros + 40);
  EXPECT_EQ(globex.state, TenantState::kTombstoned);
  EXPECT_EQ(globex.head_seq, 2u);
  EXPECT_EQ(globex.state_changed_us, kTestEpochMicros + 40);
  EXPECT_EQ(globex.rewinds, 0u);
  ASSERT_OK_AND_ASSIGN(std::vector<Event> newest, store_->ReadLog("acme", 3, 1));
  ASSERT_EQ(newest.size(), 1u);
  EXPECT_EQ(acme.chain_head, newest[0].chain);
  ASSERT_OK_AND_ASSIGN(TenantInfo described, store_->Describe("globex"));
  EXPECT_EQ(described.id, globex.id);
  EXPECT_EQ(described.chain_head, globex.chain_head);
}

TEST_F(StoreTest, AReadOnlyStoreReadsAndRefusesEveryWrite) {
  ASSERT_OK(store_->Append("acme", PutBatch("a", "1")));
  ASSERT_OK(store_->Append("acme", PutBatch("b", "2")));
  ASSERT_OK(store_->Append("globex", PutBatch("g", "1")));
  const std::string before = ReadFileBytes(dir_.Sub("data.mdb"));
  Options read_only = TestOptions(&clock_);
  read_only.read_only = true;
  Reopen(read_only);
  // The views may be behind: a read-only store folds them in memory.
  ASSERT_OK_AND_ASSIGN(std::vector<KeyValue> list, store_->List("acme"));
  EXPECT_EQ(Payloads(list), (std::map<std::string, std::string>{{"a", "1"}, {"b", "2"}}));
  ASSERT_OK_AND_ASSIGN(std::string g, store_->Get("globex", "g"));
  EXPECT_EQ(g, "1");
  EXPECT_CODE(kInvalidArgument, store_->Append("acme", PutBatch("c", "3")));
  EXPECT_CODE(kInvalidArgument, store_->Tombstone({"acme"}, Admin()));
  EXPECT_CODE(kInvalidArgument, store_->Restore({"acme"}, Admin()));
  EXPECT_CODE(kInvalidArgument, store_->Rewind("acme", Point::AtSeq(1), Admin()));
  EXPECT_CODE(kInvalidArgument, store_->RecordAudit(Admin(), {"acme"}, "ok"));
  ASSERT_OK_AND_ASSIGN(VerifyReport report, store_->Verify({}));
  EXPECT_TRUE(report.ok);
  store_.reset();
  EXPECT_TRUE(ReadFileBytes(dir_.Sub("data.mdb")) == before) << "a read-only store wrote";
}

TEST_F(StoreTest, AdminCallsNeedAnActorAValidNameAndANonEmptyList) {
  ASSERT_OK(store_->Append("acme", PutBatch("k", "v")));
  AdminContext anonymous = Admin();
  anonymous.actor.clear();
  EXPECT_CODE(kInvalidArgument, store_->Tombstone({"acme"}, anonymous));
  EXPECT_CODE(kInvalidArgument, store_->Restore({"acme"}, anonymous));
  EXPECT_CODE(kInvalidArgument, store_->Rewind("acme", Point::AtSeq(0), anonymous));
  EXPECT_CODE(kInvalidArgument, store_->RecordAudit(anonymous, {"acme"}, "ok"));
  EXPECT_CODE(kInvalidArgument, store_->Tombstone({}, Admin()));
  EXPECT_CODE(kInvalidArgument, store_->Restore({}, Admin()));
  EXPECT_CODE(kInvalidArgument, store_->Tombstone({"acme", "bad name"}, Admin()));
  ASSERT_OK_AND_ASSIGN(TenantInfo info, store_->Describe("acme"));
  EXPECT_EQ(info.state, TenantState::kActive);
  EXPECT_EQ(info.head_seq, 1u);
}

// A list that names an unknown tenant, or more tenants than the limit, is
// refused whole: no tenant of it changes.
TEST_F(StoreTest, ABadListIsRefusedWhole) {
  std::vector<std::string> names;
  for (int i = 0; i < 11; ++i) {
    names.push_back("tenant-" + std::to_string(i));
    ASSERT_OK(store_->Append(names.back(), PutBatch("k", "v")));
  }
  AdminContext limited = Admin();
  limited.max_tenants = 10;
  EXPECT_CODE(kRefused, store_->Tombstone(names, limited));
  EXPECT_CODE(kRefused, store_->Tombstone({"tenant-0", "tenant-1", "nobody"}, Admin()));
  for (const std::string& name : names) {
    ASSERT_OK_AND_ASSIGN(TenantInfo info, store_->Describe(name));
    EXPECT_EQ(info.state, TenantState::kActive) << name;
    EXPECT_EQ(info.head_seq, 1u) << name;
  }
  limited.max_tenants = 11;
  ASSERT_OK_AND_ASSIGN(BulkReport report, store_->Tombstone(names, limited));
  EXPECT_EQ(report.changed.size(), 11u);

  limited.max_tenants = 2;
  EXPECT_CODE(kRefused, store_->Restore({"tenant-0", "tenant-1", "tenant-2"}, limited));
  EXPECT_CODE(kRefused, store_->Restore({"tenant-0", "nobody"}, Admin()));
  for (const std::string& name : names) {
    ASSERT_OK_AND_ASSIGN(TenantInfo info, store_->Describe(name));
    EXPECT_EQ(info.state, TenantState::kTombstoned) << name;
  }
}

TEST_F(StoreTest, BulkCallsReportChangedAndUnchangedTenants) {
  for (const char* name : {"a", "b", "c"}) ASSERT_OK(store_->Append(name, PutBatch("k", "v")));
  ASSERT_OK(store_->Tombstone({"a"}, Admin()));
  ASSERT_OK_AND_ASSIGN(BulkReport tomb, store_->Tombstone({"a", "b"}, Admin()));
  EXPECT_FALSE(tomb.dry_run);
  EXPECT_EQ(tomb.changed, std::vector<std::string>{"b"});
  EXPECT_EQ(tomb.unchanged, std::vector<std::string>{"a"});
  ASSERT_OK_AND_ASSIGN(BulkReport dry, store_->Restore({"a", "b", "c"}, DryRun()));
  EXPECT_TRUE(dry.dry_run);
  std::vector<std::string> changed = dry.changed;
  std::sort(changed.begin(), changed.end());
  EXPECT_EQ(changed, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(dry.unchanged, std::vector<std::string>{"c"});
  for (const char* name : {"a", "b"}) {
    ASSERT_OK_AND_ASSIGN(TenantInfo info, store_->Describe(name));
    EXPECT_EQ(info.state, TenantState::kTombstoned) << "a dry run restored " << name;
  }
}

TEST(ApiHelpersTest, TenantNamesFollowTheNameRule) {
  const std::vector<std::string> valid = {"a", "Z", "0", "a.b", "a_b", "a-b", "-", ".",
                                          std::string(128, 'n')};
  for (const std::string& name : valid) {
    EXPECT_TRUE(IsValidTenantName(name)) << name;
  }
  const std::vector<std::string> invalid = {"",    std::string(129, 'n'), "a b",
                                            "a/b", std::string("a\0b", 3), "\xc3\xa9",
                                            "a+b", "a\nb"};
  for (const std::string& name : invalid) {
    EXPECT_FALSE(IsValidTenantName(name)) << name;
  }
}

TEST(ApiHelpersTest, NamesOfStatesOpsAndKindsRoundTrip) {
  for (TenantState state : {TenantState::kActive, TenantState::kTombstoned, TenantState::kPurged}) {
    TenantState parsed;
    ASSERT_TRUE(ParseTenantState(TenantStateName(state), &parsed));
    EXPECT_EQ(parsed, state);
  }
  EXPECT_EQ(TenantStateName(TenantState::kActive), "active");
  EXPECT_EQ(TenantStateName(TenantState::kTombstoned), "tombstoned");
  EXPECT_EQ(TenantStateName(TenantState::kPurged), "purged");
  TenantState state;
  EXPECT_FALSE(ParseTenantState("deleted", &state));
  Op op;
  ASSERT_TRUE(ParseOp("put", &op));
  EXPECT_EQ(op, Op::kPut);
  ASSERT_TRUE(ParseOp("delete", &op));
  EXPECT_EQ(op, Op::kDelete);
  EXPECT_FALSE(ParseOp("remove", &op));
  EXPECT_EQ(OpName(Op::kPut), "put");
  EXPECT_EQ(OpName(Op::kDelete), "delete");
  EXPECT_EQ(EventKindName(EventKind::kData), "data");
  EXPECT_EQ(EventKindName(EventKind::kTombstone), "tombstone");
  EXPECT_EQ(EventKindName(EventKind::kRestore), "restore");
  EXPECT_EQ(EventKindName(EventKind::kRewind), "rewind");
}

TEST(ApiHelpersTest, StatusCarriesItsCodeAndMessage) {
  EXPECT_TRUE(Status::OK().ok());
  EXPECT_EQ(Status::OK().ToString(), "OK");
  const Status s = Status::Refused("11 tenants named");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.IsRefused());
  EXPECT_EQ(s.code(), Status::Code::kRefused);
  EXPECT_EQ(s.message(), "11 tenants named");
  const std::string text = s.ToString();
  EXPECT_NE(text.find(": 11 tenants named"), std::string::npos) << text;
  Result<int> value(7);
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 7);
  Result<int> error(Status::NotFound("x"));
  EXPECT_TRUE(error.status().IsNotFound());
}

TEST(ApiHelpersTest, AppendBatchCollectsEventsInOrder) {
  AppendBatch batch;
  EXPECT_TRUE(batch.empty());
  batch.Put("t1", "k1", "p1");
  batch.Delete("t2", "k2");
  DataEvent e;
  e.type = "t3";
  e.key = "k3";
  e.time_us = 5;
  batch.Add(e);
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch.events()[0].op, Op::kPut);
  EXPECT_EQ(batch.events()[0].payload, "p1");
  EXPECT_EQ(batch.events()[1].op, Op::kDelete);
  EXPECT_EQ(batch.events()[1].key, "k2");
  EXPECT_EQ(batch.events()[2].time_us, std::optional<int64_t>(5));
  batch.Clear();
  EXPECT_TRUE(batch.empty());
}

}  // namespace
}  // namespace tenantlog::test
