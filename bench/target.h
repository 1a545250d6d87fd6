// What the write workloads drive: tenantlog or one of its peers, through one
// interface, so that every implementation runs the same loop on the same data.
#ifndef TENANTLOG_BENCH_TARGET_H_
#define TENANTLOG_BENCH_TARGET_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tenantlog/event.h"
#include "workload.h"

namespace tenantlog::bench {

class TempDir;

// The implementations compared, named as in the benchmark names.
enum class Impl { kTenantlog, kLmdbRaw, kSqlite, kLmdbTenantDbs };
std::string_view ImplName(Impl impl);

// One batch of events, built before the measurement in the form each
// implementation takes.
struct PreparedBatch {
  std::vector<EventSpec> events;
  AppendBatch batch;
};
PreparedBatch Prepare(uint64_t tenant, uint64_t first_seq, uint32_t count, uint32_t keys_per_tenant);

// Thread-safety: Append may be called from several threads at once, each
// for its own tenant. SetDurable needs no Append running.
class AppendTarget {
 public:
  virtual ~AppendTarget() = default;
  // Durable: every commit reaches stable storage before Append returns.
  virtual void SetDurable(bool durable) = 0;
  // Appends `batch` to `tenant` in one atomic commit. The peers store it as
  // events first_seq..; tenantlog numbers events itself.
  virtual void Append(uint64_t tenant, uint64_t first_seq, const PreparedBatch& batch) = 0;
};

// A durable, empty store of `impl` in `dir`, for up to `max_tenants`
// tenants (only lmdb_tenant_dbs, whose databases are sized by it, needs it).
std::unique_ptr<AppendTarget> MakeTarget(Impl impl, const TempDir& dir, uint32_t max_tenants = 0);

// Bytes on disk of the store MakeTarget(impl, dir) made.
uint64_t StoredBytes(Impl impl, const TempDir& dir);

// Events 1..events of `tenant`.
struct TenantFill {
  uint64_t tenant = 0;
  uint32_t events = 0;
};

// Writes `fills` tenant by tenant, in commits of up to 1,000 events without
// syncing each, and leaves the target durable.
void Fill(AppendTarget& target, const std::vector<TenantFill>& fills, uint32_t keys_per_tenant);

}  // namespace tenantlog::bench

#endif  // TENANTLOG_BENCH_TARGET_H_
