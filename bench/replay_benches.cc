// Replay and Rewind: folding a tenant's history into its key → value view.
#include <benchmark/benchmark.h>

#include <set>
#include <string>
#include <unordered_map>

#include "benches.h"
#include "fatal.h"
#include "fixture_cache.h"
#include "peer_lmdb.h"
#include "peer_sqlite.h"
#include "temp_dir.h"
#include "tenantlog_target.h"

namespace tenantlog::bench {

namespace {

constexpr uint64_t kTenant = 1;

// Keys of the view folded from events 1..events of `tenant`.
size_t DistinctKeys(uint64_t tenant, uint32_t events, uint32_t keys_per_tenant) {
  std::set<std::string> keys;
  for (uint32_t seq = 1; seq <= events; ++seq) keys.insert(MakeEvent(tenant, seq, keys_per_tenant).key);
  return keys.size();
}

void CheckViewSize(size_t got, size_t expected, std::string_view impl) {
  if (got != expected) {
    Fatal(std::string(impl) + " folded " + std::to_string(got) + " keys, expected " +
          std::to_string(expected));
  }
}

template <typename Target>
struct ReplayFixture {
  TempDir dir;
  std::unique_ptr<Target> target;
  size_t expected_keys = 0;
};

template <typename Target, typename Open>
ReplayFixture<Target>& GetReplayFixture(std::string_view family, Impl impl, const Sizes& sizes,
                                        uint32_t events, Open open) {
  return GetFixture<ReplayFixture<Target>>(family, std::string(ImplName(impl)), [&] {
    auto f = std::make_unique<ReplayFixture<Target>>();
    f->target = open(f->dir);
    Fill(*f->target, {TenantFill{kTenant, events}}, sizes.keys_per_tenant);
    f->expected_keys = DistinctKeys(kTenant, events, sizes.keys_per_tenant);
    return f;
  });
}

// Replay measures the fold itself, so its store takes no view checkpoints
// (a read as of the head would otherwise load the checkpoint at the head);
// Rewind's store takes them as by default.
ReplayFixture<TenantlogTarget>& TenantlogReplayFixture(std::string_view family, const Sizes& sizes,
                                                       uint32_t events) {
  const uint32_t interval = family == "Replay" ? 0 : Options().view_checkpoint_interval;
  return GetReplayFixture<TenantlogTarget>(family, Impl::kTenantlog, sizes, events, [&](const TempDir& d) {
    return std::make_unique<TenantlogTarget>(d.Sub("store"), interval);
  });
}

// Replay/tenantlog: rebuilds the tenant's persisted view from its whole log,
// as a read does after a restore: fold every event (chain and FlatBuffers
// checks included), write the view, commit durably, and list it. Items: events.
void ReplayTenantlog(benchmark::State& state, const Sizes& sizes) {
  auto& f = TenantlogReplayFixture("Replay", sizes, sizes.replay_events);
  Store& store = f.target->store();
  const std::string tenant = TenantName(kTenant);
  const std::vector<std::string> tenants{tenant};
  for (auto _ : state) {
    state.PauseTiming();
    // A tombstone drops the view; the restore makes the next read rebuild it.
    CheckOk(store.Tombstone(tenants, BenchAdmin()).status(), "tombstone");
    CheckOk(store.Restore(tenants, BenchAdmin()).status(), "restore");
    state.ResumeTiming();
    auto view = store.List(tenant);
    CheckViewSize(CheckOk(view, "list").size(), f.expected_keys, "tenantlog");
  }
  state.SetItemsProcessed(state.iterations() * sizes.replay_events);
}

// Replay/tenantlog_fold: the same fold done in memory by a read as of the
// head, writing nothing. Items: events.
void ReplayTenantlogFold(benchmark::State& state, const Sizes& sizes) {
  auto& f = TenantlogReplayFixture("Replay", sizes, sizes.replay_events);
  Store& store = f.target->store();
  const std::string tenant = TenantName(kTenant);
  auto info = store.Describe(tenant);
  ReadOptions as_of_head;
  as_of_head.as_of = Point::AtSeq(CheckOk(info, "describe").head_seq);
  for (auto _ : state) {
    auto view = store.List(tenant, as_of_head);
    CheckViewSize(CheckOk(view, "list as of head").size(), f.expected_keys, "tenantlog");
  }
  state.SetItemsProcessed(state.iterations() * sizes.replay_events);
}

// Replay/lmdb_raw and Replay/sqlite: scan the tenant's events in seq order and
// fold them into a hash map of key → latest payload. Items: events.
template <typename Peer, typename Open>
void ReplayPeer(benchmark::State& state, Impl impl, const Sizes& sizes, Open open) {
  auto& f = GetReplayFixture<Peer>("Replay", impl, sizes, sizes.replay_events, open);
  for (auto _ : state) {
    std::unordered_map<std::string, std::string> view;
    const uint64_t scanned = f.target->Fold(kTenant, &view);
    if (scanned != sizes.replay_events) Fatal("replay scanned " + std::to_string(scanned) + " events");
    CheckViewSize(view.size(), f.expected_keys, ImplName(impl));
  }
  state.SetItemsProcessed(state.iterations() * sizes.replay_events);
}

// Rewind/tenantlog: rewinds a tenant of `rewind_events` events to its
// midpoint and reads the view it then shows (a durable commit). Between
// iterations, unmeasured, a rewind to the old head undoes it. Items: events
// of the rewound tenant.
void RewindTenantlog(benchmark::State& state, const Sizes& sizes) {
  auto& f = TenantlogReplayFixture("Rewind", sizes, sizes.rewind_events);
  Store& store = f.target->store();
  const std::string tenant = TenantName(kTenant);
  const Point midpoint = Point::AtSeq(sizes.rewind_events / 2);
  const Point head = Point::AtSeq(sizes.rewind_events);
  const size_t midpoint_keys = DistinctKeys(kTenant, sizes.rewind_events / 2, sizes.keys_per_tenant);
  for (auto _ : state) {
    auto rewound = store.Rewind(tenant, midpoint, BenchAdmin());
    if (!CheckOk(rewound, "rewind").changed) Fatal("rewind to the midpoint changed nothing");
    auto view = store.List(tenant);
    CheckViewSize(CheckOk(view, "list").size(), midpoint_keys, "tenantlog");
    state.PauseTiming();
    CheckOk(store.Rewind(tenant, head, BenchAdmin()).status(), "rewind to the head");
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * sizes.rewind_events);
}

}  // namespace

void RegisterReplayBenchmarks(const Sizes& sizes) {
  using benchmark::RegisterBenchmark;
  constexpr auto kMs = benchmark::kMillisecond;
  Measured(RegisterBenchmark("Replay/tenantlog", [=](benchmark::State& s) { ReplayTenantlog(s, sizes); }),
           sizes, kMs);
  Measured(RegisterBenchmark("Replay/tenantlog_fold",
                             [=](benchmark::State& s) { ReplayTenantlogFold(s, sizes); }),
           sizes, kMs);
  Measured(RegisterBenchmark("Replay/lmdb_raw",
                             [=](benchmark::State& s) {
                               ReplayPeer<LmdbRaw>(s, Impl::kLmdbRaw, sizes, [](const TempDir& d) {
                                 return std::make_unique<LmdbRaw>(d.path(), true);
                               });
                             }),
           sizes, kMs);
  Measured(RegisterBenchmark("Replay/sqlite",
                             [=](benchmark::State& s) {
                               ReplayPeer<SqlitePeer>(s, Impl::kSqlite, sizes, [](const TempDir& d) {
                                 return std::make_unique<SqlitePeer>(d.Sub("events.db"), true);
                               });
                             }),
           sizes, kMs);
  Measured(RegisterBenchmark("Rewind/tenantlog", [=](benchmark::State& s) { RewindTenantlog(s, sizes); }),
           sizes, kMs);
}

}  // namespace tenantlog::bench
