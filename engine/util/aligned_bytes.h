// AlignedBytes: a copy of serialized FlatBuffers bytes in 8-byte aligned
// memory. FlatBuffers reads scalars in place, and LMDB guarantees values
// only 2-byte alignment, so a reader copies bytes here unless they are
// aligned already.
//
// Thread-safety: a plain value; not for concurrent use.
#ifndef TENANTLOG_ENGINE_UTIL_ALIGNED_BYTES_H_
#define TENANTLOG_ENGINE_UTIL_ALIGNED_BYTES_H_

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace tenantlog {

class AlignedBytes {
 public:
  AlignedBytes() = default;
  explicit AlignedBytes(std::string_view bytes) { Assign(bytes); }

  // Copies `bytes` in place of the previous copy, whose pointers and views
  // become invalid.
  void Assign(std::string_view bytes) {
    words_.resize((bytes.size() + 7) / 8);
    if (!bytes.empty()) std::memcpy(words_.data(), bytes.data(), bytes.size());
    size_ = bytes.size();
  }

  const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(words_.data()); }
  size_t size() const { return size_; }
  std::string_view view() const { return std::string_view(reinterpret_cast<const char*>(data()), size_); }

 private:
  std::vector<uint64_t> words_;
  size_t size_ = 0;
};

}  // namespace tenantlog

#endif  // TENANTLOG_ENGINE_UTIL_ALIGNED_BYTES_H_
