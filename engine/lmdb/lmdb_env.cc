#include "lmdb/lmdb_env.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <vector>
#include <system_error>

namespace tenantlog::lmdb {

namespace {

constexpr unsigned kMaxDatabases = 16;
constexpr std::string_view kFormatKey = "format";
constexpr std::string_view kFormatVersion = "tenantlog-1";

}  // namespace

Status ToStatus(int rc, std::string_view what) {
  if (rc == MDB_SUCCESS) return Status::OK();
  std::string msg = std::string(what) + ": " + mdb_strerror(rc);
  switch (rc) {
    case MDB_NOTFOUND:
      return Status::NotFound(msg);
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_PANIC:
      return Status::Corruption(msg + " (the store file is damaged; restore it from a backup)");
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
      return Status::InvalidArgument(msg + " (not a tenantlog store)");
    case MDB_MAP_FULL:
      return Status::IOError(msg + " (store is full: raise Options::max_map_bytes or free disk)");
    case MDB_READERS_FULL:
      return Status::IOError(msg + " (too many readers: raise Options::max_readers)");
    case ENOSPC:
      return Status::IOError(msg + " (no space left on the device)");
    default:
      return Status::IOError(msg);
  }
}

// ---- Txn ----

Txn::~Txn() {
  if (txn_ != nullptr) mdb_txn_abort(txn_);
}

Status Txn::Commit() {
  int rc = mdb_txn_commit(txn_);
  txn_ = nullptr;
  if (rc == MDB_MAP_FULL) map_full_ = true;
  return ToStatus(rc, "commit");
}

Status Txn::Checked(int rc, std::string_view what) {
  if (rc == MDB_MAP_FULL) map_full_ = true;
  return ToStatus(rc, what);
}

Result<std::string_view> Txn::Get(MDB_dbi dbi, std::string_view key) {
  MDB_val k = ToVal(key);
  MDB_val v;
  int rc = mdb_get(txn_, dbi, &k, &v);
  if (rc != MDB_SUCCESS) return ToStatus(rc, "get");
  return FromVal(v);
}

Status Txn::Put(MDB_dbi dbi, std::string_view key, std::string_view value, unsigned flags) {
  MDB_val k = ToVal(key);
  MDB_val v = ToVal(value);
  return Checked(mdb_put(txn_, dbi, &k, &v, flags), "put");
}

Result<char*> Txn::Reserve(MDB_dbi dbi, std::string_view key, size_t size, unsigned flags) {
  MDB_val k = ToVal(key);
  MDB_val v{size, nullptr};
  Status s = Checked(mdb_put(txn_, dbi, &k, &v, flags | MDB_RESERVE), "put");
  if (!s.ok()) return s;
  return static_cast<char*>(v.mv_data);
}

Status Txn::Delete(MDB_dbi dbi, std::string_view key) {
  MDB_val k = ToVal(key);
  int rc = mdb_del(txn_, dbi, &k, nullptr);
  if (rc == MDB_NOTFOUND) return Status::OK();
  return Checked(rc, "delete");
}

Status Txn::DeletePrefix(MDB_dbi dbi, std::string_view prefix) {
  auto cursor = Cursor::Open(*this, dbi);
  if (!cursor.ok()) return cursor.status();
  Cursor& c = **cursor;
  auto found = c.Seek(prefix);
  while (found.ok() && *found && c.key().substr(0, prefix.size()) == prefix) {
    Status s = c.DeleteCurrent();
    if (!s.ok()) return s;
    found = c.Seek(prefix);
  }
  return found.ok() ? Status::OK() : found.status();
}

// ---- Cursor ----

Result<std::unique_ptr<Cursor>> Cursor::Open(Txn& txn, MDB_dbi dbi) {
  MDB_cursor* cursor = nullptr;
  int rc = mdb_cursor_open(txn.raw(), dbi, &cursor);
  if (rc != MDB_SUCCESS) return ToStatus(rc, "cursor open");
  return std::unique_ptr<Cursor>(new Cursor(&txn, cursor));
}

Cursor::~Cursor() { mdb_cursor_close(cursor_); }

Result<bool> Cursor::Move(MDB_cursor_op op) {
  int rc = mdb_cursor_get(cursor_, &key_, &value_, op);
  if (rc == MDB_NOTFOUND) return false;
  if (rc != MDB_SUCCESS) return ToStatus(rc, "cursor");
  return true;
}

Result<bool> Cursor::Seek(std::string_view key) {
  key_ = ToVal(key);
  return Move(MDB_SET_RANGE);
}
Result<bool> Cursor::Last() { return Move(MDB_LAST); }
Result<bool> Cursor::First() { return Move(MDB_FIRST); }
Result<bool> Cursor::Next() { return Move(MDB_NEXT); }
Result<bool> Cursor::Prev() { return Move(MDB_PREV); }

Status Cursor::DeleteCurrent() { return txn_->Checked(mdb_cursor_del(cursor_, 0), "cursor delete"); }

// ---- LmdbEnv ----

Status LmdbEnv::Open(const EnvOptions& options, const std::string& dir,
                     std::unique_ptr<LmdbEnv>* result) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path data_file = fs::path(dir) / "data.mdb";
  const bool exists = fs::exists(dir, ec);
  if (exists && !fs::is_directory(dir, ec)) {
    return Status::InvalidArgument(dir + " is not a directory (a store is a directory)");
  }
  if (!fs::exists(data_file, ec)) {
    if (!options.create_if_missing || options.read_only) {
      return Status::NotFound("no store at " + dir);
    }
    fs::create_directories(dir, ec);
    if (ec) return Status::IOError("cannot create " + dir + ": " + ec.message());
    ::chmod(dir.c_str(), 0700);
  }

  MDB_env* raw = nullptr;
  int rc = mdb_env_create(&raw);
  if (rc != MDB_SUCCESS) return ToStatus(rc, "create environment");
  std::unique_ptr<LmdbEnv> env(new LmdbEnv(raw, options, dir));
  if ((rc = mdb_env_set_maxdbs(raw, kMaxDatabases)) != MDB_SUCCESS ||
      (rc = mdb_env_set_maxreaders(raw, options.max_readers)) != MDB_SUCCESS) {
    return ToStatus(rc, "configure environment");
  }
  uint64_t map_bytes = options.initial_map_bytes;
  if (options.max_map_bytes != 0 && map_bytes > options.max_map_bytes) {
    map_bytes = options.max_map_bytes;
  }
  const uint64_t file_bytes = fs::exists(data_file, ec) ? fs::file_size(data_file, ec) : 0;
  if (!ec && file_bytes > map_bytes) map_bytes = file_bytes;
  if ((rc = mdb_env_set_mapsize(raw, map_bytes)) != MDB_SUCCESS) {
    return ToStatus(rc, "set map size");
  }
  unsigned flags = MDB_NOTLS;
  if (options.read_only) flags |= MDB_RDONLY;
  if (!options.sync) flags |= MDB_NOSYNC;
  rc = mdb_env_open(raw, dir.c_str(), flags, 0600);
  if (rc != MDB_SUCCESS) return ToStatus(rc, "open store at " + dir);
  int dead = 0;
  mdb_reader_check(raw, &dead);  // frees slots of readers whose process died
  Status s = env->OpenDatabases();
  if (!s.ok()) return s;
  *result = std::move(env);
  return Status::OK();
}

LmdbEnv::~LmdbEnv() { mdb_env_close(env_); }

uint64_t LmdbEnv::map_bytes() const {
  MDB_envinfo info;
  mdb_env_info(env_, &info);
  return info.me_mapsize;
}

Status LmdbEnv::OpenDatabases() {
  const bool writable = !options_.read_only;
  auto open_all = [&](Txn& txn) -> Status {
    MDB_txn* t = txn.raw();
    MDB_dbi meta;
    int rc = mdb_dbi_open(t, "meta", 0, &meta);
    if (rc == MDB_NOTFOUND) {
      MDB_stat stat;
      MDB_dbi main_db;
      if ((rc = mdb_dbi_open(t, nullptr, 0, &main_db)) != MDB_SUCCESS ||
          (rc = mdb_stat(t, main_db, &stat)) != MDB_SUCCESS) {
        return ToStatus(rc, "read store catalogue");
      }
      if (stat.ms_entries != 0 || !writable) {
        return Status::InvalidArgument(path_ + " holds an LMDB environment that is not a tenantlog store");
      }
    } else if (rc != MDB_SUCCESS) {
      return ToStatus(rc, "open database meta");
    }
    const unsigned create = writable ? MDB_CREATE : 0;
    struct Named {
      const char* name;
      MDB_dbi* dbi;
    };
    const Named named[] = {{"meta", &dbs_.meta},         {"events", &dbs_.events},
                           {"tenants", &dbs_.tenants},   {"names", &dbs_.names},
                           {"views", &dbs_.views},       {"view_state", &dbs_.view_state},
                           {"audit", &dbs_.audit}};
    for (const Named& n : named) {
      rc = mdb_dbi_open(t, n.name, create, n.dbi);
      if (rc == MDB_NOTFOUND) {
        return Status::InvalidArgument(path_ + " is not a tenantlog store (no database " + n.name + ")");
      }
      if (rc != MDB_SUCCESS) return ToStatus(rc, std::string("open database ") + n.name);
    }
    auto format = txn.Get(dbs_.meta, kFormatKey);
    if (format.ok()) {
      if (*format != kFormatVersion) {
        return Status::InvalidArgument(path_ + " holds a store of format '" + std::string(*format) +
                                       "'; this build reads '" + std::string(kFormatVersion) + "'");
      }
      return Status::OK();
    }
    if (!format.status().IsNotFound()) return format.status();
    if (!writable) return Status::InvalidArgument(path_ + " is not a tenantlog store (no format record)");
    return txn.Put(dbs_.meta, kFormatKey, kFormatVersion);
  };
  if (!writable) {
    // Database handles opened in a read transaction stay valid once it ends
    // only through commit.
    std::shared_lock lock(resize_mutex_);
    MDB_txn* raw = nullptr;
    int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &raw);
    if (rc != MDB_SUCCESS) return ToStatus(rc, "begin read");
    Txn txn(raw, &dbs_, false);
    Status s = open_all(txn);
    if (!s.ok()) return s;
    return txn.Commit();
  }
  return Write(open_all);
}

void LmdbEnv::AdoptGrownMap() {
  std::unique_lock lock(resize_mutex_);
  mdb_env_set_mapsize(env_, 0);
}

Status LmdbEnv::Read(const std::function<Status(Txn&)>& fn) {
  for (;;) {
    std::shared_lock lock(resize_mutex_);
    MDB_txn* raw = nullptr;
    int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &raw);
    if (rc == MDB_MAP_RESIZED) {
      lock.unlock();
      AdoptGrownMap();
      continue;
    }
    if (rc != MDB_SUCCESS) return ToStatus(rc, "begin read");
    Txn txn(raw, &dbs_, false);
    return fn(txn);
  }
}

Status LmdbEnv::Write(const std::function<Status(Txn&)>& fn) {
  if (options_.read_only) return Status::InvalidArgument("the store is open read-only");
  for (;;) {
    std::shared_lock lock(resize_mutex_);
    MDB_txn* raw = nullptr;
    int rc = mdb_txn_begin(env_, nullptr, 0, &raw);
    if (rc == MDB_MAP_RESIZED) {
      lock.unlock();
      AdoptGrownMap();
      continue;
    }
    if (rc != MDB_SUCCESS) return ToStatus(rc, "begin write");
    Status s;
    bool map_full = false;
    {
      Txn txn(raw, &dbs_, true);
      s = fn(txn);
      if (s.ok()) s = txn.Commit();
      map_full = txn.map_full_;
    }
    if (!map_full) return s;
    lock.unlock();
    Status grown = Grow();
    if (!grown.ok()) return grown;
  }
}

Status LmdbEnv::Grow() {
  std::unique_lock lock(resize_mutex_);
  const uint64_t current = map_bytes();
  uint64_t next = current * 2;
  if (options_.max_map_bytes != 0) {
    if (current >= options_.max_map_bytes) {
      return Status::IOError("store is full: it reached Options::max_map_bytes (" +
                             std::to_string(options_.max_map_bytes) + " bytes)");
    }
    if (next > options_.max_map_bytes) next = options_.max_map_bytes;
  }
  return ToStatus(mdb_env_set_mapsize(env_, next), "grow map");
}

Status LmdbEnv::CopyCompact(const std::string& dir) {
  std::shared_lock lock(resize_mutex_);
  return ToStatus(mdb_env_copy2(env_, dir.c_str(), MDB_CP_COMPACT), "copy store to " + dir);
}

namespace {

// mdb_reader_list callback: collects the snapshot (txnid) of every active reader.
int CollectReader(const char* line, void* ctx) {
  std::istringstream in(line);
  std::string pid, thread, txnid;
  if (in >> pid >> thread >> txnid && txnid != "-" && txnid != "txnid") {
    try {
      static_cast<std::vector<uint64_t>*>(ctx)->push_back(std::stoull(txnid));
    } catch (const std::exception&) {
    }
  }
  return 0;
}

}  // namespace

Result<LmdbEnv::ScrubResult> LmdbEnv::ScrubFreePages() {
  if (options_.read_only) return Status::InvalidArgument("the store is open read-only");
  std::shared_lock lock(resize_mutex_);
  MDB_txn* raw = nullptr;
  int rc = mdb_txn_begin(env_, nullptr, 0, &raw);
  if (rc != MDB_SUCCESS) return ToStatus(rc, "begin write");
  Txn txn(raw, &dbs_, true);  // aborted at the end: nothing is written through LMDB

  // Pages freed by transaction T may be read by snapshots older than T; LMDB
  // reuses them only when T is older than every reader and than the previous
  // commit. The same rule makes them safe to overwrite.
  uint64_t oldest = mdb_txn_id(raw) - 1;
  std::vector<uint64_t> readers;
  mdb_reader_list(env_, CollectReader, &readers);
  for (uint64_t r : readers) oldest = std::min(oldest, r);

  MDB_stat stat;
  if ((rc = mdb_env_stat(env_, &stat)) != MDB_SUCCESS) return ToStatus(rc, "stat");
  const size_t page_size = stat.ms_psize;
  mdb_filehandle_t fd;
  if ((rc = mdb_env_get_fd(env_, &fd)) != MDB_SUCCESS) return ToStatus(rc, "data file");

  // LMDB lets only read transactions open the free-page database. With the
  // write lock held, the snapshot is the latest commit and no page can be
  // allocated until we are done.
  MDB_txn* reader = nullptr;
  if ((rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &reader)) != MDB_SUCCESS) {
    return ToStatus(rc, "begin read");
  }
  Txn read_txn(reader, &dbs_, false);
  MDB_cursor* cursor = nullptr;
  if ((rc = mdb_cursor_open(reader, 0 /* the free-page database */, &cursor)) != MDB_SUCCESS) {
    return ToStatus(rc, "open free-page list");
  }
  const std::vector<char> zeros(page_size, 0);
  ScrubResult result;
  MDB_val key, value;
  for (rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST); rc == MDB_SUCCESS;
       rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)) {
    uint64_t freed_by = 0;
    std::memcpy(&freed_by, key.mv_data, std::min(key.mv_size, sizeof(freed_by)));
    // The value is an ID list: a count followed by that many page numbers.
    const auto* ids = static_cast<const size_t*>(value.mv_data);
    const size_t n = value.mv_size >= sizeof(size_t) ? std::min(ids[0], value.mv_size / sizeof(size_t) - 1) : 0;
    if (freed_by >= oldest) {
      result.pages_pinned += n;
      continue;
    }
    for (size_t i = 1; i <= n; ++i) {
      const off_t offset = static_cast<off_t>(ids[i] * page_size);
      if (::pwrite(fd, zeros.data(), page_size, offset) != static_cast<ssize_t>(page_size)) {
        mdb_cursor_close(cursor);
        return ToStatus(errno, "overwrite free page " + std::to_string(ids[i]));
      }
      result.pages_zeroed += 1;
    }
  }
  mdb_cursor_close(cursor);
  if (rc != MDB_NOTFOUND) return ToStatus(rc, "read free-page list");
  if (::fdatasync(fd) != 0) return ToStatus(errno, "flush data file");
  return result;
}

}  // namespace tenantlog::lmdb
