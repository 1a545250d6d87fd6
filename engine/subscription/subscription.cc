#include "subscription/subscription.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "log/event_log.h"
#include "tenants/tenant_registry.h"
#include "timeline/timeline.h"

namespace tenantlog::subscription {

void CommitNotifier::Notify() {
  {
    std::lock_guard lock(mu_);
    ++commits_;
  }
  cv_.notify_all();
}

uint64_t CommitNotifier::commits() const {
  std::lock_guard lock(mu_);
  return commits_;
}

void CommitNotifier::WaitFor(uint64_t seen, std::chrono::nanoseconds timeout) const {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return commits_ != seen; });
}

namespace {

using std::chrono::milliseconds;
constexpr milliseconds kForever = std::chrono::hours(24 * 365 * 100);

FeedItem Item(FeedItem::Kind kind, Event event, uint64_t position = 0) {
  FeedItem item;
  item.kind = kind;
  item.event = std::move(event);
  item.position = position;
  return item;
}

// eventlog::Scan over [first, last] that ends, successfully, before the
// first event for which `fn` returns false.
Status ScanWhile(lmdb::Txn& txn, const TenantRecord& record, uint64_t first, uint64_t last,
                 const std::function<bool(const EventDecoder&)>& fn) {
  bool stopped = false;
  Status s = eventlog::Scan(txn, record, first, last, [&](const EventDecoder& e) {
    if (fn(e)) return Status::OK();
    stopped = true;
    return Status::Refused("scan stopped");  // ends the scan; not returned
  });
  return stopped ? Status::OK() : s;
}

// The feed of one tenant, read from its log. Raw events from next_seq_ on
// become items one for one, except a rewind or restore, which starts a
// replay: a reset, then the effective history as of that control event.
class TenantFeed final : public Subscription {
 public:
  TenantFeed(lmdb::LmdbEnv* env, const CommitNotifier* notifier, std::string tenant)
      : env_(env), notifier_(notifier), tenant_(std::move(tenant)) {}

  // Starts with the opening reset, as of the tenant's head in `txn`.
  Status OpenFromScratch(lmdb::Txn& txn);

  // Goes on after `position` of tenant `tenant_id`, whose chain there is `chain`.
  void ResumeAfter(uint64_t tenant_id, uint64_t position, uint64_t chain) {
    tenant_id_ = tenant_id;
    next_seq_ = position + 1;
    chain_ = chain;
    position_ = position;
  }

  Result<std::vector<FeedItem>> Next(size_t max_items, std::chrono::milliseconds timeout) override;
  uint64_t position() const override { return position_; }

 private:
  // A reset and the effective history replayed after it. The latest item read
  // is held back until the next one shows it is not the group's last: only
  // the last carries end_position.
  struct Replay {
    std::vector<timeline::SeqRange> ranges;
    size_t range = 0;   // the range being read
    uint64_t next = 0;  // the next seq to read in it
    FeedItem held;
    std::optional<FeedItem> tail;  // a kTombstoned ending the opening reset
    uint64_t inner_position = 0;
    uint64_t end_position = 0;
  };

  // Appends to *out, up to max_items in all, what the log in `txn` holds next.
  // On error, the items already in *out are valid and the state follows them.
  Status Fill(lmdb::Txn& txn, size_t max_items, std::vector<FeedItem>* out);
  // Loads the tenant's record; *exists stays false while a tenant subscribed
  // to from scratch does not exist. NotFound (and the subscription ends) when
  // the tenant was purged or its log no longer holds what was read.
  Status Locate(lmdb::Txn& txn, TenantRecord* record, bool* exists);
  void StartReplay(std::vector<timeline::SeqRange> ranges, FeedItem reset, uint64_t inner_position,
                   uint64_t end_position);
  Status ContinueReplay(lmdb::Txn& txn, const TenantRecord& record, size_t max_items,
                        std::vector<FeedItem>* out);
  // Reads raw events from next_seq_ until *out is full, the head, or the start of a replay.
  Status ReadNew(lmdb::Txn& txn, const TenantRecord& record, size_t max_items,
                 std::vector<FeedItem>* out);
  Status End(std::string why) {
    ended_ = Status::NotFound(std::move(why) + "; this subscription is over: subscribe again from position 0");
    return ended_;
  }

  lmdb::LmdbEnv* const env_;
  const CommitNotifier* const notifier_;
  const std::string tenant_;
  uint64_t tenant_id_ = 0;  // 0 until the tenant is found (ids start at 1)
  uint64_t next_seq_ = 1;   // the next seq of the log to read once the replay is done
  uint64_t chain_ = 0;      // the chain after seq next_seq_ - 1
  std::optional<Replay> replay_;
  uint64_t position_ = 0;
  Status ended_;  // NotFound once the subscription is over
};

Result<std::vector<FeedItem>> TenantFeed::Next(size_t max_items, std::chrono::milliseconds timeout) {
  if (max_items == 0) return Status::InvalidArgument("Subscription::Next needs max_items > 0");
  // Longer than a century is for ever (and keeps the deadline representable).
  const auto deadline = std::chrono::steady_clock::now() + std::clamp(timeout, milliseconds(0), kForever);
  for (;;) {
    // Read before the snapshot: a commit the snapshot misses changes it.
    const uint64_t seen = notifier_->commits();
    std::vector<FeedItem> items;
    Status s = env_->Read([&](lmdb::Txn& txn) { return Fill(txn, max_items, &items); });
    if (!items.empty()) {
      position_ = items.back().position;
      return items;
    }
    if (!s.ok()) return s;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return items;
    notifier_->WaitFor(seen, std::min<std::chrono::nanoseconds>(kPollInterval, deadline - now));
  }
}

Status TenantFeed::Fill(lmdb::Txn& txn, size_t max_items, std::vector<FeedItem>* out) {
  TenantRecord record;
  bool exists = false;
  Status s = Locate(txn, &record, &exists);
  if (!s.ok()) return s;
  while (out->size() < max_items) {
    if (replay_) {
      s = ContinueReplay(txn, record, max_items, out);
    } else if (exists && next_seq_ <= record.head_seq) {
      s = ReadNew(txn, record, max_items, out);
    } else {
      break;
    }
    if (!s.ok()) return s;
  }
  return Status::OK();
}

Status TenantFeed::Locate(lmdb::Txn& txn, TenantRecord* record, bool* exists) {
  *exists = false;
  if (!ended_.ok()) return ended_;
  if (tenant_id_ == 0) {
    Status s = registry::LoadByName(txn, tenant_, record);
    if (s.IsNotFound()) return Status::OK();
    if (!s.ok()) return s;
    tenant_id_ = record->id;  // a tenant created since: read from seq 1, chain 0
    *exists = true;
    return Status::OK();
  }
  Status s = registry::Load(txn, tenant_id_, record);
  if (s.IsNotFound() || (s.ok() && record->state == TenantState::kPurged)) {
    return End("tenant " + tenant_ + " was purged");
  }
  if (!s.ok()) return s;
  // A purged tenant brought back from an older backup under its old id
  // holds another history after the backup's head.
  const uint64_t read = next_seq_ - 1;
  bool same = read <= record->head_seq;
  if (same) {
    auto chain = eventlog::ChainAt(txn, *record, read);
    if (!chain.ok()) return chain.status();
    same = *chain == chain_;
  }
  if (!same) {
    return End("the log of tenant " + tenant_ + " no longer holds the history read up to seq " +
               std::to_string(read) + " (purged and restored from an older backup)");
  }
  *exists = true;
  return Status::OK();
}

Status TenantFeed::OpenFromScratch(lmdb::Txn& txn) {
  FeedItem reset = Item(FeedItem::Kind::kReset, Event());
  TenantRecord record;
  Status s = registry::LoadByName(txn, tenant_, &record);
  if (s.IsNotFound()) {
    StartReplay({}, std::move(reset), 0, 0);
    return Status::OK();
  }
  if (!s.ok()) return s;
  const uint64_t head = record.head_seq;
  auto chain = eventlog::ChainAt(txn, record, head);
  if (!chain.ok()) return chain.status();
  std::vector<timeline::SeqRange> ranges;
  std::optional<FeedItem> tail;
  if (record.state == TenantState::kTombstoned) {
    // The tenant shows nothing; its head is the tombstone that hid it.
    s = eventlog::Scan(txn, record, head, head, [&](const EventDecoder& e) {
      tail = Item(FeedItem::Kind::kTombstoned, e.ToEvent());
      return Status::OK();
    });
    if (!s.ok()) return s;
  } else {
    ranges = timeline::CurrentRanges(record);
  }
  StartReplay(std::move(ranges), std::move(reset), 0, head);
  replay_->tail = std::move(tail);
  tenant_id_ = record.id;
  next_seq_ = head + 1;
  chain_ = *chain;
  return Status::OK();
}

void TenantFeed::StartReplay(std::vector<timeline::SeqRange> ranges, FeedItem reset,
                             uint64_t inner_position, uint64_t end_position) {
  Replay r;
  r.ranges = std::move(ranges);
  if (!r.ranges.empty()) r.next = r.ranges.front().first;
  r.held = std::move(reset);
  r.inner_position = inner_position;
  r.end_position = end_position;
  replay_ = std::move(r);
}

Status TenantFeed::ContinueReplay(lmdb::Txn& txn, const TenantRecord& record, size_t max_items,
                                  std::vector<FeedItem>* out) {
  Replay& r = *replay_;
  if (r.range < r.ranges.size()) {
    const timeline::SeqRange& range = r.ranges[r.range];
    bool full = false;
    Status s = ScanWhile(txn, record, r.next, range.last, [&](const EventDecoder& e) {
      if (e.kind() == EventKind::kData) {
        if (out->size() >= max_items) {
          full = true;
          return false;
        }
        r.held.position = r.inner_position;
        out->push_back(std::exchange(r.held, Item(FeedItem::Kind::kEvent, e.ToEvent())));
      }
      r.next = e.seq() + 1;
      return true;
    });
    if (!s.ok() || full) return s;
    if (++r.range < r.ranges.size()) r.next = r.ranges[r.range].first;
    return Status::OK();
  }
  if (r.tail) {
    r.held.position = r.inner_position;
    out->push_back(std::exchange(r.held, *std::move(r.tail)));
    r.tail.reset();
    return Status::OK();
  }
  r.held.position = r.end_position;
  out->push_back(std::move(r.held));
  replay_.reset();
  return Status::OK();
}

Status TenantFeed::ReadNew(lmdb::Txn& txn, const TenantRecord& record, size_t max_items,
                           std::vector<FeedItem>* out) {
  return ScanWhile(txn, record, next_seq_, record.head_seq, [&](const EventDecoder& e) {
    if (out->size() >= max_items || replay_) return false;
    const uint64_t seq = e.seq();
    switch (e.kind()) {
      case EventKind::kData:
        out->push_back(Item(FeedItem::Kind::kEvent, e.ToEvent(), seq));
        break;
      case EventKind::kTombstone:
        out->push_back(Item(FeedItem::Kind::kTombstoned, e.ToEvent(), seq));
        break;
      case EventKind::kRewind:
      case EventKind::kRestore:
        StartReplay(timeline::EffectiveRanges(record.timeline, seq),
                    Item(FeedItem::Kind::kReset, e.ToEvent()), seq - 1, seq);
        break;
    }
    next_seq_ = seq + 1;
    chain_ = e.chain();
    return true;
  });
}

}  // namespace

Result<std::unique_ptr<Subscription>> Subscribe(lmdb::LmdbEnv* env, const CommitNotifier* notifier,
                                                std::string_view tenant, uint64_t after_position) {
  auto feed = std::make_unique<TenantFeed>(env, notifier, std::string(tenant));
  Status s = env->Read([&](lmdb::Txn& txn) -> Status {
    if (after_position == 0) return feed->OpenFromScratch(txn);
    TenantRecord record;
    Status r = registry::LoadByName(txn, tenant, &record);
    if (r.ok() && record.state == TenantState::kPurged) {
      r = Status::NotFound("tenant " + record.name + " was purged");
    }
    if (!r.ok()) return r;
    if (after_position > record.head_seq) {
      return Status::InvalidArgument("position " + std::to_string(after_position) + " is beyond the head (" +
                                     std::to_string(record.head_seq) + ") of tenant " + record.name);
    }
    auto chain = eventlog::ChainAt(txn, record, after_position);
    if (!chain.ok()) return chain.status();
    feed->ResumeAfter(record.id, after_position, *chain);
    return Status::OK();
  });
  if (!s.ok()) return s;
  return std::unique_ptr<Subscription>(std::move(feed));
}

}  // namespace tenantlog::subscription
