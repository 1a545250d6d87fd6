// The compliance purge (DESIGN.md, "Purge"): guarded by a plan and its
// token, refusing whatever is out of date, and removing the bytes for real.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <thread>

#include "util/files.h"
#include "util/forked_child.h"
#include "util/raw_lmdb.h"
#include "util/store_helpers.h"
#include "util/temp_dir.h"
#include "util/test_clock.h"

namespace tenantlog::test {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kHour = int64_t{3600} * 1000000;

class PurgeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.Set(int64_t{1649124000} * 1000000);
    store_ = OpenOrDie(dir_.Sub("store"), TestOptions(&clock_));
    for (const char* tenant : {"victim", "bystander", "young"}) {
      for (int i = 0; i < 50; ++i) {
        ASSERT_OK(store_->Append(tenant, PutBatch("doc/" + std::to_string(i % 10),
                                                  std::string("SECRET-") + tenant + "-" + std::to_string(i))));
      }
    }
    ASSERT_OK(store_->Tombstone({"victim"}, Admin()));
    clock_.Advance(48 * kHour);
    ASSERT_OK(store_->Tombstone({"young"}, Admin()));
    clock_.Advance(kHour);
  }

  std::string Plan() const { return dir_.Sub("plan"); }

  TestClock clock_;
  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(PurgeTest, APurgeRemovesThePayloadBytesFromEveryStoreFile) {
  ASSERT_OK_AND_ASSIGN(PurgePlan plan, store_->PlanPurge({"victim"}, 24 * kHour, Plan(), Admin()));
  EXPECT_EQ(plan.events, 51u);
  ASSERT_OK_AND_ASSIGN(PurgeReport report, store_->RunPurge(Plan(), plan.token, Admin()));
  EXPECT_EQ(report.purged, std::vector<std::string>{"victim"});
  EXPECT_EQ(report.events_removed, 51u);
  store_.reset();
  for (const auto& [name, bytes] : ReadDirectoryFiles(dir_.Sub("store"))) {
    EXPECT_TRUE(FindAll(bytes, "SECRET-victim-").empty()) << name << " still holds a purged payload";
  }
  const std::string data = ReadFileBytes(dir_.Sub("store") + "/data.mdb");
  EXPECT_FALSE(FindAll(data, "SECRET-bystander-49").empty());
}

TEST_F(PurgeTest, APurgedTenantLeavesARecordAndFreesItsName) {
  ASSERT_OK_AND_ASSIGN(TenantInfo before, store_->Describe("victim"));
  ASSERT_OK_AND_ASSIGN(PurgePlan plan, store_->PlanPurge({"victim"}, 0, Plan(), Admin()));
  ASSERT_OK(store_->RunPurge(Plan(), plan.token, Admin()));
  ASSERT_OK_AND_ASSIGN(auto tenants, store_->Tenants());
  bool found = false;
  for (const TenantInfo& t : tenants) {
    if (t.id != before.id) continue;
    found = true;
    EXPECT_EQ(t.state, TenantState::kPurged);
    EXPECT_EQ(t.name, "victim");
    EXPECT_EQ(t.chain_head, before.chain_head);
    EXPECT_EQ(t.event_count, 0u);
  }
  EXPECT_TRUE(found);
  ASSERT_OK(store_->Append("victim", PutBatch("k", "a new customer")));
  ASSERT_OK_AND_ASSIGN(TenantInfo reborn, store_->Describe("victim"));
  EXPECT_NE(reborn.id, before.id);
  EXPECT_EQ(reborn.head_seq, 1u);
  ASSERT_OK_AND_ASSIGN(VerifyReport verify, store_->Verify({}));
  EXPECT_TRUE(verify.ok);
}

// Every refusal leaves the tenants' bytes as they were.
TEST_F(PurgeTest, EveryRefusalPurgesNothing) {
  auto snapshot = [&] {
    std::vector<TenantInfo> infos = *store_->Tenants();
    std::string s;
    for (const TenantInfo& t : infos) {
      s += t.name + ":" + std::string(TenantStateName(t.state)) + ":" + std::to_string(t.head_seq) + ":" +
           std::to_string(t.chain_head) + ";";
    }
    return s;
  };
  const std::string before = snapshot();
  EXPECT_CODE(kRefused, store_->PlanPurge({"bystander"}, 0, Plan(), Admin()));          // active
  EXPECT_CODE(kRefused, store_->PlanPurge({"young"}, 24 * kHour, Plan(), Admin()));     // too young
  EXPECT_CODE(kRefused, store_->PlanPurge({"victim", "nobody"}, 0, Plan(), Admin()));   // unknown
  AdminContext limited = Admin();
  limited.max_tenants = 1;
  EXPECT_CODE(kRefused, store_->PlanPurge({"victim", "young"}, 0, Plan(), limited));    // blast radius
  EXPECT_CODE(kInvalidArgument, store_->PlanPurge({"victim"}, -1, Plan(), Admin()));
  EXPECT_FALSE(PathExists(Plan()));

  ASSERT_OK_AND_ASSIGN(PurgePlan plan, store_->PlanPurge({"victim", "young"}, 0, Plan(), Admin()));
  EXPECT_CODE(kRefused, store_->RunPurge(Plan(), "0123456789abcdef", Admin()));         // wrong token
  std::string edited = ReadFileBytes(Plan());
  edited[edited.size() / 2] ^= 1;
  WriteFileBytes(dir_.Sub("edited"), edited);
  EXPECT_FALSE(store_->RunPurge(dir_.Sub("edited"), plan.token, Admin()).ok());       // altered plan
  // Stale: a planned tenant changed since the plan.
  ASSERT_OK(store_->Restore({"young"}, Admin()));
  ASSERT_OK(store_->Tombstone({"young"}, Admin()));
  const std::string changed = snapshot();
  EXPECT_CODE(kRefused, store_->RunPurge(Plan(), plan.token, Admin()));
  EXPECT_EQ(snapshot(), changed);
  EXPECT_NE(before, changed);
  EXPECT_CODE(kInvalidArgument, store_->RunPurge(dir_.Sub("missing-plan"), plan.token, Admin()));

  // A plan made for another store is refused by this one.
  auto other = OpenOrDie(dir_.Sub("other"), TestOptions(&clock_));
  ASSERT_OK(other->Append("victim", PutBatch("k", "v")));
  ASSERT_OK(other->Tombstone({"victim"}, Admin()));
  ASSERT_OK_AND_ASSIGN(PurgePlan foreign, other->PlanPurge({"victim"}, 0, dir_.Sub("foreign"), Admin()));
  EXPECT_CODE(kRefused, store_->RunPurge(dir_.Sub("foreign"), foreign.token, Admin()));
  EXPECT_EQ(snapshot(), changed);
  ASSERT_OK_AND_ASSIGN(TenantInfo victim, store_->Describe("victim"));
  EXPECT_EQ(victim.state, TenantState::kTombstoned);
}

TEST_F(PurgeTest, APlanRunsOnce) {
  ASSERT_OK_AND_ASSIGN(PurgePlan plan, store_->PlanPurge({"victim"}, 0, Plan(), Admin()));
  ASSERT_OK(store_->RunPurge(Plan(), plan.token, Admin()));
  EXPECT_CODE(kRefused, store_->RunPurge(Plan(), plan.token, Admin()));
}

// A purge killed after its commit, while it compacts the store, has left
// the purged bytes in the data file's free space. verify says so, and the
// next writable open finishes the compaction: no byte of the tenant remains.
TEST_F(PurgeTest, APurgeKilledWhileItCompactsIsFinishedByTheNextWritableOpen) {
  for (int batch = 0; batch < 20; ++batch) {  // a few MB, so the compaction takes a while
    AppendBatch b;
    for (int i = 0; i < 1000; ++i) b.Put("doc.put", "bulk/" + std::to_string(i), std::string(200, 'b'));
    ASSERT_OK(store_->Append("bulk", b));
  }
  ASSERT_OK_AND_ASSIGN(PurgePlan plan, store_->PlanPurge({"victim"}, 0, Plan(), Admin()));
  store_.reset();
  const std::string dir = dir_.Sub("store");
  const std::string compacting = dir + "/compact.tmp";
  {
    ForkedChild child([&](ChildReporter& out) {
      std::unique_ptr<Store> store;
      if (!Store::Open(TestOptions(&clock_), dir, &store).ok()) return 1;
      out.Report("open");
      return store->RunPurge(Plan(), plan.token, Admin()).ok() ? 0 : 2;
    });
    ASSERT_EQ(child.NextLine(std::chrono::seconds(30)), std::optional<std::string>("open"));
    // The copy is made in compact.tmp once the purge has committed.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!fs::exists(compacting) && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    ASSERT_TRUE(fs::exists(compacting)) << "the purge never began to compact";
    child.KillAndCollect();
  }
  ASSERT_FALSE(FindAll(ReadFileBytes(dir + "/data.mdb"), "SECRET-victim-").empty())
      << "the compaction finished before the kill: the check below would prove nothing";

  {
    Options read_only = TestOptions(&clock_);
    read_only.read_only = true;
    auto store = OpenOrDie(dir, read_only);
    ASSERT_NE(store, nullptr);
    ASSERT_OK_AND_ASSIGN(std::vector<TenantInfo> tenants, store->Tenants());
    EXPECT_TRUE(std::any_of(tenants.begin(), tenants.end(), [](const TenantInfo& t) {
      return t.name == "victim" && t.state == TenantState::kPurged;
    })) << "the purge had not committed";
    ASSERT_OK_AND_ASSIGN(VerifyReport report, store->Verify({}));
    EXPECT_FALSE(report.ok);
    ASSERT_EQ(report.damaged.size(), 1u);
    EXPECT_NE(report.damaged[0].problem.find("purge was cut short"), std::string::npos)
        << report.damaged[0].problem;
  }
  store_ = OpenOrDie(dir, TestOptions(&clock_));
  ASSERT_NE(store_, nullptr);
  ASSERT_OK_AND_ASSIGN(VerifyReport report, store_->Verify({}));
  EXPECT_TRUE(report.ok) << report.damaged[0].problem;
  store_.reset();
  for (const auto& [name, bytes] : ReadDirectoryFiles(dir)) {
    EXPECT_TRUE(FindAll(bytes, "SECRET-victim-").empty()) << name << " still holds a purged payload";
  }
  EXPECT_FALSE(fs::exists(compacting));
}

// Another process keeps writing while this one purges and swaps in the
// compacted file: none of its commits is lost, and it moves to the new file.
TEST_F(PurgeTest, AnotherProcessWritingThroughThePurgeLosesNothing) {
  store_.reset();
  const std::string dir = dir_.Sub("store");
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(ready[0]);
    std::unique_ptr<Store> store;
    if (!Store::Open(TestOptions(), dir, &store).ok()) ::_exit(2);
    int done = 0;
    for (int i = 0; i < 400; ++i) {
      if (!store->Append("bystander", PutBatch("live/" + std::to_string(i), "written by the app")).ok()) ::_exit(3);
      ++done;
      if (i == 20) {
        char c = 'r';
        if (::write(ready[1], &c, 1) != 1) ::_exit(4);
      }
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    auto head = store->Describe("bystander");
    ::_exit(head.ok() && head->head_seq == 50u + done ? 0 : 5);
  }
  ::close(ready[1]);
  char c;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  store_ = OpenOrDie(dir, TestOptions(&clock_));
  ASSERT_OK_AND_ASSIGN(PurgePlan plan, store_->PlanPurge({"victim"}, 0, Plan(), Admin()));
  ASSERT_OK(store_->RunPurge(Plan(), plan.token, Admin()));
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  ASSERT_OK_AND_ASSIGN(TenantInfo bystander, store_->Describe("bystander"));
  EXPECT_EQ(bystander.head_seq, 450u);
  ASSERT_OK_AND_ASSIGN(std::string last, store_->Get("bystander", "live/399"));
  EXPECT_EQ(last, "written by the app");
  ASSERT_OK_AND_ASSIGN(VerifyReport verify, store_->Verify({}));
  EXPECT_TRUE(verify.ok);
}

TEST_F(PurgeTest, CompactionKeepsEveryTenantAndShrinksTheFile) {
  ASSERT_OK(store_->Restore({"victim", "young"}, Admin()));
  std::map<std::string, TenantInfo> before;
  for (const char* t : {"victim", "bystander", "young"}) before[t] = *store_->Describe(t);
  ASSERT_OK(store_->Compact(Admin()));
  for (auto& [name, info] : before) {
    ASSERT_OK_AND_ASSIGN(TenantInfo after, store_->Describe(name));
    EXPECT_EQ(after.chain_head, info.chain_head);
    ASSERT_OK_AND_ASSIGN(std::string v, store_->Get(name, "doc/9"));
    EXPECT_EQ(v, "SECRET-" + name + "-49");
  }
  ASSERT_OK(store_->Append("bystander", PutBatch("after", "compaction")));
  ASSERT_OK_AND_ASSIGN(VerifyReport verify, store_->Verify({}));
  EXPECT_TRUE(verify.ok);
}

}  // namespace
}  // namespace tenantlog::test
