// Helpers for tests of the Store API: status assertions, opening stores with
// test options, and small builders.
#ifndef TENANTLOG_TESTS_UTIL_STORE_HELPERS_H_
#define TENANTLOG_TESTS_UTIL_STORE_HELPERS_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tenantlog/admin.h"
#include "tenantlog/event.h"
#include "tenantlog/options.h"
#include "tenantlog/status.h"
#include "tenantlog/store.h"

namespace tenantlog::test {

inline Status StatusOf(const Status& status) { return status; }
template <typename T>
Status StatusOf(const Result<T>& result) {
  return result.status();
}

// "kInvalidArgument" and so on.
std::string CodeName(Status::Code code);
::testing::AssertionResult IsOk(const Status& status);
::testing::AssertionResult HasCode(const Status& status, Status::Code code);

// Options for tests: no fsync (tests do not crash the machine), the given clock.
Options TestOptions(const Clock* clock = nullptr);

// Opens (creating) a store, failing the test on error.
std::unique_ptr<Store> OpenOrDie(const std::string& dir, const Options& options);

// An admin context with actor "test-operator".
AdminContext Admin(std::string reason = "test");
AdminContext DryRun(std::string reason = "test");

// A one-event batch.
AppendBatch PutBatch(const std::string& key, const std::string& payload,
                     const std::string& type = "test.put");
AppendBatch DeleteBatch(const std::string& key, const std::string& type = "test.delete");

// key → payload of a List result.
std::map<std::string, std::string> Payloads(const std::vector<KeyValue>& list);

// "2022-04-05T02:00:00.250000Z".
std::string IsoTime(int64_t micros_since_epoch);

}  // namespace tenantlog::test

#define TL_TEST_CONCAT_INNER(a, b) a##b
#define TL_TEST_CONCAT(a, b) TL_TEST_CONCAT_INNER(a, b)

#define ASSERT_OK(expr) ASSERT_TRUE(::tenantlog::test::IsOk(::tenantlog::test::StatusOf(expr)))
#define EXPECT_OK(expr) EXPECT_TRUE(::tenantlog::test::IsOk(::tenantlog::test::StatusOf(expr)))
#define EXPECT_CODE(code, expr)                                               \
  EXPECT_TRUE(::tenantlog::test::HasCode(::tenantlog::test::StatusOf(expr), \
                                         ::tenantlog::Status::Code::code))
#define ASSERT_CODE(code, expr)                                               \
  ASSERT_TRUE(::tenantlog::test::HasCode(::tenantlog::test::StatusOf(expr), \
                                         ::tenantlog::Status::Code::code))

// Evaluates `expr` (a Result<T>), fails the test unless it is ok, and moves
// its value into `lhs` (a declaration or an lvalue).
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL(TL_TEST_CONCAT(tl_result_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr)                   \
  auto tmp = (expr);                                                \
  ASSERT_TRUE(::tenantlog::test::IsOk(tmp.status())) << #expr;      \
  lhs = std::move(tmp).value()

#endif  // TENANTLOG_TESTS_UTIL_STORE_HELPERS_H_
