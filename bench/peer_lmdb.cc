#include "peer_lmdb.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <utility>

#include "fatal.h"

namespace tenantlog::bench {

namespace {

void Check(int rc, std::string_view what) {
  if (rc != MDB_SUCCESS) Fatal("lmdb_raw: " + std::string(what) + ": " + mdb_strerror(rc));
}

void PutBigEndian(char* out, uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
}

// The stored value of an event: entity key length (1 byte) ‖ entity key ‖ payload.
void EncodeValue(const EventSpec& e, std::string* value) {
  value->assign(1, static_cast<char>(e.key.size()));
  value->append(e.key);
  value->append(e.payload);
}

// Aborts the transaction unless it was committed.
class WriteTxn {
 public:
  explicit WriteTxn(MDB_env* env) { Check(mdb_txn_begin(env, nullptr, 0, &txn_), "begin write"); }
  ~WriteTxn() {
    if (txn_ != nullptr) mdb_txn_abort(txn_);
  }
  MDB_txn* get() { return txn_; }
  void Commit() {
    int rc = mdb_txn_commit(txn_);
    txn_ = nullptr;
    Check(rc, "commit");
  }

 private:
  MDB_txn* txn_ = nullptr;
};

}  // namespace

LmdbRaw::LmdbRaw(const std::string& dir, bool durable) {
  Check(mdb_env_create(&env_), "create environment");
  Check(mdb_env_set_mapsize(env_, kMapBytes), "set map size");
  Check(mdb_env_set_maxdbs(env_, 1), "set max databases");  // the tail, when used
  Check(mdb_env_open(env_, dir.c_str(), MDB_NOTLS | (durable ? 0 : MDB_NOSYNC), 0600),
        "open " + dir);
  WriteTxn txn(env_);
  Check(mdb_dbi_open(txn.get(), nullptr, 0, &dbi_), "open database");
  txn.Commit();
}

LmdbRaw::~LmdbRaw() { mdb_env_close(env_); }

void LmdbRaw::SetDurable(bool durable) {
  Check(mdb_env_set_flags(env_, MDB_NOSYNC, durable ? 0 : 1), "set flags");
  if (durable) Check(mdb_env_sync(env_, 1), "sync");
}

void LmdbRaw::Append(uint64_t tenant, uint64_t first_seq, const PreparedBatch& batch) {
  WriteTxn txn(env_);
  Put(txn.get(), tenant, first_seq, batch.events);
  txn.Commit();
}

void LmdbRaw::AppendToEach(const std::vector<uint64_t>& tenants, const PreparedBatch& batch) {
  WriteTxn txn(env_);
  for (uint64_t tenant : tenants) Put(txn.get(), tenant, 0, batch.events);
  txn.Commit();
}

void LmdbRaw::AppendToEachViaTail(const std::vector<uint64_t>& tenants, const PreparedBatch& batch) {
  std::lock_guard tail_lock(tail_mu_);
  WriteTxn txn(env_);
  if (!tail_open_) Check(mdb_dbi_open(txn.get(), "tail", MDB_CREATE, &tail_dbi_), "open tail");
  const uint64_t call = ++tail_calls_;
  // Key: call ‖ tenant ‖ seq, each big-endian, so a call's puts go after
  // every key in the tail.
  char key[24];
  PutBigEndian(key, call);
  std::string value;
  for (uint64_t tenant : tenants) {
    const uint64_t first_seq = Reserve(tenant, 0, batch.events.size());
    PutBigEndian(key + 8, tenant);
    for (size_t i = 0; i < batch.events.size(); ++i) {
      PutBigEndian(key + 16, first_seq + i);
      EncodeValue(batch.events[i], &value);
      MDB_val k{sizeof(key), key};
      MDB_val v{value.size(), value.data()};
      Check(mdb_put(txn.get(), tail_dbi_, &k, &v, MDB_APPEND), "put tail (tenants must ascend)");
    }
  }
  if (call % kTailCalls == 0) {
    // Key order in the main database: tenant ‖ seq, the tail key's last 16 bytes.
    std::vector<std::pair<std::string, std::string>> entries;
    MDB_cursor* cursor = nullptr;
    Check(mdb_cursor_open(txn.get(), tail_dbi_, &cursor), "open tail cursor");
    MDB_val k, v;
    int rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST);
    for (; rc == MDB_SUCCESS; rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
      entries.emplace_back(std::string(static_cast<const char*>(k.mv_data) + 8, 16),
                           std::string(static_cast<const char*>(v.mv_data), v.mv_size));
    }
    mdb_cursor_close(cursor);
    if (rc != MDB_NOTFOUND) Check(rc, "read tail");
    std::sort(entries.begin(), entries.end());
    rc = MDB_SUCCESS;
    Check(mdb_cursor_open(txn.get(), dbi_, &cursor), "open cursor");
    for (auto& [main_key, main_value] : entries) {
      MDB_val mk{main_key.size(), main_key.data()};
      MDB_val mv{main_value.size(), main_value.data()};
      rc = mdb_cursor_put(cursor, &mk, &mv, 0);
      if (rc != MDB_SUCCESS) break;
    }
    mdb_cursor_close(cursor);
    Check(rc, "move tail");
    Check(mdb_drop(txn.get(), tail_dbi_, 0), "empty tail");
  }
  txn.Commit();
  tail_open_ = true;
}

uint64_t LmdbRaw::Reserve(uint64_t tenant, uint64_t first_seq, size_t count) {
  std::lock_guard lock(mu_);
  uint64_t& next = next_seq_[tenant];
  if (first_seq == 0) first_seq = next + 1;
  next = std::max(next, first_seq + count - 1);
  return first_seq;
}

void LmdbRaw::Put(MDB_txn* txn, uint64_t tenant, uint64_t first_seq, const std::vector<EventSpec>& events) {
  first_seq = Reserve(tenant, first_seq, events.size());
  char key[16];
  PutBigEndian(key, tenant);
  std::string value;
  for (size_t i = 0; i < events.size(); ++i) {
    PutBigEndian(key + 8, first_seq + i);
    EncodeValue(events[i], &value);
    MDB_val k{sizeof(key), key};
    MDB_val v{value.size(), value.data()};
    Check(mdb_put(txn, dbi_, &k, &v, 0), "put");
  }
}

uint64_t LmdbRaw::Fold(uint64_t tenant, std::unordered_map<std::string, std::string>* view) {
  MDB_txn* txn = nullptr;
  Check(mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn), "begin read");
  MDB_cursor* cursor = nullptr;
  Check(mdb_cursor_open(txn, dbi_, &cursor), "cursor open");
  char prefix[16];
  PutBigEndian(prefix, tenant);
  PutBigEndian(prefix + 8, 0);
  MDB_val k{sizeof(prefix), prefix};
  MDB_val v;
  uint64_t scanned = 0;
  int rc = mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
  for (; rc == MDB_SUCCESS; rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
    if (k.mv_size != 16 || std::memcmp(k.mv_data, prefix, 8) != 0) break;
    const char* data = static_cast<const char*>(v.mv_data);
    const size_t key_size = static_cast<unsigned char>(data[0]);
    (*view)[std::string(data + 1, key_size)].assign(data + 1 + key_size,
                                                    v.mv_size - 1 - key_size);
    ++scanned;
  }
  if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) Check(rc, "scan");
  mdb_cursor_close(cursor);
  mdb_txn_abort(txn);
  return scanned;
}

LmdbTenantDbs::LmdbTenantDbs(const std::string& dir, bool durable, uint32_t max_tenants) : durable_(durable) {
  Check(mdb_env_create(&env_), "create environment");
  Check(mdb_env_set_mapsize(env_, kMapBytes), "set map size");
  Check(mdb_env_set_maxdbs(env_, max_tenants), "set max databases");
  Check(mdb_env_open(env_, dir.c_str(), MDB_NOTLS | (durable ? 0 : MDB_NOSYNC), 0600),
        "open " + dir);
}

LmdbTenantDbs::~LmdbTenantDbs() {
  if (open_txn_ != nullptr) mdb_txn_abort(open_txn_);
  mdb_env_close(env_);
}

void LmdbTenantDbs::CommitOpen() {
  if (open_txn_ == nullptr) return;
  const int rc = mdb_txn_commit(open_txn_);
  open_txn_ = nullptr;
  open_appends_ = 0;
  Check(rc, "commit");
  dbis_.merge(pending_);
  pending_.clear();
}

void LmdbTenantDbs::SetDurable(bool durable) {
  std::lock_guard lock(mu_);
  CommitOpen();
  durable_ = durable;
  Check(mdb_env_set_flags(env_, MDB_NOSYNC, durable ? 0 : 1), "set flags");
  if (durable) Check(mdb_env_sync(env_, 1), "sync");
}

MDB_dbi LmdbTenantDbs::Dbi(MDB_txn* txn, uint64_t tenant) {
  if (auto it = dbis_.find(tenant); it != dbis_.end()) return it->second;
  if (auto it = pending_.find(tenant); it != pending_.end()) return it->second;
  char name[24];
  std::snprintf(name, sizeof(name), "t%llu", static_cast<unsigned long long>(tenant));
  MDB_dbi dbi = 0;
  Check(mdb_dbi_open(txn, name, MDB_CREATE, &dbi), std::string("open database ") + name);
  pending_.emplace(tenant, dbi);
  return dbi;
}

void LmdbTenantDbs::Append(uint64_t tenant, uint64_t first_seq, const PreparedBatch& batch) {
  std::lock_guard lock(mu_);
  MDB_txn* txn = open_txn_;
  if (txn == nullptr) Check(mdb_txn_begin(env_, nullptr, 0, &txn), "begin write");
  uint64_t& next = next_seq_[tenant];
  if (first_seq == 0) first_seq = next + 1;
  const MDB_dbi dbi = Dbi(txn, tenant);
  char key[8];
  std::string value;
  for (size_t i = 0; i < batch.events.size(); ++i) {
    PutBigEndian(key, first_seq + i);
    EncodeValue(batch.events[i], &value);
    MDB_val k{sizeof(key), key};
    MDB_val v{value.size(), value.data()};
    Check(mdb_put(txn, dbi, &k, &v, MDB_APPEND), "put");
  }
  next = first_seq + batch.events.size() - 1;
  if (durable_) {
    open_txn_ = txn;
    CommitOpen();
    return;
  }
  // Filling: one transaction for many appends, as LMDB's per-transaction
  // work would otherwise make the fill quadratic in the tenant count.
  open_txn_ = txn;
  if (++open_appends_ == 1000) CommitOpen();
}

uint64_t DataFileBytes(const std::string& dir) {
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(std::filesystem::path(dir) / "data.mdb", ec);
  return ec ? 0 : bytes;
}

}  // namespace tenantlog::bench
