// The portable per-tenant export file (layout in schema/export_file.fbs):
// writing it, and reading it back with every byte checked.
#ifndef TENANTLOG_ENGINE_EXCHANGE_EXPORT_FILE_H_
#define TENANTLOG_ENGINE_EXCHANGE_EXPORT_FILE_H_

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

#include "log/envelope.h"
#include "tenantlog/status.h"

namespace tenantlog::exchange {

struct ExportHeaderFields {
  std::string tenant;
  uint64_t event_count = 0;
  uint64_t head_seq = 0;
  int64_t exported_us = 0;
  uint64_t source_tenant_id = 0;
};

// Writes an export file. The file appears at its path only once Finish
// succeeds (written beside it, flushed, then renamed). Not thread-safe.
class ExportWriter {
 public:
  ExportWriter();
  ~ExportWriter();  // removes an unfinished file
  ExportWriter(const ExportWriter&) = delete;
  ExportWriter& operator=(const ExportWriter&) = delete;

  Status Open(const std::string& path, const ExportHeaderFields& header);
  // `record`: an event's FlatBuffers bytes, as stored after the chain prefix.
  Status WriteEvent(std::string_view record);
  // Writes trailer and checksum, flushes and publishes the file. Returns its size.
  Result<uint64_t> Finish(uint64_t event_count, uint64_t chain_head);

 private:
  Status Write(std::string_view bytes);
  Status WriteFramed(std::string_view bytes);

  std::string path_, temp_path_;
  std::FILE* file_ = nullptr;
  void* hash_state_;  // XXH3 streaming state
  uint64_t bytes_ = 0;
};

struct ExportSummary {
  ExportHeaderFields header;
  uint64_t chain_head = 0;
};

// Reads the export file at `path` and checks all of it: magic, framing,
// header, the FlatBuffers verifier on every event, seq contiguity, times,
// the chain, the trailer and the checksum. Calls `on_event` with each event's
// stored value (chain prefix ‖ record) and its decoded view, in order; the
// checksum is checked last, so a caller that writes must discard its writes
// unless ReadExport returns OK.
// Errors: InvalidArgument naming the file and what is wrong (damaged,
// truncated or foreign file), IOError (cannot read), or what `on_event` returns.
Status ReadExport(const std::string& path, ExportSummary* summary,
                  const std::function<Status(std::string_view stored, const EventDecoder& event)>& on_event);

}  // namespace tenantlog::exchange

#endif  // TENANTLOG_ENGINE_EXCHANGE_EXPORT_FILE_H_
