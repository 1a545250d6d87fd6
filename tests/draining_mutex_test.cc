// The lock a map resize takes against open transactions.
// WriterFirstMutex: readers share it, a writer excludes them, a writer
// waiting for it goes before readers that ask after it, and one that gives up
// lets them in. DrainingMutex: shared holders share it and the exclusive side
// excludes them; the exclusive side waits for a long holder without holding
// newcomers back, and holds them back only briefly when a long holder came
// while it waited; overlapping shared holders, even ones longer than the
// bound, never keep it out.
#include "engine/util/draining_mutex.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace tenantlog::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kLongEnough = seconds(10);  // bound on waits that must end

// True once a new reader cannot lock `mu` shared, tried every millisecond
// for up to 30 s.
bool ReadersAreHeldBack(WriterFirstMutex& mu) {
  const auto deadline = std::chrono::steady_clock::now() + seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!mu.try_lock_shared()) return true;
    mu.unlock_shared();
    std::this_thread::sleep_for(milliseconds(1));
  }
  return false;
}

TEST(WriterFirstMutexTest, ReadersShareItAndAWriterExcludesThem) {
  WriterFirstMutex mu;
  mu.lock_shared();
  EXPECT_TRUE(mu.try_lock_shared());
  EXPECT_FALSE(mu.try_lock());
  mu.unlock_shared();
  mu.unlock_shared();
  ASSERT_TRUE(mu.try_lock());
  EXPECT_FALSE(mu.try_lock_shared());
  mu.unlock();
}

// Once a writer waits, no new reader gets in, and a reader that blocks gets
// in only after that writer. (glibc's default rwlock, std::shared_mutex,
// lets readers in past a waiting writer, so readers that overlap without
// pause keep the writer out.)
TEST(WriterFirstMutexTest, AWaitingWriterGoesBeforeReadersThatComeAfterIt) {
  WriterFirstMutex mu;
  mu.lock_shared();
  std::atomic<int> order{0};
  std::atomic<int> writer_at{0};
  std::atomic<int> reader_at{0};
  std::thread writer([&] {
    mu.lock();
    writer_at = ++order;
    mu.unlock();
  });
  EXPECT_TRUE(ReadersAreHeldBack(mu)) << "a reader got in past a waiting writer for 30 s";
  std::thread reader([&] {
    mu.lock_shared();
    reader_at = ++order;
    mu.unlock_shared();
  });
  std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(reader_at.load(), 0);  // neither got in while the first reader holds it
  EXPECT_EQ(writer_at.load(), 0);
  mu.unlock_shared();
  writer.join();
  reader.join();
  EXPECT_EQ(writer_at.load(), 1);
  EXPECT_EQ(reader_at.load(), 2);
  ASSERT_TRUE(mu.try_lock_shared());
  mu.unlock_shared();
}

// A writer that gives up after its timeout lets in the readers it held back.
TEST(WriterFirstMutexTest, AWriterThatGivesUpLetsTheReadersItHeldBackIn) {
  WriterFirstMutex mu;
  mu.lock_shared();
  std::atomic<bool> gave_up{false};
  std::thread writer([&] { gave_up = !mu.try_lock_for(seconds(1)); });
  EXPECT_TRUE(ReadersAreHeldBack(mu)) << "a reader got in past a waiting writer for 30 s";
  std::atomic<bool> reader_in{false};
  std::thread reader([&] {
    mu.lock_shared();  // blocks behind the writer until it gives up
    reader_in = true;
    mu.unlock_shared();
  });
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_FALSE(reader_in.load());  // held back while the writer waits
  writer.join();
  EXPECT_TRUE(gave_up.load());
  const auto deadline = std::chrono::steady_clock::now() + kLongEnough;
  while (!reader_in.load() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  EXPECT_TRUE(reader_in.load()) << "a reader held back by a writer that gave up stayed out";
  mu.unlock_shared();
  reader.join();
  ASSERT_TRUE(mu.try_lock_for(kLongEnough));
  mu.unlock();
}

// Newcomers that take `mu` shared and let it go, each on a thread of its own.
// Declared before the holders they may wait for, so that a failed test
// releases those first and ends instead of hanging.
class Newcomers {
 public:
  explicit Newcomers(DrainingMutex& mu) : mu_(mu) {}
  // True when one got in and out within kLongEnough.
  bool OneGetsIn() {
    started_.push_back(std::async(std::launch::async, [this] { DrainingMutex::SharedLock hold(mu_); }));
    return started_.back().wait_for(kLongEnough) == std::future_status::ready;
  }

 private:
  DrainingMutex& mu_;
  std::vector<std::future<void>> started_;
};

// Holds `mu` shared, on a thread of its own, until Release() or at most
// kMaxHold, so that a test that fails while the exclusive side waits still
// ends.
constexpr auto kMaxHold = seconds(30);

class Holder {
 public:
  explicit Holder(DrainingMutex& mu) {
    std::promise<void> holding;
    std::future<void> held = holding.get_future();
    thread_ = std::thread([this, &mu, holding = std::move(holding)]() mutable {
      DrainingMutex::SharedLock hold(mu);
      holding.set_value();
      release_.get_future().wait_for(kMaxHold);
    });
    holding_ = held.wait_for(kLongEnough) == std::future_status::ready;
  }
  ~Holder() { Release(); }
  // False when it did not get the lock within kLongEnough.
  bool holding() const { return holding_; }
  void Release() {
    if (!thread_.joinable()) return;
    release_.set_value();
    thread_.join();
  }

 private:
  bool holding_ = false;
  std::promise<void> release_;
  std::thread thread_;
};

// Locks `mu` exclusively on a thread of its own, from construction until
// destruction.
class Exclusive {
 public:
  explicit Exclusive(DrainingMutex& mu)
      : thread_([this, &mu] {
          {
            std::unique_lock lock(mu);
            held_ = true;
            release_.get_future().wait_for(kMaxHold);
          }
          finished_.set_value();
        }) {}
  // A lock() that never returns ends the test run here rather than hang it.
  ~Exclusive() {
    release_.set_value();
    if (done_.wait_for(kMaxHold) != std::future_status::ready) {
      std::fprintf(stderr, "the exclusive side never got the lock\n");
      std::_Exit(1);
    }
    thread_.join();
  }
  bool held() const { return held_.load(); }
  // True once it holds the lock, waiting up to kLongEnough.
  bool Held() const {
    const auto deadline = std::chrono::steady_clock::now() + kLongEnough;
    while (!held_.load() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(1));
    }
    return held_.load();
  }

 private:
  std::atomic<bool> held_{false};
  std::promise<void> release_;
  std::promise<void> finished_;
  std::future<void> done_ = finished_.get_future();
  std::thread thread_;
};

TEST(DrainingMutexTest, SharedHoldersShareItAndTheExclusiveSideExcludesThem) {
  DrainingMutex mu(milliseconds(10));
  std::atomic<bool> exclusive{false};
  std::atomic<int> shared{0};
  std::atomic<int> max_shared{0};
  std::atomic<bool> overlapped{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        if (t == 0 && i % 20 == 0) {
          std::unique_lock lock(mu);
          exclusive = true;
          if (shared.load() != 0) overlapped = true;
          exclusive = false;
        } else {
          DrainingMutex::SharedLock hold(mu);
          const int now = shared.fetch_add(1) + 1;
          if (now > max_shared.load()) max_shared = now;
          if (exclusive.load()) overlapped = true;
          std::this_thread::yield();
          shared.fetch_sub(1);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_FALSE(overlapped.load());
  EXPECT_GT(max_shared.load(), 1);  // holders did share it
}

// The exclusive side waits for a holder it found, however long, while
// newcomers come and go. (A writer-first lock would hold them all back until
// that holder leaves.)
TEST(DrainingMutexTest, NewcomersGoOnWhileTheExclusiveSideWaitsForALongHolder) {
  DrainingMutex mu(milliseconds(10));
  Newcomers newcomers(mu);
  std::unique_ptr<Exclusive> exclusive;
  Holder long_holder(mu);
  exclusive = std::make_unique<Exclusive>(mu);
  std::this_thread::sleep_for(milliseconds(50));  // it is waiting by now
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(newcomers.OneGetsIn()) << "newcomer " << i << " was held back";
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_FALSE(exclusive->held());
  long_holder.Release();
  EXPECT_TRUE(exclusive->Held());
}

// A long holder that came while the exclusive side waited holds newcomers
// back only for the bound: then they get in, and the exclusive side gets the
// lock once that holder leaves.
TEST(DrainingMutexTest, ALongHolderThatCameMeanwhileHoldsNewcomersBackOnlyBriefly) {
  DrainingMutex mu(milliseconds(20));
  Newcomers newcomers(mu);
  std::unique_ptr<Exclusive> exclusive;
  std::unique_ptr<Holder> came_meanwhile;
  auto first = std::make_unique<Holder>(mu);
  exclusive = std::make_unique<Exclusive>(mu);
  std::this_thread::sleep_for(milliseconds(50));
  came_meanwhile = std::make_unique<Holder>(mu);
  ASSERT_TRUE(came_meanwhile->holding()) << "held back while the exclusive side waited";
  first.reset();  // the exclusive side now waits for came_meanwhile
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(newcomers.OneGetsIn()) << "newcomer " << i << " was held back";
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_FALSE(exclusive->held());
  came_meanwhile->Release();
  EXPECT_TRUE(exclusive->Held());
}

// True when lock() gets in within kLongEnough while `holders` threads each
// hold the mutex shared for `hold` at a time, again and again, thread t
// starting t * `stagger` after the first; lock() asks once they have run for
// `after`.
bool ExclusiveGetsInPast(int holders, milliseconds hold, milliseconds stagger, milliseconds after) {
  DrainingMutex mu(milliseconds(10));
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < holders; ++t) {
    threads.emplace_back([&, t] {
      std::this_thread::sleep_for(stagger * t);
      while (!stop.load()) {
        DrainingMutex::SharedLock hold_it(mu);
        std::this_thread::sleep_for(hold);
      }
    });
  }
  std::this_thread::sleep_for(after);
  auto exclusive = std::async(std::launch::async, [&] { std::unique_lock lock(mu); });
  const bool got_in = exclusive.wait_for(kLongEnough) == std::future_status::ready;
  stop = true;
  for (auto& t : threads) t.join();
  return got_in;
}

// Shared holders that overlap without pause never keep the exclusive side
// out, even when each holds it longer than the bound: it waits only for
// those it found and those that came meanwhile, and doubles the bound each
// time one of the latter stays longer.
TEST(DrainingMutexTest, OverlappingHoldersNeverKeepTheExclusiveSideOut) {
  EXPECT_TRUE(ExclusiveGetsInPast(4, milliseconds(15), milliseconds(0), milliseconds(20)))
      << "overlapping shared holders kept the exclusive side out";
}

// Two holders that each hold it 60 ms, in turn, half a turn apart: whenever
// the holders it waited for have left, the other one still holds it for
// longer than the bound. The exclusive side gets in all the same, by doubling
// the bound after each try.
TEST(DrainingMutexTest, HoldersLongerThanTheBoundThatKeepComingDoNotKeepItOut) {
  EXPECT_TRUE(ExclusiveGetsInPast(2, milliseconds(60), milliseconds(30), milliseconds(100)))
      << "holders longer than the bound kept the exclusive side out";
}

// Threads that queue for the same change under the exclusive lock make it
// once: the first waits for the holder and makes it; the next finds it done
// and returns without waiting for anyone.
TEST(DrainingMutexTest, AnExclusiveLockerWhoseChangeIsMadeMeanwhileSkipsTheWait) {
  DrainingMutex mu(milliseconds(10));
  int changes = 0;  // changed under the exclusive lock only
  const auto change = [&] {
    if (!mu.LockUnless([&] { return changes > 0; })) return false;
    ++changes;
    mu.unlock();
    return true;
  };
  std::future<bool> first;
  std::future<bool> second;
  {
    Holder long_holder(mu);
    EXPECT_FALSE(mu.LockUnless([] { return true; }));  // done already: no wait
    first = std::async(std::launch::async, change);
    std::this_thread::sleep_for(milliseconds(50));
    second = std::async(std::launch::async, change);
    std::this_thread::sleep_for(milliseconds(50));
    EXPECT_EQ(first.wait_for(seconds(0)), std::future_status::timeout);  // waits for the holder
    EXPECT_EQ(second.wait_for(seconds(0)), std::future_status::timeout);
  }
  ASSERT_EQ(first.wait_for(kLongEnough), std::future_status::ready);
  ASSERT_EQ(second.wait_for(kLongEnough), std::future_status::ready);
  EXPECT_TRUE(first.get());
  EXPECT_FALSE(second.get());
  EXPECT_EQ(changes, 1);
}

}  // namespace
}  // namespace tenantlog::test
