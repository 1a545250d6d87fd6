// The LMDB map grows by itself; a size-capped store fails cleanly when full
// and works again with room; a map grown by another process is adopted.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/store_helpers.h"
#include "util/temp_dir.h"

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
