#include "backup/restore_plan.h"

#include "log/event_log.h"

namespace tenantlog::backup {

namespace {

RestoreDecision Conflict(std::string reason) {
  RestoreDecision d;
  d.action = RestoreAction::kConflict;
  d.reason = std::move(reason);
  return d;
}

// Checks `record`'s whole log: every event against its chain link, and the
// last link against the record's chain head.
Status CheckWhole(lmdb::Txn& txn, const TenantRecord& record) {
  uint64_t chain = 0;
  Status s = eventlog::Scan(txn, record, 1, record.head_seq, [&](const EventDecoder& e) {
    chain = e.chain();
    return Status::OK();
  });
  if (s.ok() && chain != record.chain_head) {
    s = Status::Corruption("tenant " + record.name + ": the log's chain head differs from the tenant record's");
  }
  return s;
}

}  // namespace

Result<RestoreDecision> Decide(lmdb::Txn& live, const TenantRecord& b, lmdb::Txn& backup) {
  TenantRecord current;
  Status s = registry::LoadByName(live, b.name, &current);
  if (s.ok()) {
    const bool same_id = current.id == b.id;
    const auto held_by_another = [&] {
      return Conflict("the name is held by a different tenant (live id " + std::to_string(current.id) +
                      ", backup id " + std::to_string(b.id) + ")");
    };
    if (current.head_seq < b.head_seq || (!same_id && b.head_seq == 0)) {
      if (!same_id) return held_by_another();
      return Conflict("live history ends at seq " + std::to_string(current.head_seq) +
                      ", before the backup's (seq " + std::to_string(b.head_seq) + ")");
    }
    auto chain = eventlog::ChainAt(live, current, b.head_seq);
    if (!chain.ok()) return chain.status();
    if (*chain != b.chain_head) {
      if (!same_id) return held_by_another();
      return Conflict("histories disagree: the chain at seq " + std::to_string(b.head_seq) +
                      " differs between live and backup");
    }
    s = CheckWhole(live, current);
    if (s.IsCorruption()) {
      return Conflict("live history is damaged (" + s.message() +
                      "): purge the tenant, then restore it from the backup");
    }
    if (!s.ok()) return s;
    RestoreDecision d;
    d.action = current.state == TenantState::kTombstoned ? RestoreAction::kUndoTombstone
                                                         : RestoreAction::kUnchanged;
    d.live_id = current.id;
    return d;
  }
  if (!s.IsNotFound()) return s;

  RestoreDecision d;
  d.action = RestoreAction::kReinsert;
  TenantRecord same_id;
  s = registry::Load(live, b.id, &same_id);
  if (s.IsNotFound()) {
    d.reuse_id = true;
    return d;
  }
  if (!s.ok()) return s;
  if (same_id.state != TenantState::kPurged || same_id.name != b.name) {
    return d;  // the id belongs to another tenant here: a new id is taken
  }
  // This tenant's purge record. A backup that reaches the purged head must
  // hold the purged history; an older backup brings back what it has.
  if (same_id.head_seq > 0 && b.head_seq >= same_id.head_seq) {
    auto chain = eventlog::ChainAt(backup, b, same_id.head_seq);
    if (!chain.ok()) return chain.status();
    if (*chain != same_id.chain_head) {
      return Conflict("the backup's history disagrees with the purge record (chain at seq " +
                      std::to_string(same_id.head_seq) + ")");
    }
  }
  d.reuse_id = true;
  return d;
}

}  // namespace tenantlog::backup
