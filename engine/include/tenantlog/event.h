// Events, batches of events, and points of a tenant's history.
//
// Thread-safety: plain values. An AppendBatch needs external synchronisation
// if one thread may modify it while another reads it.
#ifndef TENANTLOG_EVENT_H_
#define TENANTLOG_EVENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tenantlog {

// What a data event does to its entity key in the built-in view.
// Stored values (part of the on-disk format): never renumber.
enum class Op : uint8_t {
  kPut = 0,     // the key now holds the payload
  kDelete = 1,  // the key is removed
};

// Stored values (part of the on-disk format): never renumber.
enum class EventKind : uint8_t {
  kData = 0,       // written by the application
  kTombstone = 1,  // control: the tenant was soft-deleted
  kRestore = 2,    // control: the latest tombstone was undone
  kRewind = 3,     // control: from here on, the state is as of rewind_target
};

// "put"/"delete", "data"/"tombstone"/"restore"/"rewind".
std::string_view OpName(Op op);
std::string_view EventKindName(EventKind kind);
// Parses "put" or "delete". Returns false for anything else.
bool ParseOp(std::string_view text, Op* op);

// One data event to append.
struct DataEvent {
  std::string type;     // application event type, e.g. "issue.updated"; 1..max_type_bytes
  std::string key;      // entity key; 1..max_key_bytes bytes, any bytes
  Op op = Op::kPut;
  std::string payload;  // opaque; at most max_payload_bytes; ignored for kDelete
  // Event time in microseconds since the Unix epoch. Unset: the store's clock
  // (raised to the tenant's last event time if the clock went back). Set: must
  // not be before the tenant's last event, else InvalidArgument.
  std::optional<int64_t> time_us;
};

// Data events appended to one tenant in one atomic commit: all or none.
class AppendBatch {
 public:
  void Put(std::string type, std::string key, std::string payload);
  void Delete(std::string type, std::string key);
  void Add(DataEvent event);
  void Clear() { events_.clear(); }

  size_t size() const { return events_.size(); }
  bool empty() const { return events_.empty(); }
  const std::vector<DataEvent>& events() const { return events_; }

 private:
  std::vector<DataEvent> events_;
};

// One event as stored in a tenant's log.
struct Event {
  uint64_t seq = 0;
  int64_t time_us = 0;
  EventKind kind = EventKind::kData;
  std::string type;          // data events
  std::string key;           // data events
  Op op = Op::kPut;          // data events
  std::string payload;       // data events
  std::string actor;         // control events
  std::string reason;        // control events
  uint64_t rewind_target = 0;  // rewind events
  uint64_t chain = 0;        // chain hash after this event
};

// A point of a tenant's history: a seq, or a time (the last event at or
// before that time; seq 0, the empty state, when there is none).
class Point {
 public:
  static Point AtSeq(uint64_t seq) { return Point(false, seq, 0); }
  static Point AtTime(int64_t time_us) { return Point(true, 0, time_us); }

  bool is_time() const { return is_time_; }
  uint64_t seq() const { return seq_; }         // REQUIRES: !is_time()
  int64_t time_us() const { return time_us_; }  // REQUIRES: is_time()

 private:
  Point(bool is_time, uint64_t seq, int64_t time_us)
      : is_time_(is_time), seq_(seq), time_us_(time_us) {}
  bool is_time_;
  uint64_t seq_;
  int64_t time_us_;
};

}  // namespace tenantlog

#endif  // TENANTLOG_EVENT_H_
