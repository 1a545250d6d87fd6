// Concurrent use of one store: writer threads and a second process append to
// a shared tenant and to tenants of their own, reader threads read the raw
// log, the current view and views as of earlier points, and an admin thread
// rewinds the shared tenant and tombstones and restores another, all at once.
//
// Afterwards no append is lost, duplicated or reordered: every successful
// append's returned seqs hold exactly its events, and every other seq of a
// log is a control event of a successful admin call. While it runs, every
// read is one consistent snapshot: each batch writes three keys of its
// writer with the same payload, so a read that saw part of a batch would
// show them different; a writer's own tenant holds 3 events per batch, so a
// log read that saw part of a batch would end mid-batch, and the view as of
// any complete log must count its batches; and the state as of a seq, once
// read, never changes.
//
// Run under ThreadSanitizer by .ci/run.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tenantlog/store.h"
#include "util/store_helpers.h"
#include "util/temp_dir.h"
#include "util/test_clock.h"

namespace tenantlog::test {
namespace {

constexpr size_t kAll = std::numeric_limits<size_t>::max();
constexpr int kWriterThreads = 3;
constexpr int kBatchesPerWriter = 120;  // per tenant written
constexpr int kChildBatches = 120;
constexpr uint64_t kEventsPerBatch = 3;

// Batch `n` of writer `w`: its keys w/a, w/b and w/count, each with payload
// n (its count of batches so far), in one atomic append.
AppendBatch WriterBatch(const std::string& writer, int n) {
  AppendBatch batch;
  for (const char* key : {"/a", "/b", "/count"}) batch.Put("test.put", writer + key, std::to_string(n));
  return batch;
}

// One successful append, as its caller saw it.
struct Appended {
  std::string tenant;
  std::string writer;
  int n = 0;
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
};

// Checks that a view shows every writer's three keys together with the same
// payload, or none of them. Returns "" or what is wrong.
std::string CheckBatchesWhole(const std::vector<KeyValue>& view) {
  std::map<std::string, std::map<std::string, std::string>> by_writer;
  for (const KeyValue& kv : view) {
    const size_t slash = kv.key.find('/');
    if (slash == std::string::npos) return "unexpected key " + kv.key;
    by_writer[kv.key.substr(0, slash)][kv.key.substr(slash)] = kv.payload;
  }
  for (const auto& [writer, keys] : by_writer) {
    if (keys.size() != 3 || keys.count("/a") == 0 || keys.count("/b") == 0 ||
        keys.count("/count") == 0 || keys.at("/a") != keys.at("/b") ||
        keys.at("/a") != keys.at("/count")) {
      std::string text = "writer " + writer + " shows part of a batch:";
      for (const auto& [key, payload] : keys) text += " " + key + "=" + payload;
      return text;
    }
  }
  return "";
}

std::string Serialize(const std::vector<KeyValue>& view) {
  std::string text;
  for (const KeyValue& kv : view) text += kv.key + "=" + kv.payload + ";";
  return text;
}

class ConcurrencyTest : public ::testing::Test {
 protected:
  // Records a failure seen on a worker thread.
  void Fail(const std::string& what) {
    std::lock_guard<std::mutex> lock(mu_);
    if (failures_.size() < 20) failures_.push_back(what);
  }

  void Record(Appended appended) {
    std::lock_guard<std::mutex> lock(mu_);
    appended_.push_back(std::move(appended));
  }

  // Appends batches `first`..`last` of `writer` to `tenant`, retrying a
  // batch refused because the tenant is tombstoned at the moment.
  void Write(Store& store, const std::string& tenant, const std::string& writer, int first, int last) {
    for (int n = first; n <= last;) {
      auto appended = store.Append(tenant, WriterBatch(writer, n));
      if (appended.status().IsTenantDeleted()) {
        std::this_thread::yield();
        continue;
      }
      if (!appended.ok()) return Fail(tenant + ": " + appended.status().ToString());
      if (appended->last_seq - appended->first_seq + 1 != kEventsPerBatch) {
        return Fail(tenant + ": a batch of 3 got seqs " + std::to_string(appended->first_seq) + ".." +
                    std::to_string(appended->last_seq));
      }
      Record({tenant, writer, n, appended->first_seq, appended->last_seq});
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (tenant == "shared") batch_ends_.push_back(appended->last_seq);
      }
      ++n;
    }
  }

  // Reads the shared tenant: its current view and its views as of earlier
  // points, which must never change once read.
  void ReadShared(Store& store, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::map<uint64_t, std::string> seen_as_of;
    while (!done_.load()) {
      auto now = store.List("shared");
      if (now.ok()) {
        if (std::string e = CheckBatchesWhole(*now); !e.empty()) Fail("List(shared): " + e);
      } else if (!now.status().IsNotFound()) {
        Fail("List(shared): " + now.status().ToString());
      }
      auto info = store.Describe("shared");
      if (!info.ok() || info->head_seq == 0) continue;
      const uint64_t s = std::uniform_int_distribution<uint64_t>(0, info->head_seq)(rng);
      ReadOptions as_of;
      as_of.as_of = Point::AtSeq(s);
      auto then = store.List("shared", as_of);
      if (!then.ok()) {
        Fail("List(shared) as of " + std::to_string(s) + ": " + then.status().ToString());
        continue;
      }
      // A seq inside a batch shows part of it; only batch ends are checked whole.
      auto log = store.ReadLog("shared", s, 2);
      if (log.ok() && !log->empty() && (log->size() == 1 || (*log)[1].key.find('/') == std::string::npos ||
                                        (*log)[1].key.ends_with("/a"))) {
        if (std::string e = CheckBatchesWhole(*then); !e.empty()) {
          Fail("List(shared) as of " + std::to_string(s) + ": " + e);
        }
      }
      const std::string text = Serialize(*then);
      auto [it, inserted] = seen_as_of.emplace(s, text);
      if (!inserted && it->second != text) {
        Fail("the state as of seq " + std::to_string(s) + " changed from " + it->second + " to " + text);
      }
      auto got = store.Get("shared", "w0/a", as_of);
      auto list_a = std::find_if(then->begin(), then->end(), [](const KeyValue& kv) { return kv.key == "w0/a"; });
      if (got.ok() != (list_a != then->end()) || (got.ok() && *got != list_a->payload)) {
        Fail("Get(shared, w0/a) as of " + std::to_string(s) + " disagrees with List");
      }
    }
  }

  // Reads the writers' own tenants: a log read ends at a batch end, the view
  // as of that end counts its batches, and the current count never goes back.
  void ReadOwn(Store& store) {
    std::map<std::string, int> last_count;
    while (!done_.load()) {
      for (int w = 0; w < kWriterThreads; ++w) {
        const std::string writer = "w" + std::to_string(w);
        const std::string tenant = "own-" + writer;
        auto count = store.Get(tenant, writer + "/count");
        if (count.ok()) {
          const int c = std::stoi(*count);
          if (c < last_count[tenant]) Fail(tenant + ": the count went back from " +
                                           std::to_string(last_count[tenant]) + " to " + *count);
          last_count[tenant] = c;
        } else if (!count.status().IsNotFound()) {
          Fail("Get(" + tenant + "): " + count.status().ToString());
        }
        auto log = store.ReadLog(tenant, 1, kAll);
        if (!log.ok()) {
          if (!log.status().IsNotFound()) Fail("ReadLog(" + tenant + "): " + log.status().ToString());
          continue;
        }
        const uint64_t head = log->size();
        if (head % kEventsPerBatch != 0) Fail(tenant + ": a log read ends mid-batch at " + std::to_string(head));
        for (uint64_t i = 0; i < head; ++i) {
          if ((*log)[i].seq != i + 1) Fail(tenant + ": the log skips or repeats seqs");
        }
        ReadOptions as_of;
        as_of.as_of = Point::AtSeq(head);
        auto view = store.List(tenant, as_of);
        if (!view.ok()) {
          Fail("List(" + tenant + ") as of " + std::to_string(head) + ": " + view.status().ToString());
          continue;
        }
        if (std::string e = CheckBatchesWhole(*view); !e.empty()) Fail(tenant + ": " + e);
        const std::string expected = std::to_string(head / kEventsPerBatch);
        if (head > 0 && (view->size() != 3 || (*view)[1].payload != expected)) {
          Fail(tenant + ": the view as of seq " + std::to_string(head) + " does not count " + expected +
               " batches: " + Serialize(*view));
        }
      }
    }
  }

  // Every kAdminEvery appends the writers report, rewinds the shared tenant
  // to a batch end that writers reported, and tombstones and restores the
  // tenant "flip", until the writers are done.
  void Administer(Store& store) {
    constexpr size_t kAdminEvery = 25;
    std::mt19937_64 rng(7);
    for (size_t next = kAdminEvery; !done_.load();) {
      uint64_t target = 0;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (appended_.size() < next) {
          target = 0;
        } else if (!batch_ends_.empty()) {
          target = batch_ends_[std::uniform_int_distribution<size_t>(0, batch_ends_.size() - 1)(rng)];
        }
      }
      if (target == 0) {
        std::this_thread::sleep_for(std::chrono::microseconds(100));
        continue;
      }
      next += kAdminEvery;
      auto rewound = store.Rewind("shared", Point::AtSeq(target), Admin("concurrency"));
      if (!rewound.ok()) {
        Fail("Rewind: " + rewound.status().ToString());
      } else if (rewound->marker_seq != 0) {
        std::lock_guard<std::mutex> lock(mu_);
        control_seqs_["shared"].insert(rewound->marker_seq);
        batch_ends_.push_back(rewound->marker_seq);
      }
      auto tombstoned = store.Tombstone({"flip"}, Admin("concurrency"));
      if (!tombstoned.ok() && !tombstoned.status().IsRefused()) {  // Refused: not created yet
        Fail("Tombstone: " + tombstoned.status().ToString());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      if (tombstoned.ok() && !tombstoned->changed.empty()) {
        ++flips_;
        auto restored = store.Restore({"flip"}, Admin("concurrency"));
        if (!restored.ok() || restored->changed.size() != 1) {
          Fail("Restore: " + restored.status().ToString());
        }
      }
    }
  }

  // Checks that the log of `tenant` holds exactly the successful appends at
  // their seqs, and control events at every other seq.
  void CheckLog(Store& store, const std::string& tenant, uint64_t control_events) {
    SCOPED_TRACE(tenant);
    ASSERT_OK_AND_ASSIGN(std::vector<Event> log, store.ReadLog(tenant, 1, kAll));
    ASSERT_OK_AND_ASSIGN(TenantInfo info, store.Describe(tenant));
    EXPECT_EQ(info.head_seq, log.size());
    for (size_t i = 0; i < log.size(); ++i) ASSERT_EQ(log[i].seq, i + 1) << "the log skips or repeats seqs";
    std::set<uint64_t> data_seqs;
    for (const Appended& a : appended_) {
      if (a.tenant != tenant) continue;
      ASSERT_LE(a.last_seq, log.size()) << "an append's seqs are missing from the log";
      const AppendBatch batch = WriterBatch(a.writer, a.n);
      for (uint64_t seq = a.first_seq; seq <= a.last_seq; ++seq) {
        const Event& e = log[seq - 1];
        const DataEvent& written = batch.events()[seq - a.first_seq];
        EXPECT_TRUE(data_seqs.insert(seq).second) << "seq " << seq << " returned to two appends";
        EXPECT_EQ(e.kind, EventKind::kData) << "seq " << seq;
        EXPECT_EQ(e.key, written.key) << "seq " << seq;
        EXPECT_EQ(e.payload, written.payload) << "seq " << seq;
      }
    }
    uint64_t control = 0;
    for (const Event& e : log) {
      if (e.kind == EventKind::kData) {
        EXPECT_EQ(data_seqs.count(e.seq), 1u) << "data event at seq " << e.seq << " that no append returned";
      } else {
        ++control;
        EXPECT_EQ(data_seqs.count(e.seq), 0u);
      }
    }
    EXPECT_EQ(control, control_events);
  }

  TempDir dir_;
  std::atomic<bool> done_{false};
  std::atomic<int> flips_{0};
  std::mutex mu_;
  std::vector<std::string> failures_;            // guarded by mu_
  std::vector<Appended> appended_;               // guarded by mu_
  std::vector<uint64_t> batch_ends_;             // of "shared"; guarded by mu_
  std::map<std::string, std::set<uint64_t>> control_seqs_;  // guarded by mu_
};

TEST_F(ConcurrencyTest, ThreadsAndAProcessLoseNothingAndReadsAreSnapshots) {
  // The second process is forked before this one starts any thread or opens
  // the store, and opens a Store of its own. It appends when told to, and
  // reports each append as "tenant n first last" lines on a pipe.
  int go[2], report[2];
  ASSERT_EQ(pipe(go), 0);
  ASSERT_EQ(pipe(report), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(go[1]);
    close(report[0]);
    char byte;
    if (read(go[0], &byte, 1) != 1) _exit(2);
    std::unique_ptr<Store> store;
    if (!Store::Open(TestOptions(), dir_.path(), &store).ok()) _exit(3);
    for (const char* tenant : {"shared", "child-own"}) {
      for (int n = 1; n <= kChildBatches;) {
        auto appended = store->Append(tenant, WriterBatch("child", n));
        if (!appended.ok()) _exit(4);
        const std::string line = std::string(tenant) + " " + std::to_string(n) + " " +
                                 std::to_string(appended->first_seq) + " " +
                                 std::to_string(appended->last_seq) + "\n";
        if (write(report[1], line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(5);
        ++n;
      }
    }
    store.reset();
    _exit(0);
  }
  close(go[0]);
  close(report[1]);

  auto store = OpenOrDie(dir_.path(), TestOptions());
  ASSERT_NE(store, nullptr);
  std::vector<std::thread> writers, others;
  for (int w = 0; w < kWriterThreads; ++w) {
    const std::string writer = "w" + std::to_string(w);
    writers.emplace_back([&, writer] {
      Write(*store, "shared", writer, 1, kBatchesPerWriter);
      Write(*store, "own-" + writer, writer, 1, kBatchesPerWriter);
    });
  }
  // "flip" is written to until it has been tombstoned and restored a few
  // times while its writer was at work.
  std::atomic<int> flip_batches{0};
  writers.emplace_back([&] {
    int n = 1;
    for (; n <= kBatchesPerWriter || flips_.load() < 3; ++n) Write(*store, "flip", "f", n, n);
    flip_batches = n - 1;
  });
  others.emplace_back([&] { ReadShared(*store, 1); });
  others.emplace_back([&] { ReadShared(*store, 2); });
  others.emplace_back([&] { ReadOwn(*store); });
  others.emplace_back([&] { Administer(*store); });
  ASSERT_EQ(write(go[1], "g", 1), 1);
  close(go[1]);

  std::string child_report;
  char buffer[4096];
  for (ssize_t n; (n = read(report[0], buffer, sizeof buffer)) > 0;) child_report.append(buffer, n);
  close(report[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  for (auto& thread : writers) thread.join();
  done_ = true;
  for (auto& thread : others) thread.join();
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the child process failed: " << status;
  for (const std::string& failure : failures_) ADD_FAILURE() << failure;

  size_t child_appends = 0;
  for (size_t start = 0; start < child_report.size();) {
    const size_t end = child_report.find('\n', start);
    char tenant[32];
    Appended a;
    unsigned long long first = 0, last = 0;
    ASSERT_EQ(sscanf(child_report.substr(start, end - start).c_str(), "%31s %d %llu %llu", tenant, &a.n,
                     &first, &last),
              4);
    a.tenant = tenant;
    a.writer = "child";
    a.first_seq = first;
    a.last_seq = last;
    appended_.push_back(a);
    ++child_appends;
    start = end + 1;
  }
  EXPECT_EQ(child_appends, 2u * kChildBatches);
  ASSERT_EQ(appended_.size(),
            2u * kChildBatches + 2u * kWriterThreads * kBatchesPerWriter + flip_batches.load());

  CheckLog(*store, "shared", control_seqs_["shared"].size());
  CheckLog(*store, "child-own", 0);
  CheckLog(*store, "flip", 2 * static_cast<uint64_t>(flips_.load()));
  for (int w = 0; w < kWriterThreads; ++w) CheckLog(*store, "own-w" + std::to_string(w), 0);
  EXPECT_GT(control_seqs_["shared"].size(), 0u) << "no rewind ran while the writers wrote";
  EXPECT_GE(flips_.load(), 3);
  ASSERT_OK_AND_ASSIGN(std::vector<KeyValue> shared, store->List("shared"));
  EXPECT_EQ(CheckBatchesWhole(shared), "");
  ASSERT_OK_AND_ASSIGN(VerifyReport verified, store->Verify({}));
  EXPECT_TRUE(verified.ok);
}

}  // namespace
}  // namespace tenantlog::test
