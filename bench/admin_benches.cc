// UndoTombstone and Verify: admin calls over many tenants.
#include <benchmark/benchmark.h>

#include <string>

#include "benches.h"
#include "fatal.h"
#include "fixture_cache.h"
#include "temp_dir.h"
#include "tenantlog_target.h"

namespace tenantlog::bench {

namespace {

struct StoreFixture {
  TempDir dir;
  std::unique_ptr<TenantlogTarget> target;
};

StoreFixture& GetStoreFixture(std::string_view family, uint32_t tenants, uint32_t events,
                              const Sizes& sizes) {
  return GetFixture<StoreFixture>(family, "tenantlog", [&] {
    auto f = std::make_unique<StoreFixture>();
    f->target = std::make_unique<TenantlogTarget>(f->dir.Sub("store"));
    std::vector<TenantFill> fills;
    for (uint64_t t = 1; t <= tenants; ++t) fills.push_back(TenantFill{t, events});
    Fill(*f->target, fills, sizes.keys_per_tenant);
    return f;
  });
}

void CheckChanged(const Result<BulkReport>& report, size_t expected, std::string_view what) {
  CheckOk(report.status(), what);
  if (report->changed.size() != expected) {
    Fatal(std::string(what) + " changed " + std::to_string(report->changed.size()) +
          " tenants, expected " + std::to_string(expected));
  }
}

// UndoTombstone/tenantlog: restores `undo_victims` tombstoned tenants, spread
// over a store of `undo_tenants`, in one call. The tombstones are written
// between iterations, unmeasured. Items: tenants.
void UndoTombstone(benchmark::State& state, const Sizes& sizes) {
  StoreFixture& f = GetStoreFixture("UndoTombstone", sizes.undo_tenants, sizes.undo_events, sizes);
  Store& store = f.target->store();
  const std::vector<std::string> victims =
      TenantNames(SpreadTenants(sizes.undo_tenants, sizes.undo_victims));
  for (auto _ : state) {
    state.PauseTiming();
    CheckChanged(store.Tombstone(victims, BenchAdmin()), victims.size(), "tombstone");
    state.ResumeTiming();
    CheckChanged(store.Restore(victims, BenchAdmin()), victims.size(), "restore");
  }
  state.SetItemsProcessed(state.iterations() * victims.size());
}

// Verify/tenantlog: verifies a whole store of verify_tenants × verify_events
// events (chains, seqs, heads, FlatBuffers verifier). Items: events.
void Verify(benchmark::State& state, const Sizes& sizes) {
  StoreFixture& f = GetStoreFixture("Verify", sizes.verify_tenants, sizes.verify_events, sizes);
  Store& store = f.target->store();
  const uint64_t events = uint64_t{sizes.verify_tenants} * sizes.verify_events;
  for (auto _ : state) {
    auto report = store.Verify({});
    if (!CheckOk(report, "verify").ok || report->events != events) {
      Fatal("verify checked " + std::to_string(report->events) + " events, expected " +
            std::to_string(events) + (report->ok ? "" : ", and found damage"));
    }
  }
  state.SetItemsProcessed(state.iterations() * events);
}

}  // namespace

void RegisterUndoBenchmarks(const Sizes& sizes) {
  Measured(benchmark::RegisterBenchmark("UndoTombstone/tenantlog",
                                        [=](benchmark::State& s) { UndoTombstone(s, sizes); }),
           sizes, benchmark::kMillisecond);
}

void RegisterVerifyBenchmarks(const Sizes& sizes) {
  Measured(benchmark::RegisterBenchmark("Verify/tenantlog", [=](benchmark::State& s) { Verify(s, sizes); }),
           sizes, benchmark::kMillisecond);
}

}  // namespace tenantlog::bench
