// Append, AppendConcurrent and AppendScale: durable writes.
#include <benchmark/benchmark.h>

#include <string>

#include "benches.h"
#include "fixture_cache.h"
#include "peer_lmdb.h"
#include "target.h"
#include "temp_dir.h"
#include "tenantlog_target.h"

namespace tenantlog::bench {

namespace {

constexpr Impl kImpls[] = {Impl::kTenantlog, Impl::kLmdbRaw, Impl::kSqlite};
// The layouts compared where the tenant count matters: tenantlog's (every
// tenant in one database, keyed tenant ‖ seq), the same without the engine,
// and a database per tenant.
constexpr Impl kLayoutImpls[] = {Impl::kTenantlog, Impl::kLmdbRaw, Impl::kLmdbTenantDbs};

// Reports the store's size on disk per event it holds.
void ReportBytesPerEvent(benchmark::State& state, Impl impl, const TempDir& dir, uint64_t events) {
  if (events == 0) return;
  state.counters["bytes_per_event"] =
      static_cast<double>(StoredBytes(impl, dir)) / static_cast<double>(events);
}

struct AppendFixture {
  TempDir dir;
  std::unique_ptr<AppendTarget> target;
  std::vector<PreparedBatch> batches;  // [tenant - 1]
  std::vector<uint64_t> next_seq;      // [tenant]
  uint64_t turn = 0;
};

// Append: `append_tenants` tenants in turn, each append a batch of
// `append_batch` events in one durable commit. Items: events.
void Append(benchmark::State& state, Impl impl, const Sizes& sizes) {
  AppendFixture& f = GetFixture<AppendFixture>("Append", std::string(ImplName(impl)), [&] {
    auto f = std::make_unique<AppendFixture>();
    f->target = MakeTarget(impl, f->dir);
    for (uint32_t t = 1; t <= sizes.append_tenants; ++t) {
      f->batches.push_back(Prepare(t, 1, sizes.append_batch, sizes.keys_per_tenant));
    }
    f->next_seq.assign(sizes.append_tenants + 1, 1);
    return f;
  });
  for (auto _ : state) {
    const uint64_t tenant = f.turn++ % sizes.append_tenants + 1;
    f.target->Append(tenant, f.next_seq[tenant], f.batches[tenant - 1]);
    f.next_seq[tenant] += sizes.append_batch;
  }
  state.SetItemsProcessed(state.iterations() * sizes.append_batch);
  uint64_t stored = 0;
  for (uint64_t next : f.next_seq) stored += next - 1;
  ReportBytesPerEvent(state, impl, f.dir, stored);
}

// AppendConcurrent: each thread appends single events to its own tenant, one
// durable call per event, as an application server does per request.
// tenantlog may commit concurrent calls together; the peers commit one
// transaction per event. Items: events, all threads together.
void AppendConcurrent(benchmark::State& state, Impl impl, const Sizes& sizes) {
  AppendFixture& f = GetFixture<AppendFixture>("AppendConcurrent", std::string(ImplName(impl)), [&] {
    auto f = std::make_unique<AppendFixture>();
    f->target = MakeTarget(impl, f->dir);
    std::vector<TenantFill> fills;
    const uint32_t seed = sizes.concurrent_seed_events;
    for (int t = 1; t <= sizes.concurrent_threads; ++t) {
      fills.push_back(TenantFill{static_cast<uint64_t>(t), seed});
      f->batches.push_back(Prepare(t, seed + 1, 1, sizes.keys_per_tenant));
    }
    Fill(*f->target, fills, sizes.keys_per_tenant);
    f->next_seq.assign(sizes.concurrent_threads + 1, seed + 1);
    return f;
  });
  const uint64_t tenant = static_cast<uint64_t>(state.thread_index()) + 1;
  const PreparedBatch& batch = f.batches[tenant - 1];
  uint64_t& next_seq = f.next_seq[tenant];
  // tenantlog's commits, counted by thread 0 across the loop, which every
  // thread starts and ends together.
  auto* engine = impl == Impl::kTenantlog ? static_cast<TenantlogTarget*>(f.target.get()) : nullptr;
  const bool count_commits = engine != nullptr && state.thread_index() == 0;
  const uint64_t commits_before = count_commits ? engine->store().append_stats().commits : 0;
  for (auto _ : state) {
    f.target->Append(tenant, next_seq, batch);
    ++next_seq;
  }
  state.SetItemsProcessed(state.iterations());
  if (count_commits) {
    const uint64_t commits = engine->store().append_stats().commits - commits_before;
    if (commits != 0) {
      state.counters["events_per_commit"] =
          static_cast<double>(state.iterations() * static_cast<uint64_t>(state.threads())) /
          static_cast<double>(commits);
    }
  }
}

// How a grouped peer lays out one commit's events.
enum class Grouped {
  kInPlace,  // lmdb_raw_grouped: each at its tenant's end of the main tree
  kTail,     // lmdb_raw_tail: in a tail moved to the main tree every 32 commits
};

std::string GroupedName(Grouped layout) {
  return layout == Grouped::kInPlace ? "lmdb_raw_grouped" : "lmdb_raw_tail";
}

// AppendConcurrent/lmdb_raw_grouped and lmdb_raw_tail: one thread putting one
// event to each of the 16 tenants in one durable transaction, what a group
// commit of the 16 threads' appends writes, without an engine: the floor
// under tenantlog's AppendConcurrent, in tenantlog's layout and in one that
// keeps a commit's events on one page. Items: events.
void AppendGroupedPeer(benchmark::State& state, Grouped layout, const Sizes& sizes) {
  AppendFixture& f = GetFixture<AppendFixture>("AppendConcurrent", GroupedName(layout), [&] {
    auto f = std::make_unique<AppendFixture>();
    f->target = std::make_unique<LmdbRaw>(f->dir.path(), true);
    std::vector<TenantFill> fills;
    for (int t = 1; t <= sizes.concurrent_threads; ++t) {
      fills.push_back(TenantFill{static_cast<uint64_t>(t), sizes.concurrent_seed_events});
    }
    Fill(*f->target, fills, sizes.keys_per_tenant);
    f->batches.push_back(Prepare(1, sizes.concurrent_seed_events + 1, 1, sizes.keys_per_tenant));
    return f;
  });
  std::vector<uint64_t> tenants;
  for (int t = 1; t <= sizes.concurrent_threads; ++t) tenants.push_back(static_cast<uint64_t>(t));
  auto& peer = static_cast<LmdbRaw&>(*f.target);
  for (auto _ : state) {
    if (layout == Grouped::kInPlace) {
      peer.AppendToEach(tenants, f.batches[0]);
    } else {
      peer.AppendToEachViaTail(tenants, f.batches[0]);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(tenants.size()));
}

struct ScaleFixture {
  TempDir dir;
  std::unique_ptr<AppendTarget> target;
  std::vector<PreparedBatch> batches;
  Prng prng{20220405};
  uint64_t stored = 0;  // events held
};

// AppendScale: Append's durable batches, each to a tenant drawn at random
// from a store of range(0) tenants that already hold `scale_seed_events`
// events each. The cost per event should not depend on the tenant count.
// Items: events.
void AppendScale(benchmark::State& state, Impl impl, const Sizes& sizes) {
  const uint64_t tenants = static_cast<uint64_t>(state.range(0));
  constexpr uint64_t kDistinctBatches = 8;
  ScaleFixture& f = GetFixture<ScaleFixture>("AppendScale", std::string(ImplName(impl)) + "/" + std::to_string(tenants), [&] {
    auto f = std::make_unique<ScaleFixture>();
    f->target = MakeTarget(impl, f->dir, static_cast<uint32_t>(tenants));
    f->stored = tenants * sizes.scale_seed_events;
    std::vector<TenantFill> fills;
    for (uint64_t t = 1; t <= tenants; ++t) fills.push_back(TenantFill{t, sizes.scale_seed_events});
    Fill(*f->target, fills, sizes.keys_per_tenant);
    for (uint64_t b = 1; b <= kDistinctBatches; ++b) {
      f->batches.push_back(
          Prepare(b, sizes.scale_seed_events + 1, sizes.append_batch, sizes.keys_per_tenant));
    }
    return f;
  });
  for (auto _ : state) {
    const uint64_t tenant = f.prng.Below(tenants) + 1;
    f.target->Append(tenant, 0, f.batches[tenant % kDistinctBatches]);
  }
  state.SetItemsProcessed(state.iterations() * sizes.append_batch);
  f.stored += state.iterations() * sizes.append_batch;
  ReportBytesPerEvent(state, impl, f.dir, f.stored);
  state.counters["tenants"] = static_cast<double>(tenants);
}

std::string Name(std::string_view family, Impl impl) {
  return std::string(family) + "/" + std::string(ImplName(impl));
}

}  // namespace

void RegisterAppendBenchmarks(const Sizes& sizes) {
  using benchmark::RegisterBenchmark;
  for (Impl impl : {Impl::kTenantlog, Impl::kLmdbRaw, Impl::kLmdbTenantDbs, Impl::kSqlite}) {
    Measured(RegisterBenchmark(Name("Append", impl).c_str(),
                               [=](benchmark::State& s) { Append(s, impl, sizes); }),
             sizes, benchmark::kMillisecond);
  }
  for (Impl impl : kImpls) {
    Measured(RegisterBenchmark(Name("AppendConcurrent", impl).c_str(),
                               [=](benchmark::State& s) { AppendConcurrent(s, impl, sizes); }),
             sizes, benchmark::kMicrosecond)
        ->Threads(sizes.concurrent_threads);
  }
  for (Grouped layout : {Grouped::kInPlace, Grouped::kTail}) {
    Measured(RegisterBenchmark(("AppendConcurrent/" + GroupedName(layout)).c_str(),
                               [=](benchmark::State& s) { AppendGroupedPeer(s, layout, sizes); }),
             sizes, benchmark::kMicrosecond);
  }
  for (Impl impl : kLayoutImpls) {
    auto* scale = Measured(RegisterBenchmark(Name("AppendScale", impl).c_str(),
                                             [=](benchmark::State& s) { AppendScale(s, impl, sizes); }),
                           sizes, benchmark::kMillisecond);
    for (int64_t tenants : sizes.scale_tenants) scale->Arg(tenants);
  }
}

}  // namespace tenantlog::bench
