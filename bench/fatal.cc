#include "fatal.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "temp_dir.h"

namespace tenantlog::bench {

void Fatal(std::string_view what) {
  std::fprintf(stderr, "tenantlog_bench: %.*s\n", static_cast<int>(what.size()), what.data());
  TempDir::RemoveAll();
  std::abort();
}

void CheckOk(const Status& status, std::string_view what) {
  if (!status.ok()) Fatal(std::string(what) + ": " + status.ToString());
}

}  // namespace tenantlog::bench
