// Views: folds of a tenant's effective history, and their persisted copies
// in the `views` and `view_state` databases, caught up incrementally or
// rebuilt (from the nearest checkpoint) when the timeline changed. One
// module serves the built-in view (entity key → latest payload) and every
// application-defined Reducer.
#ifndef TENANTLOG_ENGINE_VIEWS_VIEW_H_
#define TENANTLOG_ENGINE_VIEWS_VIEW_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <absl/container/flat_hash_map.h>

#include "lmdb/lmdb_env.h"
#include "log/envelope.h"
#include "tenantlog/reducer.h"
#include "tenantlog/store.h"
#include "tenants/tenant_registry.h"

namespace tenantlog::views {

// A view every tenant has: the built-in one, or an application reducer's.
// Thread-safety: immutable.
class ViewDef {
 public:
  // The built-in view.
  static const ViewDef& Builtin();
  // An application view stored under `id`; 0 when it has no id (a reducer
  // first seen by a read-only store): such a view is always folded in memory.
  ViewDef(uint32_t id, std::shared_ptr<const Reducer> reducer);

  uint32_t id() const { return id_; }
  uint32_t version() const { return version_; }
  bool persisted() const { return id_ != 0; }
  // "" for the built-in view.
  const std::string& name() const { return name_; }

  // Folds data event `e` into `view`.
  Status Apply(const EventDecoder& e, MutableView* view) const;

 private:
  ViewDef(uint32_t id, uint32_t version) : id_(id), version_(version) {}

  uint32_t id_;
  uint32_t version_;
  std::string name_;
  std::shared_ptr<const Reducer> reducer_;  // null for the built-in view
};

// One entry of a folded view: its value and the seq of the event that set it.
struct FoldedValue {
  std::string payload;
  uint64_t seq = 0;
};

// XXH3 of the key: a fold hashes one key per event.
struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view key) const;
};
// A fold looks up one key per event. An open-addressing table finds it in
// about one cache line, where std::unordered_map divides by its bucket count
// and follows a node chain. References into it are invalidated by inserts.
template <typename T>
using KeyMap = absl::flat_hash_map<std::string, T, KeyHash, std::equal_to<>>;

// A folded view, with provenance.
struct Folded {
  KeyMap<FoldedValue> live;
  // With deletes tracked: keys whose last change in the folded history was a
  // delete, with its seq.
  KeyMap<uint64_t> deleted;

  // The live entries in key byte order.
  std::vector<const KeyMap<FoldedValue>::value_type*> Sorted() const;
};

// Folds the effective history of `record` as of seq `at` (<= head) into
// *out, starting from the latest checkpoint on that history when there is
// one. Fills Folded::deleted too when `track_deletes`.
Status FoldAsOf(lmdb::Txn& txn, const TenantRecord& record, const ViewDef& view, uint64_t at,
                Folded* out, bool track_deletes = false);

// The keys whose value differs from `before` to `after`. A key removed
// without a delete in `after` was hidden by a control event:
// `hidden_by(put_seq)` names it, given the seq of the put that set the key
// in `before`.
ViewDiff Compare(const Folded& before, const Folded& after,
                 const std::function<uint64_t(uint64_t put_seq)>& hidden_by);

// True when the persisted view reflects the tenant's current state.
Result<bool> IsCurrent(lmdb::Txn& txn, const TenantRecord& record, const ViewDef& view);

// Brings `folded`, FoldAsOf(folded_seq, track_deletes=true) of the tenant's
// history, up to record.head_seq. REQUIRES: only data events were appended
// after folded_seq (record.timeline_version is the one folded).
Status Advance(lmdb::Txn& txn, const TenantRecord& record, const ViewDef& view, uint64_t folded_seq,
               Folded* folded);

// True when CatchUp would rebuild the persisted view from the log, rather
// than apply the events appended since it was last brought up to date.
// REQUIRES: view.persisted().
Result<bool> NeedsRebuild(lmdb::Txn& txn, const TenantRecord& record, const ViewDef& view);

// Brings the persisted view up to the tenant's current state: incrementally
// when only data events were appended since it was last brought up to date,
// by a rebuild when the timeline or the reducer's version changed; then
// takes a checkpoint when `checkpoint_interval` (> 0) events passed since
// the latest one. REQUIRES: writable txn; view.persisted().
Status CatchUp(lmdb::Txn& txn, const TenantRecord& record, const ViewDef& view,
               uint32_t checkpoint_interval);

// Makes `folded`, the fold of the tenant's current state with deletes
// tracked, the persisted view, and takes a checkpoint as CatchUp does.
// REQUIRES: writable txn; view.persisted();
// `folded` equals FoldAsOf(record.head_seq, track_deletes=true).
Status Replace(lmdb::Txn& txn, const TenantRecord& record, const ViewDef& view,
               const Folded& folded, uint32_t checkpoint_interval);

// Removes every persisted view and checkpoint of a tenant (they can be
// rebuilt at any time). REQUIRES: writable txn.
Status Drop(lmdb::Txn& txn, uint64_t tenant_id);

// NotFound naming `key` (shortened) and the tenant.
Status KeyNotFound(const TenantRecord& record, std::string_view key);

// Reads of the persisted view. REQUIRES: IsCurrent().
Result<std::string> Get(lmdb::Txn& txn, const TenantRecord& record, const ViewDef& view,
                        std::string_view key);
Status List(lmdb::Txn& txn, const TenantRecord& record, const ViewDef& view,
            std::vector<KeyValue>* out);

}  // namespace tenantlog::views

#endif  // TENANTLOG_ENGINE_VIEWS_VIEW_H_
