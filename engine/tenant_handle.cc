#include "tenantlog/tenant_handle.h"

#include "store_impl.h"

namespace tenantlog {

Result<std::unique_ptr<TenantHandle>> Store::OpenTenant(std::string_view tenant) {
  Status s = CheckTenantName(tenant);
  if (!s.ok()) return s;
  auto info = impl_->Describe(tenant);
  if (!info.ok() && !info.status().IsNotFound()) return info.status();
  const uint64_t id = info.ok() ? info->id : 0;
  return std::unique_ptr<TenantHandle>(new TenantHandle(impl_.get(), std::string(tenant), id));
}

void TenantHandle::Bind() {
  if (id_.load() != 0) return;
  auto info = store_->Describe(TenantRef(tenant_));
  uint64_t unbound = 0;
  if (info.ok()) id_.compare_exchange_strong(unbound, info->id);
}

Result<AppendResult> TenantHandle::Append(const AppendBatch& batch, const WriteOptions& options) {
  auto result = store_->Append(TenantRef(tenant_, id_.load()), batch, options);
  if (result.ok()) Bind();
  return result;
}

Result<std::vector<Event>> TenantHandle::ReadLog(uint64_t from_seq, size_t limit) {
  Bind();
  return store_->ReadLog(TenantRef(tenant_, id_.load()), from_seq, limit);
}

Result<std::string> TenantHandle::Get(std::string_view key, const ReadOptions& options) {
  Bind();
  return store_->Get(TenantRef(tenant_, id_.load()), key, options);
}

Result<std::vector<KeyValue>> TenantHandle::List(const ReadOptions& options) {
  Bind();
  return store_->List(TenantRef(tenant_, id_.load()), options);
}

Result<TenantInfo> TenantHandle::Describe() {
  Bind();
  return store_->Describe(TenantRef(tenant_, id_.load()));
}

Result<uint64_t> TenantHandle::ResolvePoint(const Point& point) {
  Bind();
  return store_->ResolvePoint(TenantRef(tenant_, id_.load()), point);
}

Result<ViewDiff> TenantHandle::Diff(const Point& from, const std::optional<Point>& to) {
  Bind();
  return store_->Diff(TenantRef(tenant_, id_.load()), from, to);
}

}  // namespace tenantlog
