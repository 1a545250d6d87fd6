#include "audit/audit_log.h"

#include <cstring>
#include <string>

#include "audit_record_generated.h"
#include "log/chain.h"
#include "log/keys.h"
#include "util/aligned_bytes.h"

namespace tenantlog::audit {

namespace {

constexpr size_t kChainBytes = 8;
constexpr const char* kAuditName = "(audit)";

// A verified record, copied to aligned memory.
class RecordReader {
 public:
  Status Parse(std::string_view stored) {
    if (stored.size() < kChainBytes + 8) return Status::Corruption("audit record is truncated");
    chain_ = keys::GetFixed64(stored.data());
    aligned_.Assign(stored.substr(kChainBytes));
    flatbuffers::Verifier verifier(aligned_.data(), aligned_.size());
    if (!fb::VerifyAuditRecordBuffer(verifier)) {
      return Status::Corruption("audit record fails the FlatBuffers verifier");
    }
    return Status::OK();
  }
  uint64_t chain() const { return chain_; }
  std::string_view record() const { return aligned_.view(); }
  const fb::AuditRecord* root() const { return fb::GetAuditRecord(aligned_.data()); }

 private:
  uint64_t chain_ = 0;
  AlignedBytes aligned_;
};

std::vector<std::string> Strings(const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>* v) {
  std::vector<std::string> out;
  if (v == nullptr) return out;
  for (const flatbuffers::String* s : *v) out.push_back(s->str());
  return out;
}

AuditEntry ToEntry(const fb::AuditRecord* r) {
  AuditEntry e;
  e.seq = r->seq();
  e.time_us = r->time_us();
  e.actor = r->actor() ? r->actor()->str() : "";
  e.command = r->command() ? r->command()->str() : "";
  e.arguments = Strings(r->arguments());
  e.dry_run = r->dry_run();
  e.tenants = Strings(r->tenants());
  e.outcome = r->outcome() ? r->outcome()->str() : "";
  return e;
}

}  // namespace

Result<uint64_t> Append(lmdb::Txn& txn, const AuditEntry& entry) {
  uint64_t seq = 1;
  uint64_t previous_chain = 0;
  {
    auto cursor = lmdb::Cursor::Open(txn, txn.dbs().audit);
    if (!cursor.ok()) return cursor.status();
    auto last = (*cursor)->Last();
    if (!last.ok()) return last.status();
    if (*last) {
      const std::string_view key = (*cursor)->key();
      const std::string_view value = (*cursor)->value();
      if (key.size() != 8 || value.size() < kChainBytes) {
        return Status::Corruption("the last audit record is damaged (run verify)");
      }
      seq = keys::GetFixed64(key.data()) + 1;
      previous_chain = keys::GetFixed64(value.data());
    }
  }
  flatbuffers::FlatBufferBuilder b(512);
  auto actor = b.CreateString(entry.actor);
  auto command = b.CreateString(entry.command);
  auto arguments = b.CreateVectorOfStrings(entry.arguments);
  auto tenants = b.CreateVectorOfStrings(entry.tenants);
  auto outcome = b.CreateString(entry.outcome);
  fb::AuditRecordBuilder r(b);
  r.add_seq(seq);
  r.add_time_us(entry.time_us);
  r.add_actor(actor);
  r.add_command(command);
  r.add_arguments(arguments);
  r.add_dry_run(entry.dry_run);
  r.add_tenants(tenants);
  r.add_outcome(outcome);
  b.Finish(r.Finish());
  const std::string_view record(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
  std::string value;
  keys::AppendFixed64(&value, ChainNext(previous_chain, record));
  value.append(record);
  Status s = txn.Put(txn.dbs().audit, keys::AuditKey(seq), value);
  if (!s.ok()) return s;
  return seq;
}

Status ReadSince(lmdb::Txn& txn, int64_t since_us, std::vector<AuditEntry>* out) {
  out->clear();
  auto cursor = lmdb::Cursor::Open(txn, txn.dbs().audit);
  if (!cursor.ok()) return cursor.status();
  lmdb::Cursor& c = **cursor;
  RecordReader reader;
  for (auto found = c.First();; found = c.Next()) {
    if (!found.ok()) return found.status();
    if (!*found) return Status::OK();
    Status s = reader.Parse(c.value());
    if (!s.ok()) {
      return Status::Corruption(s.message() + " at audit seq " +
                                std::to_string(c.key().size() == 8 ? keys::GetFixed64(c.key().data()) : 0));
    }
    if (reader.root()->time_us() >= since_us) out->push_back(ToEntry(reader.root()));
  }
}

Result<uint64_t> Verify(lmdb::Txn& txn, std::vector<Damage>* damaged) {
  auto cursor = lmdb::Cursor::Open(txn, txn.dbs().audit);
  if (!cursor.ok()) return cursor.status();
  lmdb::Cursor& c = **cursor;
  RecordReader reader;
  uint64_t expected = 1;
  uint64_t chain = 0;
  uint64_t checked = 0;
  for (auto found = c.First();; found = c.Next()) {
    if (!found.ok()) return found.status();
    if (!*found) break;
    ++checked;
    const uint64_t seq = c.key().size() == 8 ? keys::GetFixed64(c.key().data()) : 0;
    if (seq != expected) {
      damaged->push_back(Damage{kAuditName, expected,
                                "audit record missing (next present: " + std::to_string(seq) + ")"});
    }
    expected = seq + 1;
    Status s = reader.Parse(c.value());
    if (!s.ok()) {
      damaged->push_back(Damage{kAuditName, seq, s.message()});
      if (c.value().size() >= kChainBytes) chain = keys::GetFixed64(c.value().data());
      continue;
    }
    if (reader.root()->seq() != seq) {
      damaged->push_back(Damage{kAuditName, seq, "record holds audit seq " + std::to_string(reader.root()->seq())});
    }
    if (ChainNext(chain, reader.record()) != reader.chain()) {
      damaged->push_back(Damage{kAuditName, seq, "chain hash mismatch"});
    }
    chain = reader.chain();
  }
  return checked;
}

}  // namespace tenantlog::audit
