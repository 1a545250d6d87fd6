// With the default Options (sync on), what an Append reported done is there
// after the appending process is killed (SIGKILL) right after the call
// returned.
//
// A SIGKILL leaves the kernel's page cache alone: this proves that Append
// acknowledges only a commit it has handed to the kernel in full (no
// user-space buffering, no acknowledgement before the group commit ends),
// and that the files reopen cleanly whatever instant the process died. It
// does not prove that the commit reached the disk before a power cut.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <limits>
#include <map>
#include <random>
#include <string>

#include "util/forked_child.h"
#include "util/store_helpers.h"
#include "util/temp_dir.h"

namespace tenantlog::test {
namespace {

constexpr char kTenant[] = "durable";

// One acknowledged append: its last seq and the chain head Append returned.
struct Acknowledged {
  uint64_t seq = 0;
  uint64_t chain = 0;
};

// Appends batches of `seed`-chosen sizes for ever, reporting "<seq> <chain>"
// after each Append returns.
int AppendForEver(const std::string& dir, uint64_t seed, ChildReporter& out) {
  std::unique_ptr<Store> store;
  if (!Store::Open(Options(), dir, &store).ok()) return 2;
  std::mt19937_64 rng(seed);
  for (uint64_t n = 0;; ++n) {
    AppendBatch batch;
    const int events = 1 + static_cast<int>(rng() % 40);
    for (int i = 0; i < events; ++i) {
      batch.Put("durable.put", "k" + std::to_string(rng() % 100),
                std::string(rng() % 3000, static_cast<char>('a' + n % 26)));
    }
    auto r = store->Append(kTenant, batch);
    if (!r.ok()) {
      out.Report("error " + r.status().ToString());
      return 3;
    }
    out.Report(std::to_string(r->last_seq) + " " + std::to_string(r->chain_head));
  }
}

TEST(DurabilityTest, AnAcknowledgedAppendSurvivesAKillRightAfterItReturned) {
  TempDir dir;
  const std::string store_dir = dir.Sub("store");
  std::mt19937_64 rng(std::random_device{}());
  constexpr int kRounds = 30;
  std::map<uint64_t, uint64_t> acknowledged;  // seq -> chain head
  int survived = 0;
  const auto started = std::chrono::steady_clock::now();
  for (int round = 0; round < kRounds; ++round) {
    // The parent kills the child as soon as it reads the k-th acknowledgement.
    const uint64_t kill_after = 1 + rng() % 5;
    const uint64_t seed = rng();
    ForkedChild child([&](ChildReporter& out) { return AppendForEver(store_dir, seed, out); });
    std::vector<std::string> lines;
    while (lines.size() < kill_after) {
      auto line = child.NextLine(std::chrono::seconds(30));
      ASSERT_TRUE(line.has_value()) << "the child stopped reporting in round " << round;
      lines.push_back(*line);
    }
    for (std::string& line : child.KillAndCollect()) lines.push_back(std::move(line));
    ASSERT_TRUE(child.killed_by_sigkill()) << "exit " << child.exit_code();
    for (const std::string& line : lines) {
      Acknowledged ack;
      ASSERT_EQ(std::sscanf(line.c_str(), "%lu %lu", &ack.seq, &ack.chain), 2) << line;
      acknowledged[ack.seq] = ack.chain;
    }

    std::unique_ptr<Store> store = OpenOrDie(store_dir, Options());
    ASSERT_NE(store, nullptr);
    ASSERT_OK_AND_ASSIGN(std::vector<Event> log,
                         store->ReadLog(kTenant, 1, std::numeric_limits<size_t>::max()));
    for (const auto& [seq, chain] : acknowledged) {
      ASSERT_LE(seq, log.size()) << "acknowledged seq " << seq << " is gone after a kill";
      EXPECT_EQ(log[seq - 1].chain, chain) << "seq " << seq;
    }
    ASSERT_OK_AND_ASSIGN(VerifyReport verify, store->Verify({}));
    ASSERT_TRUE(verify.ok);
    ++survived;
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count();
  std::printf("durability: %d kills right after an acknowledged append, %zu acknowledged appends, "
              "all found after reopening (%lld ms)\n",
              survived, acknowledged.size(), static_cast<long long>(ms));
  EXPECT_EQ(survived, kRounds);
}

}  // namespace
}  // namespace tenantlog::test
