// WriterFirstMutex (under DrainingMutex, the lock a map resize takes against
// open transactions): readers share it, a writer excludes them, a writer
// waiting for it goes before readers that ask after it, and one that gives up
// at its deadline lets them in.
#include "engine/util/writer_first_mutex.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace tenantlog::test {
namespace {

// True once a new reader cannot lock `mu` shared, tried every millisecond
// for up to 30 s.
bool ReadersAreHeldBack(WriterFirstMutex& mu) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!mu.try_lock_shared()) return true;
    mu.unlock_shared();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
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
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
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

// A writer that gives up at its deadline lets in the readers it held back.
TEST(WriterFirstMutexTest, AWriterThatGivesUpLetsTheReadersItHeldBackIn) {
  WriterFirstMutex mu;
  mu.lock_shared();
  std::atomic<bool> gave_up{false};
  std::thread writer([&] {
    gave_up = !mu.try_lock_until(std::chrono::steady_clock::now() + std::chrono::milliseconds(200));
  });
  ASSERT_TRUE(ReadersAreHeldBack(mu));
  std::atomic<bool> reader_in{false};
  std::thread reader([&] {
    mu.lock_shared();  // blocks behind the writer until it gives up
    reader_in = true;
    mu.unlock_shared();
  });
  writer.join();
  EXPECT_TRUE(gave_up.load());
  reader.join();
  EXPECT_TRUE(reader_in.load());
  mu.unlock_shared();
  ASSERT_TRUE(mu.try_lock_until(std::chrono::steady_clock::now() + std::chrono::seconds(10)));
  mu.unlock();
}

}  // namespace
}  // namespace tenantlog::test
