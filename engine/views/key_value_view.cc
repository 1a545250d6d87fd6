#include "views/key_value_view.h"

#include <algorithm>

#include "log/event_log.h"
#include "log/keys.h"
#include "timeline/timeline.h"

namespace tenantlog::views {

namespace {

constexpr keys::ViewId kView = keys::ViewId::kKeyValue;

struct ViewState {
  uint64_t applied_seq = 0;
  uint64_t timeline_version = 0;
};

// view_state value: applied seq (8) ‖ timeline version (8). NotFound when the
// view was never built (or was dropped).
Result<ViewState> LoadState(lmdb::Txn& txn, uint64_t tenant_id) {
  auto value = txn.Get(txn.dbs().view_state, keys::ViewPrefix(tenant_id, kView));
  if (!value.ok()) return value.status();
  if (value->size() != 16) return Status::Corruption("view state is damaged");
  return ViewState{keys::GetFixed64(value->data()), keys::GetFixed64(value->data() + 8)};
}

Status SaveState(lmdb::Txn& txn, uint64_t tenant_id, const ViewState& state) {
  std::string value;
  keys::AppendFixed64(&value, state.applied_seq);
  keys::AppendFixed64(&value, state.timeline_version);
  return txn.Put(txn.dbs().view_state, keys::ViewPrefix(tenant_id, kView), value);
}

bool Reflects(const ViewState& state, const TenantRecord& record) {
  return state.timeline_version == record.timeline_version && state.applied_seq == record.head_seq;
}

Status Rebuild(lmdb::Txn& txn, const TenantRecord& record) {
  Folded folded;
  Status s = FoldAsOf(txn, record, record.head_seq, &folded);
  if (!s.ok()) return s;
  return Replace(txn, record, folded);
}

}  // namespace

Status Replace(lmdb::Txn& txn, const TenantRecord& record, const Folded& folded) {
  Status s = Drop(txn, record.id);
  if (!s.ok()) return s;
  for (const auto* entry : folded.Sorted()) {
    s = txn.Put(txn.dbs().views, keys::ViewKey(record.id, kView, entry->first), entry->second.payload);
    if (!s.ok()) return s;
  }
  return SaveState(txn, record.id, ViewState{record.head_seq, record.timeline_version});
}

std::vector<const KeyMap<FoldedValue>::value_type*> Folded::Sorted() const {
  std::vector<const KeyMap<FoldedValue>::value_type*> out;
  out.reserve(live.size());
  for (const auto& entry : live) out.push_back(&entry);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->first < b->first; });
  return out;
}

Status FoldAsOf(lmdb::Txn& txn, const TenantRecord& record, uint64_t at, Folded* out,
                bool track_deletes) {
  out->live.clear();
  out->deleted.clear();
  for (const timeline::SeqRange& range : timeline::EffectiveRanges(record.timeline, at)) {
    Status s = eventlog::Scan(txn, record, range.first, range.last, [&](const EventDecoder& e) {
      if (e.kind() != EventKind::kData) return Status::OK();
      const std::string_view key = e.key();
      auto live = out->live.find(key);
      if (e.op() == Op::kPut) {
        if (live == out->live.end()) live = out->live.emplace(std::string(key), FoldedValue()).first;
        live->second.payload.assign(e.payload());
        live->second.seq = e.seq();
        if (track_deletes && !out->deleted.empty()) {
          auto deleted = out->deleted.find(key);
          if (deleted != out->deleted.end()) out->deleted.erase(deleted);
        }
      } else {
        if (live != out->live.end()) out->live.erase(live);
        if (track_deletes) {
          auto deleted = out->deleted.find(key);
          if (deleted == out->deleted.end()) deleted = out->deleted.emplace(std::string(key), 0).first;
          deleted->second = e.seq();
        }
      }
      return Status::OK();
    });
    if (!s.ok()) return s;
  }
  return Status::OK();
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

Result<bool> IsCurrent(lmdb::Txn& txn, const TenantRecord& record) {
  auto state = LoadState(txn, record.id);
  if (!state.ok()) {
    if (state.status().IsNotFound()) return false;
    return state.status();
  }
  return Reflects(*state, record);
}

Status CatchUp(lmdb::Txn& txn, const TenantRecord& record) {
  auto state = LoadState(txn, record.id);
  if (!state.ok() && !state.status().IsNotFound()) return state.status();
  if (!state.ok() || state->timeline_version != record.timeline_version ||
      state->applied_seq > record.head_seq) {
    return Rebuild(txn, record);
  }
  if (state->applied_seq == record.head_seq) return Status::OK();
  // Only data events were appended since: the timeline version would have
  // changed otherwise.
  std::vector<std::pair<std::string, std::optional<std::string>>> updates;
  Status s = eventlog::Scan(txn, record, state->applied_seq + 1, record.head_seq,
                            [&](const EventDecoder& e) {
                              if (e.kind() != EventKind::kData) return Status::OK();
                              std::optional<std::string> payload;
                              if (e.op() == Op::kPut) payload.emplace(e.payload());
                              updates.emplace_back(std::string(e.key()), std::move(payload));
                              return Status::OK();
                            });
  if (!s.ok()) return s;
  for (const auto& [key, payload] : updates) {
    const std::string view_key = keys::ViewKey(record.id, kView, key);
    s = payload ? txn.Put(txn.dbs().views, view_key, *payload) : txn.Delete(txn.dbs().views, view_key);
    if (!s.ok()) return s;
  }
  return SaveState(txn, record.id, ViewState{record.head_seq, record.timeline_version});
}

Status Drop(lmdb::Txn& txn, uint64_t tenant_id) {
  Status s = txn.DeletePrefix(txn.dbs().views, keys::ViewPrefix(tenant_id, kView));
  if (!s.ok()) return s;
  return txn.Delete(txn.dbs().view_state, keys::ViewPrefix(tenant_id, kView));
}

Result<std::string> Get(lmdb::Txn& txn, const TenantRecord& record, std::string_view key) {
  auto value = txn.Get(txn.dbs().views, keys::ViewKey(record.id, kView, key));
  if (!value.ok()) {
    if (value.status().IsNotFound()) {
      return Status::NotFound("key not found in tenant " + record.name);
    }
    return value.status();
  }
  return std::string(*value);
}

Status List(lmdb::Txn& txn, const TenantRecord& record, std::vector<KeyValue>* out) {
  out->clear();
  const std::string prefix = keys::ViewPrefix(record.id, kView);
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
