// The event envelope: the stored value of the `events` database is
//   chain hash (8 bytes, big-endian) ‖ FlatBuffers `Event` (schema/event.fbs)
// and the chain hash covers exactly the FlatBuffers bytes. This file is the
// only place that builds or reads those bytes.
#ifndef TENANTLOG_ENGINE_LOG_ENVELOPE_H_
#define TENANTLOG_ENGINE_LOG_ENVELOPE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tenantlog/event.h"
#include "tenantlog/status.h"
#include "util/aligned_bytes.h"

namespace flatbuffers {
class FlatBufferBuilder;
}

namespace tenantlog {

constexpr size_t kChainPrefixBytes = 8;

// The fields of one event to encode; views must outlive the Encode call.
struct EventFields {
  uint64_t seq = 0;
  int64_t time_us = 0;
  EventKind kind = EventKind::kData;
  std::string_view type;
  std::string_view key;
  Op op = Op::kPut;
  std::string_view payload;
  std::string_view actor;
  std::string_view reason;
  uint64_t rewind_target = 0;
};

// Builds stored event values. Not thread-safe; reuse one per writer.
class EventEncoder {
 public:
  EventEncoder();
  ~EventEncoder();
  EventEncoder(const EventEncoder&) = delete;
  EventEncoder& operator=(const EventEncoder&) = delete;

  // Encodes `fields` chained after `previous_chain` and returns the size of
  // its stored value; chain() is then its chain value and WriteStored lays
  // the value out.
  size_t Encode(const EventFields& fields, uint64_t previous_chain);
  uint64_t chain() const { return chain_; }
  // Writes the stored value of the last Encode to `out`, which has room for
  // the size Encode returned.
  void WriteStored(char* out) const;

 private:
  flatbuffers::FlatBufferBuilder* builder_;
  uint64_t chain_ = 0;
};

// A verified, decoded view of one stored event. Not thread-safe. The views
// it hands out point into the stored value when it is 8-byte aligned (as
// LMDB lays out the engine's own values), else into a copy: they are valid
// until the next Parse and while the stored value's bytes are.
class EventDecoder {
 public:
  EventDecoder() = default;
  // Not copyable: a copy's views would point into this one's buffer.
  EventDecoder(const EventDecoder&) = delete;
  EventDecoder& operator=(const EventDecoder&) = delete;

  // Checks the envelope and runs the FlatBuffers verifier. Corruption when
  // the value is too short, fails verification, or has an unknown kind or op.
  Status Parse(std::string_view stored_value);

  // For an event read in chain order: checks that its chain value is that
  // of its record chained after `previous_chain` (Corruption "chain hash
  // mismatch" when not), then decodes it, running the FlatBuffers verifier
  // only when `verify`. The chain covers every byte of the record, and every
  // record is verified before it is stored, so in the engine's own store a
  // record the chain vouches for is the verified one; bytes from elsewhere
  // (a backup) need `verify`.
  Status ParseLinked(std::string_view stored_value, uint64_t previous_chain, bool verify);

  uint64_t chain() const { return chain_; }
  // The bytes the chain hash covers.
  std::string_view record() const { return record_; }
  uint64_t seq() const { return seq_; }
  int64_t time_us() const { return time_us_; }
  EventKind kind() const { return kind_; }
  Op op() const { return op_; }
  std::string_view type() const { return type_; }
  std::string_view key() const { return key_; }
  std::string_view payload() const { return payload_; }
  uint64_t rewind_target() const;
  // A full copy, chain included.
  Event ToEvent() const;

 private:
  Status Load(std::string_view stored_value, bool verify);

  const void* root_ = nullptr;
  uint64_t chain_ = 0;
  // The record: in the stored value, or in aligned_.
  std::string_view record_;
  // The fields every fold reads, decoded once by Load; the views point
  // into the record.
  uint64_t seq_ = 0;
  int64_t time_us_ = 0;
  EventKind kind_ = EventKind::kData;
  Op op_ = Op::kPut;
  std::string_view type_;
  std::string_view key_;
  std::string_view payload_;
  AlignedBytes aligned_;
};

}  // namespace tenantlog

#endif  // TENANTLOG_ENGINE_LOG_ENVELOPE_H_
