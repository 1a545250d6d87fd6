// libFuzzer target: the export file reader must reject any damaged,
// truncated or foreign file with an error, never crash or read out of bounds.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "exchange/export_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/tenantlog_import_fuzz." + std::to_string(::getpid());
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  tenantlog::exchange::ExportSummary summary;
  uint64_t events = 0;
  tenantlog::Status s = tenantlog::exchange::ReadExport(
      path, &summary, [&](std::string_view stored, const tenantlog::EventDecoder& e) {
        // Touch every field a writer would use.
        events += stored.size() + e.key().size() + e.payload().size() + e.type().size();
        return tenantlog::Status::OK();
      });
  (void)s;
  return 0;
}
