// The per-tenant hash chain (DESIGN.md, "Integrity"):
//   chain[n] = XXH3_64(event_bytes[n], seed = chain[n-1]),  chain[0] = 0.
// The audit log is chained the same way.
#ifndef TENANTLOG_ENGINE_LOG_CHAIN_H_
#define TENANTLOG_ENGINE_LOG_CHAIN_H_

#include <cstdint>
#include <string_view>

namespace tenantlog {

// The chain value after a record whose serialized bytes are `record`.
uint64_t ChainNext(uint64_t previous, std::string_view record);

}  // namespace tenantlog

#endif  // TENANTLOG_ENGINE_LOG_CHAIN_H_
