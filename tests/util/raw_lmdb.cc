#include "util/raw_lmdb.h"

#include <lmdb.h>

#include <filesystem>
#include <sstream>

#include "util/files.h"
#include <stdexcept>

namespace tenantlog::test {
namespace {

void Check(int rc, const std::string& what) {
  if (rc != MDB_SUCCESS) throw std::runtime_error(what + ": " + mdb_strerror(rc));
}

class Env {
 public:
  Env(const std::string& dir, bool read_only) {
    Check(mdb_env_create(&env_), "mdb_env_create");
    Check(mdb_env_set_maxdbs(env_, 64), "mdb_env_set_maxdbs");
    unsigned flags = MDB_NOTLS | (read_only ? MDB_RDONLY : 0u);
    int rc = mdb_env_open(env_, dir.c_str(), flags, 0644);
    if (rc != MDB_SUCCESS) {
      mdb_env_close(env_);
      Check(rc, "mdb_env_open " + dir);
    }
  }
  ~Env() { mdb_env_close(env_); }
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;
  MDB_env* get() const { return env_; }

 private:
  MDB_env* env_ = nullptr;
};

class Txn {
 public:
  Txn(const Env& env, bool read_only) {
    Check(mdb_txn_begin(env.get(), nullptr, read_only ? MDB_RDONLY : 0u, &txn_), "mdb_txn_begin");
  }
  ~Txn() {
    if (txn_ != nullptr) mdb_txn_abort(txn_);
  }
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;
  MDB_txn* get() const { return txn_; }
  void Commit() {
    MDB_txn* txn = txn_;
    txn_ = nullptr;
    Check(mdb_txn_commit(txn), "mdb_txn_commit");
  }
  // The handle of named database `db`, or false when it does not exist.
  bool OpenDb(const std::string& db, MDB_dbi* dbi) const {
    int rc = mdb_dbi_open(txn_, db.c_str(), 0, dbi);
    if (rc == MDB_NOTFOUND) return false;
    Check(rc, "mdb_dbi_open " + db);
    return true;
  }

 private:
  MDB_txn* txn_ = nullptr;
};

std::string ToString(const MDB_val& v) {
  return std::string(static_cast<const char*>(v.mv_data), v.mv_size);
}

// Rows of `dbi` whose key starts with `prefix`, in key order.
RawTable ReadPrefix(const Txn& txn, MDB_dbi dbi, const std::string& prefix) {
  RawTable rows;
  MDB_cursor* cursor = nullptr;
  Check(mdb_cursor_open(txn.get(), dbi, &cursor), "mdb_cursor_open");
  MDB_val key{prefix.size(), const_cast<char*>(prefix.data())};
  MDB_val value{0, nullptr};
  int rc = prefix.empty() ? mdb_cursor_get(cursor, &key, &value, MDB_FIRST)
                          : mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE);
  while (rc == MDB_SUCCESS) {
    std::string k = ToString(key);
    if (k.compare(0, prefix.size(), prefix) != 0) break;
    rows.emplace(std::move(k), ToString(value));
    rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT);
  }
  mdb_cursor_close(cursor);
  if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) Check(rc, "mdb_cursor_get");
  return rows;
}

std::string Hex(const std::string& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// The `events` database of the store in `dir`, open in `txn`.
MDB_dbi EventsDb(const Txn& txn, const std::string& dir) {
  MDB_dbi dbi;
  if (!txn.OpenDb("events", &dbi)) throw std::runtime_error("no events database in " + dir);
  return dbi;
}

}  // namespace

std::string BigEndian64(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  return out;
}

uint64_t DecodeBigEndian64(const std::string& bytes, size_t offset) {
  uint64_t value = 0;
  for (size_t i = 0; i < 8; ++i) {
    value = (value << 8) | static_cast<unsigned char>(bytes.at(offset + i));
  }
  return value;
}

RawTable ReadRawTable(const std::string& dir, const std::string& db) {
  Env env(dir, /*read_only=*/true);
  Txn txn(env, /*read_only=*/true);
  MDB_dbi dbi;
  if (!txn.OpenDb(db, &dbi)) return {};
  return ReadPrefix(txn, dbi, "");
}

DatabaseSpace MeasureDatabase(const std::string& dir, const std::string& db) {
  Env env(dir, /*read_only=*/true);
  Txn txn(env, /*read_only=*/true);
  MDB_dbi dbi;
  if (!txn.OpenDb(db, &dbi)) throw std::runtime_error("no database " + db + " in " + dir);
  MDB_stat stat;
  Check(mdb_stat(txn.get(), dbi, &stat), "mdb_stat");
  DatabaseSpace space;
  space.leaf_pages = stat.ms_leaf_pages;
  space.page_bytes = stat.ms_psize;
  for (const auto& [key, value] : ReadPrefix(txn, dbi, "")) space.entry_bytes += key.size() + value.size() + 8;
  return space;
}

std::map<std::string, RawTable> ReadAllTables(const std::string& dir) {
  Env env(dir, /*read_only=*/true);
  Txn txn(env, /*read_only=*/true);
  MDB_dbi main;
  Check(mdb_dbi_open(txn.get(), nullptr, 0, &main), "mdb_dbi_open (main)");
  std::map<std::string, RawTable> tables;
  for (const auto& [name, record] : ReadPrefix(txn, main, "")) {
    MDB_dbi dbi;
    if (txn.OpenDb(name, &dbi)) tables[name] = ReadPrefix(txn, dbi, "");
  }
  return tables;
}

TenantBytes ReadTenantBytes(const std::string& dir, uint64_t id, const std::string& name) {
  Env env(dir, /*read_only=*/true);
  Txn txn(env, /*read_only=*/true);
  TenantBytes bytes;
  const std::string prefix = BigEndian64(id);
  for (const char* db : {"events", "tenants", "views", "view_state"}) {
    MDB_dbi dbi;
    bytes.tables[db] = txn.OpenDb(db, &dbi) ? ReadPrefix(txn, dbi, prefix) : RawTable();
  }
  MDB_dbi names;
  RawTable& name_rows = bytes.tables["names"];
  if (txn.OpenDb("names", &names)) {
    MDB_val key{name.size(), const_cast<char*>(name.data())};
    MDB_val value{0, nullptr};
    int rc = mdb_get(txn.get(), names, &key, &value);
    if (rc == MDB_SUCCESS) name_rows.emplace(name, ToString(value));
    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) Check(rc, "mdb_get names");
  }
  return bytes;
}

std::string DescribeDifference(const TenantBytes& before, const TenantBytes& after) {
  std::ostringstream out;
  for (const auto& [db, rows_before] : before.tables) {
    auto it = after.tables.find(db);
    const RawTable empty;
    const RawTable& rows_after = it == after.tables.end() ? empty : it->second;
    for (const auto& [key, value] : rows_before) {
      auto found = rows_after.find(key);
      if (found == rows_after.end()) {
        out << db << ": row " << Hex(key) << " disappeared\n";
      } else if (found->second != value) {
        out << db << ": row " << Hex(key) << " changed from " << Hex(value) << " to "
            << Hex(found->second) << "\n";
      }
    }
    for (const auto& [key, value] : rows_after) {
      if (rows_before.count(key) == 0) out << db << ": row " << Hex(key) << " appeared\n";
    }
  }
  return out.str();
}

uint64_t TenantIdByName(const std::string& dir, const std::string& tenant) {
  const RawTable names = ReadRawTable(dir, "names");
  auto it = names.find(tenant);
  return it == names.end() || it->second.size() < 8 ? 0 : DecodeBigEndian64(it->second);
}

size_t FlipStoredEventByte(const std::string& dir, const std::string& tenant, uint64_t seq,
                           size_t offset) {
  const uint64_t id = TenantIdByName(dir, tenant);
  if (id == 0) return 0;
  const RawTable events = ReadRawTable(dir, "events");
  auto it = events.find(BigEndian64(id) + BigEndian64(seq));
  if (it == events.end() || it->second.empty()) return 0;
  const std::string& stored = it->second;
  if (offset >= stored.size()) offset = stored.size() / 2;
  const std::string file = dir + "/data.mdb";
  std::string bytes = ReadFileBytes(file);
  const std::vector<size_t> found = FindAll(bytes, stored);
  for (size_t at : found) bytes[at + offset] ^= 0x01;
  if (!found.empty()) WriteFileBytes(file, bytes);
  return found.size();
}

size_t DropTenantViews(const std::string& dir, uint64_t id) {
  Env env(dir, /*read_only=*/false);
  Txn txn(env, /*read_only=*/false);
  const std::string prefix = BigEndian64(id);
  size_t dropped = 0;
  for (const char* db : {"views", "view_state"}) {
    MDB_dbi dbi;
    if (!txn.OpenDb(db, &dbi)) continue;
    for (const auto& [key, value] : ReadPrefix(txn, dbi, prefix)) {
      MDB_val k{key.size(), const_cast<char*>(key.data())};
      Check(mdb_del(txn.get(), dbi, &k, nullptr), std::string("mdb_del ") + db);
      ++dropped;
    }
  }
  txn.Commit();
  return dropped;
}

void PutRawValue(const std::string& dir, const std::string& db, const std::string& key,
                 const std::string& value) {
  Env env(dir, /*read_only=*/false);
  Txn txn(env, /*read_only=*/false);
  MDB_dbi dbi;
  if (!txn.OpenDb(db, &dbi)) throw std::runtime_error("no database " + db + " in " + dir);
  MDB_val k{key.size(), const_cast<char*>(key.data())};
  MDB_val v{value.size(), const_cast<char*>(value.data())};
  Check(mdb_put(txn.get(), dbi, &k, &v, 0), "mdb_put " + db);
  txn.Commit();
}

void DropDatabase(const std::string& dir, const std::string& db) {
  Env env(dir, /*read_only=*/false);
  Txn txn(env, /*read_only=*/false);
  MDB_dbi dbi;
  if (!txn.OpenDb(db, &dbi)) throw std::runtime_error("no database " + db + " in " + dir);
  Check(mdb_drop(txn.get(), dbi, 1), "mdb_drop " + db);
  txn.Commit();
}

size_t CountMisalignedEventValues(const std::string& dir) {
  Env env(dir, /*read_only=*/true);
  Txn txn(env, /*read_only=*/true);
  const MDB_dbi dbi = EventsDb(txn, dir);
  MDB_cursor* cursor = nullptr;
  Check(mdb_cursor_open(txn.get(), dbi, &cursor), "mdb_cursor_open");
  MDB_val key{0, nullptr};
  MDB_val value{0, nullptr};
  size_t misaligned = 0;
  int rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST);
  for (; rc == MDB_SUCCESS; rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)) {
    if (reinterpret_cast<uintptr_t>(value.mv_data) % 8 != 0) ++misaligned;
  }
  mdb_cursor_close(cursor);
  if (rc != MDB_NOTFOUND) Check(rc, "mdb_cursor_get");
  return misaligned;
}

void MisalignStoredEvents(const std::string& dir) {
  Env env(dir, /*read_only=*/false);
  Txn txn(env, /*read_only=*/false);
  const MDB_dbi dbi = EventsDb(txn, dir);
  const RawTable events = ReadPrefix(txn, dbi, "");
  Check(mdb_drop(txn.get(), dbi, 0), "mdb_drop events");
  const std::string unowned_key(16, '\0');
  std::string unowned_value(13, 'x');
  MDB_val k{unowned_key.size(), const_cast<char*>(unowned_key.data())};
  MDB_val v{unowned_value.size(), unowned_value.data()};
  Check(mdb_put(txn.get(), dbi, &k, &v, 0), "mdb_put");
  for (const auto& [key, value] : events) {
    k = MDB_val{key.size(), const_cast<char*>(key.data())};
    v = MDB_val{value.size(), const_cast<char*>(value.data())};
    Check(mdb_put(txn.get(), dbi, &k, &v, 0), "mdb_put");
  }
  txn.Commit();
}

void WithReadTransaction(const std::string& dir, const std::function<void()>& while_held) {
  Env env(dir, /*read_only=*/true);
  Txn txn(env, /*read_only=*/true);
  while_held();
}

void MakeForeignLmdb(const std::string& dir) {
  std::filesystem::create_directories(dir);
  Env env(dir, /*read_only=*/false);
  Txn txn(env, /*read_only=*/false);
  MDB_dbi dbi;
  Check(mdb_dbi_open(txn.get(), "stuff", MDB_CREATE, &dbi), "mdb_dbi_open stuff");
  MDB_val key{3, const_cast<char*>("key")}, value{5, const_cast<char*>("value")};
  Check(mdb_put(txn.get(), dbi, &key, &value, 0), "mdb_put");
  txn.Commit();
}

}  // namespace tenantlog::test
