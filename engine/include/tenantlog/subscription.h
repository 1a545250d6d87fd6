// Subscriptions: a tenant's effective history, then every new event as it
// commits, with the control events that change what the tenant shows, so
// that a consumer (a search index, a cache, a message broker producer) can
// follow rewinds, tombstones and restores. Obtained from Store::Subscribe.
//
// A consumer applies the items in order: kReset clears what it holds, kEvent
// applies a data event, kTombstoned hides the tenant until the next kReset.
// A rewind or restore arrives as a kReset followed by the whole effective
// history as of that control event (a reset group). After an item that ends
// a reset group, and after any item outside one, the consumer holds what the
// tenant showed as of the item's position, having applied each data event of
// the effective history once, in order.
//
// Thread-safety: one thread at a time per Subscription (external
// synchronisation otherwise). Distinct Subscriptions, on the same Store or
// not, may be used from different threads concurrently.
#ifndef TENANTLOG_SUBSCRIPTION_H_
#define TENANTLOG_SUBSCRIPTION_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "tenantlog/event.h"
#include "tenantlog/status.h"

namespace tenantlog {

// One item a subscriber receives.
struct FeedItem {
  enum class Kind {
    kReset,       // forget everything received so far; the tenant's effective
                  // history follows from its start (kEvent items), then new events
    kEvent,       // a data event of the effective history: apply it
    kTombstoned,  // the tenant was soft-deleted: it shows nothing until a later kReset
  };
  Kind kind = Kind::kEvent;
  // kEvent: the data event. kReset, kTombstoned: the control event (rewind,
  // restore, tombstone) that caused it; for the reset that opens a
  // subscription from scratch, an Event with seq 0.
  Event event;
  // The seq of the tenant's log up to which the consumer is in sync after
  // applying this item: pass it to Store::Subscribe to resume after this item.
  // A reset caused by the control event at seq C and the events replayed
  // after it all carry C - 1, except the last item of that group, which
  // carries C; so a consumer that resumes in the middle of the group receives
  // the whole group again. The opening reset of a subscription from scratch
  // and its replay carry 0 (from scratch again), except the last item, which
  // carries the head the tenant had then.
  uint64_t position = 0;
};

class Subscription {
 public:
  Subscription() = default;
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  virtual ~Subscription() = default;

  // Up to `max_items` next items, in order. Waits up to `timeout` for the
  // first one (0: a non-blocking poll); returns an empty vector when nothing
  // arrived in time; std::chrono::milliseconds::max() waits for ever.
  // Commits made through the same Store wake a waiting call at once;
  // commits by other processes are seen by polling (at each call, and every
  // 50 ms while waiting). Every event's chain link is checked.
  // Errors: InvalidArgument (max_items is 0), NotFound (the tenant was
  // purged, or its log replaced by an older one from a backup: the
  // subscription is over, every later call returns it too; subscribe again
  // from 0), Corruption (an event failed a check), IOError. Items read
  // before an error are returned without it; the next call reads on after
  // them, and meets the error again if it persists.
  virtual Result<std::vector<FeedItem>> Next(size_t max_items,
                                             std::chrono::milliseconds timeout) = 0;

  // The position of the last item returned (the position subscribed after
  // when none has been returned yet).
  virtual uint64_t position() const = 0;
};

}  // namespace tenantlog

#endif  // TENANTLOG_SUBSCRIPTION_H_
