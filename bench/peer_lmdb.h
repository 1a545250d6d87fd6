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
#include <mutex>
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

  // Puts the events as first_seq.. of `tenant` (0: after its last) in one
  // transaction. The value of an event is its entity key's length (1 byte) ‖
  // entity key ‖ payload.
  void Append(uint64_t tenant, uint64_t first_seq, const PreparedBatch& batch) override;
  // Puts `batch` after the last event of each of `tenants`, all in one
  // transaction: the commit a group commit of those tenants' appends makes.
  void AppendToEach(const std::vector<uint64_t>& tenants, const PreparedBatch& batch);
  // As AppendToEach, but the events go to a small `tail` database keyed by
  // call ‖ tenant ‖ seq, so that one call's puts share a leaf page instead of
  // dirtying one per tenant (and its parent). Every kTailCalls-th call also
  // moves the tail into the main database in key order, in the same
  // transaction, and empties it. A layout a group commit could write; Fold
  // does not read the tail.
  void AppendToEachViaTail(const std::vector<uint64_t>& tenants, const PreparedBatch& batch);
  static constexpr uint64_t kTailCalls = 32;

  // Scans every event of `tenant` in seq order and folds it into entity key →
  // latest payload. Returns the number of events scanned.
  uint64_t Fold(uint64_t tenant, std::unordered_map<std::string, std::string>* view);

 private:
  // Puts `events` as first_seq.. of `tenant` (0: after its last) in `txn`.
  void Put(MDB_txn* txn, uint64_t tenant, uint64_t first_seq, const std::vector<EventSpec>& events);
  // Records that `tenant` holds seqs first_seq.. first_seq + count - 1
  // (first_seq 0: the ones after its last) and returns first_seq.
  // REQUIRES: count > 0.
  uint64_t Reserve(uint64_t tenant, uint64_t first_seq, size_t count);

  MDB_env* env_ = nullptr;
  MDB_dbi dbi_ = 0;
  std::mutex mu_;
  std::unordered_map<uint64_t, uint64_t> next_seq_;  // guarded by mu_
  // AppendToEachViaTail's, guarded by tail_mu_, which a call holds throughout.
  std::mutex tail_mu_;
  MDB_dbi tail_dbi_ = 0;
  bool tail_open_ = false;
  uint64_t tail_calls_ = 0;
};

// The lmdb_tenant_dbs peer: the layout tenantlog did not take, measured so
// the choice rests on numbers. One named database per tenant, keyed by seq
// alone and written with MDB_APPEND (pages fill up entirely), with lmdb_raw's
// values, flags and durability. LMDB's per-transaction work grows with the
// number of open databases (mdb_env_set_maxdbs), which is what this shows at
// 100,000 tenants.
//
// Thread-safety: as LmdbRaw.
class LmdbTenantDbs final : public AppendTarget {
 public:
  // Opens (creating) an environment in directory `dir`, which must exist,
  // with room for `max_tenants` databases.
  LmdbTenantDbs(const std::string& dir, bool durable, uint32_t max_tenants);
  ~LmdbTenantDbs();
  LmdbTenantDbs(const LmdbTenantDbs&) = delete;
  LmdbTenantDbs& operator=(const LmdbTenantDbs&) = delete;

  // While not durable (filling), appends share one transaction, committed
  // every few hundred appends and when durability is turned back on.
  void SetDurable(bool durable) override;
  // Puts the events as first_seq.. of `tenant` (0: after its last) in one
  // transaction, creating the tenant's database on first use.
  void Append(uint64_t tenant, uint64_t first_seq, const PreparedBatch& batch) override;

 private:
  MDB_dbi Dbi(MDB_txn* txn, uint64_t tenant);
  void CommitOpen();

  MDB_env* env_ = nullptr;
  bool durable_ = true;
  MDB_txn* open_txn_ = nullptr;  // the shared transaction while filling
  uint32_t open_appends_ = 0;
  std::mutex mu_;                                 // guards dbis_ and next_seq_
  std::unordered_map<uint64_t, MDB_dbi> dbis_;    // committed databases
  std::unordered_map<uint64_t, MDB_dbi> pending_; // opened in an uncommitted txn
  std::unordered_map<uint64_t, uint64_t> next_seq_;
};

// Bytes of the environment's data file in directory `dir`.
uint64_t DataFileBytes(const std::string& dir);

}  // namespace tenantlog::bench

#endif  // TENANTLOG_BENCH_PEER_LMDB_H_
