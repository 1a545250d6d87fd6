// RestoreFromBackup: bringing purged tenants back from a backup into a live
// store while the other tenants stay as they are.
#include <benchmark/benchmark.h>

#include <string>

#include "benches.h"
#include "fatal.h"
#include "fixture_cache.h"
#include "peer_sqlite.h"
#include "temp_dir.h"
#include "tenantlog_target.h"

namespace tenantlog::bench {

namespace {

constexpr std::string_view kFamily = "RestoreFromBackup";

// The live store: `restore_tenants` tenants, the victims among them holding
// `restore_victim_events` events, the others `restore_other_events`.
std::vector<TenantFill> LiveFills(const Sizes& sizes, const std::vector<uint64_t>& victims) {
  std::vector<TenantFill> fills;
  size_t next_victim = 0;
  for (uint64_t t = 1; t <= sizes.restore_tenants; ++t) {
    const bool victim = next_victim < victims.size() && victims[next_victim] == t;
    if (victim) ++next_victim;
    fills.push_back(TenantFill{t, victim ? sizes.restore_victim_events : sizes.restore_other_events});
  }
  return fills;
}

void ReportRates(benchmark::State& state, uint64_t events, uint64_t tenants) {
  state.SetItemsProcessed(static_cast<int64_t>(events));
  state.counters["tenants_per_second"] =
      benchmark::Counter(static_cast<double>(tenants), benchmark::Counter::kIsRate);
}

struct TenantlogFixture {
  TempDir dir;
  std::unique_ptr<TenantlogTarget> target;
  std::vector<std::string> victims;
};

// Tombstones and purges the victims: the state the incident left them in.
void Purge(TenantlogFixture& f) {
  Store& store = f.target->store();
  CheckOk(store.Tombstone(f.victims, BenchAdmin()).status(), "tombstone");
  const std::string plan_file = f.dir.Sub("purge.plan");
  auto plan = store.PlanPurge(f.victims, 0, plan_file, BenchAdmin());
  const std::string token = CheckOk(plan, "plan purge").token;
  auto purged = store.RunPurge(plan_file, token, BenchAdmin());
  if (CheckOk(purged, "purge").purged.size() != f.victims.size()) Fatal("purge left victims behind");
}

// RestoreFromBackup/tenantlog: one call brings the purged victims back from
// a backup taken before the purge. The purge is redone between iterations,
// unmeasured. Items: events copied back; tenants_per_second: victims.
void RestoreTenantlog(benchmark::State& state, const Sizes& sizes) {
  TenantlogFixture& f = GetFixture<TenantlogFixture>(kFamily, "tenantlog", [&] {
    auto f = std::make_unique<TenantlogFixture>();
    const std::vector<uint64_t> victims = SpreadTenants(sizes.restore_tenants, sizes.restore_victims);
    f->victims = TenantNames(victims);
    f->target = std::make_unique<TenantlogTarget>(f->dir.Sub("live"));
    Fill(*f->target, LiveFills(sizes, victims), sizes.keys_per_tenant);
    CheckOk(f->target->store().Backup(f->dir.Sub("backup"), BenchAdmin()).status(), "backup");
    return f;
  });
  Store& store = f.target->store();
  const std::string backup = f.dir.Sub("backup");
  uint64_t copied = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Purge(f);
    state.ResumeTiming();
    auto report = store.RestoreFromBackup(backup, f.victims, BenchAdmin());
    if (CheckOk(report, "restore from backup").restored.size() != f.victims.size()) {
      Fatal("restore from backup restored " + std::to_string(report->restored.size()) + " of " +
            std::to_string(f.victims.size()) + " tenants");
    }
    copied += report->events_copied;
  }
  ReportRates(state, copied, state.iterations() * f.victims.size());
}

struct SqliteFixture {
  TempDir dir;
  std::unique_ptr<SqlitePeer> peer;
  std::vector<uint64_t> victims;
};

// RestoreFromBackup/sqlite: ATTACH of a backup made with VACUUM INTO before
// the purge, then INSERT … SELECT of each victim's rows, one durable
// transaction per tenant. The purge (DELETE, then VACUUM, as tenantlog's
// purge compacts its store) is redone between iterations, unmeasured. Items:
// rows copied back; tenants_per_second: victims.
void RestoreSqlite(benchmark::State& state, const Sizes& sizes) {
  SqliteFixture& f = GetFixture<SqliteFixture>(kFamily, "sqlite", [&] {
    auto f = std::make_unique<SqliteFixture>();
    f->victims = SpreadTenants(sizes.restore_tenants, sizes.restore_victims);
    f->peer = std::make_unique<SqlitePeer>(f->dir.Sub("live.db"), true);
    Fill(*f->peer, LiveFills(sizes, f->victims), sizes.keys_per_tenant);
    f->peer->Backup(f->dir.Sub("backup.db"));
    return f;
  });
  const std::string backup = f.dir.Sub("backup.db");
  const uint64_t expected = uint64_t{sizes.restore_victim_events} * f.victims.size();
  uint64_t copied = 0;
  for (auto _ : state) {
    state.PauseTiming();
    f.peer->PurgeTenants(f.victims);
    state.ResumeTiming();
    const uint64_t rows = f.peer->RestoreFromBackup(backup, f.victims);
    if (rows != expected) Fatal("sqlite restored " + std::to_string(rows) + " rows");
    copied += rows;
  }
  ReportRates(state, copied, state.iterations() * f.victims.size());
}

}  // namespace

// One run each: a run takes seconds and its setup (a purge) as long again.
void RegisterRestoreBenchmarks(const Sizes& sizes) {
  using benchmark::RegisterBenchmark;
  Measured(RegisterBenchmark("RestoreFromBackup/tenantlog",
                             [=](benchmark::State& s) { RestoreTenantlog(s, sizes); }),
           benchmark::kMillisecond, 1);
  Measured(RegisterBenchmark("RestoreFromBackup/sqlite",
                             [=](benchmark::State& s) { RestoreSqlite(s, sizes); }),
           benchmark::kMillisecond, 1);
}

}  // namespace tenantlog::bench
