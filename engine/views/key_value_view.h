// The built-in key → latest payload view: folds of a tenant's effective
// history, and the persisted copy in the `views` and `view_state` databases,
// caught up incrementally or rebuilt when the timeline changed.
#ifndef TENANTLOG_ENGINE_VIEWS_KEY_VALUE_VIEW_H_
#define TENANTLOG_ENGINE_VIEWS_KEY_VALUE_VIEW_H_

#include <cstdint>
#include <functional>
#include <unordered_map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lmdb/lmdb_env.h"
#include "tenantlog/store.h"
#include "tenants/tenant_registry.h"

namespace tenantlog::views {

// One live key of a folded view: its payload and the seq of the put that set it.
struct FoldedValue {
  std::string payload;
  uint64_t seq = 0;
};

struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
};
template <typename T>
using KeyMap = std::unordered_map<std::string, T, KeyHash, std::equal_to<>>;

// A folded view, with provenance.
struct Folded {
  KeyMap<FoldedValue> live;
  // With deletes tracked: keys whose last event in the folded history was a
  // delete, with its seq.
  KeyMap<uint64_t> deleted;

  // The live entries in key byte order.
  std::vector<const KeyMap<FoldedValue>::value_type*> Sorted() const;
};

// Folds the effective history of `record` as of seq `at` (<= head), filling
// Folded::deleted too when `track_deletes`.
Status FoldAsOf(lmdb::Txn& txn, const TenantRecord& record, uint64_t at, Folded* out,
                bool track_deletes = false);

// The keys whose value differs from `before` to `after`. A key removed
// without a delete in `after` was hidden by a control event:
// `hidden_by(put_seq)` names it, given the seq of the put that set the key
// in `before`.
ViewDiff Compare(const Folded& before, const Folded& after,
                 const std::function<uint64_t(uint64_t put_seq)>& hidden_by);

// True when the persisted view reflects the tenant's current state.
Result<bool> IsCurrent(lmdb::Txn& txn, const TenantRecord& record);

// Brings the persisted view up to the tenant's current state: incrementally
// when only data events were appended since it was last brought up to date,
// by a rebuild from the log when the timeline changed.
// REQUIRES: writable txn.
Status CatchUp(lmdb::Txn& txn, const TenantRecord& record);

// Makes `folded` (the fold of the tenant's current state) the persisted view.
// REQUIRES: writable txn; `folded` equals FoldAsOf(record.head_seq).
Status Replace(lmdb::Txn& txn, const TenantRecord& record, const Folded& folded);

// Removes the persisted view of a tenant (it can be rebuilt at any time).
// REQUIRES: writable txn.
Status Drop(lmdb::Txn& txn, uint64_t tenant_id);

// Reads of the persisted view. REQUIRES: IsCurrent().
Result<std::string> Get(lmdb::Txn& txn, const TenantRecord& record, std::string_view key);
Status List(lmdb::Txn& txn, const TenantRecord& record, std::vector<KeyValue>* out);

}  // namespace tenantlog::views

#endif  // TENANTLOG_ENGINE_VIEWS_KEY_VALUE_VIEW_H_
