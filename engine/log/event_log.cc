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

Status LogWriter::OpenCursor() {
  if (cursor_ != nullptr) return Status::OK();
  auto cursor = lmdb::Cursor::Open(txn_, txn_.dbs().events);
  if (!cursor.ok()) return cursor.status();
  cursor_ = std::move(*cursor);
  return Status::OK();
}

namespace {

// The log only grows: a seq that already holds an event is damage to the
// tenant's record (its head behind its log), never a place to write.
Status NotOverwritten(const Status& put, uint64_t tenant_id, uint64_t seq) {
  if (!put.IsConflict()) return put;
  return Status::Corruption("tenant id " + std::to_string(tenant_id) + ": seq " + std::to_string(seq) +
                            " already holds an event, so the tenant's record is behind its log; nothing "
                            "was overwritten (run verify; restore the tenant from a backup)");
}

}  // namespace

Status LogWriter::PutStored(uint64_t tenant_id, uint64_t seq, std::string_view stored_value) {
  Status s = OpenCursor();
  if (!s.ok()) return s;
  return NotOverwritten(cursor_->Put(keys::EventKey(tenant_id, seq), stored_value), tenant_id, seq);
}

Status LogWriter::SetAside(uint64_t tenant_id, uint64_t end_seq) {
  Status s = OpenCursor();
  if (!s.ok()) return s;
  const keys::EventKeyBytes from = keys::EventKey(tenant_id, end_seq);
  const size_t page_bytes = txn_.page_bytes();
  size_t bytes = 0;
  for (;;) {
    auto found = cursor_->Seek(from);
    if (!found.ok()) return found.status();
    if (!*found) break;
    // An entry takes at least its key and value and a small header.
    bytes += cursor_->key().size() + cursor_->value().size() + 8;
    if (bytes > page_bytes) break;
    set_aside_.emplace_back(cursor_->key(), cursor_->value());
    s = cursor_->DeleteCurrent();
    if (!s.ok()) return s;
  }
  return Status::OK();
}

Status LogWriter::PutBack() {
  for (const auto& [key, value] : set_aside_) {
    Status s = cursor_->Put(key, value);
    if (!s.ok()) return s;
  }
  set_aside_.clear();
  return Status::OK();
}

Status LogWriter::Append(EventFields fields, TenantRecord* record) {
  fields.seq = record->head_seq + 1;
  const size_t size = encoder_.Encode(fields, record->chain_head);
  Status s = OpenCursor();
  char* value = nullptr;
  if (s.ok()) {
    s = NotOverwritten(cursor_->Reserve(keys::EventKey(record->id, fields.seq), size, &value), record->id,
                       fields.seq);
  }
  if (!s.ok()) return s;
  encoder_.WriteStored(value);
  const uint64_t chain = encoder_.chain();
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
