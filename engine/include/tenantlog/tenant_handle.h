// TenantHandle: the part of a Store that one tenant may touch.
//
// Give a TenantHandle, not the Store, to code that acts for one tenant (a
// request handler, a tenant's job). Whatever keys, seqs, points or views it
// is given, a handle reads and writes only its own tenant: every call names
// the tenant the handle was opened for, and once that tenant exists the
// handle is bound to it for good: if it is purged and its name taken by a
// new tenant, the handle's calls return NotFound instead of reaching the
// newcomer. Administration (tombstone, rewind, purge…) stays on the Store.
//
// Each method behaves as the Store method of the same name for the handle's
// tenant, with the same errors.
//
// Thread-safety: thread-safe, like Store. REQUIRES: the Store outlives it.
#ifndef TENANTLOG_TENANT_HANDLE_H_
#define TENANTLOG_TENANT_HANDLE_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tenantlog/store.h"

namespace tenantlog {

class TenantHandle {
 public:
  TenantHandle(const TenantHandle&) = delete;
  TenantHandle& operator=(const TenantHandle&) = delete;

  // The tenant's name.
  const std::string& tenant() const { return tenant_; }

  Result<AppendResult> Append(const AppendBatch& batch, const WriteOptions& options = WriteOptions());
  Result<std::vector<Event>> ReadLog(uint64_t from_seq, size_t limit);
  Result<std::string> Get(std::string_view key, const ReadOptions& options = ReadOptions());
  Result<std::vector<KeyValue>> List(const ReadOptions& options = ReadOptions());
  Result<TenantInfo> Describe();
  Result<uint64_t> ResolvePoint(const Point& point);
  Result<ViewDiff> Diff(const Point& from, const std::optional<Point>& to);

 private:
  friend class Store;
  TenantHandle(Store::Impl* store, std::string tenant, uint64_t id)
      : store_(store), tenant_(std::move(tenant)), id_(id) {}
  // Binds the handle to the tenant's id once the tenant exists.
  void Bind();

  Store::Impl* const store_;
  const std::string tenant_;
  std::atomic<uint64_t> id_;  // 0 until the tenant exists
};

}  // namespace tenantlog

#endif  // TENANTLOG_TENANT_HANDLE_H_
