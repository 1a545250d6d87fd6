// Failure handling of the benchmarks: a failed setup or a failed call under
// measurement makes every number meaningless, so it ends the run loudly after
// removing the temporary stores.
#ifndef TENANTLOG_BENCH_FATAL_H_
#define TENANTLOG_BENCH_FATAL_H_

#include <string_view>

#include "tenantlog/status.h"

namespace tenantlog::bench {

// Prints `what`, removes every temporary directory and aborts.
[[noreturn]] void Fatal(std::string_view what);

// Fatal unless `status` is OK.
void CheckOk(const Status& status, std::string_view what);

template <typename T>
T& CheckOk(Result<T>& result, std::string_view what) {
  CheckOk(result.status(), what);
  return *result;
}

}  // namespace tenantlog::bench

#endif  // TENANTLOG_BENCH_FATAL_H_
