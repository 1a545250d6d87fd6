// A reader process killed (SIGKILL) while it holds a read transaction does
// not make the store grow without bound: a process that keeps the store open
// and keeps writing frees the dead reader's slot, and LMDB reuses the pages
// the dead snapshot pinned.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "util/forked_child.h"
#include "util/raw_lmdb.h"
#include "util/store_helpers.h"
#include "util/temp_dir.h"

namespace tenantlog::test {
namespace {

constexpr char kTenant[] = "churn";
constexpr int kRoundsPerPhase = 600;

uint64_t DataFileBytes(const std::string& dir) {
  return std::filesystem::file_size(std::filesystem::path(dir) / "data.mdb");
}

// Rewrites the same few pages over and over: small appends that overwrite
// view keys, a read that catches the view up, and now and then a rewind that
// rebuilds the view. Each round is a few write transactions that free
// (copy-on-write) about as many pages as they fill, so the file stays put
// unless an old snapshot keeps the freed pages from being reused.
void Churn(Store& store, int rounds, uint64_t* round_counter) {
  for (int i = 0; i < rounds; ++i) {
    const uint64_t n = (*round_counter)++;
    ASSERT_OK(store.Append(kTenant, PutBatch("k" + std::to_string(n % 16), std::string(600, 'a' + n % 26))));
    ASSERT_OK(store.Get(kTenant, "k" + std::to_string(n % 16)));
    if (n % 50 == 49) {
      ASSERT_OK_AND_ASSIGN(TenantInfo info, store.Describe(kTenant));
      ASSERT_OK(store.Rewind(kTenant, Point::AtSeq(info.head_seq - 20), Admin("churn")));
    }
  }
}

// Growth of the data file over one phase of churn.
uint64_t GrowthOver(Store& store, const std::string& dir, uint64_t* round_counter) {
  const uint64_t before = DataFileBytes(dir);
  Churn(store, kRoundsPerPhase, round_counter);
  return DataFileBytes(dir) - before;
}

TEST(StaleReaderTest, AKilledReaderDoesNotMakeTheStoreGrowWithoutBound) {
  TempDir dir;
  const std::string store_dir = dir.Sub("store");
  // This handle stays open for the whole test, as a long-running server's does.
  auto store = OpenOrDie(store_dir, TestOptions());
  ASSERT_NE(store, nullptr);
  uint64_t rounds = 0;
  Churn(*store, kRoundsPerPhase, &rounds);  // the store reaches its working size
  const uint64_t alone = GrowthOver(*store, store_dir, &rounds);

  // A reader in another process holds a snapshot: the freed pages cannot be
  // reused, and the same churn grows the file. This is what a reader that
  // died with its transaction open would do for ever if its slot stayed.
  ForkedChild reader([&](ChildReporter& out) {
    WithReadTransaction(store_dir, [&] {
      out.Report("holding");
      ::pause();
    });
    return 0;
  });
  ASSERT_EQ(reader.NextLine(std::chrono::seconds(30)), std::optional<std::string>("holding"));
  const uint64_t pinned = GrowthOver(*store, store_dir, &rounds);

  reader.KillAndCollect();
  ASSERT_TRUE(reader.killed_by_sigkill());
  const uint64_t after_kill = GrowthOver(*store, store_dir, &rounds);
  const uint64_t later = GrowthOver(*store, store_dir, &rounds);

  std::printf("stale reader: data file growth over %d rounds of churn: %llu bytes alone, %llu with a "
              "live reader, %llu after it was killed, %llu later; file %llu bytes\n",
              kRoundsPerPhase, static_cast<unsigned long long>(alone),
              static_cast<unsigned long long>(pinned), static_cast<unsigned long long>(after_kill),
              static_cast<unsigned long long>(later),
              static_cast<unsigned long long>(DataFileBytes(store_dir)));
  // The churn is enough to show the effect of a pinned snapshot...
  EXPECT_GT(pinned, 4 * alone + (1u << 20));
  // ...and once the reader is dead the pages it pinned are reused: the file
  // grows no more than it does with no reader at all.
  EXPECT_LE(after_kill, alone);
  EXPECT_LE(later, alone);
  ASSERT_OK_AND_ASSIGN(VerifyReport verify, store->Verify({}));
  EXPECT_TRUE(verify.ok);
}

}  // namespace
}  // namespace tenantlog::test
