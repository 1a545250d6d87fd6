// Hot backup and restore from backup into the live store (DESIGN.md,
// "Backups, restore from backup, export").
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <thread>

#include "util/files.h"
#include "util/raw_lmdb.h"
#include "util/store_helpers.h"
#include "util/temp_dir.h"

namespace tenantlog::test {
namespace {

namespace fs = std::filesystem;

std::string Tenant(int i) { return "tenant-" + std::to_string(i); }

// `events` puts over a small key space, with a payload naming the tenant.
void Fill(Store& store, const std::string& tenant, int events, int batch = 100) {
  for (int done = 0; done < events; done += batch) {
    AppendBatch b;
    for (int i = done; i < std::min(events, done + batch); ++i) {
      if (i % 7 == 6) {
        b.Delete("doc.deleted", "doc/" + std::to_string(i % 13));
      } else {
        b.Put("doc.updated", "doc/" + std::to_string(i % 13), tenant + " payload " + std::to_string(i));
      }
    }
    ASSERT_OK(store.Append(tenant, b));
  }
}

std::vector<Event> Log(Store& store, const std::string& tenant) {
  auto log = store.ReadLog(tenant, 1, SIZE_MAX);
  EXPECT_OK(log);
  return log.ok() ? *log : std::vector<Event>();
}

void ExpectSameEvents(const std::vector<Event>& a, const std::vector<Event>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].seq, b[i].seq);
    EXPECT_EQ(a[i].time_us, b[i].time_us);
    EXPECT_EQ(a[i].kind, b[i].kind);
    EXPECT_EQ(a[i].key, b[i].key);
    EXPECT_EQ(a[i].payload, b[i].payload);
    EXPECT_EQ(a[i].chain, b[i].chain) << "seq " << a[i].seq;
  }
}

void Purge(Store& store, const std::vector<std::string>& tenants, const std::string& plan_file) {
  auto plan = store.PlanPurge(tenants, 0, plan_file, Admin());
  ASSERT_OK(plan);
  ASSERT_OK(store.RunPurge(plan_file, plan->token, Admin()));
}

class BackupRestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    live_ = OpenOrDie(dir_.Sub("live"), TestOptions());
    for (int t = 0; t < 6; ++t) Fill(*live_, Tenant(t), 300);
  }
  std::unique_ptr<Store> OpenBackup() {
    Options options = TestOptions();
    options.read_only = true;
    return OpenOrDie(dir_.Sub("backup"), options);
  }

  // Every byte the tenants own in the live store, for ExpectUnchanged.
  struct Bystanders {
    std::map<int, TenantInfo> infos;
    std::map<int, TenantBytes> bytes;
  };
  // Brings the tenants' views up to date, closes the live store to read
  // their bytes and opens it again.
  void TakeBystanders(const std::vector<int>& tenants, Bystanders* out) {
    for (int t : tenants) {
      ASSERT_OK_AND_ASSIGN(out->infos[t], live_->Describe(Tenant(t)));
      ASSERT_OK(live_->List(Tenant(t)));
    }
    live_.reset();
    for (auto& [t, info] : out->infos) out->bytes[t] = ReadTenantBytes(dir_.Sub("live"), info.id, info.name);
    live_ = OpenOrDie(dir_.Sub("live"), TestOptions());
  }
  // Closes the live store and checks that the tenants' bytes are as taken.
  void ExpectUnchanged(const Bystanders& before) {
    live_.reset();
    for (const auto& [t, info] : before.infos) {
      EXPECT_EQ(DescribeDifference(before.bytes.at(t), ReadTenantBytes(dir_.Sub("live"), info.id, info.name)), "")
          << Tenant(t);
    }
  }

  TempDir dir_;
  std::unique_ptr<Store> live_;
};

TEST_F(BackupRestoreTest, ABackupIsAStoreThatReadsAndVerifiesLikeTheLiveOne) {
  ASSERT_OK_AND_ASSIGN(BackupReport report, live_->Backup(dir_.Sub("backup"), Admin()));
  EXPECT_GT(report.bytes, 0u);
  auto backup = OpenBackup();
  ASSERT_OK_AND_ASSIGN(VerifyReport verify, backup->Verify({}));
  EXPECT_TRUE(verify.ok);
  EXPECT_EQ(verify.tenants, 6u);
  for (int t = 0; t < 6; ++t) {
    ASSERT_OK_AND_ASSIGN(TenantInfo a, live_->Describe(Tenant(t)));
    ASSERT_OK_AND_ASSIGN(TenantInfo b, backup->Describe(Tenant(t)));
    EXPECT_EQ(a.chain_head, b.chain_head);
    ASSERT_OK_AND_ASSIGN(auto live_view, live_->List(Tenant(t)));
    ASSERT_OK_AND_ASSIGN(auto backup_view, backup->List(Tenant(t)));
    EXPECT_EQ(Payloads(live_view), Payloads(backup_view));
  }
}

TEST_F(BackupRestoreTest, ABackupRefusesATargetThatHoldsFiles) {
  WriteFileBytes(dir_.Sub("occupied"), "");
  fs::create_directory(dir_.Sub("full"));
  WriteFileBytes(dir_.Sub("full") + "/x", "x");
  EXPECT_CODE(kInvalidArgument, live_->Backup(dir_.Sub("occupied"), Admin()));
  EXPECT_CODE(kInvalidArgument, live_->Backup(dir_.Sub("full"), Admin()));
}

TEST_F(BackupRestoreTest, ABackupTakenWhileWritersWriteIsConsistent) {
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      ASSERT_OK(live_->Append(Tenant(i % 6), PutBatch("hot/" + std::to_string(i), "during backup")));
    }
  });
  ASSERT_OK(live_->Backup(dir_.Sub("backup"), Admin()));
  stop = true;
  writer.join();
  auto backup = OpenBackup();
  ASSERT_OK_AND_ASSIGN(VerifyReport verify, backup->Verify({}));
  EXPECT_TRUE(verify.ok) << (verify.damaged.empty() ? "" : verify.damaged[0].problem);
  // Each tenant in the backup is a prefix of its live history.
  for (int t = 0; t < 6; ++t) {
    std::vector<Event> in_backup = Log(*backup, Tenant(t));
    std::vector<Event> in_live = Log(*live_, Tenant(t));
    ASSERT_LE(in_backup.size(), in_live.size());
    in_live.resize(in_backup.size());
    ExpectSameEvents(in_backup, in_live);
  }
}

TEST_F(BackupRestoreTest, ATombstonedTenantIsRestoredInPlace) {
  ASSERT_OK(live_->Backup(dir_.Sub("backup"), Admin()));
  ASSERT_OK_AND_ASSIGN(auto before, live_->List(Tenant(1)));
  ASSERT_OK(live_->Tombstone({Tenant(1)}, Admin()));
  ASSERT_OK_AND_ASSIGN(RestoreReport report,
                       live_->RestoreFromBackup(dir_.Sub("backup"), {Tenant(1)}, Admin()));
  EXPECT_EQ(report.restored, std::vector<std::string>{Tenant(1)});
  EXPECT_EQ(report.events_copied, 0u);
  ASSERT_OK_AND_ASSIGN(auto after, live_->List(Tenant(1)));
  EXPECT_EQ(Payloads(before), Payloads(after));
}

TEST_F(BackupRestoreTest, APurgedTenantComesBackWithItsSeqsTimesAndChain) {
  ASSERT_OK(live_->Rewind(Tenant(2), Point::AtSeq(150), Admin()));
  Fill(*live_, Tenant(2), 40);
  ASSERT_OK(live_->Backup(dir_.Sub("backup"), Admin()));
  const std::vector<Event> original = Log(*live_, Tenant(2));
  ASSERT_OK_AND_ASSIGN(auto view, live_->List(Tenant(2)));
  ASSERT_OK_AND_ASSIGN(TenantInfo info, live_->Describe(Tenant(2)));
  ASSERT_OK(live_->Tombstone({Tenant(2)}, Admin()));
  // The backup holds it active: restoring the purged tenant adds no event.
  Purge(*live_, {Tenant(2)}, dir_.Sub("plan"));
  EXPECT_CODE(kNotFound, live_->Describe(Tenant(2)));

  ASSERT_OK_AND_ASSIGN(RestoreReport report,
                       live_->RestoreFromBackup(dir_.Sub("backup"), {Tenant(2)}, Admin()));
  EXPECT_EQ(report.restored, std::vector<std::string>{Tenant(2)});
  EXPECT_EQ(report.events_copied, original.size());
  ASSERT_OK_AND_ASSIGN(TenantInfo restored, live_->Describe(Tenant(2)));
  EXPECT_EQ(restored.chain_head, info.chain_head);
  EXPECT_EQ(restored.head_seq, info.head_seq);
  EXPECT_EQ(restored.state, TenantState::kActive);
  ExpectSameEvents(Log(*live_, Tenant(2)), original);
  ASSERT_OK_AND_ASSIGN(auto restored_view, live_->List(Tenant(2)));
  EXPECT_EQ(Payloads(restored_view), Payloads(view));
  ASSERT_OK_AND_ASSIGN(VerifyReport verify, live_->Verify({}));
  EXPECT_TRUE(verify.ok);
}

TEST_F(BackupRestoreTest, ATenantTombstonedInTheBackupComesBackWithARestoreEvent) {
  ASSERT_OK(live_->Tombstone({Tenant(3)}, Admin()));
  ASSERT_OK(live_->Backup(dir_.Sub("backup"), Admin()));
  ASSERT_OK_AND_ASSIGN(TenantInfo in_backup, live_->Describe(Tenant(3)));
  Purge(*live_, {Tenant(3)}, dir_.Sub("plan"));
  ASSERT_OK(live_->RestoreFromBackup(dir_.Sub("backup"), {Tenant(3)}, Admin()));
  ASSERT_OK_AND_ASSIGN(TenantInfo restored, live_->Describe(Tenant(3)));
  EXPECT_EQ(restored.state, TenantState::kActive);
  EXPECT_EQ(restored.head_seq, in_backup.head_seq + 1);
  const std::vector<Event> log = Log(*live_, Tenant(3));
  EXPECT_EQ(log.back().kind, EventKind::kRestore);
  EXPECT_EQ(log[in_backup.head_seq - 1].chain, in_backup.chain_head);
}

TEST_F(BackupRestoreTest, RestoringLeavesEveryUnlistedTenantByteIdentical) {
  ASSERT_OK(live_->Backup(dir_.Sub("backup"), Admin()));
  ASSERT_OK(live_->Tombstone({Tenant(0), Tenant(4)}, Admin()));
  Purge(*live_, {Tenant(4)}, dir_.Sub("plan"));
  Bystanders before;
  TakeBystanders({1, 2, 3, 5}, &before);
  ASSERT_OK_AND_ASSIGN(RestoreReport report,
                       live_->RestoreFromBackup(dir_.Sub("backup"), {Tenant(0), Tenant(4)}, Admin()));
  EXPECT_EQ(report.restored.size(), 2u);
  ExpectUnchanged(before);
}

// Restored logs are written between the logs of other tenants, which are
// moved aside and back while a log is written: neighbours with long and
// short logs and with values larger than a page, adjacent restored tenants,
// and a restored tenant with nothing after it.
TEST_F(BackupRestoreTest, LogsRestoredBetweenOtherTenantsReadBackExactlyAndLeaveThemAsTheyWere) {
  Fill(*live_, Tenant(6), 2500);
  Fill(*live_, Tenant(7), 1);
  for (int i = 0; i < 30; ++i) {
    ASSERT_OK(live_->Append(Tenant(8), PutBatch("big/" + std::to_string(i % 4),
                                                std::string(3000 + 500 * (i % 5), static_cast<char>('a' + i % 26)))));
  }
  Fill(*live_, Tenant(9), 40);
  Fill(*live_, Tenant(10), 1200);
  Fill(*live_, Tenant(11), 700);
  const std::vector<int> restored = {2, 6, 7, 8, 11};
  std::vector<std::string> names;
  std::map<int, std::vector<Event>> logs;
  for (int t : restored) {
    names.push_back(Tenant(t));
    logs[t] = Log(*live_, Tenant(t));
  }
  ASSERT_OK(live_->Backup(dir_.Sub("backup"), Admin()));
  ASSERT_OK(live_->Tombstone(names, Admin()));
  Purge(*live_, names, dir_.Sub("plan"));
  Bystanders before;
  TakeBystanders({0, 1, 3, 4, 5, 9, 10}, &before);
  ASSERT_OK_AND_ASSIGN(RestoreReport report, live_->RestoreFromBackup(dir_.Sub("backup"), names, Admin()));
  EXPECT_EQ(report.restored.size(), restored.size());
  EXPECT_TRUE(report.conflicts.empty());
  for (int t : restored) {
    SCOPED_TRACE(Tenant(t));
    ExpectSameEvents(Log(*live_, Tenant(t)), logs[t]);
  }
  ASSERT_OK_AND_ASSIGN(VerifyReport verify, live_->Verify({}));
  EXPECT_TRUE(verify.ok);
  ExpectUnchanged(before);
  // Nothing was appended since the backup: every event is back as it was.
  EXPECT_TRUE(ReadRawTable(dir_.Sub("live"), "events") == ReadRawTable(dir_.Sub("backup"), "events"));
}

TEST_F(BackupRestoreTest, ALiveHistoryThatExtendsTheBackupIsUnchanged) {
  ASSERT_OK(live_->Backup(dir_.Sub("backup"), Admin()));
  Fill(*live_, Tenant(1), 20);
  ASSERT_OK_AND_ASSIGN(TenantInfo before, live_->Describe(Tenant(1)));
  ASSERT_OK_AND_ASSIGN(RestoreReport report,
                       live_->RestoreFromBackup(dir_.Sub("backup"), {Tenant(1)}, Admin()));
  EXPECT_EQ(report.unchanged, std::vector<std::string>{Tenant(1)});
  EXPECT_TRUE(report.restored.empty());
  ASSERT_OK_AND_ASSIGN(TenantInfo after, live_->Describe(Tenant(1)));
  EXPECT_EQ(after.head_seq, before.head_seq);
  EXPECT_EQ(after.chain_head, before.chain_head);
}

TEST_F(BackupRestoreTest, ANameTakenByANewTenantIsAConflictAndLeftAlone) {
  ASSERT_OK(live_->Backup(dir_.Sub("backup"), Admin()));
  ASSERT_OK(live_->Tombstone({Tenant(5)}, Admin()));
  Purge(*live_, {Tenant(5)}, dir_.Sub("plan"));
  ASSERT_OK(live_->Append(Tenant(5), PutBatch("new", "a different customer")));
  ASSERT_OK_AND_ASSIGN(TenantInfo newcomer, live_->Describe(Tenant(5)));
  ASSERT_OK(live_->Tombstone({Tenant(1)}, Admin()));

  ASSERT_OK_AND_ASSIGN(RestoreReport report,
                       live_->RestoreFromBackup(dir_.Sub("backup"), {Tenant(5), Tenant(1)}, Admin()));
  ASSERT_EQ(report.conflicts.size(), 1u);
  EXPECT_EQ(report.conflicts[0].tenant, Tenant(5));
  EXPECT_EQ(report.restored, std::vector<std::string>{Tenant(1)});  // each tenant on its own
  ASSERT_OK_AND_ASSIGN(TenantInfo after, live_->Describe(Tenant(5)));
  EXPECT_EQ(after.id, newcomer.id);
  EXPECT_EQ(after.chain_head, newcomer.chain_head);
  EXPECT_EQ(*live_->Get(Tenant(5), "new"), "a different customer");
}

// Restored into another store, a tenant may get a new id there (the
// backup's is taken). It is still the backup's tenant: run again, the
// restore finds it unchanged, and once it is tombstoned, undoes that.
TEST_F(BackupRestoreTest, ATenantRestoredUnderANewIdIsTheSameTenantWhenRunAgain) {
  ASSERT_OK(live_->Backup(dir_.Sub("backup"), Admin()));
  auto other = OpenOrDie(dir_.Sub("other"), TestOptions());
  for (int t = 10; t < 16; ++t) Fill(*other, Tenant(t), 20);  // takes ids 1..6
  ASSERT_OK_AND_ASSIGN(RestoreReport first, other->RestoreFromBackup(dir_.Sub("backup"), {Tenant(2)}, Admin()));
  ASSERT_EQ(first.restored, std::vector<std::string>{Tenant(2)});
  ASSERT_OK_AND_ASSIGN(TenantInfo backup_info, live_->Describe(Tenant(2)));
  ASSERT_OK_AND_ASSIGN(TenantInfo restored, other->Describe(Tenant(2)));
  ASSERT_NE(restored.id, backup_info.id) << "the check below would prove nothing";

  ASSERT_OK_AND_ASSIGN(RestoreReport again, other->RestoreFromBackup(dir_.Sub("backup"), {Tenant(2)}, Admin()));
  EXPECT_EQ(again.unchanged, std::vector<std::string>{Tenant(2)});
  EXPECT_TRUE(again.conflicts.empty()) << again.conflicts[0].reason;

  ASSERT_OK(other->Tombstone({Tenant(2)}, Admin()));
  ASSERT_OK_AND_ASSIGN(RestoreReport undo, other->RestoreFromBackup(dir_.Sub("backup"), {Tenant(2)}, Admin()));
  EXPECT_EQ(undo.restored, std::vector<std::string>{Tenant(2)});
  ASSERT_OK_AND_ASSIGN(TenantInfo after, other->Describe(Tenant(2)));
  EXPECT_EQ(after.state, TenantState::kActive);
  EXPECT_EQ(after.id, restored.id);
  const std::vector<Event> backed_up = Log(*live_, Tenant(2));  // live_ has not changed since the backup
  std::vector<Event> brought_back = Log(*other, Tenant(2));
  ASSERT_EQ(brought_back.size(), backed_up.size() + 2);  // then its tombstone and its restore
  brought_back.resize(backed_up.size());
  ExpectSameEvents(backed_up, brought_back);
}

// A live tenant whose log is damaged before the backup's head still has
// the backup's chain head stored there: it is neither "unchanged" nor
// restored by undoing its tombstone, but a conflict naming the damage.
TEST_F(BackupRestoreTest, ALiveTenantWithADamagedLogIsAConflictNotUnchanged) {
  ASSERT_OK(live_->Backup(dir_.Sub("backup"), Admin()));
  ASSERT_OK(live_->Tombstone({Tenant(4)}, Admin()));
  live_.reset();
  ASSERT_GE(FlipStoredEventByte(dir_.Sub("live"), Tenant(1), 5), 1u);
  ASSERT_GE(FlipStoredEventByte(dir_.Sub("live"), Tenant(4), 5), 1u);
  live_ = OpenOrDie(dir_.Sub("live"), TestOptions());
  ASSERT_OK_AND_ASSIGN(RestoreReport report,
                       live_->RestoreFromBackup(dir_.Sub("backup"), {Tenant(1), Tenant(4), Tenant(2)}, Admin()));
  EXPECT_EQ(report.unchanged, std::vector<std::string>{Tenant(2)});
  EXPECT_TRUE(report.restored.empty());
  ASSERT_EQ(report.conflicts.size(), 2u);
  for (const RestoreConflict& c : report.conflicts) {
    EXPECT_NE(c.reason.find("live history is damaged"), std::string::npos) << c.tenant << ": " << c.reason;
    EXPECT_NE(c.reason.find("seq 5"), std::string::npos) << c.tenant << ": " << c.reason;
  }
  ASSERT_OK_AND_ASSIGN(TenantInfo four, live_->Describe(Tenant(4)));
  EXPECT_EQ(four.state, TenantState::kTombstoned);
}

TEST_F(BackupRestoreTest, AListNamingATenantMissingFromTheBackupIsRefusedWhole) {
  ASSERT_OK(live_->Backup(dir_.Sub("backup"), Admin()));
  ASSERT_OK(live_->Tombstone({Tenant(1)}, Admin()));
  EXPECT_CODE(kRefused, live_->RestoreFromBackup(dir_.Sub("backup"), {Tenant(1), "nobody"}, Admin()));
  ASSERT_OK_AND_ASSIGN(TenantInfo info, live_->Describe(Tenant(1)));
  EXPECT_EQ(info.state, TenantState::kTombstoned);
  AdminContext limited = Admin();
  limited.max_tenants = 1;
  EXPECT_CODE(kRefused, live_->RestoreFromBackup(dir_.Sub("backup"), {Tenant(1), Tenant(2)}, limited));
  EXPECT_CODE(kNotFound, live_->RestoreFromBackup(dir_.Sub("no-such-backup"), {Tenant(1)}, Admin()));
}

TEST_F(BackupRestoreTest, ADryRunReportsAndChangesNothing) {
  ASSERT_OK(live_->Backup(dir_.Sub("backup"), Admin()));
  ASSERT_OK(live_->Tombstone({Tenant(1), Tenant(2)}, Admin()));
  Purge(*live_, {Tenant(2)}, dir_.Sub("plan"));
  ASSERT_OK_AND_ASSIGN(RestoreReport report,
                       live_->RestoreFromBackup(dir_.Sub("backup"), {Tenant(1), Tenant(2)}, DryRun()));
  EXPECT_TRUE(report.dry_run);
  EXPECT_EQ(report.restored.size(), 2u);
  EXPECT_EQ(report.events_copied, 300u);
  ASSERT_OK_AND_ASSIGN(TenantInfo one, live_->Describe(Tenant(1)));
  EXPECT_EQ(one.state, TenantState::kTombstoned);
  EXPECT_CODE(kNotFound, live_->Describe(Tenant(2)));
}

// A restore killed at a random point and run again ends where an
// uninterrupted one does, with nothing duplicated.
TEST(RestoreKillTest, ARestoreKilledAtRandomPointsAndRunAgainConverges) {
  TempDir dir;
  const int kTenants = 24;
  const int kEvents = 12000;  // enough for several batched commits
  std::map<std::string, TenantInfo> expected;
  {
    auto store = OpenOrDie(dir.Sub("seed"), TestOptions());
    std::vector<std::string> all;
    for (int t = 0; t < kTenants; ++t) {
      Fill(*store, Tenant(t), kEvents, 2000);
      all.push_back(Tenant(t));
    }
    for (const std::string& t : all) expected[t] = *store->Describe(t);
    ASSERT_OK(store->Backup(dir.Sub("backup"), Admin()));
    AdminContext wide = Admin();
    wide.max_tenants = 1000;
    ASSERT_OK(store->Tombstone(all, wide));
    auto plan = store->PlanPurge(all, 0, dir.Sub("plan"), wide);
    ASSERT_OK(plan);
    ASSERT_OK(store->RunPurge(dir.Sub("plan"), plan->token, wide));
  }
  std::vector<std::string> all;
  for (auto& [t, info] : expected) all.push_back(t);
  std::mt19937 rng(7);
  for (int round = 0; round < 4; ++round) {
    const std::string live = dir.Sub("live" + std::to_string(round));
    fs::create_directory(live);
    fs::copy_file(dir.Sub("seed") + "/data.mdb", live + "/data.mdb");
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      std::unique_ptr<Store> store;
      if (!Store::Open(TestOptions(), live, &store).ok()) ::_exit(2);
      AdminContext wide = Admin();
      wide.max_tenants = 1000;
      (void)store->RestoreFromBackup(dir.Sub("backup"), all, wide);
      ::_exit(0);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(20, 400)(rng)));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);

    auto store = OpenOrDie(live, TestOptions());
    AdminContext wide = Admin();
    wide.max_tenants = 1000;
    ASSERT_OK_AND_ASSIGN(RestoreReport report, store->RestoreFromBackup(dir.Sub("backup"), all, wide));
    EXPECT_TRUE(report.conflicts.empty()) << report.conflicts[0].reason;
    EXPECT_EQ(report.restored.size() + report.unchanged.size(), all.size());
    for (auto& [t, info] : expected) {
      ASSERT_OK_AND_ASSIGN(TenantInfo now, store->Describe(t));
      EXPECT_EQ(now.head_seq, info.head_seq) << t << " round " << round;
      EXPECT_EQ(now.chain_head, info.chain_head) << t << " round " << round;
      EXPECT_EQ(now.event_count, info.event_count) << t << " round " << round;
    }
    ASSERT_OK_AND_ASSIGN(VerifyReport verify, store->Verify({}));
    EXPECT_TRUE(verify.ok) << (verify.damaged.empty() ? "" : verify.damaged[0].problem);
  }
}

}  // namespace
}  // namespace tenantlog::test
