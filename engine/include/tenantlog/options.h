// Options for opening a Store and for individual calls.
//
// Thread-safety: plain structs; copy them freely. A Clock given in Options
// must be thread-safe and outlive the Store.
#ifndef TENANTLOG_OPTIONS_H_
#define TENANTLOG_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tenantlog/event.h"
#include "tenantlog/reducer.h"

namespace tenantlog {

// Source of event times. Tests substitute their own.
class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the Unix epoch, UTC. Thread-safe.
  virtual int64_t NowMicros() const = 0;
};

// The largest entity key any store accepts (LMDB's 511-byte key limit less
// the view key prefix).
constexpr uint32_t kMaxEntityKeyBytes = 499;

struct Options {
  // Create the store directory and its files when they do not exist.
  // Default: true.
  bool create_if_missing = true;

  // Open read-only: every call that would write returns InvalidArgument, and
  // views that are behind are folded in memory instead of being caught up.
  // Default: false.
  bool read_only = false;

  // Flush every commit to stable storage before the call returns. false trades
  // durability of the most recent commits (not consistency) for speed.
  // Default: true.
  bool sync = true;

  // Size of the memory map at open. The map grows by itself (doubling) when a
  // write needs more room, so this only sets the starting point. A growth
  // waits for the transactions this process has open when it is needed (a
  // backup's copy or a long fold among them) and for those begun while it
  // waits, and the writes behind it wait with it. Other calls go on, held
  // back only while the growth finishes: 10 ms, or about twice the longest
  // transaction begun while it waited if that is longer. A store expected to
  // grow large may start near that size (the data file grows with the data,
  // not with the map).
  // Default: 64 MiB.
  uint64_t initial_map_bytes = uint64_t{64} << 20;

  // Upper bound for the map (and so the data file); a write that needs more
  // fails with IOError "store is full". 0 means no bound but the disk.
  // Default: 0.
  uint64_t max_map_bytes = 0;

  // Largest accepted payload of one data event. Default: 16 MiB.
  uint32_t max_payload_bytes = uint32_t{16} << 20;

  // Largest accepted entity key. Keys are stored in LMDB keys of at most
  // 511 bytes, behind a 12-byte view prefix, so this cannot exceed
  // kMaxEntityKeyBytes; Open refuses a larger value. Default: 499 bytes.
  uint32_t max_key_bytes = kMaxEntityKeyBytes;

  // Largest accepted data event type. Default: 256 bytes.
  uint32_t max_type_bytes = 256;

  // Concurrent read transactions across all processes of the store.
  // Default: 126 (LMDB's default).
  uint32_t max_readers = 126;

  // Time source for event and audit times. nullptr: the system clock.
  // Default: nullptr.
  const Clock* clock = nullptr;

  // Application-defined views (tenantlog/reducer.h), besides the built-in
  // one. Open refuses (InvalidArgument) an invalid or repeated name.
  // Default: none.
  std::vector<std::shared_ptr<const Reducer>> reducers;

  // A view brought up to date this many events past its latest checkpoint
  // gets a new one: a copy of the view at that point, from which rebuilds
  // (after a rewind or restore, or a reducer's new version) and reads as of
  // a later point start, instead of from the first event. Each view keeps
  // its 4 latest checkpoints. 0: no checkpoints. Default: 10,000 events.
  uint32_t view_checkpoint_interval = 10000;
};

// Per-call options for Store::Append.
struct WriteOptions {
  // When set, the append succeeds only if the tenant's head seq equals this
  // value (0 for a tenant with no events yet); otherwise it returns Conflict
  // and writes nothing. Default: unset (no check).
  std::optional<uint64_t> expected_head_seq;
};

// Per-call options for reads of the view.
struct ReadOptions {
  // Read the state as of this point of the tenant's history instead of now.
  // Such reads fold the effective history on the fly and change nothing.
  // Default: unset (the current state).
  std::optional<Point> as_of;

  // The view to read: the name of one of Options::reducers, or empty for the
  // built-in view (entity key → latest payload). Default: empty.
  std::string view;
};

}  // namespace tenantlog

#endif  // TENANTLOG_OPTIONS_H_
