#include "lmdb/lmdb_env.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <system_error>
#include <vector>

namespace tenantlog::lmdb {

namespace {

constexpr unsigned kMaxDatabases = 16;

// The environments in which this thread has a transaction open, innermost
// last. A second transaction of one environment on one thread may wait for
// itself (a growth it needs waits for the thread's open one; LMDB allows one
// write transaction per thread), so it is refused every time instead.
thread_local std::vector<const LmdbEnv*> envs_in_use;

class InUseOnThisThread {
 public:
  explicit InUseOnThisThread(const LmdbEnv* env) { envs_in_use.push_back(env); }
  ~InUseOnThisThread() { envs_in_use.pop_back(); }
  InUseOnThisThread(const InUseOnThisThread&) = delete;
  InUseOnThisThread& operator=(const InUseOnThisThread&) = delete;

  static Status Check(const LmdbEnv* env) {
    if (std::find(envs_in_use.begin(), envs_in_use.end(), env) == envs_in_use.end()) return Status::OK();
    return Status::InvalidArgument(
        "this thread already has a transaction open on the store: code that runs inside one (a "
        "Reducer) must not call the Store");
  }
};
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
      return Status::Corruption(msg + " (the store file is damaged; restore it from a backup)");
    case MDB_PANIC:
      return Status::IOError(msg + " (an earlier write to the store failed; reopen the store)");
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
      return Status::InvalidArgument(msg + " (not a tenantlog store)");
    case MDB_MAP_FULL:
      return Status::IOError(msg + " (store is full: raise Options::max_map_bytes or free disk)");
    case MDB_READERS_FULL:
      return Status::IOError(msg + " (too many readers: raise Options::max_readers)");
    case ENOSPC:
    case EDQUOT:
      return Status::IOError(msg + " (no space left on the device: free some and retry)");
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
  return Checked(rc, "commit");
}

Status Txn::Checked(int rc, std::string_view what) {
  if (rc == MDB_MAP_FULL) map_full_ = true;
  // LMDB writes pages while it commits (and spills them in large
  // transactions); a short write is reported as EIO.
  if (rc == ENOSPC || rc == EDQUOT || rc == EFBIG || rc == EIO) write_error_ = rc;
  return ToStatus(rc, what);
}

size_t Txn::page_bytes() const {
  MDB_stat stat;
  if (mdb_env_stat(mdb_txn_env(txn_), &stat) != MDB_SUCCESS) return 0;
  return stat.ms_psize;
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
  return std::unique_ptr<Cursor>(new Cursor(&txn, cursor, txn.page_bytes()));
}

Cursor::~Cursor() { mdb_cursor_close(cursor_); }

Result<bool> Cursor::Move(MDB_cursor_op op) {
  int rc = mdb_cursor_get(cursor_, &key_, &value_, op);
  if (rc == MDB_NOTFOUND) return false;
  if (rc != MDB_SUCCESS) return ToStatus(rc, "cursor");
  PrefetchPage();
  return true;
}

void Cursor::PrefetchPage() {
  if (page_bytes_ == 0) return;
  const uintptr_t page = reinterpret_cast<uintptr_t>(value_.mv_data) & ~(page_bytes_ - 1);
  if (page == page_) return;
  page_ = page;
  constexpr uintptr_t kCacheLine = 64;
  for (uintptr_t line = page; line < page + page_bytes_; line += kCacheLine) {
    __builtin_prefetch(reinterpret_cast<const void*>(line));
  }
}

Result<bool> Cursor::Seek(std::string_view key) {
  key_ = ToVal(key);
  return Move(MDB_SET_RANGE);
}
Result<bool> Cursor::Last() { return Move(MDB_LAST); }
Result<bool> Cursor::First() { return Move(MDB_FIRST); }
Result<bool> Cursor::Next() { return Move(MDB_NEXT); }

Status Cursor::DeleteCurrent() { return txn_->Checked(mdb_cursor_del(cursor_, 0), "cursor delete"); }

Status Cursor::NewKeyChecked(int rc) {
  if (rc == MDB_KEYEXIST) return Status::Conflict("cursor put: the key already holds a value");
  return txn_->Checked(rc, "cursor put");
}

Status Cursor::Put(std::string_view key, std::string_view value) {
  MDB_val k = ToVal(key);
  MDB_val v = ToVal(value);
  return NewKeyChecked(mdb_cursor_put(cursor_, &k, &v, MDB_NOOVERWRITE));
}

Status Cursor::Reserve(std::string_view key, size_t size, char** value) {
  MDB_val k = ToVal(key);
  MDB_val v{size, nullptr};
  Status s = NewKeyChecked(mdb_cursor_put(cursor_, &k, &v, MDB_RESERVE | MDB_NOOVERWRITE));
  if (s.ok()) *value = static_cast<char*>(v.mv_data);
  return s;
}

// ---- LmdbEnv ----

namespace {

namespace fs = std::filesystem;

// Files of a store directory besides LMDB's data.mdb and lock.mdb.
constexpr const char* kStoreLockFile = "tenantlog.lock";  // flock: opening vs swapping
constexpr const char* kSwapMarker = "compact.swap";       // a swap in progress
constexpr const char* kCompactDir = "compact.tmp";        // where the compacted copy is built

Status Errno(const std::string& what) { return ToStatus(errno, what); }

Status SyncPath(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return Errno("open " + path.string());
  const int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::OK() : Errno("flush " + path.string());
}

bool FileId(const fs::path& path, dev_t* dev, ino_t* ino) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return false;
  *dev = st.st_dev;
  *ino = st.st_ino;
  return true;
}

// A swap marker holds the inode number of the compacted data file. Found at
// open, it means a swap was interrupted: when that file is in place, the
// old lock file belongs to the old data file and must go.
Status RepairInterruptedSwap(const fs::path& dir) {
  const fs::path marker = dir / kSwapMarker;
  std::FILE* f = std::fopen(marker.c_str(), "rb");
  if (f == nullptr) return Status::OK();
  unsigned long long expected = 0;
  const bool read = std::fscanf(f, "%llu", &expected) == 1;
  std::fclose(f);
  dev_t dev;
  ino_t ino;
  if (read && FileId(dir / "data.mdb", &dev, &ino) && ino == expected) {
    if (::unlink((dir / "lock.mdb").c_str()) != 0 && errno != ENOENT) return Errno("remove old lock file");
  }
  std::error_code ec;
  fs::remove_all(dir / kCompactDir, ec);
  if (::unlink(marker.c_str()) != 0 && errno != ENOENT) return Errno("remove swap marker");
  return SyncPath(dir);
}

}  // namespace

Status LmdbEnv::Open(const EnvOptions& options, const std::string& dir,
                     std::unique_ptr<LmdbEnv>* result) {
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
  std::unique_ptr<LmdbEnv> env(new LmdbEnv(options, dir));
  const fs::path lock_path = fs::path(dir) / kStoreLockFile;
  env->store_lock_fd_ = ::open(lock_path.c_str(), options.read_only ? O_RDONLY | O_CREAT : O_RDWR | O_CREAT, 0600);
  if (env->store_lock_fd_ < 0) return Errno("open " + lock_path.string());
  Status s = env->OpenHandle();
  if (!s.ok()) return s;
  *result = std::move(env);
  return Status::OK();
}

LmdbEnv::~LmdbEnv() {
  CloseHandle();
  if (store_lock_fd_ >= 0) ::close(store_lock_fd_);
}

uint64_t LmdbEnv::map_bytes() const {
  if (env_ == nullptr) return map_bytes_;
  MDB_envinfo info;
  mdb_env_info(env_, &info);
  return info.me_mapsize;
}

void LmdbEnv::CloseHandle() {
  if (env_ != nullptr) mdb_env_close(env_);
  env_ = nullptr;
}

Status LmdbEnv::OpenHandle() {
  for (;;) {
    Status s = OpenEnvironment();
    if (!s.ok()) {
      CloseHandle();
      return s;
    }
    bool replaced = false;
    s = OpenDatabases(&replaced);
    if (s.ok() && !replaced) return s;
    CloseHandle();
    if (!s.ok()) return s;
  }
}

Status LmdbEnv::OpenEnvironment() {
  // Shared while opening, so that no swap can pair the data file with the
  // wrong lock file; a swap holds it exclusively.
  const bool repair = fs::exists(fs::path(path_) / kSwapMarker);
  if (::flock(store_lock_fd_, repair && !options_.read_only ? LOCK_EX : LOCK_SH) != 0) {
    return Errno("lock " + path_);
  }
  struct Unlock {
    int fd;
    ~Unlock() { ::flock(fd, LOCK_UN); }
  } unlock{store_lock_fd_};
  if (repair && !options_.read_only) {
    Status s = RepairInterruptedSwap(path_);
    if (!s.ok()) return s;
  }

  int rc = mdb_env_create(&env_);
  if (rc != MDB_SUCCESS) return ToStatus(rc, "create environment");
  if ((rc = mdb_env_set_maxdbs(env_, kMaxDatabases)) != MDB_SUCCESS ||
      (rc = mdb_env_set_maxreaders(env_, options_.max_readers)) != MDB_SUCCESS) {
    return ToStatus(rc, "configure environment");
  }
  uint64_t map_bytes = std::max(options_.initial_map_bytes, map_bytes_);
  if (options_.max_map_bytes != 0 && map_bytes > options_.max_map_bytes) {
    map_bytes = options_.max_map_bytes;
  }
  std::error_code ec;
  const uint64_t file_bytes = fs::file_size(fs::path(path_) / "data.mdb", ec);
  if (!ec && file_bytes > map_bytes) map_bytes = file_bytes;
  if ((rc = mdb_env_set_mapsize(env_, map_bytes)) != MDB_SUCCESS) {
    return ToStatus(rc, "set map size");
  }
  unsigned flags = MDB_NOTLS;
  if (options_.read_only) flags |= MDB_RDONLY;
  if (!options_.sync) flags |= MDB_NOSYNC;
  rc = mdb_env_open(env_, path_.c_str(), flags, 0600);
  if (rc != MDB_SUCCESS) return ToStatus(rc, "open store at " + path_);
  mdb_filehandle_t fd;
  struct stat st;
  if (mdb_env_get_fd(env_, &fd) != MDB_SUCCESS || ::fstat(fd, &st) != 0) {
    return Errno("stat the data file of " + path_);
  }
  data_dev_ = st.st_dev;
  data_ino_ = st.st_ino;
  // LMDB maps the file and reads the pages its meta page reaches: a file
  // cut short (a copy killed half way, a bad restore of the file) would
  // fault on the first read past its end instead of failing.
  MDB_envinfo info;
  MDB_stat stat;
  if (mdb_env_info(env_, &info) == MDB_SUCCESS && mdb_env_stat(env_, &stat) == MDB_SUCCESS &&
      st.st_size != 0) {
    const uint64_t reached = (static_cast<uint64_t>(info.me_last_pgno) + 1) * stat.ms_psize;
    if (static_cast<uint64_t>(st.st_size) < reached) {
      return Status::Corruption(path_ + "/data.mdb is truncated: it holds " + std::to_string(st.st_size) +
                                " bytes and its pages reach " + std::to_string(reached) +
                                " (restore the store from a backup)");
    }
  }
  ClearStaleReaders();
  return Status::OK();
}

void LmdbEnv::ClearStaleReaders() {
  MDB_envinfo info;
  mdb_env_info(env_, &info);
  checked_last_page_ = info.me_last_pgno;
  int dead = 0;
  mdb_reader_check(env_, &dead);
}

void LmdbEnv::ClearStaleReadersIfGrown() {
  // mdb_env_info reads the meta page in the map: no system call.
  MDB_envinfo info;
  mdb_env_info(env_, &info);
  if (info.me_last_pgno > checked_last_page_) ClearStaleReaders();
}

bool LmdbEnv::Replaced() const {
  struct stat st;
  if (::stat(data_path_.c_str(), &st) != 0) return false;
  return st.st_dev != data_dev_ || st.st_ino != data_ino_;
}

Status LmdbEnv::Reopen() {
  std::unique_lock lock(resize_mutex_);
  if (env_ != nullptr && !Replaced()) return Status::OK();  // another thread did it
  map_bytes_ = map_bytes();
  CloseHandle();
  return OpenHandle();
}

Status LmdbEnv::ReopenAfterPanic(MDB_env* panicked) {
  std::unique_lock lock(resize_mutex_);
  if (env_ != panicked) return Status::OK();  // another thread did it
  map_bytes_ = map_bytes();
  CloseHandle();
  return OpenHandle();
}

Status LmdbEnv::WriteFailure(int rc, const Status& failed) const {
  struct statvfs fs_info;
  const uint64_t free_bytes = ::statvfs(path_.c_str(), &fs_info) == 0
                                  ? static_cast<uint64_t>(fs_info.f_bavail) * fs_info.f_frsize
                                  : 0;
  // A write cut short by a full device comes back as EIO: a device with
  // less than this left is taken to be full.
  constexpr uint64_t kNearlyFullBytes = uint64_t{1} << 20;
  const std::string where = " (" + std::to_string(free_bytes) + " bytes free on the device of " + path_ + ")";
  if (rc == ENOSPC || rc == EDQUOT || free_bytes < kNearlyFullBytes) {
    return Status::IOError(failed.message() + ": no space left on the device" + where +
                           "; nothing of this write was kept: free space and retry");
  }
  return Status::IOError(failed.message() + where + "; nothing of this write was kept");
}

Status LmdbEnv::OpenDatabases(bool* replaced) {
  const bool writable = !options_.read_only;
  MDB_txn* raw = nullptr;
  int rc = mdb_txn_begin(env_, nullptr, writable ? 0 : MDB_RDONLY, &raw);
  if (rc != MDB_SUCCESS) return ToStatus(rc, "begin");
  Txn txn(raw, &dbs_, writable);
  *replaced = Replaced();
  if (*replaced) return Status::OK();
  MDB_dbi meta;
  rc = mdb_dbi_open(raw, "meta", 0, &meta);
  const bool new_store = rc == MDB_NOTFOUND;
  if (new_store) {
    MDB_stat stat;
    MDB_dbi main_db;
    if ((rc = mdb_dbi_open(raw, nullptr, 0, &main_db)) != MDB_SUCCESS ||
        (rc = mdb_stat(raw, main_db, &stat)) != MDB_SUCCESS) {
      return ToStatus(rc, "read store catalogue");
    }
    if (stat.ms_entries != 0 || !writable) {
      return Status::InvalidArgument(path_ + " holds an LMDB environment that is not a tenantlog store");
    }
  } else if (rc != MDB_SUCCESS) {
    return ToStatus(rc, "open database meta");
  }
  // Only a new store gets its databases made: in a store that exists, a
  // database gone missing is damage, and making it again empty would take
  // writes into a store whose log is lost.
  const unsigned create = writable && new_store ? MDB_CREATE : 0;
  struct Named {
    const char* name;
    MDB_dbi* dbi;
  };
  const Named named[] = {{"meta", &dbs_.meta},       {"events", &dbs_.events},
                         {"tenants", &dbs_.tenants}, {"names", &dbs_.names},
                         {"views", &dbs_.views},     {"view_state", &dbs_.view_state},
                         {"audit", &dbs_.audit}};
  for (const Named& n : named) {
    rc = mdb_dbi_open(raw, n.name, create, n.dbi);
    if (rc == MDB_NOTFOUND) {
      return Status::Corruption(path_ + ": the store has lost its database " + n.name +
                                " (the store file is damaged; restore it from a backup)");
    }
    if (rc != MDB_SUCCESS) return ToStatus(rc, std::string("open database ") + n.name);
  }
  auto format = txn.Get(dbs_.meta, kFormatKey);
  if (format.ok()) {
    if (*format != kFormatVersion) {
      return Status::InvalidArgument(path_ + " holds a store of format '" + std::string(*format) +
                                     "'; this build reads '" + std::string(kFormatVersion) + "'");
    }
  } else if (!format.status().IsNotFound()) {
    return format.status();
  } else if (!writable) {
    return Status::InvalidArgument(path_ + " is not a tenantlog store (no format record)");
  } else {
    Status s = txn.Put(dbs_.meta, kFormatKey, kFormatVersion);
    if (!s.ok()) return s;
  }
  // Database handles opened in any transaction outlive it only through commit.
  return txn.Commit();
}

void LmdbEnv::AdoptGrownMap(uint64_t found_at) {
  // Threads that found the map grown together adopt it once.
  if (!resize_mutex_.LockUnless([&] { return env_ == nullptr || map_bytes() > found_at; })) return;
  std::unique_lock lock(resize_mutex_, std::adopt_lock);
  mdb_env_set_mapsize(env_, 0);
}

LmdbEnv::Begun LmdbEnv::Begin(bool writable, MDB_txn** txn, int* rc) {
  if (env_ == nullptr) return Begun::kReplaced;  // reopening failed earlier
  if (writable) ClearStaleReadersIfGrown();
  *rc = mdb_txn_begin(env_, nullptr, writable ? 0 : MDB_RDONLY, txn);
  if (*rc == MDB_READERS_FULL) {
    ClearStaleReaders();
    *rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, txn);
  }
  if (*rc == MDB_MAP_RESIZED) return Begun::kMapResized;
  if (*rc == MDB_PANIC) return Begun::kPanicked;
  if (*rc != MDB_SUCCESS) return Begun::kFailed;
  // A write transaction holds the writer lock here, so a compaction cannot
  // swap the data file until it ends; a read transaction sees a consistent
  // snapshot of whichever file it began on, and moves to the new file now.
  if (Replaced()) {
    mdb_txn_abort(*txn);
    *txn = nullptr;
    return Begun::kReplaced;
  }
  return Begun::kOk;
}

Status LmdbEnv::Run(bool writable, const std::function<Status(Txn&)>& fn) {
  Status nested = InUseOnThisThread::Check(this);
  if (!nested.ok()) return nested;
  InUseOnThisThread in_use(this);
  bool reopened_after_panic = false;
  for (;;) {
    DrainingMutex::SharedLock lock(resize_mutex_);
    MDB_txn* raw = nullptr;
    int rc = 0;
    switch (Begin(writable, &raw, &rc)) {
      case Begun::kOk:
        break;
      case Begun::kMapResized: {
        const uint64_t found_at = map_bytes();
        lock.unlock();
        AdoptGrownMap(found_at);
        continue;
      }
      case Begun::kReplaced: {
        lock.unlock();
        Status s = Reopen();
        if (!s.ok()) return s;
        continue;
      }
      case Begun::kPanicked: {
        if (reopened_after_panic) return ToStatus(rc, writable ? "begin write" : "begin read");
        MDB_env* panicked = env_;
        lock.unlock();
        Status s = ReopenAfterPanic(panicked);
        if (!s.ok()) return s;
        reopened_after_panic = true;
        continue;
      }
      case Begun::kFailed:
        return ToStatus(rc, writable ? "begin write" : "begin read");
    }
    Status s;
    bool map_full = false;
    int write_error = 0;
    uint64_t full_at = 0;
    {
      Txn txn(raw, &dbs_, writable);
      if (!writable) return fn(txn);
      s = fn(txn);
      if (s.ok()) s = txn.Commit();
      map_full = txn.map_full_;
      write_error = txn.write_error_;
      if (map_full) full_at = map_bytes();
    }  // aborted here unless committed: the map cannot grow under an open transaction
    if (write_error != 0 && !s.ok()) return WriteFailure(write_error, s);
    if (!map_full) {
      lock.unlock();
      if (s.ok() && commit_listener_) commit_listener_();
      return s;
    }
    lock.unlock();
    Status grown = Grow(full_at);
    if (!grown.ok()) return grown;
  }
}

Status LmdbEnv::Read(const std::function<Status(Txn&)>& fn) { return Run(false, fn); }

Status LmdbEnv::Write(const std::function<Status(Txn&)>& fn) {
  if (options_.read_only) return Status::InvalidArgument("the store is open read-only");
  return Run(true, fn);
}

Status LmdbEnv::Grow(uint64_t full_at) {
  const auto full = [this]() -> Status {
    if (options_.max_map_bytes == 0 || map_bytes() < options_.max_map_bytes) return Status::OK();
    return Status::IOError("store is full: it reached Options::max_map_bytes (" +
                           std::to_string(options_.max_map_bytes) + " bytes)");
  };
  {
    // A store at its cap fails the write without the exclusive lock, which
    // waits for every open transaction.
    DrainingMutex::SharedLock lock(resize_mutex_);
    if (env_ != nullptr) {
      Status s = full();
      if (!s.ok()) {
        ClearStaleReaders();  // the pages they pin are free for the next write
        return s;
      }
    }
  }
  // Writers that found the map full together grow it once. With no handle
  // (a reopening failed), the next transaction reopens it.
  if (!resize_mutex_.LockUnless([&] { return env_ == nullptr || map_bytes() > full_at; })) {
    return Status::OK();
  }
  std::unique_lock lock(resize_mutex_, std::adopt_lock);
  ClearStaleReaders();
  Status s = full();
  if (!s.ok()) return s;
  uint64_t next = map_bytes() * 2;
  if (options_.max_map_bytes != 0 && next > options_.max_map_bytes) next = options_.max_map_bytes;
  return ToStatus(mdb_env_set_mapsize(env_, next), "grow map");
}

Status LmdbEnv::CopyCompact(const std::string& dir) {
  Status nested = InUseOnThisThread::Check(this);
  if (!nested.ok()) return nested;
  InUseOnThisThread in_use(this);
  DrainingMutex::SharedLock lock(resize_mutex_);
  if (env_ == nullptr) return Status::IOError("the store at " + path_ + " could not be reopened");
  // Written under another name and renamed once whole and flushed: a copy
  // killed half way never looks like a store.
  const fs::path partial = fs::path(dir) / "data.mdb.partial";
  const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("create " + partial.string());
  int rc = mdb_env_copyfd2(env_, fd, MDB_CP_COMPACT);
  if (rc == MDB_SUCCESS && ::fsync(fd) != 0) rc = errno;
  ::close(fd);
  std::error_code ec;
  if (rc != MDB_SUCCESS) {
    fs::remove(partial, ec);
    return ToStatus(rc, "copy store to " + dir);
  }
  fs::rename(partial, fs::path(dir) / "data.mdb", ec);
  if (ec) {
    fs::remove(partial, ec);
    return Status::IOError("rename " + partial.string() + ": " + ec.message());
  }
  return SyncPath(dir);
}

Status LmdbEnv::CompactInPlace() {
  if (options_.read_only) return Status::InvalidArgument("the store is open read-only");
  Status nested = InUseOnThisThread::Check(this);
  if (!nested.ok()) return nested;
  InUseOnThisThread in_use(this);
  for (;;) {
    DrainingMutex::SharedLock lock(resize_mutex_);
    MDB_txn* raw = nullptr;
    int rc = 0;
    const Begun begun = Begin(true, &raw, &rc);
    if (begun == Begun::kFailed) return ToStatus(rc, "begin write");
    if (begun != Begun::kOk) {
      MDB_env* current = env_;
      const uint64_t found_at = map_bytes();
      lock.unlock();
      Status s = begun == Begun::kReplaced    ? Reopen()
                 : begun == Begun::kPanicked ? ReopenAfterPanic(current)
                                              : (AdoptGrownMap(found_at), Status::OK());
      if (!s.ok()) return s;
      continue;
    }
    // The writer lock is held until this transaction is aborted: no commit
    // can happen in any process, so the copy holds the latest state.
    Status s = SwapInCompactCopy();
    mdb_txn_abort(raw);
    lock.unlock();
    if (!s.ok()) return s;
    return Reopen();
  }
}

Status LmdbEnv::RewriteInto(const std::string& dir) {
  // LMDB's own compacting copy (mdb_env_copy2) copies pages whole, with the
  // stale bytes in their unused space. Writing every entry again into a
  // fresh environment gives pages that hold live bytes and zeros only.
  MDB_env* out = nullptr;
  int rc = mdb_env_create(&out);
  if (rc != MDB_SUCCESS) return ToStatus(rc, "create environment");
  struct Close {
    MDB_env* env;
    ~Close() { mdb_env_close(env); }
  } close_out{out};
  if ((rc = mdb_env_set_maxdbs(out, kMaxDatabases)) != MDB_SUCCESS ||
      (rc = mdb_env_set_mapsize(out, map_bytes())) != MDB_SUCCESS ||
      (rc = mdb_env_open(out, dir.c_str(), MDB_NOSYNC | MDB_NOTLS, 0600)) != MDB_SUCCESS) {
    return ToStatus(rc, "open " + dir);
  }
  MDB_txn* source = nullptr;
  if ((rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &source)) != MDB_SUCCESS) {
    return ToStatus(rc, "begin read");
  }
  Txn source_txn(source, &dbs_, false);
  constexpr size_t kEntriesPerCommit = 100000;
  const std::pair<const char*, MDB_dbi> named[] = {
      {"meta", dbs_.meta},   {"events", dbs_.events},         {"tenants", dbs_.tenants}, {"names", dbs_.names},
      {"views", dbs_.views}, {"view_state", dbs_.view_state}, {"audit", dbs_.audit}};
  for (const auto& [name, source_dbi] : named) {
    MDB_cursor* cursor = nullptr;
    if ((rc = mdb_cursor_open(source, source_dbi, &cursor)) != MDB_SUCCESS) return ToStatus(rc, "cursor");
    struct CloseCursor {
      MDB_cursor* c;
      ~CloseCursor() { mdb_cursor_close(c); }
    } close_cursor{cursor};
    MDB_val key, value;
    int found = mdb_cursor_get(cursor, &key, &value, MDB_FIRST);
    do {
      MDB_txn* target = nullptr;
      MDB_dbi target_dbi;
      if ((rc = mdb_txn_begin(out, nullptr, 0, &target)) != MDB_SUCCESS) return ToStatus(rc, "begin write");
      if ((rc = mdb_dbi_open(target, name, MDB_CREATE, &target_dbi)) != MDB_SUCCESS) {
        mdb_txn_abort(target);
        return ToStatus(rc, std::string("create database ") + name);
      }
      for (size_t n = 0; found == MDB_SUCCESS && n < kEntriesPerCommit; ++n) {
        if ((rc = mdb_put(target, target_dbi, &key, &value, MDB_APPEND)) != MDB_SUCCESS) {
          mdb_txn_abort(target);
          return ToStatus(rc, std::string("copy into ") + name);
        }
        found = mdb_cursor_get(cursor, &key, &value, MDB_NEXT);
      }
      if ((rc = mdb_txn_commit(target)) != MDB_SUCCESS) return ToStatus(rc, "commit copy");
    } while (found == MDB_SUCCESS);
    if (found != MDB_NOTFOUND) return ToStatus(found, std::string("read ") + name);
  }
  if ((rc = mdb_env_sync(out, 1)) != MDB_SUCCESS) return ToStatus(rc, "flush " + dir);
  return Status::OK();
}

Status LmdbEnv::SwapInCompactCopy() {
  const fs::path dir(path_);
  const fs::path staging = dir / kCompactDir;
  const fs::path marker = dir / kSwapMarker;
  const fs::path copy = staging / "data.mdb";
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{staging};
  std::error_code ec;
  fs::remove_all(staging, ec);
  fs::create_directory(staging, ec);
  if (ec) return Status::IOError("cannot create " + staging.string() + ": " + ec.message());
  Status s = RewriteInto(staging.string());
  if (!s.ok()) return s;
  s = SyncPath(copy);
  if (!s.ok()) return s;
  dev_t dev;
  ino_t ino;
  if (!FileId(copy, &dev, &ino)) return Errno("stat " + copy.string());

  // Exclusive: no handle can open the store while the files change.
  if (::flock(store_lock_fd_, LOCK_EX) != 0) return Errno("lock " + path_);
  struct Unlock {
    int fd;
    ~Unlock() { ::flock(fd, LOCK_UN); }
  } unlock{store_lock_fd_};
  std::FILE* f = std::fopen(marker.c_str(), "wb");
  if (f == nullptr) return Errno("create " + marker.string());
  std::fprintf(f, "%llu\n", static_cast<unsigned long long>(ino));
  const bool written = std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
  std::fclose(f);
  if (!written) return Errno("write " + marker.string());
  s = SyncPath(dir);
  if (!s.ok()) return s;
  // From here an interrupted swap is finished by the next open.
  if (::rename(copy.c_str(), (dir / "data.mdb").c_str()) != 0) return Errno("replace data file");
  if (::unlink((dir / "lock.mdb").c_str()) != 0 && errno != ENOENT) return Errno("remove old lock file");
  if (::unlink(marker.c_str()) != 0) return Errno("remove " + marker.string());
  return SyncPath(dir);
}

}  // namespace tenantlog::lmdb
