// A tenant's log in the `events` database: appending events and scanning
// seq ranges with every event verified and its chain link checked.
#ifndef TENANTLOG_ENGINE_LOG_EVENT_LOG_H_
#define TENANTLOG_ENGINE_LOG_EVENT_LOG_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lmdb/lmdb_env.h"
#include "log/envelope.h"
#include "tenants/tenant_registry.h"

namespace tenantlog::eventlog {

// Writes to the `events` database through one cursor, so that consecutive
// events of a tenant, which fall in the page the cursor is on, skip the
// search from the root. Not thread-safe; lives inside one write transaction.
class LogWriter {
 public:
  // REQUIRES: `txn` is writable; `txn` and `encoder` outlive the writer.
  LogWriter(lmdb::Txn& txn, EventEncoder& encoder) : txn_(txn), encoder_(encoder) {}

  // Appends one event at seq record->head_seq + 1 and advances the record
  // (head, count, chain head, times). The caller saves the record.
  // REQUIRES: fields.time_us >= record->updated_us when the tenant has events.
  Status Append(EventFields fields, TenantRecord* record);

  // Writes an already encoded stored value (chain prefix included) at `seq`
  // of tenant `tenant_id`, as copied from another store. The caller keeps
  // seqs contiguous and the chain intact.
  Status PutStored(uint64_t tenant_id, uint64_t seq, std::string_view stored_value);

  // Before writing a page or more of tenant `tenant_id`'s log, up to seq
  // `end_seq` - 1: sets aside the entries from key (tenant_id, end_seq) on
  // that could share a leaf page with it, until PutBack. LMDB splits a full
  // page in the middle unless the new entry goes at its end, so the next
  // tenant's first entries on the page where a log grows would leave every
  // page the log fills half empty; set aside, the log fills its pages as an
  // append at the end of the database does. REQUIRES: nothing set aside.
  Status SetAside(uint64_t tenant_id, uint64_t end_seq);
  // Writes back what SetAside took, after the log. Every key of `events`
  // then holds what it held before, save the ones written in between.
  Status PutBack();

 private:
  Status OpenCursor();

  lmdb::Txn& txn_;
  EventEncoder& encoder_;
  std::unique_ptr<lmdb::Cursor> cursor_;  // opened by the first write
  std::vector<std::pair<std::string, std::string>> set_aside_;
};

// What Scan checks of each event besides its seq and its chain link.
enum class Check {
  // Nothing more: the chain vouches for the record (EventDecoder::ParseLinked).
  // For the engine's own store.
  kChain,
  // The FlatBuffers verifier too: for stores from elsewhere (a backup).
  kFull,
};

// Calls `fn` for every event of `record` with seq in [first, last], in
// order. Each event's seq and chain link (against the event before it) are
// checked, and with Check::kFull its FlatBuffers too; a failure is
// Corruption naming tenant and seq. `fn` sees the decoder positioned on the
// event; its views last until `fn` returns.
Status Scan(lmdb::Txn& txn, const TenantRecord& record, uint64_t first, uint64_t last,
            const std::function<Status(const EventDecoder&)>& fn, Check check = Check::kChain);

// The stored chain value after event `seq` (0 for seq 0). Corruption when
// the event is missing or truncated.
Result<uint64_t> ChainAt(lmdb::Txn& txn, const TenantRecord& record, uint64_t seq);

// The last seq whose event time is at or before `time_us` (0 when none).
// Times never decrease within a tenant, so this is a binary search.
Result<uint64_t> SeqAtTime(lmdb::Txn& txn, const TenantRecord& record, int64_t time_us);

}  // namespace tenantlog::eventlog

#endif  // TENANTLOG_ENGINE_LOG_EVENT_LOG_H_
