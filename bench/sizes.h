// Sizes of every workload. `full` is the suite as specified; `small` shrinks
// each workload about tenfold for quick local runs; `tiny` runs everything in
// a few seconds so that CI can check that no benchmark has rotted.
#ifndef TENANTLOG_BENCH_SIZES_H_
#define TENANTLOG_BENCH_SIZES_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace tenantlog::bench {

struct Sizes {
  const char* scale = "full";

  // Repetitions of each benchmark but RestoreFromBackup; the reports give
  // their median, which a busy machine's noise moves less than one run.
  int repetitions = 3;

  // Every tenant's events spread their puts over this many entity keys.
  uint32_t keys_per_tenant = 1000;

  // Append: durable batches of `append_batch` events to `append_tenants` tenants in turn.
  uint32_t append_tenants = 10;
  uint32_t append_batch = 1000;

  // AppendConcurrent: threads appending single durable events, one tenant
  // each, to tenants that first hold `concurrent_seed_events` events: enough
  // that every tenant's last leaf page has a parent page of its own, as in a
  // store of real tenants, however many events the benchmark then appends.
  int concurrent_threads = 16;
  uint32_t concurrent_seed_events = 2000;

  // AppendScale: Append's batches spread over stores of each of these tenant
  // counts, each tenant first holding `scale_seed_events` events.
  std::vector<int64_t> scale_tenants = {10, 1000, 100000};
  uint32_t scale_seed_events = 10;

  // Replay: one tenant's view rebuilt from this many events.
  uint32_t replay_events = 100000;

  // Rewind: a tenant of this many events rewound to its midpoint.
  uint32_t rewind_events = 10000;

  // UndoTombstone: `undo_victims` of `undo_tenants` tenants of
  // `undo_events` events each are tombstoned, then restored.
  uint32_t undo_tenants = 2000;
  uint32_t undo_victims = 400;
  uint32_t undo_events = 50;

  // RestoreFromBackup: a live store of `restore_tenants` tenants, of which
  // `restore_victims` (of `restore_victim_events` events) are purged and then
  // brought back from a backup; the others hold `restore_other_events` events.
  uint32_t restore_tenants = 2000;
  uint32_t restore_victims = 400;
  uint32_t restore_victim_events = 10000;
  uint32_t restore_other_events = 500;

  // Verify: `verify_tenants` tenants of `verify_events` events each.
  uint32_t verify_tenants = 1000;
  uint32_t verify_events = 1000;
};

// The sizes of a named scale: "full", "small" or "tiny". nullopt for others.
std::optional<Sizes> SizesFor(std::string_view scale);

}  // namespace tenantlog::bench

#endif  // TENANTLOG_BENCH_SIZES_H_
