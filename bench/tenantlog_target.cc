#include "tenantlog_target.h"

#include "fatal.h"
#include "peer_lmdb.h"

namespace tenantlog::bench {

Options StoreOptions(bool durable) {
  Options options;
  options.sync = durable;
  options.initial_map_bytes = kMapBytes;
  return options;
}

std::unique_ptr<Store> OpenStore(const std::string& dir, bool durable) {
  std::unique_ptr<Store> store;
  CheckOk(Store::Open(StoreOptions(durable), dir, &store), "open store " + dir);
  return store;
}

AdminContext BenchAdmin() {
  AdminContext context;
  context.actor = "tenantlog_bench";
  context.reason = "benchmark";
  return context;
}

TenantlogTarget::TenantlogTarget(std::string dir) : dir_(std::move(dir)) {
  store_ = OpenStore(dir_, true);
}

void TenantlogTarget::SetDurable(bool durable) {
  store_.reset();
  store_ = OpenStore(dir_, durable);
}

void TenantlogTarget::Append(uint64_t tenant, uint64_t, const PreparedBatch& batch) {
  CheckOk(store_->Append(TenantName(tenant), batch.batch).status(), "append");
}

}  // namespace tenantlog::bench
