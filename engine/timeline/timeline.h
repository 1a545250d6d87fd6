// The timeline (DESIGN.md, "Timeline"): which events of a tenant's log make
// up its effective history as of a given seq.
//
// The state as of x: take the last rewind marker at or before x, at r with
// target s; the state as of x is the state as of s followed by the events in
// (r, x]. With no such marker it is the events in [1, x].
#ifndef TENANTLOG_ENGINE_TIMELINE_TIMELINE_H_
#define TENANTLOG_ENGINE_TIMELINE_TIMELINE_H_

#include <cstdint>
#include <vector>

#include "tenants/tenant_registry.h"

namespace tenantlog::timeline {

// An inclusive range of seqs.
struct SeqRange {
  uint64_t first = 0;
  uint64_t last = 0;
  bool operator==(const SeqRange&) const = default;
};

// The seq ranges, in the order they are folded, whose events form the
// effective history as of `at`. Events of other kinds inside the ranges
// (control events) do not change a view and are skipped by folds.
// REQUIRES: `markers` ascending by `at`, each with target < at.
std::vector<SeqRange> EffectiveRanges(const std::vector<RewindMarker>& markers, uint64_t at);

// The effective history the tenant shows now (as of its head).
inline std::vector<SeqRange> CurrentRanges(const TenantRecord& record) {
  return EffectiveRanges(record.timeline, record.head_seq);
}

}  // namespace tenantlog::timeline

#endif  // TENANTLOG_ENGINE_TIMELINE_TIMELINE_H_
