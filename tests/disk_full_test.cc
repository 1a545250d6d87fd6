// A store whose disk fills up: writes fail cleanly with an IOError that says
// the space ran out, nothing committed is lost, reads go on, and once space
// is freed the same Store handle writes again, as does a reopened one.
//
// Where a small tmpfs can be mounted (root), the disk really fills; elsewhere
// the test falls back to a store capped by Options::max_map_bytes. A failed
// write of an LMDB meta page, which makes LMDB shut its handle down for good
// (MDB_PANIC), is injected below LMDB.
#include <dlfcn.h>
#include <errno.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "tenantlog/reducer.h"
#include "util/files.h"
#include "util/store_helpers.h"
#include "util/temp_dir.h"
#include "util/tmpfs_mount.h"

// Fault injection: this pwrite() stands in for the C library's in every
// library of the process (LMDB calls it through the dynamic linker), and
// fails the next write into the first two pages of a file (LMDB's meta
// pages) when asked to.
namespace {
std::atomic<bool> fail_next_meta_page_write{false};
}  // namespace

extern "C" ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset) {
  using Pwrite = ssize_t (*)(int, const void*, size_t, off_t);
  static const Pwrite real = reinterpret_cast<Pwrite>(::dlsym(RTLD_NEXT, "pwrite"));
  if (offset < 2 * 4096 && fail_next_meta_page_write.exchange(false)) {
    errno = EIO;
    return -1;
  }
  return real(fd, buf, count, offset);
}

namespace tenantlog::test {
namespace {

constexpr uint64_t kDiskBytes = uint64_t{8} << 20;
constexpr uint64_t kFillerBytes = uint64_t{2} << 20;
constexpr char kFill[] = "fill";
constexpr char kKeep[] = "keep";

struct Committed {
  uint64_t last_seq = 0;
  uint64_t chain = 0;
};

AppendBatch FillBatch(uint64_t n) {
  AppendBatch b;
  for (int i = 0; i < 16; ++i) {
    b.Put("fill.put", "k" + std::to_string((n * 16 + i) % 64),
          std::string(2000, static_cast<char>('a' + n % 26)));
  }
  return b;
}

// Appends batches until one fails, and returns that failure. Every batch
// that committed is added to `committed`.
Status FillUntilFailure(Store& store, std::vector<Committed>* committed) {
  for (uint64_t n = 0; n < 100000; ++n) {
    auto r = store.Append(kFill, FillBatch(n));
    if (!r.ok()) return r.status();
    committed->push_back(Committed{r->last_seq, r->chain_head});
  }
  return Status::InvalidArgument("the store never filled up");
}

// Every batch reported committed is in the log with its chain head, the
// store verifies clean and a tenant's view reads.
void ExpectNothingLost(Store& store, const std::vector<Committed>& committed) {
  ASSERT_OK_AND_ASSIGN(TenantInfo info, store.Describe(kFill));
  ASSERT_OK_AND_ASSIGN(std::vector<Event> log,
                       store.ReadLog(kFill, 1, std::numeric_limits<size_t>::max()));
  ASSERT_EQ(log.size(), info.head_seq);
  for (const Committed& c : committed) {
    ASSERT_LE(c.last_seq, log.size()) << "a committed batch is gone";
    EXPECT_EQ(log[c.last_seq - 1].chain, c.chain) << "seq " << c.last_seq;
  }
  ASSERT_OK_AND_ASSIGN(VerifyReport verify, store.Verify({}));
  EXPECT_TRUE(verify.ok);
  ASSERT_OK_AND_ASSIGN(std::string kept, store.Get(kKeep, "k"));
  EXPECT_EQ(kept, "kept");
}

std::unique_ptr<Store> OpenWithKeptTenant(const std::string& dir, const Options& options) {
  auto store = OpenOrDie(dir, options);
  if (store == nullptr) return nullptr;
  EXPECT_OK(store->Append(kKeep, PutBatch("k", "kept")));
  EXPECT_OK(store->Get(kKeep, "k"));  // its view is current
  return store;
}

void FillARealDisk(const TmpfsMount& disk) {
  // Freeing space later is deleting this file.
  const std::string filler = disk.dir() + "/filler";
  WriteFileBytes(filler, std::string(kFillerBytes, 'f'));
  const std::string store_dir = disk.dir() + "/store";
  auto store = OpenWithKeptTenant(store_dir, Options());
  ASSERT_NE(store, nullptr);

  std::vector<Committed> committed;
  Status full = FillUntilFailure(*store, &committed);
  ASSERT_CODE(kIOError, full);
  EXPECT_NE(full.message().find("no space left on the device"), std::string::npos) << full.message();
  const uint64_t batches_before_full = committed.size();
  // The handle goes on failing cleanly, and reads go on.
  for (int i = 0; i < 3; ++i) {
    auto again = store->Append(kFill, FillBatch(committed.size()));
    ASSERT_CODE(kIOError, again);
    EXPECT_NE(again.status().message().find("no space left"), std::string::npos);
    ExpectNothingLost(*store, committed);
  }

  std::filesystem::remove(filler);
  ASSERT_OK_AND_ASSIGN(AppendResult more, store->Append(kFill, FillBatch(committed.size())));
  committed.push_back(Committed{more.last_seq, more.chain_head});
  ASSERT_OK(store->Get(kFill, "k0"));
  ExpectNothingLost(*store, committed);

  store = OpenOrDie(store_dir, Options());
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(more, store->Append(kFill, FillBatch(committed.size())));
  committed.push_back(Committed{more.last_seq, more.chain_head});
  ExpectNothingLost(*store, committed);
  std::printf("disk full: on an %llu MiB tmpfs, %llu batches committed before the disk filled; "
              "the failure: %s\n",
              static_cast<unsigned long long>(kDiskBytes >> 20),
              static_cast<unsigned long long>(batches_before_full), full.ToString().c_str());
}

void FillACappedStore(const std::string& store_dir) {
  Options capped;
  capped.initial_map_bytes = 1 << 20;
  capped.max_map_bytes = 4 << 20;
  auto store = OpenWithKeptTenant(store_dir, capped);
  ASSERT_NE(store, nullptr);
  std::vector<Committed> committed;
  Status full = FillUntilFailure(*store, &committed);
  ASSERT_CODE(kIOError, full);
  EXPECT_NE(full.message().find("store is full"), std::string::npos) << full.message();
  ASSERT_CODE(kIOError, store->Append(kFill, FillBatch(committed.size())));
  ExpectNothingLost(*store, committed);

  // A capped store gets room by being reopened with a higher cap.
  store = OpenOrDie(store_dir, Options());
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(AppendResult more, store->Append(kFill, FillBatch(committed.size())));
  committed.push_back(Committed{more.last_seq, more.chain_head});
  ExpectNothingLost(*store, committed);
  std::printf("disk full: on a store capped at 4 MiB by Options::max_map_bytes; the failure: %s\n",
              full.ToString().c_str());
}

TEST(DiskFullTest, WritesFailCleanlyWhenTheDiskFillsAndWorkAgainOnceSpaceIsFreed) {
  TempDir dir;
  TmpfsMount disk(dir.Sub("disk"), kDiskBytes);
  if (disk.mounted()) {
    FillARealDisk(disk);
  } else {
    std::printf("disk full: no tmpfs (%s), falling back to a capped store\n", disk.error().c_str());
    FillACappedStore(dir.Sub("store"));
  }
}

// Counts the data events it folds.
class CountingReducer : public Reducer {
 public:
  std::string name() const override { return "counting"; }
  uint32_t version() const override { return 1; }
  Status Apply(const Event& e, MutableView* view) const override {
    applied_.fetch_add(1);
    view->Put(e.key, e.payload);
    return Status::OK();
  }
  uint64_t applied() const { return applied_.load(); }

 private:
  mutable std::atomic<uint64_t> applied_{0};
};

TEST(DiskFullTest, AViewThatIsBehindReadsWhenTheStoreIsFull) {
  TempDir dir;
  Options capped;
  capped.initial_map_bytes = 1 << 20;
  capped.max_map_bytes = 4 << 20;
  auto counting = std::make_shared<CountingReducer>();
  capped.reducers.push_back(counting);
  auto store = OpenWithKeptTenant(dir.Sub("store"), capped);
  ASSERT_NE(store, nullptr);
  std::vector<Committed> committed;
  ASSERT_CODE(kIOError, FillUntilFailure(*store, &committed));
  // The view of kFill has never been read: it is behind the log, and
  // catching it up needs a write the full store refuses.
  ASSERT_OK_AND_ASSIGN(std::string v, store->Get(kFill, "k0"));
  EXPECT_EQ(v.size(), 2000u);
  ASSERT_OK_AND_ASSIGN(std::vector<KeyValue> list, store->List(kFill));
  EXPECT_EQ(list.size(), 64u);
  // A view never built is rebuilt: its fold answers the read although the
  // full store cannot keep it, rather than the log being folded again.
  ReadOptions counting_view;
  counting_view.view = "counting";
  ASSERT_OK_AND_ASSIGN(TenantInfo info, store->Describe(kFill));
  const uint64_t rebuilds_before = store->view_stats().rebuilds;
  ASSERT_OK_AND_ASSIGN(list, store->List(kFill, counting_view));
  EXPECT_EQ(list.size(), 64u);
  EXPECT_EQ(counting->applied(), info.head_seq);
  EXPECT_EQ(store->view_stats().rebuilds, rebuilds_before + 1);
  // It was not stored: the next read folds it again.
  ASSERT_OK_AND_ASSIGN(std::string v0, store->Get(kFill, "k0", counting_view));
  EXPECT_EQ(v0, v);
  EXPECT_EQ(counting->applied(), 2 * info.head_seq);
}

TEST(WriteFailureTest, AFailedMetaPageWriteShutsLmdbDownAndTheStoreReopensIt) {
  TempDir dir;
  const std::string store_dir = dir.Sub("store");
  auto store = OpenOrDie(store_dir, Options());
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Append("t", PutBatch("a", "1")));

  fail_next_meta_page_write = true;
  auto failed = store->Append("t", PutBatch("b", "2"));
  ASSERT_FALSE(fail_next_meta_page_write) << "no meta page was written";
  ASSERT_CODE(kIOError, failed);

  // LMDB now refuses every transaction of its handle (MDB_PANIC); the store
  // replaces the handle and goes on, without the failed batch.
  ASSERT_OK_AND_ASSIGN(TenantInfo info, store->Describe("t"));
  EXPECT_EQ(info.head_seq, 1u);
  EXPECT_CODE(kNotFound, store->Get("t", "b"));
  ASSERT_OK(store->Append("t", PutBatch("c", "3")));
  ASSERT_OK_AND_ASSIGN(std::string c, store->Get("t", "c"));
  EXPECT_EQ(c, "3");
  ASSERT_OK_AND_ASSIGN(VerifyReport verify, store->Verify({}));
  EXPECT_TRUE(verify.ok);

  store = OpenOrDie(store_dir, Options());
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(info, store->Describe("t"));
  EXPECT_EQ(info.head_seq, 2u);
  ASSERT_OK_AND_ASSIGN(std::vector<KeyValue> list, store->List("t"));
  EXPECT_EQ(Payloads(list), (std::map<std::string, std::string>{{"a", "1"}, {"c", "3"}}));
}

}  // namespace
}  // namespace tenantlog::test
