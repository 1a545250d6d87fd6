// Verification of a tenant's stored log against its record: FlatBuffers
// verifier on every event, seq contiguity, chain hashes, times, the head and
// the rewind markers. Damage is collected, never returned as an error, and no
// damaged value can crash the check.
#ifndef TENANTLOG_ENGINE_VERIFY_VERIFIER_H_
#define TENANTLOG_ENGINE_VERIFY_VERIFIER_H_

#include <cstdint>
#include <vector>

#include "lmdb/lmdb_env.h"
#include "tenantlog/admin.h"
#include "tenants/tenant_registry.h"

namespace tenantlog::verify {

// Checks every stored event of `record` and appends what is damaged to
// `damaged`. Returns the number of events checked; an error only when LMDB
// itself fails.
Result<uint64_t> VerifyTenant(lmdb::Txn& txn, const TenantRecord& record,
                              std::vector<Damage>* damaged);

// Checks the `names` index against the tenant records both ways: every
// name maps to the record of a tenant of that name that is not purged, and
// every such tenant's name maps to it (a tenant missing from the index would
// be shadowed by a new tenant at the next append under its name). Appends
// what is wrong to `damaged`; an error only when LMDB itself fails. Damaged
// records are left to the walk that verifies them.
Status VerifyNames(lmdb::Txn& txn, std::vector<Damage>* damaged);

}  // namespace tenantlog::verify

#endif  // TENANTLOG_ENGINE_VERIFY_VERIFIER_H_
