#include "peer_sqlite.h"

#include <sqlite3.h>

#include "fatal.h"

namespace tenantlog::bench {

namespace {

// Resets a statement when the scope ends, whatever happened in it.
class Reset {
 public:
  explicit Reset(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Reset(const Reset&) = delete;
  Reset& operator=(const Reset&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

}  // namespace

SqlitePeer::SqlitePeer(const std::string& file, bool durable) {
  if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    Fatal("sqlite: open " + file + ": " + sqlite3_errmsg(db_));
  }
  Exec("PRAGMA journal_mode=WAL");
  SetDurable(durable);
  Exec(
      "CREATE TABLE IF NOT EXISTS events (tenant INTEGER NOT NULL, seq INTEGER NOT NULL, "
      "key TEXT NOT NULL, payload BLOB NOT NULL, PRIMARY KEY (tenant, seq)) WITHOUT ROWID");
  insert_ = Prepare("INSERT INTO events (tenant, seq, key, payload) VALUES (?, ?, ?, ?)");
  select_ = Prepare("SELECT key, payload FROM events WHERE tenant = ? ORDER BY seq");
}

SqlitePeer::~SqlitePeer() {
  sqlite3_finalize(insert_);
  sqlite3_finalize(select_);
  sqlite3_close(db_);
}

void SqlitePeer::Exec(const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error != nullptr ? error : sqlite3_errmsg(db_);
    sqlite3_free(error);
    Fatal("sqlite: " + sql + ": " + message);
  }
}

sqlite3_stmt* SqlitePeer::Prepare(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    Fatal("sqlite: prepare " + sql + ": " + sqlite3_errmsg(db_));
  }
  return stmt;
}

void SqlitePeer::SetDurable(bool durable) {
  std::lock_guard lock(mutex_);
  Exec(durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF");
  // Moves what was written without syncing into the database file, synced.
  if (durable) Exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

void SqlitePeer::Append(uint64_t tenant, uint64_t first_seq, const PreparedBatch& batch) {
  const std::vector<EventSpec>& events = batch.events;
  std::lock_guard lock(mutex_);
  Exec("BEGIN");
  for (size_t i = 0; i < events.size(); ++i) {
    Reset reset(insert_);
    sqlite3_bind_int64(insert_, 1, static_cast<sqlite3_int64>(tenant));
    sqlite3_bind_int64(insert_, 2, static_cast<sqlite3_int64>(first_seq + i));
    sqlite3_bind_text(insert_, 3, events[i].key.data(), static_cast<int>(events[i].key.size()),
                      SQLITE_STATIC);
    sqlite3_bind_blob(insert_, 4, events[i].payload.data(),
                      static_cast<int>(events[i].payload.size()), SQLITE_STATIC);
    if (sqlite3_step(insert_) != SQLITE_DONE) Fatal(std::string("sqlite: insert: ") + sqlite3_errmsg(db_));
  }
  Exec("COMMIT");
}

uint64_t SqlitePeer::Fold(uint64_t tenant, std::unordered_map<std::string, std::string>* view) {
  std::lock_guard lock(mutex_);
  Reset reset(select_);
  sqlite3_bind_int64(select_, 1, static_cast<sqlite3_int64>(tenant));
  uint64_t scanned = 0;
  int rc;
  while ((rc = sqlite3_step(select_)) == SQLITE_ROW) {
    const auto* key = reinterpret_cast<const char*>(sqlite3_column_text(select_, 0));
    const int key_size = sqlite3_column_bytes(select_, 0);
    const auto* payload = static_cast<const char*>(sqlite3_column_blob(select_, 1));
    const int payload_size = sqlite3_column_bytes(select_, 1);
    (*view)[std::string(key, key_size)].assign(payload, payload_size);
    ++scanned;
  }
  if (rc != SQLITE_DONE) Fatal(std::string("sqlite: select: ") + sqlite3_errmsg(db_));
  return scanned;
}

void SqlitePeer::Backup(const std::string& file) {
  std::lock_guard lock(mutex_);
  char* quoted = sqlite3_mprintf("VACUUM INTO %Q", file.c_str());
  const std::string sql = quoted;
  sqlite3_free(quoted);
  Exec(sql);
}

void SqlitePeer::PurgeTenants(const std::vector<uint64_t>& tenants) {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* del = Prepare("DELETE FROM events WHERE tenant = ?");
  Exec("BEGIN");
  for (uint64_t tenant : tenants) {
    Reset reset(del);
    sqlite3_bind_int64(del, 1, static_cast<sqlite3_int64>(tenant));
    if (sqlite3_step(del) != SQLITE_DONE) Fatal(std::string("sqlite: delete: ") + sqlite3_errmsg(db_));
  }
  Exec("COMMIT");
  sqlite3_finalize(del);
  Exec("VACUUM");
  Exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

uint64_t SqlitePeer::RestoreFromBackup(const std::string& file,
                                       const std::vector<uint64_t>& tenants) {
  std::lock_guard lock(mutex_);
  char* quoted = sqlite3_mprintf("ATTACH DATABASE %Q AS backup", file.c_str());
  const std::string attach = quoted;
  sqlite3_free(quoted);
  Exec(attach);
  sqlite3_stmt* copy = Prepare("INSERT INTO main.events SELECT * FROM backup.events WHERE tenant = ?");
  uint64_t copied = 0;
  for (uint64_t tenant : tenants) {
    Exec("BEGIN");
    {
      Reset reset(copy);
      sqlite3_bind_int64(copy, 1, static_cast<sqlite3_int64>(tenant));
      if (sqlite3_step(copy) != SQLITE_DONE) Fatal(std::string("sqlite: copy: ") + sqlite3_errmsg(db_));
    }
    copied += static_cast<uint64_t>(sqlite3_changes(db_));
    Exec("COMMIT");
  }
  sqlite3_finalize(copy);
  Exec("DETACH DATABASE backup");
  return copied;
}

}  // namespace tenantlog::bench
