#include "workload.h"

#include <cstdio>

namespace tenantlog::bench {

namespace {

constexpr char kAlphabet[] =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.:-_";

}  // namespace

std::string TenantName(uint64_t tenant) {
  char name[32];
  std::snprintf(name, sizeof(name), "tenant-%06llu", static_cast<unsigned long long>(tenant));
  return name;
}

std::vector<std::string> TenantNames(const std::vector<uint64_t>& tenants) {
  std::vector<std::string> names;
  names.reserve(tenants.size());
  for (uint64_t t : tenants) names.push_back(TenantName(t));
  return names;
}

EventSpec MakeEvent(uint64_t tenant, uint64_t seq, uint32_t keys_per_tenant) {
  Prng prng(tenant * 0x100000001b3ULL ^ seq);
  EventSpec e;
  e.key = "issue/" + std::to_string(prng.Below(keys_per_tenant));
  const size_t size = kMinPayload + prng.Below(kMaxPayload - kMinPayload + 1);
  e.payload.resize(size);
  uint64_t bits = 0;
  for (size_t i = 0; i < size; ++i) {
    if (i % 8 == 0) bits = prng.Next();
    e.payload[i] = kAlphabet[(bits & 0xff) % (sizeof(kAlphabet) - 1)];
    bits >>= 8;
  }
  return e;
}

std::vector<EventSpec> MakeEvents(uint64_t tenant, uint64_t first_seq, uint32_t count,
                                  uint32_t keys_per_tenant) {
  std::vector<EventSpec> events;
  events.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    events.push_back(MakeEvent(tenant, first_seq + i, keys_per_tenant));
  }
  return events;
}

AppendBatch ToBatch(const std::vector<EventSpec>& events) {
  AppendBatch batch;
  for (const EventSpec& e : events) batch.Put(std::string(kEventType), e.key, e.payload);
  return batch;
}

std::vector<uint64_t> SpreadTenants(uint32_t tenants, uint32_t count) {
  std::vector<uint64_t> out;
  if (count == 0) return out;
  const uint32_t every = tenants / count;
  for (uint32_t i = 1; i <= count; ++i) out.push_back(uint64_t{i} * every);
  return out;
}

}  // namespace tenantlog::bench
