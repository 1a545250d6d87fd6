// The tenant registry: the `tenants` database (id → TenantMeta) and the
// `names` database (name → id). The only place that reads or writes them.
#ifndef TENANTLOG_ENGINE_TENANTS_TENANT_REGISTRY_H_
#define TENANTLOG_ENGINE_TENANTS_TENANT_REGISTRY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "lmdb/lmdb_env.h"
#include "tenantlog/admin.h"
#include "tenantlog/status.h"

namespace tenantlog {

// A rewind control event at seq `at` that rewound the tenant to seq `target`.
struct RewindMarker {
  uint64_t at = 0;
  uint64_t target = 0;
  bool operator==(const RewindMarker&) const = default;
};

// The decoded TenantMeta of one tenant.
struct TenantRecord {
  uint64_t id = 0;
  std::string name;
  TenantState state = TenantState::kActive;
  uint64_t head_seq = 0;
  uint64_t event_count = 0;
  uint64_t chain_head = 0;
  int64_t created_us = 0;  // time of the first event; 0 while there is none
  int64_t updated_us = 0;  // time of the newest event: the floor for the next
  int64_t state_changed_us = 0;
  std::vector<RewindMarker> timeline;  // ascending `at`
  uint64_t timeline_version = 0;
  // Purge record (state kPurged): when, by whom, how many events went.
  int64_t purged_us = 0;
  std::string purged_by;
  uint64_t purged_events = 0;

  TenantInfo ToInfo() const;
};

namespace registry {

// Loads the record of tenant `name`. NotFound "unknown tenant NAME".
Status LoadByName(lmdb::Txn& txn, std::string_view name, TenantRecord* record);
// Loads the record of tenant `id`. NotFound when absent; Corruption when the
// stored record fails the verifier.
Status Load(lmdb::Txn& txn, uint64_t id, TenantRecord* record);
// Writes `record` (REQUIRES: writable txn).
Status Save(lmdb::Txn& txn, const TenantRecord& record);
// Registers a new tenant `name` with the next unused id and saves its empty
// record. REQUIRES: writable txn, `name` valid and not registered.
Status Create(lmdb::Txn& txn, std::string_view name, int64_t now_us, TenantRecord* record);
// Removes the name → id mapping so that the name can be taken again.
Status ReleaseName(lmdb::Txn& txn, std::string_view name);
// Maps `name` to `id` (REQUIRES: writable txn, the name is free).
Status ClaimName(lmdb::Txn& txn, std::string_view name, uint64_t id);
// The next unused tenant id.
Result<uint64_t> NextId(lmdb::Txn& txn);
// Calls `fn` for every tenant record in id order; stops at the first error.
// A damaged record is passed to `on_damaged` (id, the Corruption) and
// skipped; without `on_damaged` it ends the walk with that Corruption.
Status ForEach(lmdb::Txn& txn, const std::function<Status(const TenantRecord&)>& fn,
               const std::function<void(uint64_t, const Status&)>& on_damaged = nullptr);

}  // namespace registry
}  // namespace tenantlog

#endif  // TENANTLOG_ENGINE_TENANTS_TENANT_REGISTRY_H_
