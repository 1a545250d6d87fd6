// The deterministic data every implementation writes: the same tenants, the
// same (tenant, seq) keys, the same entity keys and the same payload bytes,
// whichever store receives them.
#ifndef TENANTLOG_BENCH_WORKLOAD_H_
#define TENANTLOG_BENCH_WORKLOAD_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tenantlog/event.h"

namespace tenantlog::bench {

// SplitMix64: small, fast and the same on every platform.
class Prng {
 public:
  explicit Prng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n). REQUIRES: n > 0.
  uint64_t Below(uint64_t n) { return Next() % n; }

 private:
  uint64_t state_;
};

// Type of every data event of the workload.
inline constexpr std::string_view kEventType = "issue.updated";

// Payload sizes: uniform in [kMinPayload, kMaxPayload], 150 bytes on average.
inline constexpr size_t kMinPayload = 120;
inline constexpr size_t kMaxPayload = 180;

// One data event: a put of `payload` to entity `key`.
struct EventSpec {
  std::string key;
  std::string payload;
};

// Tenants are numbered from 1; the number is the peers' tenant id.
// Name of tenant `tenant` in tenantlog: "tenant-000042".
std::string TenantName(uint64_t tenant);
std::vector<std::string> TenantNames(const std::vector<uint64_t>& tenants);

// Event `seq` (from 1) of tenant `tenant`, its key one of `keys_per_tenant`.
EventSpec MakeEvent(uint64_t tenant, uint64_t seq, uint32_t keys_per_tenant);

// Events first_seq .. first_seq + count - 1 of `tenant`.
std::vector<EventSpec> MakeEvents(uint64_t tenant, uint64_t first_seq, uint32_t count,
                                  uint32_t keys_per_tenant);

// The same events as a tenantlog batch.
AppendBatch ToBatch(const std::vector<EventSpec>& events);

// `count` tenants evenly spread over 1..tenants: the victims of the admin
// workloads, so that they touch the whole store. REQUIRES: count <= tenants.
std::vector<uint64_t> SpreadTenants(uint32_t tenants, uint32_t count);

}  // namespace tenantlog::bench

#endif  // TENANTLOG_BENCH_WORKLOAD_H_
