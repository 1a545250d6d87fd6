#include "util/store_helpers.h"

#include <time.h>

#include <cstdio>

namespace tenantlog::test {

std::string CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk: return "kOk";
    case Status::Code::kNotFound: return "kNotFound";
    case Status::Code::kInvalidArgument: return "kInvalidArgument";
    case Status::Code::kConflict: return "kConflict";
    case Status::Code::kRefused: return "kRefused";
    case Status::Code::kTenantDeleted: return "kTenantDeleted";
    case Status::Code::kCorruption: return "kCorruption";
    case Status::Code::kIOError: return "kIOError";
  }
  return "code " + std::to_string(static_cast<int>(code));
}

::testing::AssertionResult IsOk(const Status& status) {
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected OK, got " << CodeName(status.code()) << ": "
                                       << status.message();
}

::testing::AssertionResult HasCode(const Status& status, Status::Code code) {
  if (status.code() == code) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected " << CodeName(code) << ", got "
                                       << CodeName(status.code()) << ": " << status.message();
}

Options TestOptions(const Clock* clock) {
  Options options;
  options.sync = false;
  options.clock = clock;
  return options;
}

std::unique_ptr<Store> OpenOrDie(const std::string& dir, const Options& options) {
  std::unique_ptr<Store> store;
  Status status = Store::Open(options, dir, &store);
  EXPECT_TRUE(IsOk(status)) << "opening " << dir;
  return store;
}

AdminContext Admin(std::string reason) {
  AdminContext context;
  context.actor = "test-operator";
  context.reason = std::move(reason);
  return context;
}

AdminContext DryRun(std::string reason) {
  AdminContext context = Admin(std::move(reason));
  context.dry_run = true;
  return context;
}

AppendBatch PutBatch(const std::string& key, const std::string& payload,
                     const std::string& type) {
  AppendBatch batch;
  batch.Put(type, key, payload);
  return batch;
}

AppendBatch DeleteBatch(const std::string& key, const std::string& type) {
  AppendBatch batch;
  batch.Delete(type, key);
  return batch;
}

std::map<std::string, std::string> Payloads(const std::vector<KeyValue>& list) {
  std::map<std::string, std::string> out;
  for (const KeyValue& kv : list) out[kv.key] = kv.payload;
  return out;
}

std::string IsoTime(int64_t micros_since_epoch) {
  int64_t seconds = micros_since_epoch / 1000000;
  int64_t micros = micros_since_epoch % 1000000;
  if (micros < 0) {
    micros += 1000000;
    seconds -= 1;
  }
  time_t t = static_cast<time_t>(seconds);
  struct tm utc;
  gmtime_r(&t, &utc);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ",
                utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                utc.tm_sec, static_cast<long long>(micros));
  return buffer;
}

}  // namespace tenantlog::test
