// WriterFirstMutex (the lock a map resize takes against open transactions):
// readers share it, a writer excludes them, and a writer waiting for it goes
// before readers that ask after it.
#include "engine/util/writer_first_mutex.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace tenantlog::test {
namespace {

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

// glibc's default rwlock (std::shared_mutex) lets a reader in past a waiting
// writer, so readers that overlap without pause keep the writer out.
TEST(WriterFirstMutexTest, AWaitingWriterGoesBeforeReadersThatComeAfterIt) {
  WriterFirstMutex mu;
  mu.lock_shared();
  std::atomic<bool> wrote{false};
  std::thread writer([&] {
    mu.lock();
    wrote = true;
    mu.unlock();
  });
  // Until the writer waits a new reader gets in; from then on none does.
  bool writer_waits = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!mu.try_lock_shared()) {
      writer_waits = true;
      break;
    }
    mu.unlock_shared();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_TRUE(writer_waits) << "a reader got in past a waiting writer for 30 s";
  EXPECT_FALSE(wrote.load());  // the first reader still holds it
  mu.unlock_shared();
  writer.join();
  EXPECT_TRUE(wrote.load());
  ASSERT_TRUE(mu.try_lock_shared());
  mu.unlock_shared();
}

}  // namespace
}  // namespace tenantlog::test
