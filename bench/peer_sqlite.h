// The sqlite peer: one WAL-mode table events(tenant, seq, key, payload) with
// primary key (tenant, seq), holding the same events as tenantlog. Durable
// means synchronous=FULL: every commit reaches stable storage before it
// returns, as with tenantlog's Options::sync.
//
// Thread-safety: any method may be called from any thread. The one connection
// is shared and each call holds it alone, as an application server shares a
// single SQLite writer: one transaction at a time.
#ifndef TENANTLOG_BENCH_PEER_SQLITE_H_
#define TENANTLOG_BENCH_PEER_SQLITE_H_

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "target.h"
#include "workload.h"

struct sqlite3;
struct sqlite3_stmt;

namespace tenantlog::bench {

class SqlitePeer final : public AppendTarget {
 public:
  // Opens (creating) the database file `file`.
  SqlitePeer(const std::string& file, bool durable);
  ~SqlitePeer();
  SqlitePeer(const SqlitePeer&) = delete;
  SqlitePeer& operator=(const SqlitePeer&) = delete;

  // synchronous=FULL when durable, OFF otherwise.
  void SetDurable(bool durable) override;

  // Inserts the events as first_seq.. of `tenant` in one transaction.
  void Append(uint64_t tenant, uint64_t first_seq, const PreparedBatch& batch) override;

  // Selects every event of `tenant` in seq order and folds it into entity key
  // → latest payload. Returns the number of events scanned.
  uint64_t Fold(uint64_t tenant, std::unordered_map<std::string, std::string>* view);

  // Writes a compacted copy of the database to `file` (VACUUM INTO).
  void Backup(const std::string& file);

  // Deletes every event of the listed tenants in one transaction, then
  // compacts the database (VACUUM) and empties the WAL, so that neither the
  // database nor its WAL holds their rows or free pages where they were: the
  // state tenantlog's purge leaves its store in.
  void PurgeTenants(const std::vector<uint64_t>& tenants);

  // Attaches the backup at `file` and copies each listed tenant's events back
  // with INSERT … SELECT, one transaction per tenant. Returns the rows copied.
  uint64_t RestoreFromBackup(const std::string& file, const std::vector<uint64_t>& tenants);

 private:
  void Exec(const std::string& sql);
  sqlite3_stmt* Prepare(const std::string& sql);

  std::mutex mutex_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* select_ = nullptr;
};

}  // namespace tenantlog::bench

#endif  // TENANTLOG_BENCH_PEER_SQLITE_H_
