// GatedReducer: a view of key -> payload whose fold stops at the first event
// of key "gate" it meets, inside its read transaction, until the test opens
// the gate: a fold held open at a point of the test's choosing. The wait is
// bounded so that a fold that can never be let through (a writer it blocks)
// fails the test instead of hanging it.
#ifndef TENANTLOG_TESTS_UTIL_GATED_REDUCER_H_
#define TENANTLOG_TESTS_UTIL_GATED_REDUCER_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>

#include "tenantlog/reducer.h"

namespace tenantlog::test {

// Thread-safe. Its view is named "gated".
class GatedReducer : public Reducer {
 public:
  static constexpr std::chrono::seconds kMaxWait{30};

  std::string name() const override { return "gated"; }
  uint32_t version() const override { return 1; }
  Status Apply(const Event& e, MutableView* view) const override {
    if (e.key == "gate") {
      std::unique_lock lock(mu_);
      ++gate_folds_;
      if (!entered_) {
        entered_ = true;
        cv_.notify_all();
        if (!cv_.wait_for(lock, kMaxWait, [&] { return open_; })) {
          timed_out_ = true;
          return Status::Corruption("the gate was not opened in time");
        }
        if (fail_first_) return Status::InvalidArgument("the first fold fails at the gate");
      }
    }
    view->Put(e.key, e.payload);
    return Status::OK();
  }
  // True once a fold waits at the gate (false after kMaxWait).
  bool WaitForFold() const {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kMaxWait, [&] { return entered_; });
  }
  void Open() const {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  // Makes the fold held at the gate fail once the gate opens.
  void FailFirstFold() const {
    std::lock_guard lock(mu_);
    fail_first_ = true;
  }
  // How many folds applied the gate's event.
  int gate_folds() const {
    std::lock_guard lock(mu_);
    return gate_folds_;
  }
  // True when a fold gave up waiting at the gate.
  bool TimedOut() const {
    std::lock_guard lock(mu_);
    return timed_out_;
  }

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  mutable bool entered_ = false;
  mutable bool open_ = false;
  mutable bool timed_out_ = false;
  mutable bool fail_first_ = false;
  mutable int gate_folds_ = 0;
};

}  // namespace tenantlog::test

#endif  // TENANTLOG_TESTS_UTIL_GATED_REDUCER_H_
