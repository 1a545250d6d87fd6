// Status and Result<T>: how every tenantlog call reports success or failure.
//
// Thread-safety: a Status or Result is a plain value; distinct objects may be
// used from different threads without synchronisation, one object needs
// external synchronisation if one thread may modify it.
#ifndef TENANTLOG_STATUS_H_
#define TENANTLOG_STATUS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace tenantlog {

class [[nodiscard]] Status {
 public:
  // Stable numbering: callers may switch on these.
  enum class Code : uint8_t {
    kOk = 0,
    kNotFound = 1,         // no such tenant, key or store
    kInvalidArgument = 2,  // bad input; nothing was written
    kConflict = 3,         // an expected head seq did not match; nothing written
    kRefused = 4,          // a safety guard refused (blast radius, tenant state,
                           // restore conflict); nothing written for it
    kTenantDeleted = 5,    // the tenant is tombstoned: reads and appends refused
    kCorruption = 6,       // stored bytes failed a check (chain, verifier)
    kIOError = 7,          // the file system or LMDB failed
  };

  // Creates a success status.
  Status() = default;

  static Status OK() { return Status(); }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status InvalidArgument(std::string msg) {
    return Status(Code::kInvalidArgument, std::move(msg));
  }
  static Status Conflict(std::string msg) { return Status(Code::kConflict, std::move(msg)); }
  static Status Refused(std::string msg) { return Status(Code::kRefused, std::move(msg)); }
  static Status TenantDeleted(std::string msg) {
    return Status(Code::kTenantDeleted, std::move(msg));
  }
  static Status Corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }
  static Status IOError(std::string msg) { return Status(Code::kIOError, std::move(msg)); }

  // The same code, with `context` and ": " put before the message.
  Status WithContext(std::string_view context) const {
    return Status(code_, std::string(context) + ": " + message_);
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  // The human-readable explanation; empty for success.
  const std::string& message() const { return message_; }

  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsConflict() const { return code_ == Code::kConflict; }
  bool IsRefused() const { return code_ == Code::kRefused; }
  bool IsTenantDeleted() const { return code_ == Code::kTenantDeleted; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsIOError() const { return code_ == Code::kIOError; }

  // "OK", or the code's name followed by ": " and the message.
  std::string ToString() const;

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status that explains its absence.
//
// REQUIRES: value(), operator* and operator-> only when ok().
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  // REQUIRES: !status.ok()
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace tenantlog

#endif  // TENANTLOG_STATUS_H_
