#include "tenantlog_target.h"

#include "fatal.h"
#include "peer_lmdb.h"

namespace tenantlog::bench {

Options StoreOptions(bool durable, uint32_t checkpoint_interval) {
  Options options;
  options.sync = durable;
  options.view_checkpoint_interval = checkpoint_interval;
  options.initial_map_bytes = kMapBytes;
  return options;
}

std::unique_ptr<Store> OpenStore(const std::string& dir, bool durable, uint32_t checkpoint_interval) {
  std::unique_ptr<Store> store;
  CheckOk(Store::Open(StoreOptions(durable, checkpoint_interval), dir, &store), "open store " + dir);
  return store;
}

AdminContext BenchAdmin() {
  AdminContext context;
  context.actor = "tenantlog_bench";
  context.reason = "benchmark";
  return context;
}

TenantlogTarget::TenantlogTarget(std::string dir, uint32_t checkpoint_interval)
    : dir_(std::move(dir)), checkpoint_interval_(checkpoint_interval) {
  store_ = OpenStore(dir_, true, checkpoint_interval_);
}

void TenantlogTarget::SetDurable(bool durable) {
  store_.reset();
  store_ = OpenStore(dir_, durable, checkpoint_interval_);
}

void TenantlogTarget::Append(uint64_t tenant, uint64_t, const PreparedBatch& batch) {
  CheckOk(store_->Append(TenantName(tenant), batch.batch).status(), "append");
}

}  // namespace tenantlog::bench
