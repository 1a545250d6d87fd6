// Application-defined views.
//
// Besides the built-in view (entity key → latest payload), an application
// can give Options::reducers when it opens a store: each Reducer defines a
// view of every tenant as a fold of the tenant's effective data events into
// entries (view key → value). Such a view is kept exactly like the built-in
// one: persisted, brought up to date at its next read, rebuilt from the log
// (from the nearest checkpoint) when the timeline changes (rewind, restore),
// dropped with the tenant, and readable as of any earlier point. Read it by
// naming it in ReadOptions::view.
//
// Example: a view counting each event type.
//
//   class CountByType : public tenantlog::Reducer {
//    public:
//     std::string name() const override { return "count_by_type"; }
//     uint32_t version() const override { return 1; }
//     tenantlog::Status Apply(const tenantlog::Event& e,
//                             tenantlog::MutableView* view) const override {
//       std::string count;
//       tenantlog::Status s = view->Get(e.type, &count);
//       if (!s.ok() && !s.IsNotFound()) return s;
//       view->Put(e.type, std::to_string(s.ok() ? std::stoull(count) + 1 : 1));
//       return tenantlog::Status::OK();
//     }
//   };
#ifndef TENANTLOG_REDUCER_H_
#define TENANTLOG_REDUCER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "tenantlog/event.h"
#include "tenantlog/status.h"

namespace tenantlog {

// The view a Reducer folds into, as left by the events before the current one.
// Thread-safety: used by one fold at a time; valid only inside Reducer::Apply.
class MutableView {
 public:
  virtual ~MutableView() = default;

  // Sets *value to the value of `key`. NotFound when the view has no such key.
  virtual Status Get(std::string_view key, std::string* value) = 0;

  // Sets `key` to `value`. Keys are 1-499 bytes (kMaxEntityKeyBytes); the
  // fold fails with InvalidArgument otherwise.
  virtual void Put(std::string_view key, std::string_view value) = 0;

  // Removes `key`; removing a missing key does nothing.
  virtual void Delete(std::string_view key) = 0;
};

class Reducer {
 public:
  virtual ~Reducer() = default;

  // The view's name: 1-64 characters of a-z 0-9 . _ -, unique among the
  // store's reducers. It names the view in ReadOptions::view and in the
  // store, so keep it stable.
  virtual std::string name() const = 0;

  // Bump it whenever Apply changes meaning: every tenant's view of this
  // reducer is then rebuilt from the log at its next read.
  virtual uint32_t version() const = 0;

  // Folds one data event (never a control event) of the tenant's effective
  // history into `view`, events in seq order. Must be deterministic: a
  // function of the event and the view alone, so that a rebuild gives the
  // same view. A non-OK status fails the read that ran the fold, naming the
  // view and the event's seq. It runs inside one of the store's
  // transactions: it must not call the Store, nor wait for a thread that does.
  // Thread-safety: called concurrently from any thread (for different folds).
  virtual Status Apply(const Event& event, MutableView* view) const = 0;
};

}  // namespace tenantlog

#endif  // TENANTLOG_REDUCER_H_
