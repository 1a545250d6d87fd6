// The comparisons the drill's proof is made of: logs, views and tenant
// records of two stores, byte for byte. Each returns the differences found as
// sentences naming the tenant and the seq or key; empty means identical.
//
// Thread-safety: the functions are thread-safe (Store is).
#ifndef TENANTLOG_TOOLS_DRILL_PROOF_H_
#define TENANTLOG_TOOLS_DRILL_PROOF_H_

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tenantlog/event.h"
#include "tenantlog/store.h"

namespace tenantlog::tool {

// The tenant's whole log, read in pages.
Result<std::vector<Event>> ReadWholeLog(Store& store, std::string_view tenant);

// Differences between two runs of events, every field compared (seq, time,
// kind, type, key, op, payload, actor, reason, rewind target, chain).
std::vector<std::string> CompareEvents(std::string_view tenant, std::span<const Event> actual,
                                       std::span<const Event> expected);

// Differences between two views (key → payload lists in key order).
std::vector<std::string> CompareViews(std::string_view tenant, const std::vector<KeyValue>& actual,
                                      const std::vector<KeyValue>& expected);

// Differences of `tenant` between `store` and `reference`: the record (state,
// head seq, event count, chain head), every event of the log, and the view.
std::vector<std::string> CompareWithReference(Store& store, Store& reference,
                                              std::string_view tenant);

// For each of `needles` (non-empty byte strings), whether it occurs in any
// regular file under directory `dir`, read as raw bytes.
// Errors: IOError (a file cannot be listed or read).
Result<std::vector<bool>> FindInFiles(const std::string& dir,
                                      const std::vector<std::string>& needles);

// Calls `fn(i)` for every i in [0, n) on `threads` threads.
// REQUIRES: fn does not throw.
void ParallelFor(size_t n, size_t threads, const std::function<void(size_t)>& fn);

}  // namespace tenantlog::tool

#endif  // TENANTLOG_TOOLS_DRILL_PROOF_H_
