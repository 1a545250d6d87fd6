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

}  // namespace

Result<RestoreDecision> Decide(lmdb::Txn& live, const TenantRecord& b, lmdb::Txn& backup) {
  TenantRecord current;
  Status s = registry::LoadByName(live, b.name, &current);
  if (s.ok()) {
    if (current.id != b.id) {
      return Conflict("the name is held by a different tenant (live id " + std::to_string(current.id) +
                      ", backup id " + std::to_string(b.id) + ")");
    }
    if (current.head_seq < b.head_seq) {
      return Conflict("live history ends at seq " + std::to_string(current.head_seq) +
                      ", before the backup's (seq " + std::to_string(b.head_seq) + ")");
    }
    auto chain = eventlog::ChainAt(live, current, b.head_seq);
    if (!chain.ok()) return chain.status();
    if (*chain != b.chain_head) {
      return Conflict("histories disagree: the chain at seq " + std::to_string(b.head_seq) +
                      " differs between live and backup");
    }
    RestoreDecision d;
    d.action = current.state == TenantState::kTombstoned ? RestoreAction::kUndoTombstone
                                                         : RestoreAction::kUnchanged;
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
