#include "verify/verifier.h"

#include <string>

#include "log/chain.h"
#include "log/envelope.h"
#include "log/keys.h"

namespace tenantlog::verify {

Result<uint64_t> VerifyTenant(lmdb::Txn& txn, const TenantRecord& record,
                              std::vector<Damage>* damaged) {
  auto report = [&](uint64_t seq, std::string problem) {
    damaged->push_back(Damage{record.name, seq, std::move(problem)});
  };
  auto cursor = lmdb::Cursor::Open(txn, txn.dbs().events);
  if (!cursor.ok()) return cursor.status();
  lmdb::Cursor& c = **cursor;
  const std::string prefix = keys::TenantKey(record.id);

  EventDecoder decoder;
  std::vector<RewindMarker> markers;
  uint64_t expected = 1;
  uint64_t chain = 0;
  uint64_t last_chain = 0;
  int64_t last_time = INT64_MIN;
  uint64_t checked = 0;
  for (auto found = c.Seek(prefix);; found = c.Next()) {
    if (!found.ok()) return found.status();
    if (!*found || c.key().substr(0, prefix.size()) != prefix) break;
    uint64_t tenant_id = 0, seq = 0;
    if (!keys::ParseEventKey(c.key(), &tenant_id, &seq)) {
      report(expected, "event key of " + std::to_string(c.key().size()) + " bytes");
      continue;
    }
    ++checked;
    if (seq != expected) {
      report(expected, seq > expected ? "events " + std::to_string(expected) + ".." +
                                            std::to_string(seq - 1) + " are missing"
                                      : "event out of order");
    }
    expected = seq + 1;
    const std::string_view value = c.value();
    // Keep the chain going from the stored value so that one damaged event
    // is reported once, not for every event after it.
    const uint64_t stored_chain = value.size() >= kChainPrefixBytes ? keys::GetFixed64(value.data()) : 0;
    Status s = decoder.Parse(value);
    if (!s.ok()) {
      report(seq, s.message());
    } else {
      if (ChainNext(chain, decoder.record()) != decoder.chain()) report(seq, "chain hash mismatch");
      if (decoder.seq() != seq) report(seq, "event records seq " + std::to_string(decoder.seq()));
      if (decoder.time_us() < last_time) report(seq, "time goes back");
      last_time = decoder.time_us();
      if (decoder.kind() == EventKind::kRewind) {
        markers.push_back(RewindMarker{seq, decoder.rewind_target()});
        if (decoder.rewind_target() >= seq) report(seq, "rewind target is not an earlier seq");
      }
    }
    chain = stored_chain;
    last_chain = stored_chain;
  }
  if (record.state == TenantState::kPurged) {
    if (checked != 0) report(0, "purged tenant still has " + std::to_string(checked) + " events");
    return checked;
  }
  if (expected - 1 != record.head_seq) {
    report(0, "tenant record says head seq " + std::to_string(record.head_seq) + ", log ends at " +
                  std::to_string(expected - 1));
  } else if (record.head_seq != 0 && last_chain != record.chain_head) {
    report(record.head_seq, "chain head differs from the tenant record");
  }
  if (checked != record.event_count) {
    report(0, "tenant record counts " + std::to_string(record.event_count) + " events, log holds " +
                  std::to_string(checked));
  }
  if (markers != record.timeline) report(0, "rewind markers differ from the rewind events");
  return checked;
}

Status VerifyNames(lmdb::Txn& txn, std::vector<Damage>* damaged) {
  auto cursor = lmdb::Cursor::Open(txn, txn.dbs().names);
  if (!cursor.ok()) return cursor.status();
  lmdb::Cursor& c = **cursor;
  for (auto found = c.First();; found = c.Next()) {
    if (!found.ok()) return found.status();
    if (!*found) break;
    const std::string name(c.key());
    if (c.value().size() != 8) {
      damaged->push_back(Damage{name, 0, "its entry in the names index is damaged"});
      continue;
    }
    const uint64_t id = keys::GetFixed64(c.value().data());
    TenantRecord record;
    Status s = registry::Load(txn, id, &record);
    if (s.IsCorruption()) continue;
    if (!s.ok() && !s.IsNotFound()) return s;
    const std::string points = "its name points at tenant id " + std::to_string(id) + ", ";
    if (s.IsNotFound()) {
      damaged->push_back(Damage{name, 0, points + "which has no record"});
    } else if (record.state == TenantState::kPurged) {
      damaged->push_back(Damage{name, 0, points + "which is purged"});
    } else if (record.name != name) {
      damaged->push_back(Damage{name, 0, points + "which is named " + record.name});
    }
  }
  return registry::ForEach(
      txn,
      [&](const TenantRecord& record) -> Status {
        if (record.state == TenantState::kPurged) return Status::OK();
        auto id = txn.Get(txn.dbs().names, record.name);
        if (!id.ok() && !id.status().IsNotFound()) return id.status();
        if (id.ok() && id->size() == 8 && keys::GetFixed64(id->data()) == record.id) return Status::OK();
        damaged->push_back(Damage{record.name, 0,
                                  "the names index does not lead to this tenant (id " + std::to_string(record.id) +
                                      "): an append under its name would start a new tenant"});
        return Status::OK();
      },
      [](uint64_t, const Status&) {});
}

}  // namespace tenantlog::verify
