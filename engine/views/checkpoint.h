// Checkpoints of views: a copy of a view, with provenance, as of a seq, from
// which a fold of any history that starts with the checkpoint's own goes on.
//
// Layout: a view keeps up to kKept checkpoints in slots; slot i is stored
// under id keys::CheckpointViewId(view, i): `view_state` key
// ViewPrefix(tenant, id) → the view's version (4) ‖ the checkpoint's seq (8);
// `views` keys ViewKey(tenant, id, view key) → 'L' ‖ seq (8) ‖ value for a
// live key, 'D' ‖ seq (8) for a deleted one.
#ifndef TENANTLOG_ENGINE_VIEWS_CHECKPOINT_H_
#define TENANTLOG_ENGINE_VIEWS_CHECKPOINT_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "lmdb/lmdb_env.h"
#include "tenants/tenant_registry.h"
#include "timeline/timeline.h"
#include "views/view.h"

namespace tenantlog::views::checkpoint {

// Checkpoints kept per view: the latest ones.
constexpr size_t kKept = 4;

// Where a fold of `ranges` goes on: at ranges[range], from seq next_seq.
struct Resume {
  size_t range = 0;
  uint64_t next_seq = 0;
};

// Where a fold of `ranges` goes on after the fold of `prefix`, when the
// history `prefix` describes is the start of the one `ranges` describes.
// Both as timeline::EffectiveRanges returns them.
std::optional<Resume> After(const std::vector<timeline::SeqRange>& prefix,
                            const std::vector<timeline::SeqRange>& ranges);

// Loads into *out (cleared first) the latest checkpoint of `view` from which
// a fold of `ranges` can go on, and returns where it goes on; with none,
// leaves *out empty and returns the start of `ranges`.
Result<Resume> LoadLatest(lmdb::Txn& txn, const TenantRecord& record, const ViewDef& view,
                          const std::vector<timeline::SeqRange>& ranges, Folded* out);

// Stores `folded`, the fold as of `at` with deletes tracked, as a checkpoint,
// in place of the oldest one when all slots are taken (or of one of another
// version of the view). REQUIRES: writable txn.
Status Save(lmdb::Txn& txn, const TenantRecord& record, const ViewDef& view, uint64_t at,
            const Folded& folded);

}  // namespace tenantlog::views::checkpoint

#endif  // TENANTLOG_ENGINE_VIEWS_CHECKPOINT_H_
