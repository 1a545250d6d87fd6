// Registration of the benchmark families, each named Family/impl[/args] so
// that one run measures every implementation of a family on the same data.
// Every benchmark reports items_per_second: events/s, or tenants/s where its
// comment says so. Times are wall-clock: the workloads wait on the disk.
#ifndef TENANTLOG_BENCH_BENCHES_H_
#define TENANTLOG_BENCH_BENCHES_H_

#include <benchmark/benchmark.h>

#include "sizes.h"

namespace tenantlog::bench {

// Wall-clock time in `unit`, `repetitions` runs (the console then shows
// only their aggregates).
inline benchmark::internal::Benchmark* Measured(benchmark::internal::Benchmark* b,
                                                benchmark::TimeUnit unit, int repetitions) {
  b->UseRealTime()->Unit(unit);
  if (repetitions > 1) b->Repetitions(repetitions)->DisplayAggregatesOnly(true);
  return b;
}
// The same, with the repetitions of `sizes`.
inline benchmark::internal::Benchmark* Measured(benchmark::internal::Benchmark* b,
                                                const Sizes& sizes, benchmark::TimeUnit unit) {
  return Measured(b, unit, sizes.repetitions);
}

// Append, AppendConcurrent, AppendScale.
void RegisterAppendBenchmarks(const Sizes& sizes);
// Replay, Rewind.
void RegisterReplayBenchmarks(const Sizes& sizes);
// UndoTombstone.
void RegisterUndoBenchmarks(const Sizes& sizes);
// RestoreFromBackup.
void RegisterRestoreBenchmarks(const Sizes& sizes);
// Verify.
void RegisterVerifyBenchmarks(const Sizes& sizes);

}  // namespace tenantlog::bench

#endif  // TENANTLOG_BENCH_BENCHES_H_
