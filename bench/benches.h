// Registration of the benchmark families, each named Family/impl[/args] so
// that one run measures every implementation of a family on the same data.
// Every benchmark reports items_per_second: events/s, or tenants/s where its
// comment says so. Times are wall-clock: the workloads wait on the disk.
#ifndef TENANTLOG_BENCH_BENCHES_H_
#define TENANTLOG_BENCH_BENCHES_H_

#include "sizes.h"

namespace tenantlog::bench {

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
