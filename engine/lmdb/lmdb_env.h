// The LMDB layer: RAII environment, transaction and cursor types, and the one
// mapping from MDB_* codes to Status. Nothing above this layer calls mdb_*.
//
// Thread-safety: LmdbEnv is thread-safe. A Txn and its Cursors belong to the
// thread that runs the callback of Read/Write and must not escape it.
#ifndef TENANTLOG_ENGINE_LMDB_LMDB_ENV_H_
#define TENANTLOG_ENGINE_LMDB_LMDB_ENV_H_

#include <lmdb.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "tenantlog/status.h"
#include "util/draining_mutex.h"

namespace tenantlog::lmdb {

// Maps an MDB_* or errno code to a Status; `what` says which operation failed.
Status ToStatus(int rc, std::string_view what);

inline MDB_val ToVal(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}
inline std::string_view FromVal(const MDB_val& v) {
  return std::string_view(static_cast<const char*>(v.mv_data), v.mv_size);
}

// The named databases of a store (DESIGN.md, "Storage layout").
struct Databases {
  MDB_dbi events = 0;
  MDB_dbi tenants = 0;
  MDB_dbi names = 0;
  MDB_dbi views = 0;
  MDB_dbi view_state = 0;
  MDB_dbi audit = 0;
  MDB_dbi meta = 0;  // store-wide settings, e.g. the format version
};

class Cursor;

// A read or write transaction. Aborted on destruction unless committed by
// LmdbEnv::Write.
class Txn {
 public:
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;
  ~Txn();

  const Databases& dbs() const { return *dbs_; }
  bool writable() const { return writable_; }
  // The size of a database page in bytes; 0 when it cannot be read.
  size_t page_bytes() const;

  // Looks up `key` in `dbi`. Returns NotFound when absent. The value points
  // into the map: valid until the next write of this transaction or its end.
  Result<std::string_view> Get(MDB_dbi dbi, std::string_view key);
  // REQUIRES: writable().
  Status Put(MDB_dbi dbi, std::string_view key, std::string_view value, unsigned flags = 0);
  // Deletes `key`; a missing key is not an error.
  Status Delete(MDB_dbi dbi, std::string_view key);
  // Deletes every key starting with `prefix`.
  Status DeletePrefix(MDB_dbi dbi, std::string_view prefix);

  MDB_txn* raw() { return txn_; }

 private:
  friend class LmdbEnv;
  friend class Cursor;
  Txn(MDB_txn* txn, const Databases* dbs, bool writable)
      : txn_(txn), dbs_(dbs), writable_(writable) {}
  Status Commit();
  // Converts `rc`, remembering a full map so that LmdbEnv::Write can grow
  // it, and a failed write so that it can say why.
  Status Checked(int rc, std::string_view what);

  MDB_txn* txn_;
  const Databases* dbs_;
  bool writable_;
  bool map_full_ = false;
  int write_error_ = 0;  // the errno of a failed file write, if one failed
};

// A cursor over one database of a transaction.
class Cursor {
 public:
  static Result<std::unique_ptr<Cursor>> Open(Txn& txn, MDB_dbi dbi);
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  ~Cursor();

  // Positions at the first key >= `key`. Returns false at the end.
  Result<bool> Seek(std::string_view key);
  // Positions at the last key of the database. Returns false when empty.
  Result<bool> Last();
  // Positions at the first key of the database. Returns false when empty.
  Result<bool> First();
  Result<bool> Next();
  // REQUIRES: positioned.
  std::string_view key() const { return FromVal(key_); }
  std::string_view value() const { return FromVal(value_); }
  // Deletes the current entry. REQUIRES: positioned, writable transaction.
  Status DeleteCurrent();
  // Stores `value` under `key`, a key that holds nothing, and leaves the
  // cursor on it; when `key` already holds a value, writes nothing and
  // returns Conflict (what is written through a cursor is never overwritten).
  // Consecutive puts of ascending keys that fall within the page the cursor
  // is on skip the search from the root that Txn::Put makes.
  // REQUIRES: writable transaction.
  Status Put(std::string_view key, std::string_view value);
  // As Put, but leaves `size` bytes for the caller to fill, at *value,
  // which stays valid until the next write of the transaction.
  Status Reserve(std::string_view key, size_t size, char** value);

 private:
  // The Status of a put of a new key that returned `rc`.
  Status NewKeyChecked(int rc);
  Cursor(Txn* txn, MDB_cursor* cursor, uintptr_t page_bytes)
      : txn_(txn), cursor_(cursor), page_bytes_(page_bytes) {}
  Result<bool> Move(MDB_cursor_op op);
  // Starts loading the whole page the current value is on (a leaf page, or
  // the first page of a large value) when it is a page not loaded before,
  // so that a scan's entries on it arrive together rather than one cache
  // miss at a time. A hint only: a prefetch never faults (a page this
  // transaction wrote is a heap copy, not page-aligned in the map).
  void PrefetchPage();

  Txn* txn_;
  MDB_cursor* cursor_;
  const uintptr_t page_bytes_;  // 0: no prefetch
  uintptr_t page_ = 0;          // the page last prefetched
  MDB_val key_{0, nullptr};
  MDB_val value_{0, nullptr};
};

struct EnvOptions {
  bool create_if_missing = true;
  bool read_only = false;
  bool sync = true;
  uint64_t initial_map_bytes = uint64_t{64} << 20;
  uint64_t max_map_bytes = 0;  // 0: no bound
  uint32_t max_readers = 126;
};

class LmdbEnv {
 public:
  // Opens (or creates) the environment in directory `dir` and its databases.
  static Status Open(const EnvOptions& options, const std::string& dir,
                     std::unique_ptr<LmdbEnv>* env);
  LmdbEnv(const LmdbEnv&) = delete;
  LmdbEnv& operator=(const LmdbEnv&) = delete;
  ~LmdbEnv();

  // Runs `fn` in a read transaction on a consistent snapshot.
  Status Read(const std::function<Status(Txn&)>& fn);

  // Runs `fn` in a write transaction and commits when it returns OK (aborts
  // otherwise). When the map is full the transaction is aborted, the map
  // grown and `fn` run again: `fn` may therefore run more than once and must
  // keep results only in what it writes or in state it resets at its start.
  // A write the file system refuses (no space, I/O error) leaves nothing
  // behind and returns IOError, naming the lack of space when the device is
  // full; the handle goes on working, and writes again once there is room.
  Status Write(const std::function<Status(Txn&)>& fn);

  // Makes every successful commit of Write call `listener` (after the
  // commit, on the committing thread). REQUIRES: called before any Write.
  void SetCommitListener(std::function<void()> listener) { commit_listener_ = std::move(listener); }

  // Writes a compacted, consistent copy of the environment into directory
  // `dir` (which must exist and be empty) from one read snapshot; writers go
  // on meanwhile. `dir`/data.mdb appears only once the copy is whole and
  // flushed.
  Status CopyCompact(const std::string& dir);

  // Replaces the data file by a compacted copy of its latest state, written
  // entry by entry into a fresh environment, so that no byte of deleted data
  // is left anywhere in the store's files (LMDB leaves old bytes in freed
  // pages and in the unused space of live pages, and its own compacting copy
  // copies the latter).
  // Holds the writer lock while it copies. Every handle on the store, in
  // this process or another, moves to the new file at its next transaction;
  // a snapshot already open goes on reading the old one until it ends. An
  // interrupted swap is completed by the next open.
  Status CompactInPlace();

  const Databases& dbs() const { return dbs_; }
  bool read_only() const { return options_.read_only; }
  const std::string& path() const { return path_; }
  MDB_env* raw() { return env_; }

  // Current map size in bytes.
  uint64_t map_bytes() const;

 private:
  enum class Begun { kOk, kMapResized, kReplaced, kPanicked, kFailed };

  // How long a map resize first holds new transactions back for those begun
  // while it waited to end (DrainingMutex's max_hold_back).
  static constexpr std::chrono::milliseconds kResizeHoldBack{10};

  LmdbEnv(EnvOptions options, std::string path)
      : options_(options), path_(std::move(path)), data_path_(path_ + "/data.mdb") {}
  // Opens env_ and its databases. REQUIRES: env_ closed; no other thread
  // uses this handle (construction, or resize_mutex_ held exclusively).
  Status OpenHandle();
  Status OpenEnvironment();
  // Sets *replaced when the data file was swapped before the transaction
  // began; then nothing was opened.
  Status OpenDatabases(bool* replaced);
  void CloseHandle();
  // True when the data file at the store's path is no longer the one mapped.
  bool Replaced() const;
  // Moves this handle to the store's current data file (and opens it again
  // if an earlier reopening failed).
  Status Reopen();
  // Replaces `panicked`, a handle LMDB has shut down after a failed write of
  // its meta page (MDB_PANIC), by a fresh one. The store's files are intact:
  // the failed commit never became visible.
  Status ReopenAfterPanic(MDB_env* panicked);
  // The Status of a write transaction the file system failed with `rc`.
  Status WriteFailure(int rc, const Status& failed) const;
  // Runs `fn` in a transaction (Read, Write), retrying after map growth and
  // file swaps.
  Status Run(bool writable, const std::function<Status(Txn&)>& fn);
  // Begins a transaction; REQUIRES: resize_mutex_ held shared.
  Begun Begin(bool writable, MDB_txn** txn, int* rc);
  // Writes every entry of the latest snapshot into a new environment in `dir`.
  Status RewriteInto(const std::string& dir);
  // Writes the compacted copy and swaps it in. REQUIRES: the writer lock.
  Status SwapInCompactCopy();
  // Adopts a map size grown by another process, unless this one has adopted
  // it since it found the map at `found_at` bytes.
  void AdoptGrownMap(uint64_t found_at);
  // Doubles the map (bounded by max_map_bytes) unless it has grown past
  // `full_at`, the size a write found full, meanwhile. REQUIRES: no
  // transaction of this thread is open.
  Status Grow(uint64_t full_at);
  // Frees the reader-table slots of processes that died with a read
  // transaction open. A dead reader's snapshot otherwise pins every page
  // freed after it for good, and the file grows with each write.
  // REQUIRES: resize_mutex_ held.
  void ClearStaleReaders();
  // Clears stale readers when the data file grew since the last check, as
  // it does when a write finds no reusable page. REQUIRES: resize_mutex_ held.
  void ClearStaleReadersIfGrown();

  MDB_env* env_ = nullptr;
  EnvOptions options_;
  std::string path_;
  std::string data_path_;  // path_/data.mdb
  Databases dbs_;
  int store_lock_fd_ = -1;  // the store's tenantlog.lock (flock)
  dev_t data_dev_ = 0;      // identity of the data file env_ maps
  ino_t data_ino_ = 0;
  uint64_t map_bytes_ = 0;  // kept across Reopen
  std::atomic<uint64_t> checked_last_page_{0};  // file end at the last reader check
  // Held shared by every transaction of this process and exclusively while
  // the map is resized: LMDB requires that no transaction is open then. A
  // resize waits for the transactions open when it asks and those begun
  // meanwhile, not for a moment with none open, which overlapping readers
  // may never leave; new transactions are held back only while those begun
  // meanwhile end (DrainingMutex, kResizeHoldBack).
  DrainingMutex resize_mutex_{kResizeHoldBack};
  std::function<void()> commit_listener_;
};

}  // namespace tenantlog::lmdb

#endif  // TENANTLOG_ENGINE_LMDB_LMDB_ENV_H_
