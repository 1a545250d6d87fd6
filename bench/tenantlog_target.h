// tenantlog as an AppendTarget, and the options of every tenantlog store of
// the suite.
#ifndef TENANTLOG_BENCH_TENANTLOG_TARGET_H_
#define TENANTLOG_BENCH_TENANTLOG_TARGET_H_

#include <memory>
#include <string>

#include "target.h"
#include "tenantlog/store.h"

namespace tenantlog::bench {

// The map starts at the peers' size, so that no implementation pays for growth.
// Views are checkpointed every `checkpoint_interval` events (0: never).
Options StoreOptions(bool durable, uint32_t checkpoint_interval = Options().view_checkpoint_interval);

// Opens (creating) the store in `dir`. Fatal on failure.
std::unique_ptr<Store> OpenStore(const std::string& dir, bool durable,
                                 uint32_t checkpoint_interval = Options().view_checkpoint_interval);

// Who the admin calls of the benchmarks are recorded as; no tenant limit.
AdminContext BenchAdmin();

class TenantlogTarget final : public AppendTarget {
 public:
  explicit TenantlogTarget(std::string dir,
                           uint32_t checkpoint_interval = Options().view_checkpoint_interval);
  void SetDurable(bool durable) override;
  // Appends to the tenant named TenantName(tenant).
  void Append(uint64_t tenant, uint64_t first_seq, const PreparedBatch& batch) override;
  Store& store() { return *store_; }

 private:
  std::string dir_;
  uint32_t checkpoint_interval_;
  std::unique_ptr<Store> store_;
};

}  // namespace tenantlog::bench

#endif  // TENANTLOG_BENCH_TENANTLOG_TARGET_H_
