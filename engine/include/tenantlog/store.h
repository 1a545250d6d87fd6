// Store: an append-only, event-sourced store of tenant data in one LMDB
// environment (a directory holding data.mdb and lock.mdb).
//
// Every tenant's changes are immutable events in its own log. What a tenant
// sees is its effective history (see the timeline in DESIGN.md): tombstone and
// restore soft-delete and bring back a tenant, rewind makes the tenant show an
// earlier state without removing anything, and every rewind can be undone.
//
// Thread-safety: a Store is thread-safe. Any number of threads may call any
// method concurrently; writes are serialised (one LMDB writer at a time) and
// reads run in parallel with them on consistent snapshots. Several processes
// may open the same store: what one commits is seen by the others at their
// next call.
//
// Caveats: open one Store per directory per process; do not use a Store across
// fork(); do not put a store on a network file system.
#ifndef TENANTLOG_STORE_H_
#define TENANTLOG_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tenantlog/admin.h"
#include "tenantlog/event.h"
#include "tenantlog/options.h"
#include "tenantlog/status.h"
#include "tenantlog/subscription.h"

namespace tenantlog {

struct AppendResult {
  uint64_t first_seq = 0;  // seq of the batch's first event
  uint64_t last_seq = 0;   // seq of the batch's last event; the new head
  uint64_t chain_head = 0;
};

// Counts of what one Store object appended since it was opened; other
// processes' appends to the same directory are not counted.
struct AppendStats {
  uint64_t appends = 0;  // Append calls that committed
  uint64_t events = 0;   // events they appended
  uint64_t commits = 0;  // durable commits that carried them: concurrent
                         // appends share one (group commit)
};

// Counts of what one Store object's reads did to persisted views since it
// was opened.
struct ViewStats {
  uint64_t rebuilds = 0;       // folds of a view's whole log that a read led
                               // to store it (after a restore, a rewind, a new
                               // reducer), failed ones included
  uint64_t rebuild_waits = 0;  // waits of a read for another read's rebuild
                               // of the same view (a read may wait twice)
};

struct KeyValue {
  std::string key;
  std::string payload;
};

class TenantHandle;

class Store {
 public:
  // Opens the store in directory `dir`.
  // Errors: NotFound (no store and !create_if_missing or read_only),
  // InvalidArgument (`dir` holds something that is not a tenantlog store, or a
  // store of a newer format), IOError (permissions, disk).
  [[nodiscard]] static Status Open(const Options& options, const std::string& dir,
                                   std::unique_ptr<Store>* store);

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  ~Store();

  // A handle that reads and writes tenant `tenant` alone (tenant_handle.h),
  // whether or not the tenant exists yet.
  // Errors: InvalidArgument (bad name), Corruption, IOError.
  Result<std::unique_ptr<TenantHandle>> OpenTenant(std::string_view tenant);

  // ---- Writing ----

  // Appends `batch` to `tenant` in one atomic, durable (Options::sync) commit,
  // creating the tenant on its first append.
  // Errors, all writing nothing: InvalidArgument (bad tenant name, empty batch,
  // bad key/type/payload size, a time before the tenant's last event),
  // Conflict (options.expected_head_seq differs from the head), TenantDeleted
  // (tombstoned tenant), Refused (purged tenant whose record still holds the
  // name), IOError.
  Result<AppendResult> Append(std::string_view tenant, const AppendBatch& batch,
                              const WriteOptions& options = WriteOptions());

  // ---- Reading ----

  // The raw log from `from_seq` on (control events included), at most
  // `limit` events. Each event's chain hash is checked.
  // Errors: NotFound (unknown tenant), Corruption (an event failed a check).
  Result<std::vector<Event>> ReadLog(std::string_view tenant, uint64_t from_seq,
                                     size_t limit);

  // The payload of `key` in the built-in view (key → latest payload). A
  // read brings a persisted view that is behind the log up to date first;
  // when that takes a fold of the whole log (a rebuild), concurrent reads of
  // the same view through this object wait for one fold rather than each
  // folding it (if that rebuild fails, or cannot be stored, they rebuild in
  // turn).
  // Errors: NotFound (unknown tenant, or no such key), TenantDeleted,
  // InvalidArgument (as_of beyond the head), Corruption.
  Result<std::string> Get(std::string_view tenant, std::string_view key,
                          const ReadOptions& options = ReadOptions());

  // Every live key of the built-in view with its payload, in key byte order.
  // Errors: as Get, without "no such key".
  Result<std::vector<KeyValue>> List(std::string_view tenant,
                                     const ReadOptions& options = ReadOptions());

  // The tenant's record. Errors: NotFound.
  Result<TenantInfo> Describe(std::string_view tenant);

  // Every tenant the store has a record of, purged ones included, by name.
  Result<std::vector<TenantInfo>> Tenants();

  // The seq a point names: a seq as given (InvalidArgument beyond the head),
  // or for a time the last event at or before it (0 when none).
  // Errors: NotFound, InvalidArgument.
  Result<uint64_t> ResolvePoint(std::string_view tenant, const Point& point);

  // What changed in the built-in view between `from` and `to` (unset: now).
  // Errors: NotFound, TenantDeleted, InvalidArgument (a point beyond the head).
  Result<ViewDiff> Diff(std::string_view tenant, const Point& from,
                        const std::optional<Point>& to);

  // Follows `tenant`: its effective history, then every new event as it
  // commits, with the resets and tombstones that change what it shows
  // (tenantlog/subscription.h). after_position 0: from scratch, a kReset
  // then the effective history as of the head; a tenant that does not exist
  // yet is allowed, its events arrive once it is created. Otherwise: resume
  // after the item that carried that position.
  // REQUIRES: the Store outlives the Subscription.
  // Errors: InvalidArgument (bad tenant name, a position beyond the head),
  // NotFound (after_position > 0 for an unknown or purged tenant).
  Result<std::unique_ptr<Subscription>> Subscribe(std::string_view tenant,
                                                  uint64_t after_position = 0);

  // ---- Administration (each call is recorded in the audit log) ----

  // Soft-deletes every listed tenant: appends a tombstone control event and
  // drops its views. Tenants already tombstoned are reported unchanged.
  // The list is refused whole (Refused, nothing but the audit entry written)
  // when it names more than context.max_tenants tenants, an unknown tenant,
  // or a purged one. Errors: InvalidArgument (bad name, empty list, no actor).
  Result<BulkReport> Tombstone(const std::vector<std::string>& tenants,
                               const AdminContext& context);

  // Undoes the latest tombstone of every listed tenant (a restore control
  // event). Active tenants are reported unchanged. Refused as Tombstone.
  Result<BulkReport> Restore(const std::vector<std::string>& tenants,
                             const AdminContext& context);

  // Makes the tenant show its state as of `to` from now on, by appending a
  // rewind control event (DESIGN.md). A rewind to the state the tenant already
  // shows writes nothing and reports changed=false.
  // Errors: NotFound, InvalidArgument (a seq beyond the head), Refused (the
  // tenant is tombstoned: restore it first; the refusal is audited).
  Result<RewindReport> Rewind(std::string_view tenant, const Point& to,
                              const AdminContext& context);

  // Checks every listed tenant (empty: all tenants, and the audit log):
  // FlatBuffers verifier, seq contiguity, chain hashes, head against the
  // tenant record. Damage is reported, never returned as an error: damage
  // that stops the pass (a page of the store file lost) is reported under
  // the tenant "(store)".
  // Errors: Refused (listed tenants are unknown: all of them are named, none
  // is checked), InvalidArgument (a bad tenant name), IOError.
  Result<VerifyReport> Verify(const std::vector<std::string>& tenants);

  // ---- Data lifecycle (DESIGN.md, "Backups, restore from backup, export"; "Purge") ----

  // Writes a hot, consistent, compacted copy of the store into directory
  // `dir`, which must not exist or be empty. Writers are not blocked while it
  // runs, unless the map must grow meanwhile: a growth waits for the copy to
  // end, and writes with it; reads go on (Options::initial_map_bytes). The
  // copy is itself a store. Errors: InvalidArgument (`dir` holds files),
  // IOError.
  Result<BackupReport> Backup(const std::string& dir, const AdminContext& context);

  // Brings each listed tenant back from the backup at `backup_dir`, each on
  // its own: a tombstoned tenant is restored; a purged or missing one has its
  // log re-inserted exactly as the backup holds it (same seqs, times and
  // chain), then a restore event appended if the backup holds it tombstoned;
  // a tenant whose live history already extends the backup's is unchanged;
  // a name taken by a different tenant, or histories that disagree, is a
  // conflict and left alone. Every other tenant is untouched. Safe to run
  // again after an interruption. Refused whole (Refused) when a tenant is
  // not in the backup or the list exceeds context.max_tenants.
  // Errors: InvalidArgument (bad name, empty list), NotFound (no store at
  // `backup_dir`), Corruption (the backup fails verification for a tenant).
  Result<RestoreReport> RestoreFromBackup(const std::string& backup_dir,
                                          const std::vector<std::string>& tenants,
                                          const AdminContext& context);

  // Writes tenant `tenant`'s whole log to `file` (replaced if it exists) in
  // the portable export format (README, "Export file"). Read-only on the store.
  // Errors: NotFound, IOError.
  Result<ExportReport> Export(std::string_view tenant, const std::string& file);

  // Imports an export file as a new tenant named `as_name` (empty: the name
  // in the file). The whole file is checked first (structure, verifier,
  // chain, head); then all of it is written or nothing.
  // Errors: InvalidArgument (damaged, truncated or foreign file; bad name),
  // Refused (the name is taken), IOError.
  Result<ImportReport> Import(const std::string& file, const std::string& as_name,
                              const AdminContext& context);

  // Step 1 of a compliance purge: checks that every listed tenant has been
  // tombstoned for at least `older_than_us`, writes the plan to `plan_file`
  // and returns it with its token. Refused (nothing written but the audit
  // entry) for an unknown or active tenant, a younger tombstone, or more
  // tenants than context.max_tenants.
  Result<PurgePlan> PlanPurge(const std::vector<std::string>& tenants, int64_t older_than_us,
                              const std::string& plan_file, const AdminContext& context);

  // Step 2: removes the planned tenants' events and views for good, keeps a
  // purge record of each, frees their names, and overwrites the freed pages
  // of the data file. Refused, purging nothing, when `token` does not match
  // the plan or any planned tenant changed since the plan.
  // Errors: InvalidArgument (unreadable plan file), Refused, IOError.
  Result<PurgeReport> RunPurge(const std::string& plan_file, const std::string& token,
                               const AdminContext& context);

  // Replaces the data file with a compacted copy of the store: gives back
  // the space of deleted data and leaves none of its bytes in the files.
  // Holds the writer lock while it copies; readers go on. Every handle on
  // the store, in any process, moves to the new file at its next call.
  // Errors: IOError (e.g. no room for the copy).
  Status Compact(const AdminContext& context);

  // Records an audit entry for an action done outside the calls above (for
  // example an append made by an operator with the admin tool).
  // Errors: InvalidArgument (no actor), IOError.
  Result<uint64_t> RecordAudit(const AdminContext& context,
                               const std::vector<std::string>& tenants,
                               std::string_view outcome);

  // Audit entries recorded at or after `since_us`, oldest first.
  Result<std::vector<AuditEntry>> Audit(int64_t since_us = 0);

  // The directory the store was opened at.
  const std::string& path() const;

  // What this object appended so far.
  AppendStats append_stats() const;
  // What this object's reads rebuilt.
  ViewStats view_stats() const;

 private:
  friend class TenantHandle;
  class Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tenantlog

#endif  // TENANTLOG_STORE_H_
