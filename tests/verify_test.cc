// verify finds damage inside stored events and names the tenant and seq; it
// never crashes on damaged bytes; through the admin tool it exits 4 with the
// damaged list.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tenantlog/store.h"
#include "util/files.h"
#include "util/process.h"
#include "util/raw_lmdb.h"
#include "util/store_helpers.h"
#include "util/temp_dir.h"
#include "util/test_clock.h"

namespace tenantlog::test {
namespace {

const char kDistinctive[] = "distinctive-payload-7f3a9c1e5b";

// XORs one byte at `offset_in_needle` of every occurrence of `needle` in the
// file (stale copies in freed pages included, so the live one is surely hit).
// Returns how many occurrences there were.
size_t FlipEverywhere(const std::string& file, const std::string& needle, size_t offset_in_needle) {
  std::string bytes = ReadFileBytes(file);
  const std::vector<size_t> found = FindAll(bytes, needle);
  for (size_t at : found) bytes[at + offset_in_needle] ^= 0x01;
  if (!found.empty()) WriteFileBytes(file, bytes);
  return found.size();
}

bool Names(const VerifyReport& report, const std::string& tenant, uint64_t seq) {
  for (const Damage& d : report.damaged) {
    if (d.tenant == tenant && d.seq == seq) return true;
  }
  return false;
}

std::string Show(const VerifyReport& report) {
  std::string text = report.ok ? "ok" : "damaged";
  for (const Damage& d : report.damaged) {
    text += "; " + d.tenant + " seq " + std::to_string(d.seq) + ": " + d.problem;
  }
  return text;
}

class VerifyTest : public ::testing::Test {
 protected:
  // "victim" gets 6 events, seq 3 holding the distinctive payload, which seq
  // 6 overwrites in the view; "bystander" gets 4.
  void SetUp() override {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->Append("bystander", PutBatch("a", "1")));
    for (int i = 1; i <= 5; ++i) {
      const std::string payload = i == 3 ? kDistinctive : "value-" + std::to_string(i);
      ASSERT_OK(store->Append("victim", PutBatch(i == 3 ? "target" : "k" + std::to_string(i), payload)));
    }
    ASSERT_OK(store->Append("victim", PutBatch("target", "overwritten")));
    for (int i = 2; i <= 4; ++i) ASSERT_OK(store->Append("bystander", PutBatch("a", std::to_string(i))));
    ASSERT_OK(store->List("victim"));
    ASSERT_OK(store->List("bystander"));
    ASSERT_OK_AND_ASSIGN(TenantInfo victim, store->Describe("victim"));
    victim_id_ = victim.id;
    ASSERT_OK_AND_ASSIGN(VerifyReport clean, store->Verify({}));
    ASSERT_TRUE(clean.ok) << Show(clean);
  }

  std::unique_ptr<Store> Open() { return OpenOrDie(dir_.path(), TestOptions(&clock_)); }
  std::string DataFile() const { return dir_.Sub("data.mdb"); }

  // The stored value (chain hash ‖ event) of the victim's seq 3. REQUIRES: store closed.
  std::string StoredEvent3() {
    const RawTable events = ReadRawTable(dir_.path(), "events");
    auto it = events.find(BigEndian64(victim_id_) + BigEndian64(3));
    return it == events.end() ? std::string() : it->second;
  }

  // Opening the store, for reading or for writing, fails with Corruption
  // naming `problem`.
  void ExpectNoOpenSucceeds(const std::string& problem) {
    for (const bool read_only : {false, true}) {
      SCOPED_TRACE(read_only ? "read-only" : "writable");
      Options options = TestOptions(&clock_);
      options.read_only = read_only;
      std::unique_ptr<Store> store;
      Status s = Store::Open(options, dir_.path(), &store);
      EXPECT_TRUE(s.IsCorruption()) << s.ToString();
      EXPECT_NE(s.message().find(problem), std::string::npos) << s.ToString();
    }
  }

  TempDir dir_;
  TestClock clock_;
  uint64_t victim_id_ = 0;
};

TEST_F(VerifyTest, ACleanStoreVerifiesWithItsCounts) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(VerifyReport all, store->Verify({}));
  EXPECT_TRUE(all.ok) << Show(all);
  EXPECT_TRUE(all.damaged.empty());
  EXPECT_EQ(all.tenants, 2u);
  EXPECT_EQ(all.events, 10u);
  ASSERT_OK_AND_ASSIGN(VerifyReport one, store->Verify({"victim"}));
  EXPECT_TRUE(one.ok);
  EXPECT_EQ(one.tenants, 1u);
  EXPECT_EQ(one.events, 6u);
}

TEST_F(VerifyTest, AFlippedPayloadByteIsReportedWithTenantAndSeq) {
  ASSERT_GE(FlipEverywhere(DataFile(), kDistinctive, 5), 1u);
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(VerifyReport all, store->Verify({}));
  EXPECT_FALSE(all.ok);
  EXPECT_TRUE(Names(all, "victim", 3)) << Show(all);
  for (const Damage& d : all.damaged) {
    EXPECT_EQ(d.tenant, "victim") << Show(all);
    EXPECT_FALSE(d.problem.empty());
  }
  ASSERT_OK_AND_ASSIGN(VerifyReport victim, store->Verify({"victim"}));
  EXPECT_FALSE(victim.ok);
  EXPECT_TRUE(Names(victim, "victim", 3)) << Show(victim);
  ASSERT_OK_AND_ASSIGN(VerifyReport bystander, store->Verify({"bystander"}));
  EXPECT_TRUE(bystander.ok) << Show(bystander);
  // Reading the damaged log reports corruption; the other tenant reads fine.
  EXPECT_CODE(kCorruption, store->ReadLog("victim", 1, 100));
  ASSERT_OK(store->ReadLog("bystander", 1, 100));
  ASSERT_OK_AND_ASSIGN(std::string a, store->Get("bystander", "a"));
  EXPECT_EQ(a, "4");
}

// A flip of any byte of a stored event (its chain hash, the FlatBuffers
// offsets and tables, every field) is found, at that event, and never crashes.
TEST_F(VerifyTest, AFlipOfAnyByteOfAStoredEventIsFound) {
  const std::string stored = StoredEvent3();
  ASSERT_FALSE(stored.empty());
  ASSERT_NE(stored.find(kDistinctive), std::string::npos);
  const std::string original = ReadFileBytes(DataFile());
  ASSERT_GE(FindAll(original, stored).size(), 1u);
  for (size_t offset = 0; offset < stored.size(); ++offset) {
    SCOPED_TRACE("byte " + std::to_string(offset) + " of " + std::to_string(stored.size()));
    ASSERT_GE(FlipEverywhere(DataFile(), stored, offset), 1u);
    {
      auto store = Open();
      ASSERT_NE(store, nullptr);
      ASSERT_OK_AND_ASSIGN(VerifyReport report, store->Verify({"victim"}));
      EXPECT_FALSE(report.ok);
      EXPECT_TRUE(Names(report, "victim", 3)) << Show(report);
      auto log = store->ReadLog("victim", 1, 100);
      EXPECT_FALSE(log.ok()) << "ReadLog of a damaged event succeeded";
    }
    WriteFileBytes(DataFile(), original);
    if (HasFailure()) break;
  }
}

// A tenant record whose head is behind its log (a flipped byte in it, or a
// record restored from elsewhere) must not make the next append write over
// the events past that head: the log only grows.
TEST_F(VerifyTest, AnAppendOverARecordBehindItsLogOverwritesNothing) {
  const std::string record_key = BigEndian64(victim_id_);
  const std::string record_at_6 = ReadRawTable(dir_.path(), "tenants").at(record_key);
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->Append("victim", PutBatch("k7", "acknowledged-7")));
    ASSERT_OK(store->Append("victim", PutBatch("k8", "acknowledged-8")));
  }
  PutRawValue(dir_.path(), "tenants", record_key, record_at_6);
  const RawTable events = ReadRawTable(dir_.path(), "events");
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    Result<AppendResult> append = store->Append("victim", PutBatch("k7", "would-overwrite"));
    ASSERT_FALSE(append.ok()) << "the append wrote at seq " << append->first_seq;
    EXPECT_TRUE(append.status().IsCorruption()) << append.status().ToString();
    EXPECT_NE(append.status().message().find("seq 7 already holds an event"), std::string::npos)
        << append.status().ToString();
    ASSERT_OK_AND_ASSIGN(VerifyReport report, store->Verify({"victim"}));
    EXPECT_FALSE(report.ok);
    ASSERT_OK(store->Append("bystander", PutBatch("a", "5")));  // other tenants write on
  }
  const RawTable after = ReadRawTable(dir_.path(), "events");
  for (const auto& [key, value] : events) {
    auto it = after.find(key);
    ASSERT_NE(it, after.end());
    EXPECT_EQ(it->second, value) << "an acknowledged event was overwritten";
  }
}

// A store whose catalogue lost a database is damaged: it opens neither for
// reading nor for writing, and the database is not made again empty (writes
// acknowledged into it would sit beside a lost log). The tool's verify calls
// it damage (exit 4).
TEST_F(VerifyTest, AStoreThatLostADatabaseOpensForNothingAndVerifySaysDamaged) {
  DropDatabase(dir_.path(), "events");
  ExpectNoOpenSucceeds("lost its database events");
  EXPECT_EQ(ReadAllTables(dir_.path()).count("events"), 0u) << "the lost database was made again";
  const ProcessResult verify = RunProcess({TENANTLOG_BIN, "--db", dir_.path(), "verify", "--json"});
  ASSERT_EQ(verify.exit_code, 4) << verify.Describe();
  const nlohmann::json report = nlohmann::json::parse(verify.out);
  EXPECT_EQ(report.at("ok"), false);
  ASSERT_EQ(report.at("damaged").size(), 1u) << verify.out;
  EXPECT_EQ(report["damaged"][0].at("tenant"), "(store)");
}

// verify of the whole store checks the names index against the records
// both ways: a name leading elsewhere, and a tenant no name leads to (the
// next append under its name would start a second tenant of that name).
TEST_F(VerifyTest, ANameIndexThatNoLongerLeadsToItsTenantIsDamage) {
  PutRawValue(dir_.path(), "names", "victim", BigEndian64(victim_id_ + 100));
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(VerifyReport report, store->Verify({}));
  EXPECT_FALSE(report.ok);
  ASSERT_EQ(report.damaged.size(), 2u) << Show(report);
  EXPECT_NE(report.damaged[0].problem.find("which has no record"), std::string::npos) << Show(report);
  EXPECT_NE(report.damaged[1].problem.find("does not lead to this tenant"), std::string::npos) << Show(report);
  EXPECT_TRUE(Names(report, "victim", 0)) << Show(report);
}

// A data file cut short (a copy killed half way) is damage found at open,
// not a fault at the first read past its end: no open succeeds, and the
// tool's verify exits 4 rather than dying of SIGBUS.
TEST_F(VerifyTest, ATruncatedDataFileOpensForNothingAndVerifySaysDamaged) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 200; ++i) {
      ASSERT_OK(store->Append("bulk", PutBatch("k" + std::to_string(i), std::string(1000, 'x'))));
    }
  }
  const std::string bytes = ReadFileBytes(DataFile());
  ASSERT_GT(bytes.size(), 200u * 1000u);
  WriteFileBytes(DataFile(), bytes.substr(0, bytes.size() / 2));
  ExpectNoOpenSucceeds("data.mdb is truncated");
  const ProcessResult verify = RunProcess({TENANTLOG_BIN, "--db", dir_.path(), "verify", "--json"});
  ASSERT_EQ(verify.exit_code, 4) << verify.Describe();
  EXPECT_NE(verify.out.find("truncated"), std::string::npos) << verify.out;
}

// The admin tool: `verify` exits 0 on a clean store and 4 with the damaged
// list when an event is damaged.
TEST(VerifyCliTest, VerifyExitsFourAndListsTheDamage) {
  TempDir dir;
  const std::string db = dir.Sub("store");
  auto tool = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {TENANTLOG_BIN, "--db", db};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv);
  };
  for (int i = 1; i <= 3; ++i) {
    const std::string payload = i == 2 ? kDistinctive : "value-" + std::to_string(i);
    ProcessResult r = tool({"append", "victim", "--type", "t", "--key", "k" + std::to_string(i),
                            "--payload", payload});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
    r = tool({"append", "bystander", "--type", "t", "--key", "k", "--payload", "v"});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
  }
  ProcessResult clean = tool({"verify", "--json"});
  ASSERT_EQ(clean.exit_code, 0) << clean.Describe();
  nlohmann::json ok = nlohmann::json::parse(clean.out);
  EXPECT_EQ(ok.at("ok"), true);
  EXPECT_EQ(ok.at("tenants"), 2);
  EXPECT_EQ(ok.at("events"), 6);
  EXPECT_TRUE(ok.at("damaged").is_array());
  EXPECT_TRUE(ok.at("damaged").empty());

  // Flip the stored event itself, found through its key, inside its payload.
  const std::string stored =
      ReadRawTable(db, "events").at(BigEndian64(TenantIdByName(db, "victim")) + BigEndian64(2));
  const size_t payload_at = stored.find(kDistinctive);
  ASSERT_NE(payload_at, std::string::npos);
  ASSERT_GE(FlipStoredEventByte(db, "victim", 2, payload_at + 3), 1u);
  ProcessResult damaged = tool({"verify", "--json"});
  ASSERT_EQ(damaged.exit_code, 4) << damaged.Describe();
  nlohmann::json report = nlohmann::json::parse(damaged.out);
  EXPECT_EQ(report.at("ok"), false);
  ASSERT_TRUE(report.at("damaged").is_array());
  bool named = false;
  for (const auto& d : report.at("damaged")) {
    EXPECT_EQ(d.at("tenant"), "victim") << d.dump();
    EXPECT_TRUE(d.at("problem").is_string());
    if (d.at("seq") == 2) named = true;
  }
  EXPECT_TRUE(named) << damaged.out;

  ProcessResult only_victim = tool({"verify", "victim", "--json"});
  EXPECT_EQ(only_victim.exit_code, 4) << only_victim.Describe();
  ProcessResult only_bystander = tool({"verify", "bystander", "--json"});
  EXPECT_EQ(only_bystander.exit_code, 0) << only_bystander.Describe();
  // Without --json the damage is reported for people, still with exit 4.
  ProcessResult human = tool({"verify"});
  EXPECT_EQ(human.exit_code, 4) << human.Describe();
  EXPECT_NE((human.out + human.err).find("victim"), std::string::npos) << human.Describe();
}

}  // namespace
}  // namespace tenantlog::test
