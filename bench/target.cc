#include "target.h"

#include <algorithm>
#include <filesystem>

#include "peer_lmdb.h"
#include "peer_sqlite.h"
#include "temp_dir.h"
#include "tenantlog_target.h"

namespace tenantlog::bench {

std::string_view ImplName(Impl impl) {
  switch (impl) {
    case Impl::kTenantlog:
      return "tenantlog";
    case Impl::kLmdbRaw:
      return "lmdb_raw";
    case Impl::kSqlite:
      return "sqlite";
    case Impl::kLmdbTenantDbs:
      return "lmdb_tenant_dbs";
  }
  return "?";
}

PreparedBatch Prepare(uint64_t tenant, uint64_t first_seq, uint32_t count, uint32_t keys_per_tenant) {
  PreparedBatch prepared;
  prepared.events = MakeEvents(tenant, first_seq, count, keys_per_tenant);
  prepared.batch = ToBatch(prepared.events);
  return prepared;
}

std::unique_ptr<AppendTarget> MakeTarget(Impl impl, const TempDir& dir, uint32_t max_tenants) {
  switch (impl) {
    case Impl::kTenantlog:
      return std::make_unique<TenantlogTarget>(dir.Sub("store"));
    case Impl::kLmdbRaw:
      return std::make_unique<LmdbRaw>(dir.path(), true);
    case Impl::kSqlite:
      return std::make_unique<SqlitePeer>(dir.Sub("events.db"), true);
    case Impl::kLmdbTenantDbs:
      return std::make_unique<LmdbTenantDbs>(dir.path(), true, std::max<uint32_t>(max_tenants, 16));
  }
  return nullptr;
}

uint64_t StoredBytes(Impl impl, const TempDir& dir) {
  std::error_code ec;
  switch (impl) {
    case Impl::kTenantlog:
      return DataFileBytes(dir.Sub("store"));
    case Impl::kLmdbRaw:
    case Impl::kLmdbTenantDbs:
      return DataFileBytes(dir.path());
    case Impl::kSqlite: {
      const uint64_t db = std::filesystem::file_size(dir.Sub("events.db"), ec);
      const uint64_t wal = std::filesystem::file_size(dir.Sub("events.db-wal"), ec);
      return (ec ? 0 : wal) + db;
    }
  }
  return 0;
}

void Fill(AppendTarget& target, const std::vector<TenantFill>& fills, uint32_t keys_per_tenant) {
  constexpr uint32_t kFillBatch = 1000;
  target.SetDurable(false);
  for (const TenantFill& fill : fills) {
    for (uint32_t first = 1; first <= fill.events; first += kFillBatch) {
      const uint32_t count = std::min(kFillBatch, fill.events - first + 1);
      target.Append(fill.tenant, first, Prepare(fill.tenant, first, count, keys_per_tenant));
    }
  }
  target.SetDurable(true);
}

}  // namespace tenantlog::bench
