// Key encoding of every named database (DESIGN.md, "Storage layout").
// Integers are big-endian so that byte order is numeric order; a tenant's
// entries in each database are one contiguous key range.
#ifndef TENANTLOG_ENGINE_LOG_KEYS_H_
#define TENANTLOG_ENGINE_LOG_KEYS_H_

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace tenantlog::keys {

inline void PutFixed64(char* out, uint64_t v) {
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
  std::memcpy(out, &v, 8);
}

inline uint64_t GetFixed64(const char* in) {
  uint64_t v;
  std::memcpy(&v, in, 8);
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
  return v;
}

inline void AppendFixed64(std::string* out, uint64_t v) {
  char buf[8];
  PutFixed64(buf, v);
  out->append(buf, 8);
}

// `tenants` key; also the prefix of a tenant's range in `events`, `views`
// and `view_state`.
inline std::string TenantKey(uint64_t tenant_id) {
  std::string key;
  AppendFixed64(&key, tenant_id);
  return key;
}

// An `events` key, held inline (one is made per event written).
struct EventKeyBytes {
  char bytes[16];
  operator std::string_view() const { return std::string_view(bytes, sizeof(bytes)); }  // NOLINT
};

// `events` key: tenant id ‖ seq.
inline EventKeyBytes EventKey(uint64_t tenant_id, uint64_t seq) {
  EventKeyBytes key;
  PutFixed64(key.bytes, tenant_id);
  PutFixed64(key.bytes + 8, seq);
  return key;
}

// Decodes an `events` key. Returns false when it is not 16 bytes.
inline bool ParseEventKey(std::string_view key, uint64_t* tenant_id, uint64_t* seq) {
  if (key.size() != 16) return false;
  *tenant_id = GetFixed64(key.data());
  *seq = GetFixed64(key.data() + 8);
  return true;
}

// Identifies a view within a tenant. Stored: never renumber. The built-in
// view is 1; application views get ids from 2 on (views/view_registry.h).
constexpr uint32_t kBuiltinViewId = 1;
// Checkpoint `slot` (0-127) of view `view_id` (< 2^24) lives under the id
// kCheckpointBit | slot << 24 | view_id: its record in `view_state`, its
// entries in `views`. Its keys are then no longer than the view's own.
constexpr uint32_t kCheckpointBit = 0x80000000u;
constexpr uint32_t kMaxViewId = (1u << 24) - 1;
inline uint32_t CheckpointViewId(uint32_t view_id, uint32_t slot) {
  return kCheckpointBit | (slot << 24) | view_id;
}

inline void AppendFixed32(std::string* out, uint32_t v) {
  out->push_back(static_cast<char>(v >> 24));
  out->push_back(static_cast<char>(v >> 16));
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v));
}

inline uint32_t GetFixed32(const char* in) {
  uint32_t v;
  std::memcpy(&v, in, 4);
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap32(v);
  return v;
}

// `view_state` key and `views` prefix: tenant id ‖ view id (4 bytes).
inline std::string ViewPrefix(uint64_t tenant_id, uint32_t view_id) {
  std::string key;
  key.reserve(20);
  AppendFixed64(&key, tenant_id);
  AppendFixed32(&key, view_id);
  return key;
}

// `views` key: tenant id ‖ view id ‖ view key.
inline std::string ViewKey(uint64_t tenant_id, uint32_t view_id, std::string_view view_key) {
  std::string key = ViewPrefix(tenant_id, view_id);
  key.append(view_key);
  return key;
}

// `audit` key: audit seq.
inline std::string AuditKey(uint64_t seq) { return TenantKey(seq); }

}  // namespace tenantlog::keys

#endif  // TENANTLOG_ENGINE_LOG_KEYS_H_
