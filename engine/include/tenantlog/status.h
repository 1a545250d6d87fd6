// Status and Result<T>: how every tenantlog call reports success or failure.
//
// Thread-safety: a Status or Result is a plain value; distinct objects may be
// used from different threads without synchronisation, one object needs
// external synchronisation if one thread may modify it.
#ifndef TENANTLOG_STATUS_H_
#define TENANTLOG_STATUS_H_

#include <cstdint>
#include <memory>
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

  // Creates a success status. A success status holds no allocation, so
  // returning and testing one costs a pointer.
  Status() = default;
  Status(const Status& other) : state_(other.state_ ? new State(*other.state_) : nullptr) {}
  Status& operator=(const Status& other) {
    if (this != &other) state_.reset(other.state_ ? new State(*other.state_) : nullptr);
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

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
    return Status(code(), std::string(context) + ": " + message());
  }

  bool ok() const { return state_ == nullptr; }
  Code code() const { return state_ ? state_->code : Code::kOk; }
  // The human-readable explanation; empty for success.
  const std::string& message() const;

  bool IsNotFound() const { return code() == Code::kNotFound; }
  bool IsInvalidArgument() const { return code() == Code::kInvalidArgument; }
  bool IsConflict() const { return code() == Code::kConflict; }
  bool IsRefused() const { return code() == Code::kRefused; }
  bool IsTenantDeleted() const { return code() == Code::kTenantDeleted; }
  bool IsCorruption() const { return code() == Code::kCorruption; }
  bool IsIOError() const { return code() == Code::kIOError; }

  // "OK", or the code's name followed by ": " and the message.
  std::string ToString() const;

 private:
  struct State {
    Code code;
    std::string message;
  };
  Status(Code code, std::string msg)
      : state_(code == Code::kOk ? nullptr : new State{code, std::move(msg)}) {}

  std::unique_ptr<State> state_;  // null for success
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
