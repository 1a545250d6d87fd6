// The lmdb_raw peer: the floor of tenantlog's storage layer. Plain LMDB puts
// and cursor scans of the same keys (tenant id ‖ seq, big-endian) and payload
// bytes, with the same environment flags and durability as the engine, and
// nothing else: no envelope, no hash chain, no tenant registry, no views.
//
// Thread-safety: any method may be called from any thread; writers are
// serialised by LMDB's writer lock, as the engine's are.
#ifndef TENANTLOG_BENCH_PEER_LMDB_H_
#define TENANTLOG_BENCH_PEER_LMDB_H_

#include <lmdb.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "target.h"
#include "workload.h"

namespace tenantlog::bench {

// Map size of every LMDB environment of the suite, tenantlog's included.
inline constexpr uint64_t kMapBytes = uint64_t{32} << 30;

class LmdbRaw final : public AppendTarget {
 public:
  // Opens (creating) an environment in directory `dir`, which must exist.
  // `durable`: every commit reaches stable storage before it returns.
  LmdbRaw(const std::string& dir, bool durable);
  ~LmdbRaw();
  LmdbRaw(const LmdbRaw&) = delete;
  LmdbRaw& operator=(const LmdbRaw&) = delete;

  // Switches durability; turning it on flushes what is not yet stable.
  void SetDurable(bool durable) override;

  // Puts the events as first_seq.. of `tenant` in one transaction. The value
  // of an event is its entity key's length (1 byte) ‖ entity key ‖ payload.
  void Append(uint64_t tenant, uint64_t first_seq, const PreparedBatch& batch) override;

  // Scans every event of `tenant` in seq order and folds it into entity key →
  // latest payload. Returns the number of events scanned.
  uint64_t Fold(uint64_t tenant, std::unordered_map<std::string, std::string>* view);

 private:
  MDB_env* env_ = nullptr;
  MDB_dbi dbi_ = 0;
};

}  // namespace tenantlog::bench

#endif  // TENANTLOG_BENCH_PEER_LMDB_H_
