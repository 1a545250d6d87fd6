// Export and import of one tenant through the portable file
// (schema/export_file.fbs): round trips, and refusal of every damaged file.
#include <gtest/gtest.h>

#include <random>

#include "util/files.h"
#include "util/store_helpers.h"
#include "util/temp_dir.h"

namespace tenantlog::test {
namespace {

class ExportImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenOrDie(dir_.Sub("store"), TestOptions());
    for (int i = 0; i < 40; ++i) {
      AppendBatch b;
      b.Put("doc.updated", "doc/" + std::to_string(i % 9), "version " + std::to_string(i));
      if (i % 5 == 4) b.Delete("doc.deleted", "doc/" + std::to_string(i % 3));
      ASSERT_OK(store_->Append("acme", b));
    }
    ASSERT_OK(store_->Append("acme", PutBatch(std::string("bin\0key", 7), std::string("\x00\xff\x01", 3))));
    ASSERT_OK(store_->Rewind("acme", Point::AtSeq(30), Admin()));
    ASSERT_OK(store_->Append("acme", PutBatch("after-rewind", "x")));
  }

  std::vector<Event> Log(const std::string& tenant) {
    auto log = store_->ReadLog(tenant, 1, SIZE_MAX);
    EXPECT_OK(log);
    return log.ok() ? *log : std::vector<Event>();
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(ExportImportTest, ARoundTripKeepsEveryEventTheChainAndTheView) {
  ASSERT_OK_AND_ASSIGN(ExportReport exported, store_->Export("acme", dir_.Sub("acme.tlexp")));
  ASSERT_OK_AND_ASSIGN(TenantInfo source, store_->Describe("acme"));
  EXPECT_EQ(exported.events, source.head_seq);
  EXPECT_EQ(exported.chain_head, source.chain_head);

  ASSERT_OK_AND_ASSIGN(ImportReport imported, store_->Import(dir_.Sub("acme.tlexp"), "acme-copy", Admin()));
  EXPECT_EQ(imported.tenant, "acme-copy");
  EXPECT_EQ(imported.chain_head, source.chain_head);
  ASSERT_OK_AND_ASSIGN(TenantInfo copy, store_->Describe("acme-copy"));
  EXPECT_NE(copy.id, source.id);
  EXPECT_EQ(copy.head_seq, source.head_seq);
  EXPECT_EQ(copy.rewinds, 1u);
  const std::vector<Event> a = Log("acme"), b = Log("acme-copy");
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].chain, b[i].chain);
    EXPECT_EQ(a[i].time_us, b[i].time_us);
    EXPECT_EQ(a[i].payload, b[i].payload);
    EXPECT_EQ(a[i].kind, b[i].kind);
  }
  ASSERT_OK_AND_ASSIGN(auto view_a, store_->List("acme"));
  ASSERT_OK_AND_ASSIGN(auto view_b, store_->List("acme-copy"));
  EXPECT_EQ(Payloads(view_a), Payloads(view_b));
  ASSERT_OK_AND_ASSIGN(VerifyReport verify, store_->Verify({}));
  EXPECT_TRUE(verify.ok);
}

TEST_F(ExportImportTest, ATenantMovesToAnotherStoreUnderItsName) {
  ASSERT_OK(store_->Tombstone({"acme"}, Admin()));
  ASSERT_OK(store_->Export("acme", dir_.Sub("acme.tlexp")));
  auto other = OpenOrDie(dir_.Sub("other"), TestOptions());
  ASSERT_OK_AND_ASSIGN(ImportReport imported, other->Import(dir_.Sub("acme.tlexp"), "", Admin()));
  EXPECT_EQ(imported.tenant, "acme");
  EXPECT_EQ(imported.state, TenantState::kTombstoned);
  EXPECT_CODE(kTenantDeleted, other->List("acme"));
  ASSERT_OK(other->Restore({"acme"}, Admin()));
  ASSERT_OK(store_->Restore({"acme"}, Admin()));
  ASSERT_OK_AND_ASSIGN(auto here, store_->List("acme"));
  ASSERT_OK_AND_ASSIGN(auto there, other->List("acme"));
  EXPECT_EQ(Payloads(here), Payloads(there));
}

TEST_F(ExportImportTest, ATakenNameIsRefusedAndNothingIsWritten) {
  ASSERT_OK(store_->Export("acme", dir_.Sub("acme.tlexp")));
  ASSERT_OK_AND_ASSIGN(auto before, store_->Tenants());
  EXPECT_CODE(kRefused, store_->Import(dir_.Sub("acme.tlexp"), "", Admin()));
  ASSERT_OK_AND_ASSIGN(auto after, store_->Tenants());
  EXPECT_EQ(before.size(), after.size());
  EXPECT_CODE(kInvalidArgument, store_->Import(dir_.Sub("acme.tlexp"), "bad name!", Admin()));
}

TEST_F(ExportImportTest, AFlippedBitAnywhereInTheFileIsRejected) {
  ASSERT_OK(store_->Export("acme", dir_.Sub("acme.tlexp")));
  const std::string good = ReadFileBytes(dir_.Sub("acme.tlexp"));
  const std::string damaged = dir_.Sub("damaged.tlexp");
  for (size_t offset = 0; offset < good.size(); ++offset) {
    std::string bytes = good;
    bytes[offset] = static_cast<char>(bytes[offset] ^ (1 << (offset % 8)));
    WriteFileBytes(damaged, bytes);
    auto imported = store_->Import(damaged, "copy", Admin());
    ASSERT_CODE(kInvalidArgument, imported) << "bit flipped at byte " << offset;
    EXPECT_NE(imported.status().message().find(damaged), std::string::npos);
  }
  EXPECT_CODE(kNotFound, store_->Describe("copy"));
}

TEST_F(ExportImportTest, ATruncatedFileIsRejectedAtEveryLength) {
  ASSERT_OK(store_->Export("acme", dir_.Sub("acme.tlexp")));
  const std::string good = ReadFileBytes(dir_.Sub("acme.tlexp"));
  for (size_t length = 0; length < good.size(); ++length) {
    WriteFileBytes(dir_.Sub("short.tlexp"), std::string_view(good).substr(0, length));
    ASSERT_CODE(kInvalidArgument, store_->Import(dir_.Sub("short.tlexp"), "copy", Admin()))
        << "truncated to " << length << " bytes";
  }
  WriteFileBytes(dir_.Sub("long.tlexp"), good + "x");
  EXPECT_CODE(kInvalidArgument, store_->Import(dir_.Sub("long.tlexp"), "copy", Admin()));
  EXPECT_CODE(kNotFound, store_->Describe("copy"));
}

TEST_F(ExportImportTest, GarbageAndForeignFilesAreRejected) {
  std::mt19937 rng(11);
  for (int round = 0; round < 200; ++round) {
    std::string bytes(std::uniform_int_distribution<int>(0, 600)(rng), '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    if (round % 2 == 0 && bytes.size() >= 8) bytes.replace(0, 8, "TLEXPv01");  // past the magic
    WriteFileBytes(dir_.Sub("garbage"), bytes);
    ASSERT_CODE(kInvalidArgument, store_->Import(dir_.Sub("garbage"), "copy", Admin())) << "round " << round;
  }
  auto foreign = store_->Import(dir_.Sub("store") + "/data.mdb", "copy", Admin());
  ASSERT_CODE(kInvalidArgument, foreign);
  EXPECT_NE(foreign.status().message().find("not a tenantlog export"), std::string::npos);
  EXPECT_CODE(kIOError, store_->Import(dir_.Sub("missing"), "copy", Admin()));
  EXPECT_CODE(kNotFound, store_->Describe("copy"));
}

}  // namespace
}  // namespace tenantlog::test
