// Deciding, tenant by tenant, what restore-from-backup does (DESIGN.md,
// "Backups, restore from backup, export"). Pure decisions over one read
// snapshot of the live store and one of the backup.
#ifndef TENANTLOG_ENGINE_BACKUP_RESTORE_PLAN_H_
#define TENANTLOG_ENGINE_BACKUP_RESTORE_PLAN_H_

#include <cstdint>
#include <string>

#include "lmdb/lmdb_env.h"
#include "tenants/tenant_registry.h"

namespace tenantlog::backup {

enum class RestoreAction {
  kUnchanged,      // live already holds the backup's history
  kUndoTombstone,  // live holds it, tombstoned: undo the tombstone
  kReinsert,       // purged or missing in live: copy the log from the backup
  kConflict,       // the name belongs to another tenant, or histories disagree
};

struct RestoreDecision {
  RestoreAction action = RestoreAction::kConflict;
  std::string reason;      // for kConflict
  bool reuse_id = false;   // kReinsert: the backup's tenant id is free (or
                           // holds this tenant's purge record) in live
  uint64_t live_id = 0;    // kUnchanged, kUndoTombstone: the tenant's id in
                           // live, the backup's unless it was taken when the
                           // tenant was brought back here before
};

// Decides what to do with `from_backup` (a tenant record of the backup,
// not purged), given the live store's snapshot `live`. A live tenant of that
// name whose log holds the backup's history is the same tenant, whatever its
// id; its whole log is checked before it is called unchanged or has its
// tombstone undone, and damage in it is a conflict.
Result<RestoreDecision> Decide(lmdb::Txn& live, const TenantRecord& from_backup,
                               lmdb::Txn& backup);

}  // namespace tenantlog::backup

#endif  // TENANTLOG_ENGINE_BACKUP_RESTORE_PLAN_H_
