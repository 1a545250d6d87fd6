// Direct LMDB access to a store's files, for byte-level checks.
//
// REQUIRES: no Store of this process has the directory open (LMDB allows one
// environment handle per file per process). Open these after closing the
// Store, or in a process that never opened it.
#ifndef TENANTLOG_TESTS_UTIL_RAW_LMDB_H_
#define TENANTLOG_TESTS_UTIL_RAW_LMDB_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace tenantlog::test {

// The named databases of DESIGN.md's storage layout.
inline const std::vector<std::string>& StoreDatabases() {
  static const std::vector<std::string> kNames = {"events", "tenants", "names",
                                                  "views",  "view_state", "audit"};
  return kNames;
}

// 8-byte big-endian encoding, as the store's keys use.
std::string BigEndian64(uint64_t value);
uint64_t DecodeBigEndian64(const std::string& bytes, size_t offset = 0);

// key → value of one named database.
using RawTable = std::map<std::string, std::string>;

// Every byte one tenant owns: its rows of `events`, `tenants`, `views`,
// `view_state` (keys starting with its id) and `names` (its name), by database.
struct TenantBytes {
  std::map<std::string, RawTable> tables;
  bool operator==(const TenantBytes&) const = default;
};

// Reads the whole named database `db` of the store in `dir` (empty when the
// database does not exist). Throws std::runtime_error on LMDB errors.
RawTable ReadRawTable(const std::string& dir, const std::string& db);

// The pages of one named database and the bytes its entries take in them.
struct DatabaseSpace {
  uint64_t leaf_pages = 0;
  uint64_t page_bytes = 0;   // the environment's page size
  uint64_t entry_bytes = 0;  // every key and value, with LMDB's 8-byte node header
};

// DatabaseSpace of the named database `db` of the store in `dir`. Throws
// std::runtime_error on LMDB errors or when the database does not exist.
DatabaseSpace MeasureDatabase(const std::string& dir, const std::string& db);

// Every named database of the store in `dir` (those of StoreDatabases() and
// any other), by name: a logical dump of everything the store holds.
std::map<std::string, RawTable> ReadAllTables(const std::string& dir);

// Reads the rows owned by the tenant with id `id` and name `name`.
TenantBytes ReadTenantBytes(const std::string& dir, uint64_t id, const std::string& name);

// Describes the first difference between two snapshots, "" when equal.
std::string DescribeDifference(const TenantBytes& before, const TenantBytes& after);

// The id the `names` database gives `tenant`; 0 when it has none.
uint64_t TenantIdByName(const std::string& dir, const std::string& tenant);

// Flips one bit of the byte at `offset` (the middle when it is past the end)
// of the stored value of `tenant`'s event `seq`, at every place those bytes
// occur in data.mdb (stale copies in freed pages included, so the live copy is
// surely hit). Returns how many places were changed: 0 when the event was not found.
size_t FlipStoredEventByte(const std::string& dir, const std::string& tenant, uint64_t seq,
                           size_t offset = static_cast<size_t>(-1));

// Deletes every `views` and `view_state` row of the tenant with id `id`:
// the views are caches, and the store must rebuild them. Returns rows deleted.
size_t DropTenantViews(const std::string& dir, uint64_t id);

// Stores `value` under `key` in the named database `db`, over what it held:
// damage made to order. Throws std::runtime_error when `db` does not exist.
void PutRawValue(const std::string& dir, const std::string& db, const std::string& key,
                 const std::string& value);

// Deletes the named database `db` from the store's catalogue, as a damaged
// catalogue page would lose it.
void DropDatabase(const std::string& dir, const std::string& db);

// How many values of the `events` database of the store in `dir` LMDB holds
// at addresses that are not 8-byte aligned.
size_t CountMisalignedEventValues(const std::string& dir);

// Rewrites the `events` database of the store in `dir` with one entry that
// no tenant owns (tenant id 0, seq 0, a 13-byte value) put ahead of the
// others, so that LMDB lays out the values after it on its page at
// addresses that are not 8-byte aligned.
void MisalignStoredEvents(const std::string& dir);

// Creates, in `dir` (made if missing), an LMDB environment that is not a
// tenantlog store: one named database "stuff" holding key → value. Throws
// std::runtime_error on LMDB errors.
void MakeForeignLmdb(const std::string& dir);

// Opens the store in `dir` read-only, begins a read transaction and calls
// `while_held` with it open: its snapshot pins every page of its version, as
// a long reader's does. Throws std::runtime_error on LMDB errors.
void WithReadTransaction(const std::string& dir, const std::function<void()>& while_held);

}  // namespace tenantlog::test

#endif  // TENANTLOG_TESTS_UTIL_RAW_LMDB_H_
