// Synthetic multi-tenant traffic for the drill: an issue tracker's events
// (issues created, updated and deleted, comments added, edited and deleted),
// with keys reused so that a view sees puts, overwrites and deletes.
//
// Deterministic: the same seed and the same calls give the same events, byte
// for byte, times included. Each tenant has its own random stream and its own
// synthetic clock, so a tenant's events do not depend on how the calls for
// different tenants interleave.
//
// Thread-safety: a TrafficGenerator needs external synchronisation; use one
// per thread.
#ifndef TENANTLOG_TOOLS_DRILL_TRAFFIC_H_
#define TENANTLOG_TOOLS_DRILL_TRAFFIC_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tenantlog/event.h"

namespace tenantlog::tool {

class TrafficGenerator {
 public:
  TrafficGenerator(uint64_t seed, size_t tenants);

  // The name of tenant `index` (0-based): "acme-0001", "globex-0002", …
  static std::string TenantName(size_t index);

  size_t tenants() const { return tenants_.size(); }

  // The size of the tenant's next batch: 50 to 100 events, at most `remaining`.
  size_t NextBatchSize(size_t tenant, size_t remaining);

  // The tenant's next `count` events, stamped by its synthetic clock.
  AppendBatch NextBatch(size_t tenant, size_t count);

 private:
  struct TenantTraffic {
    uint64_t random = 0;   // splitmix64 state
    int64_t clock_us = 0;  // time of the tenant's latest event
    uint32_t next_issue = 1;
    uint32_t next_comment = 1;
    std::vector<uint32_t> issues;    // live issue ids
    std::vector<uint32_t> comments;  // live comment ids
  };

  static uint64_t Next(TenantTraffic& t);
  static uint64_t Below(TenantTraffic& t, uint64_t bound);
  static std::string Payload(TenantTraffic& t, const std::string& head);
  DataEvent NextEvent(TenantTraffic& t);

  std::vector<TenantTraffic> tenants_;
};

// Every tenant's traffic up to `events_per_tenant` events, tenants
// interleaved in rounds of one batch each: calls `append(tenant, batch)` for
// every batch in a fixed order.
template <typename AppendFn>
void GenerateFill(TrafficGenerator& traffic, size_t events_per_tenant, AppendFn append) {
  std::vector<size_t> remaining(traffic.tenants(), events_per_tenant);
  for (bool more = true; more;) {
    more = false;
    for (size_t tenant = 0; tenant < remaining.size(); ++tenant) {
      if (remaining[tenant] == 0) continue;
      const size_t count = traffic.NextBatchSize(tenant, remaining[tenant]);
      append(tenant, traffic.NextBatch(tenant, count));
      remaining[tenant] -= count;
      more = more || remaining[tenant] > 0;
    }
  }
}

// A bad update of `keys`: each overwritten with binary garbage of 64 to 512
// bytes, every tenth one deleted instead, all stamped `time_us`.
AppendBatch DamagingBatch(const std::vector<std::string>& keys, int64_t time_us, uint64_t seed);

}  // namespace tenantlog::tool

#endif  // TENANTLOG_TOOLS_DRILL_TRAFFIC_H_
