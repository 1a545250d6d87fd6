// The audit log: an append-only, hash-chained record of every state-changing
// admin action, in the `audit` database (schema/audit_record.fbs).
#ifndef TENANTLOG_ENGINE_AUDIT_AUDIT_LOG_H_
#define TENANTLOG_ENGINE_AUDIT_AUDIT_LOG_H_

#include <cstdint>
#include <vector>

#include "lmdb/lmdb_env.h"
#include "tenantlog/admin.h"

namespace tenantlog::audit {

// Appends `entry` with the next audit seq (entry.seq is ignored) and returns
// that seq. REQUIRES: writable txn.
Result<uint64_t> Append(lmdb::Txn& txn, const AuditEntry& entry);

// Entries with time_us >= since_us, oldest first. Corruption on a damaged record.
Status ReadSince(lmdb::Txn& txn, int64_t since_us, std::vector<AuditEntry>* out);

// Checks every record (verifier, seq contiguity, chain) and adds what is
// damaged to `damaged` under the tenant name "(audit)". Returns the number of
// records checked.
Result<uint64_t> Verify(lmdb::Txn& txn, std::vector<Damage>* damaged);

}  // namespace tenantlog::audit

#endif  // TENANTLOG_ENGINE_AUDIT_AUDIT_LOG_H_
