#include "log/event_log.h"

#include <string>

#include "log/keys.h"

namespace tenantlog::eventlog {

namespace {

Status Damaged(const TenantRecord& record, uint64_t seq, const std::string& problem) {
  return Status::Corruption("tenant " + record.name + " seq " + std::to_string(seq) + ": " +
                            problem + " (run verify; restore the tenant from a backup)");
}

}  // namespace

Result<uint64_t> ChainAt(lmdb::Txn& txn, const TenantRecord& record, uint64_t seq) {
  if (seq == 0) return uint64_t{0};
  auto value = txn.Get(txn.dbs().events, keys::EventKey(record.id, seq));
  if (!value.ok()) {
    if (value.status().IsNotFound()) return Damaged(record, seq, "event is missing");
    return value.status();
  }
  if (value->size() < kChainPrefixBytes) return Damaged(record, seq, "event value is truncated");
  return keys::GetFixed64(value->data());
}

Status PutStored(lmdb::Txn& txn, uint64_t tenant_id, uint64_t seq, std::string_view stored_value) {
  return txn.Put(txn.dbs().events, keys::EventKey(tenant_id, seq), stored_value);
}

Status Append(lmdb::Txn& txn, EventEncoder& encoder, EventFields fields, TenantRecord* record) {
  fields.seq = record->head_seq + 1;
  uint64_t chain = 0;
  const std::string_view value = encoder.Encode(fields, record->chain_head, &chain);
  Status s = txn.Put(txn.dbs().events, keys::EventKey(record->id, fields.seq), value);
  if (!s.ok()) return s;
  if (record->head_seq == 0) record->created_us = fields.time_us;
  record->head_seq = fields.seq;
  record->event_count += 1;
  record->chain_head = chain;
  record->updated_us = fields.time_us;
  return Status::OK();
}

Status Scan(lmdb::Txn& txn, const TenantRecord& record, uint64_t first, uint64_t last,
            const std::function<Status(const EventDecoder&)>& fn, Check check) {
  if (first == 0) first = 1;
  if (first > last) return Status::OK();
  auto previous = ChainAt(txn, record, first - 1);
  if (!previous.ok()) return previous.status();
  uint64_t chain = *previous;

  auto cursor = lmdb::Cursor::Open(txn, txn.dbs().events);
  if (!cursor.ok()) return cursor.status();
  lmdb::Cursor& c = **cursor;
  EventDecoder decoder;
  uint64_t expected = first;
  for (auto found = c.Seek(keys::EventKey(record.id, first)); expected <= last;
       found = c.Next(), ++expected) {
    if (!found.ok()) return found.status();
    uint64_t tenant_id = 0, seq = 0;
    if (!*found || !keys::ParseEventKey(c.key(), &tenant_id, &seq) || tenant_id != record.id ||
        seq != expected) {
      return Damaged(record, expected, "event is missing");
    }
    Status s = decoder.ParseLinked(c.value(), chain, check == Check::kFull);
    if (!s.ok()) return Damaged(record, expected, s.message());
    if (decoder.seq() != expected) {
      return Damaged(record, expected, "event records seq " + std::to_string(decoder.seq()));
    }
    chain = decoder.chain();
    s = fn(decoder);
    if (!s.ok()) return s;
  }
  return Status::OK();
}

Result<uint64_t> SeqAtTime(lmdb::Txn& txn, const TenantRecord& record, int64_t time_us) {
  // Invariant: event `lo` has time <= time_us (or lo == 0); events after `hi` are later.
  uint64_t lo = 0, hi = record.head_seq;
  EventDecoder decoder;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo + 1) / 2;
    auto value = txn.Get(txn.dbs().events, keys::EventKey(record.id, mid));
    if (!value.ok()) {
      if (value.status().IsNotFound()) return Damaged(record, mid, "event is missing");
      return value.status();
    }
    Status s = decoder.Parse(*value);
    if (!s.ok()) return Damaged(record, mid, s.message());
    if (decoder.time_us() <= time_us) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

}  // namespace tenantlog::eventlog
