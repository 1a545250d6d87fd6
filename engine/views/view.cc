#include "views/view.h"

// Inlined from the header: KeyHash runs once per event folded.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <map>

#include "log/event_log.h"
#include "log/keys.h"
#include "tenantlog/options.h"
#include "timeline/timeline.h"
#include "views/checkpoint.h"

namespace tenantlog::views {

size_t KeyHash::operator()(std::string_view key) const { return XXH3_64bits(key.data(), key.size()); }

namespace {

// The state of a persisted view (`view_state` value): applied seq (8) ‖
// timeline version (8) ‖ view version (4) ‖ seq of its latest checkpoint (8).
struct PersistedState {
  uint64_t applied_seq = 0;
  uint64_t timeline_version = 0;
  uint32_t view_version = 0;
  uint64_t checkpoint_at = 0;
};
constexpr size_t kStateBytes = 28;

// NotFound when the view was never built (or was dropped). A state of
// another size (an older layout) reads as stale, so the view is rebuilt.
Result<PersistedState> LoadState(lmdb::Txn& txn, uint64_t tenant_id, const ViewDef& view) {
  auto value = txn.Get(txn.dbs().view_state, keys::ViewPrefix(tenant_id, view.id()));
  if (!value.ok()) return value.status();
  if (value->size() != kStateBytes) return PersistedState{0, 0, 0, 0};
  const char* p = value->data();
  return PersistedState{keys::GetFixed64(p), keys::GetFixed64(p + 8), keys::GetFixed32(p + 16),
                        keys::GetFixed64(p + 20)};
}

Status SaveState(lmdb::Txn& txn, uint64_t tenant_id, const ViewDef& view, const PersistedState& state) {
  std::string value;
  keys::AppendFixed64(&value, state.applied_seq);
  keys::AppendFixed64(&value, state.timeline_version);
  keys::AppendFixed32(&value, state.view_version);
  keys::AppendFixed64(&value, state.checkpoint_at);
  return txn.Put(txn.dbs().view_state, keys::ViewPrefix(tenant_id, view.id()), value);
}

bool Reflects(const PersistedState& state, const TenantRecord& record, const ViewDef& view) {
  return state.timeline_version == record.timeline_version && state.applied_seq == record.head_seq &&
         state.view_version == view.version();
}

// Whether a view in `state` (NotFound: never built) must be rebuilt from the
// log to reflect `record`, rather than have the events since applied.
bool Outdated(const Result<PersistedState>& state, const TenantRecord& record, const ViewDef& view) {
  return !state.ok() || state->timeline_version != record.timeline_version ||
         state->view_version != view.version() || state->applied_seq > record.head_seq;
}

bool ValidViewKey(std::string_view key) { return !key.empty() && key.size() <= kMaxEntityKeyBytes; }

// REQUIRES: !ValidViewKey(key)
Status ViewKeyError(std::string_view key) {
  return Status::InvalidArgument("view key of " + std::to_string(key.size()) + " bytes; keys are 1-" +
                                 std::to_string(kMaxEntityKeyBytes) + " bytes");
}

// Folds into a Folded, recording the seq of the event being applied.
class MemoryView final : public MutableView {
 public:
  MemoryView(Folded* out, bool track_deletes) : out_(out), track_deletes_(track_deletes) {}

  void set_seq(uint64_t seq) { seq_ = seq; }
  const Status& status() const { return status_; }

  Status Get(std::string_view key, std::string* value) override {
    auto it = out_->live.find(key);
    if (it == out_->live.end()) return Status::NotFound("no such view key");
    *value = it->second.payload;
    return Status::OK();
  }
  void Put(std::string_view key, std::string_view value) override {
    if (!ValidViewKey(key)) {
      if (status_.ok()) status_ = ViewKeyError(key);
      return;
    }
    auto live = out_->live.find(key);
    if (live == out_->live.end()) live = out_->live.emplace(std::string(key), FoldedValue()).first;
    live->second.payload.assign(value);
    live->second.seq = seq_;
    if (!out_->deleted.empty()) {
      auto deleted = out_->deleted.find(key);
      if (deleted != out_->deleted.end()) out_->deleted.erase(deleted);
    }
  }
  void Delete(std::string_view key) override {
    auto live = out_->live.find(key);
    if (live != out_->live.end()) out_->live.erase(live);
    if (!track_deletes_) return;
    auto deleted = out_->deleted.find(key);
    if (deleted == out_->deleted.end()) deleted = out_->deleted.emplace(std::string(key), 0).first;
    deleted->second = seq_;
  }

 private:
  Folded* out_;
  bool track_deletes_;
  uint64_t seq_ = 0;
  Status status_;
};

// Updates of a persisted view, buffered until Flush (reads see them).
class PersistedView final : public MutableView {
 public:
  PersistedView(lmdb::Txn& txn, uint64_t tenant_id, const ViewDef& view)
      : txn_(txn), prefix_(keys::ViewPrefix(tenant_id, view.id())) {}

  Status Get(std::string_view key, std::string* value) override {
    auto pending = pending_.find(key);
    if (pending != pending_.end()) {
      if (!pending->second) return Status::NotFound("no such view key");
      *value = *pending->second;
      return Status::OK();
    }
    auto stored = txn_.Get(txn_.dbs().views, prefix_ + std::string(key));
    if (!stored.ok()) return stored.status();
    value->assign(*stored);
    return Status::OK();
  }
  void Put(std::string_view key, std::string_view value) override {
    if (!ValidViewKey(key)) {
      if (status_.ok()) status_ = ViewKeyError(key);
      return;
    }
    pending_.insert_or_assign(std::string(key), std::string(value));
  }
  void Delete(std::string_view key) override { pending_.insert_or_assign(std::string(key), std::nullopt); }

  const Status& status() const { return status_; }

  Status Flush() {
    for (const auto& [key, value] : pending_) {
      const std::string view_key = prefix_ + key;
      Status s = value ? txn_.Put(txn_.dbs().views, view_key, *value) : txn_.Delete(txn_.dbs().views, view_key);
      if (!s.ok()) return s;
    }
    pending_.clear();
    return Status::OK();
  }

 private:
  lmdb::Txn& txn_;
  const std::string prefix_;
  std::map<std::string, std::optional<std::string>, std::less<>> pending_;
  Status status_;
};

// Applies data event `e` to `target`, whose own status (a bad key) counts.
template <typename Target>
Status ApplyEvent(const ViewDef& view, const EventDecoder& e, Target* target) {
  if (e.kind() != EventKind::kData) return Status::OK();
  Status s = view.Apply(e, target);
  if (s.ok() && !target->status().ok()) s = target->status();
  if (s.ok()) return s;
  const std::string name = view.name().empty() ? "the built-in view" : "view '" + view.name() + "'";
  return s.WithContext(name + " failed at seq " + std::to_string(e.seq()));
}

// Applies the events of seqs [first, last] to `target`, each stamped with
// its seq.
Status FoldRange(lmdb::Txn& txn, const TenantRecord& record, const ViewDef& view, uint64_t first,
                 uint64_t last, MemoryView* target) {
  return eventlog::Scan(txn, record, first, last, [&](const EventDecoder& e) {
    target->set_seq(e.seq());
    return ApplyEvent(view, e, target);
  });
}

// Takes a checkpoint of `folded` (the tenant's current state) when one is
// due, and records it in *state.
Status MaybeCheckpoint(lmdb::Txn& txn, const TenantRecord& record, const ViewDef& view,
                       const Folded* folded, uint32_t interval, PersistedState* state) {
  if (interval == 0 || record.head_seq < state->checkpoint_at + interval) return Status::OK();
  Folded current;
  if (folded == nullptr) {
    Status s = FoldAsOf(txn, record, view, record.head_seq, &current, /*track_deletes=*/true);
    if (!s.ok()) return s;
    folded = &current;
  }
  Status s = checkpoint::Save(txn, record, view, record.head_seq, *folded);
  if (s.ok()) state->checkpoint_at = record.head_seq;
  return s;
}

// Writes the live entries of `folded` under `prefix` through one cursor,
// closed on return: the keys go in ascending order, so each put after the
// first lands beside the one before it.
Status PutSorted(lmdb::Txn& txn, const std::string& prefix, const Folded& folded) {
  auto cursor = lmdb::Cursor::Open(txn, txn.dbs().views);
  if (!cursor.ok()) return cursor.status();
  std::string view_key = prefix;
  for (const auto* entry : folded.Sorted()) {
    view_key.resize(prefix.size());
    view_key += entry->first;
    Status s = (*cursor)->Put(view_key, entry->second.payload);
    if (!s.ok()) return s;
  }
  return Status::OK();
}

Status Rebuild(lmdb::Txn& txn, const TenantRecord& record, const ViewDef& view, uint32_t interval) {
  Folded folded;
  Status s = FoldAsOf(txn, record, view, record.head_seq, &folded, /*track_deletes=*/true);
  if (!s.ok()) return s;
  return Replace(txn, record, view, folded, interval);
}

}  // namespace

Status KeyNotFound(const TenantRecord& record, std::string_view key) {
  std::string shown(key.substr(0, 100));
  if (key.size() > 100) shown += "…";
  return Status::NotFound("key '" + shown + "' not found in tenant " + record.name);
}

const ViewDef& ViewDef::Builtin() {
  static const ViewDef builtin(keys::kBuiltinViewId, 1);
  return builtin;
}

ViewDef::ViewDef(uint32_t id, std::shared_ptr<const Reducer> reducer)
    : id_(id), version_(reducer->version()), name_(reducer->name()), reducer_(std::move(reducer)) {}

Status ViewDef::Apply(const EventDecoder& e, MutableView* view) const {
  if (reducer_ != nullptr) return reducer_->Apply(e.ToEvent(), view);
  if (e.op() == Op::kPut) {
    view->Put(e.key(), e.payload());
  } else {
    view->Delete(e.key());
  }
  return Status::OK();
}

std::vector<const KeyMap<FoldedValue>::value_type*> Folded::Sorted() const {
  std::vector<const KeyMap<FoldedValue>::value_type*> out;
  out.reserve(live.size());
  for (const auto& entry : live) out.push_back(&entry);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->first < b->first; });
  return out;
}

Status FoldAsOf(lmdb::Txn& txn, const TenantRecord& record, const ViewDef& view, uint64_t at,
                Folded* out, bool track_deletes) {
  out->live.clear();
  out->deleted.clear();
  const std::vector<timeline::SeqRange> ranges = timeline::EffectiveRanges(record.timeline, at);
  checkpoint::Resume resume{0, ranges.empty() ? 0 : ranges[0].first};
  if (view.persisted()) {
    auto loaded = checkpoint::LoadLatest(txn, record, view, ranges, out);
    if (!loaded.ok()) return loaded.status();
    resume = *loaded;
  }
  MemoryView target(out, track_deletes);
  for (size_t i = resume.range; i < ranges.size(); ++i) {
    const uint64_t first = i == resume.range ? resume.next_seq : ranges[i].first;
    Status s = FoldRange(txn, record, view, first, ranges[i].last, &target);
    if (!s.ok()) return s;
  }
  return Status::OK();
}

Status Advance(lmdb::Txn& txn, const TenantRecord& record, const ViewDef& view, uint64_t folded_seq,
               Folded* folded) {
  if (folded_seq >= record.head_seq) return Status::OK();
  MemoryView target(folded, /*track_deletes=*/true);
  return FoldRange(txn, record, view, folded_seq + 1, record.head_seq, &target);
}

ViewDiff Compare(const Folded& before, const Folded& after,
                 const std::function<uint64_t(uint64_t put_seq)>& hidden_by) {
  ViewDiff diff;
  for (const auto& [key, value] : after.live) {
    auto old = before.live.find(key);
    if (old == before.live.end()) {
      diff.added.push_back(KeyChange{key, value.seq, std::nullopt, value.payload.size()});
    } else if (old->second.payload != value.payload) {
      diff.changed.push_back(
          KeyChange{key, value.seq, old->second.payload.size(), value.payload.size()});
    }
  }
  for (const auto& [key, value] : before.live) {
    if (after.live.count(key) != 0) continue;
    auto deleted = after.deleted.find(key);
    const bool by_delete = deleted != after.deleted.end() && deleted->second > value.seq;
    const uint64_t seq = by_delete ? deleted->second : hidden_by(value.seq);
    diff.removed.push_back(KeyChange{key, seq, value.payload.size(), std::nullopt});
  }
  for (auto* list : {&diff.added, &diff.changed, &diff.removed}) {
    std::sort(list->begin(), list->end(), [](const KeyChange& a, const KeyChange& b) { return a.key < b.key; });
  }
  return diff;
}

Result<bool> IsCurrent(lmdb::Txn& txn, const TenantRecord& record, const ViewDef& view) {
  if (!view.persisted()) return false;
  auto state = LoadState(txn, record.id, view);
  if (!state.ok()) {
    if (state.status().IsNotFound()) return false;
    return state.status();
  }
  return Reflects(*state, record, view);
}

Result<bool> NeedsRebuild(lmdb::Txn& txn, const TenantRecord& record, const ViewDef& view) {
  auto state = LoadState(txn, record.id, view);
  if (!state.ok() && !state.status().IsNotFound()) return state.status();
  return Outdated(state, record, view);
}

Status CatchUp(lmdb::Txn& txn, const TenantRecord& record, const ViewDef& view,
               uint32_t checkpoint_interval) {
  auto state = LoadState(txn, record.id, view);
  if (!state.ok() && !state.status().IsNotFound()) return state.status();
  if (Outdated(state, record, view)) return Rebuild(txn, record, view, checkpoint_interval);
  if (state->applied_seq == record.head_seq) return Status::OK();
  // Only data events were appended since: the timeline version would have
  // changed otherwise.
  PersistedView target(txn, record.id, view);
  Status s = eventlog::Scan(txn, record, state->applied_seq + 1, record.head_seq,
                            [&](const EventDecoder& e) { return ApplyEvent(view, e, &target); });
  if (s.ok()) s = target.Flush();
  if (!s.ok()) return s;
  PersistedState next = *state;
  next.applied_seq = record.head_seq;
  s = MaybeCheckpoint(txn, record, view, nullptr, checkpoint_interval, &next);
  if (!s.ok()) return s;
  return SaveState(txn, record.id, view, next);
}

Status Replace(lmdb::Txn& txn, const TenantRecord& record, const ViewDef& view,
               const Folded& folded, uint32_t checkpoint_interval) {
  auto old = LoadState(txn, record.id, view);
  if (!old.ok() && !old.status().IsNotFound()) return old.status();
  const std::string prefix = keys::ViewPrefix(record.id, view.id());
  Status s = txn.DeletePrefix(txn.dbs().views, prefix);
  if (!s.ok()) return s;
  s = PutSorted(txn, prefix, folded);
  if (!s.ok()) return s;
  PersistedState state{record.head_seq, record.timeline_version, view.version(),
                       old.ok() && old->view_version == view.version() ? old->checkpoint_at : 0};
  s = MaybeCheckpoint(txn, record, view, &folded, checkpoint_interval, &state);
  if (!s.ok()) return s;
  return SaveState(txn, record.id, view, state);
}

Status Drop(lmdb::Txn& txn, uint64_t tenant_id) {
  const std::string prefix = keys::TenantKey(tenant_id);
  Status s = txn.DeletePrefix(txn.dbs().views, prefix);
  if (!s.ok()) return s;
  return txn.DeletePrefix(txn.dbs().view_state, prefix);
}

Result<std::string> Get(lmdb::Txn& txn, const TenantRecord& record, const ViewDef& view,
                        std::string_view key) {
  auto value = txn.Get(txn.dbs().views, keys::ViewKey(record.id, view.id(), key));
  if (!value.ok()) {
    if (value.status().IsNotFound()) {
      return KeyNotFound(record, key);
    }
    return value.status();
  }
  return std::string(*value);
}

Status List(lmdb::Txn& txn, const TenantRecord& record, const ViewDef& view, std::vector<KeyValue>* out) {
  out->clear();
  const std::string prefix = keys::ViewPrefix(record.id, view.id());
  auto cursor = lmdb::Cursor::Open(txn, txn.dbs().views);
  if (!cursor.ok()) return cursor.status();
  lmdb::Cursor& c = **cursor;
  for (auto found = c.Seek(prefix);; found = c.Next()) {
    if (!found.ok()) return found.status();
    if (!*found || c.key().substr(0, prefix.size()) != prefix) return Status::OK();
    out->push_back(KeyValue{std::string(c.key().substr(prefix.size())), std::string(c.value())});
  }
}

}  // namespace tenantlog::views
