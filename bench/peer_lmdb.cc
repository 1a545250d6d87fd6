#include "peer_lmdb.h"

#include <cstring>
#include <string_view>

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
  const std::vector<EventSpec>& events = batch.events;
  WriteTxn txn(env_);
  char key[16];
  PutBigEndian(key, tenant);
  std::string value;
  for (size_t i = 0; i < events.size(); ++i) {
    const EventSpec& e = events[i];
    PutBigEndian(key + 8, first_seq + i);
    value.assign(1, static_cast<char>(e.key.size()));
    value.append(e.key);
    value.append(e.payload);
    MDB_val k{sizeof(key), key};
    MDB_val v{value.size(), value.data()};
    Check(mdb_put(txn.get(), dbi_, &k, &v, 0), "put");
  }
  txn.Commit();
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

}  // namespace tenantlog::bench
