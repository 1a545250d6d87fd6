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

// The same with a reader that blocks: it gets in only after the writer
// that was waiting before it.
TEST(WriterFirstMutexTest, AReaderThatBlocksBehindAWaitingWriterGetsInAfterIt) {
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
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  bool writer_waits = false;
  while (!writer_waits && std::chrono::steady_clock::now() < deadline) {
    writer_waits = !mu.try_lock_shared();
    if (!writer_waits) {
      mu.unlock_shared();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  EXPECT_TRUE(writer_waits) << "a reader got in past a waiting writer for 30 s";
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
}

}  // namespace
}  // namespace tenantlog::test
