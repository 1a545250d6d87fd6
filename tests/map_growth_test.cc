// The LMDB map grows by itself, past 4 GiB, while reads never pause, and
// while a long read is open without holding other reads back; a size-capped
// store fails cleanly when full and works again with room; a map grown by
// another process is adopted.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "util/gated_reducer.h"
#include "util/store_helpers.h"
#include "util/temp_dir.h"
#include "util/tmpfs_mount.h"

namespace tenantlog::test {
namespace {

AppendBatch Bulk(int first, int count, size_t payload_bytes) {
  AppendBatch b;
  for (int i = first; i < first + count; ++i) {
    b.Put("bulk.put", "key/" + std::to_string(i), std::string(payload_bytes, static_cast<char>('a' + i % 26)));
  }
  return b;
}

TEST(MapGrowthTest, AppendsNeverFailForLackOfMapSpace) {
  TempDir dir;
  Options options = TestOptions();
  options.initial_map_bytes = 1 << 20;
  auto store = OpenOrDie(dir.path(), options);
  for (int round = 0; round < 40; ++round) {
    ASSERT_OK(store->Append("big", Bulk(round * 100, 100, 4000))) << "round " << round;
  }
  ASSERT_OK_AND_ASSIGN(TenantInfo info, store->Describe("big"));
  EXPECT_EQ(info.head_seq, 4000u);
  ASSERT_OK_AND_ASSIGN(std::string v, store->Get("big", "key/3999"));
  EXPECT_EQ(v.size(), 4000u);
  ASSERT_OK_AND_ASSIGN(VerifyReport verify, store->Verify({}));
  EXPECT_TRUE(verify.ok);
}

// The map grows while other threads read without pause, and every read and
// append succeeds. (That a growth waits for the reads open when it asks and
// those begun meanwhile, not for a moment with none open, is
// draining_mutex_test's.)
TEST(MapGrowthTest, TheMapGrowsWhileReadsNeverPause) {
  TempDir dir;
  Options options = TestOptions();
  options.initial_map_bytes = 1 << 20;
  auto store = OpenOrDie(dir.path(), options);
  ASSERT_OK(store->Append("read", Bulk(0, 1, 10)));
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&] {
      while (!stop.load()) EXPECT_OK(store->Get("read", "key/0"));
    });
  }
  auto appends = std::async(std::launch::async, [&]() -> Status {
    for (int round = 0; round < 40; ++round) {
      Status s = store->Append("big", Bulk(round * 100, 100, 4000)).status();
      if (!s.ok()) return s;
    }
    return Status::OK();
  });
  const bool finished = appends.wait_for(std::chrono::seconds(60)) == std::future_status::ready;
  stop.store(true);
  for (auto& reader : readers) reader.join();
  ASSERT_TRUE(finished) << "appends that grow the map waited 60 s for the reads to pause";
  EXPECT_OK(appends.get());
}

// A growth waits for the reads open when it asks, however long one takes
// (a backup's copy, a long fold), but does not hold other reads back
// meanwhile.
TEST(MapGrowthTest, AGrowthWaitingForALongReadHoldsNoOtherReadBack) {
  TempDir dir;
  auto gate = std::make_shared<GatedReducer>();
  Options options = TestOptions();
  options.initial_map_bytes = 1 << 20;
  options.reducers.push_back(gate);
  auto store = OpenOrDie(dir.path(), options);
  ASSERT_OK(store->Append("long", PutBatch("gate", "g")));
  ASSERT_OK(store->Append("read", PutBatch("k", "v")));
  ReadOptions gated;
  gated.view = "gated";
  auto long_read = std::async(std::launch::async, [&] { return store->List("long", gated); });
  ASSERT_TRUE(gate->WaitForFold());
  // 2 MB in one batch, more than the whole map: the map must grow, and the
  // growth must wait for the long read.
  auto append = std::async(std::launch::async, [&] { return store->Append("big", Bulk(0, 500, 4000)).status(); });
  // Reads for half a second, most of them begun while the growth waits.
  auto reads = std::async(std::launch::async, [&]() -> Result<int> {
    int done = 0;
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    while (std::chrono::steady_clock::now() < until) {
      Status s = store->Get("read", "k").status();
      if (!s.ok()) return s;
      ++done;
    }
    return done;
  });
  const bool reads_finished = reads.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  const bool append_finished_early = append.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
  gate->Open();
  EXPECT_TRUE(reads_finished) << "reads waited 10 s behind a growth that waits for a long read";
  ASSERT_OK_AND_ASSIGN(int reads_done, reads.get());
  EXPECT_GT(reads_done, 0);
  EXPECT_FALSE(append_finished_early) << "the map grew under an open read";
  ASSERT_OK(append.get());
  ASSERT_OK_AND_ASSIGN(std::vector<KeyValue> folded, long_read.get());
  EXPECT_EQ(folded.size(), 1u);
  ASSERT_OK_AND_ASSIGN(std::string v, store->Get("big", "key/499"));
  EXPECT_EQ(v.size(), 4000u);
  EXPECT_FALSE(gate->TimedOut());
}

constexpr uint64_t kGiB = uint64_t{1} << 30;

// A 4 MiB blob whose first and last 4 bytes hold `n`.
std::string Blob(uint32_t n) {
  std::string blob(4 << 20, static_cast<char>('a' + n % 26));
  std::memcpy(blob.data(), &n, sizeof(n));
  std::memcpy(blob.data() + blob.size() - sizeof(n), &n, sizeof(n));
  return blob;
}

// 4.5 GiB of events, so the map doubles from 1 GiB to 8 GiB and pages lie
// past byte 2^32 of the file. In a tmpfs of the test's own where it may
// mount one (memory, not disk; sync off), else in $TMPDIR given room.
TEST(MapGrowthTest, TheMapGrowsPastFourGiBAndEverythingReadsBack) {
  constexpr int kBlobsPerBatch = 16;  // 64 MiB per commit
  constexpr int kBatches = 72;        // 4.5 GiB
  constexpr uint32_t kBlobs = kBlobsPerBatch * kBatches;
  TempDir dir;
  TmpfsMount tmpfs(dir.Sub("fs"), 6 * kGiB);
  const std::string where = tmpfs.mounted() ? tmpfs.dir() : dir.path();
  if (!tmpfs.mounted()) std::printf("map growth: no tmpfs (%s), writing to %s\n", tmpfs.error().c_str(), where.c_str());
  ASSERT_GE(FreeBytes(where), 5 * kGiB) << "the test needs 5 GiB free at " << where;
  const std::string path = where + "/store";
  Options options = TestOptions();
  options.initial_map_bytes = kGiB;
  {
    auto store = OpenOrDie(path, options);
    ASSERT_NE(store, nullptr);
    for (int b = 0; b < kBatches; ++b) {
      AppendBatch batch;
      for (int i = 0; i < kBlobsPerBatch; ++i) {
        const uint32_t n = b * kBlobsPerBatch + i;
        batch.Put("blob.put", "blob/" + std::to_string(n), Blob(n));
      }
      ASSERT_OK(store->Append("huge", batch)) << "batch " << b;
    }
    ASSERT_OK(store->Append("small", PutBatch("k", "v")));
  }
  EXPECT_GT(std::filesystem::file_size(path + "/data.mdb"), 4 * kGiB + kGiB / 4);

  // Reopened: the map is adopted at its grown size, every blob reads back,
  // verify is clean, and the store takes more writes.
  auto store = OpenOrDie(path, options);
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(TenantInfo info, store->Describe("huge"));
  EXPECT_EQ(info.head_seq, kBlobs);
  // The log, not the view: a view of these blobs would be another 4.5 GiB.
  for (uint32_t n : {0u, kBlobs / 2, kBlobs - 2, kBlobs - 1}) {
    ASSERT_OK_AND_ASSIGN(std::vector<Event> events, store->ReadLog("huge", n + 1, 1));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].key, "blob/" + std::to_string(n));
    EXPECT_TRUE(events[0].payload == Blob(n)) << "blob " << n << " of " << events[0].payload.size() << " bytes";
  }
  ASSERT_OK_AND_ASSIGN(VerifyReport verify, store->Verify({}));
  EXPECT_TRUE(verify.ok);
  EXPECT_EQ(verify.events, uint64_t{kBlobs} + 1);
  ASSERT_OK(store->Append("small", PutBatch("after", "growth")));
  ASSERT_OK_AND_ASSIGN(std::string after, store->Get("small", "after"));
  EXPECT_EQ(after, "growth");
}

TEST(MapGrowthTest, AFullStoreFailsCleanlyKeepsWhatWasCommittedAndWorksAgainWithRoom) {
  TempDir dir;
  Options capped = TestOptions();
  capped.initial_map_bytes = 1 << 20;
  capped.max_map_bytes = 4 << 20;
  uint64_t committed = 0;
  {
    auto store = OpenOrDie(dir.path(), capped);
    Status failure;
    for (int round = 0; round < 100 && failure.ok(); ++round) {
      auto r = store->Append("big", Bulk(round * 50, 50, 4000));
      if (r.ok()) {
        committed = r->last_seq;
      } else {
        failure = r.status();
      }
    }
    ASSERT_CODE(kIOError, failure);
    EXPECT_NE(failure.message().find("full"), std::string::npos) << failure.message();
    ASSERT_OK_AND_ASSIGN(TenantInfo info, store->Describe("big"));
    EXPECT_EQ(info.head_seq, committed);  // the failed batch left nothing behind
    ASSERT_OK_AND_ASSIGN(VerifyReport verify, store->Verify({}));
    EXPECT_TRUE(verify.ok);
  }
  Options roomy = TestOptions();
  auto store = OpenOrDie(dir.path(), roomy);
  ASSERT_OK(store->Append("big", Bulk(100000, 50, 4000)));
  ASSERT_OK_AND_ASSIGN(TenantInfo info, store->Describe("big"));
  EXPECT_EQ(info.head_seq, committed + 50);
}

TEST(MapGrowthTest, AMapGrownByAnotherProcessIsAdopted) {
  TempDir dir;
  Options options = TestOptions();
  options.initial_map_bytes = 1 << 20;
  auto store = OpenOrDie(dir.path(), options);
  ASSERT_OK(store->Append("small", PutBatch("k", "v")));
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::unique_ptr<Store> other;
    if (!Store::Open(options, dir.path(), &other).ok()) ::_exit(2);
    for (int round = 0; round < 20; ++round) {
      if (!other->Append("big", Bulk(round * 100, 100, 4000)).ok()) ::_exit(3);
    }
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_OK_AND_ASSIGN(std::string v, store->Get("big", "key/1999"));
  EXPECT_EQ(v.size(), 4000u);
  ASSERT_OK(store->Append("small", Bulk(0, 100, 4000)));
  ASSERT_OK_AND_ASSIGN(VerifyReport verify, store->Verify({}));
  EXPECT_TRUE(verify.ok);
}

}  // namespace
}  // namespace tenantlog::test
