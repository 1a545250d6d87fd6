// Store::Impl: the orchestrator behind the public Store. Its methods are
// defined beside the concern they serve: store.cc (appends, reads, timeline
// admin, verify, audit), backup/ (backup, restore from backup), exchange/
// (export, import) and purge/; subscriptions live in subscription/.
#ifndef TENANTLOG_ENGINE_STORE_IMPL_H_
#define TENANTLOG_ENGINE_STORE_IMPL_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lmdb/lmdb_env.h"
#include "log/envelope.h"
#include "log/event_log.h"
#include "subscription/subscription.h"
#include "tenantlog/store.h"
#include "tenants/tenant_registry.h"
#include "views/rebuild_latch.h"
#include "views/view.h"
#include "views/view_registry.h"

namespace tenantlog {

// "invalid tenant name …" unless `name` is valid.
Status CheckTenantName(std::string_view name);

// Whether a purge's bytes may still be in the data file's free space (see
// Store::Impl::Scrub).
Result<bool> ScrubPendingIn(lmdb::Txn& txn);

// "WHAT: a, b, c; nothing changed", naming at most 20 tenants.
std::string ListRefusal(std::string_view what, const std::vector<std::string>& tenants);

// Refused when `tenants` are more than context.max_tenants.
Status CheckBlastRadius(const std::vector<std::string>& tenants, const AdminContext& context);

// The system clock.
const Clock& SystemClock();

// The tenant a call names: by name, and also by id when the caller is bound
// to one tenant (a TenantHandle), so that a different tenant that took the
// name since is not reached.
struct TenantRef {
  TenantRef(std::string_view name) : name(name) {}  // NOLINT: implicit by design
  TenantRef(std::string_view name, uint64_t id) : name(name), id(id) {}
  std::string_view name;
  uint64_t id = 0;  // 0: any tenant of that name
};

class Store::Impl {
 public:
  Impl(const Options& options, std::unique_ptr<lmdb::LmdbEnv> env,
       std::unique_ptr<views::ViewRegistry> views)
      : options_(options),
        env_(std::move(env)),
        views_(std::move(views)),
        clock_(options.clock != nullptr ? options.clock : &SystemClock()) {
    env_->SetCommitListener([this] { commits_.Notify(); });
  }

  const std::string& path() const { return env_->path(); }
  AppendStats append_stats() const {
    std::lock_guard lock(group_mu_);
    return append_stats_;
  }
  ViewStats view_stats() const { return rebuilds_.stats(); }

  Result<AppendResult> Append(const TenantRef& tenant, const AppendBatch& batch,
                              const WriteOptions& write_options);
  Result<std::vector<Event>> ReadLog(const TenantRef& tenant, uint64_t from_seq, size_t limit);
  Result<std::string> Get(const TenantRef& tenant, std::string_view key, const ReadOptions& options);
  Result<std::vector<KeyValue>> List(const TenantRef& tenant, const ReadOptions& options);
  Result<TenantInfo> Describe(const TenantRef& tenant);
  Result<std::vector<TenantInfo>> Tenants();
  Result<uint64_t> ResolvePoint(const TenantRef& tenant, const Point& point);
  Result<ViewDiff> Diff(const TenantRef& tenant, const Point& from, const std::optional<Point>& to);
  Result<BulkReport> Bulk(const std::vector<std::string>& tenants, const AdminContext& context,
                          TenantState target);
  Result<RewindReport> Rewind(std::string_view tenant, const Point& to, const AdminContext& context);
  Result<VerifyReport> Verify(const std::vector<std::string>& tenants);
  Result<uint64_t> RecordAudit(const AdminContext& context, const std::vector<std::string>& tenants,
                               std::string_view outcome);
  Result<std::vector<AuditEntry>> Audit(int64_t since_us);

  // Data lifecycle (backup/, exchange/, purge/).
  Result<BackupReport> Backup(const std::string& dir, const AdminContext& context);
  Result<RestoreReport> RestoreFromBackup(const std::string& backup_dir,
                                          const std::vector<std::string>& tenants,
                                          const AdminContext& context);
  Result<ExportReport> Export(std::string_view tenant, const std::string& file);
  Result<ImportReport> Import(const std::string& file, const std::string& as_name,
                              const AdminContext& context);
  Result<PurgePlan> PlanPurge(const std::vector<std::string>& tenants, int64_t older_than_us,
                              const std::string& plan_file, const AdminContext& context);
  Result<PurgeReport> RunPurge(const std::string& plan_file, const std::string& token,
                               const AdminContext& context);
  Status Compact(const AdminContext& context);
  // Replaces the data file with a compacted copy and then clears the mark a
  // purge leaves in `meta` until its bytes are gone from the file: a purge
  // cut short after its commit (a crash, a full disk) is finished by the
  // next writable open, and until then verify reports it.
  Status Scrub();
  Result<bool> ScrubPending();

  Result<std::unique_ptr<Subscription>> Subscribe(std::string_view tenant, uint64_t after_position);

 private:
  // Checks an admin call's actor and tenant names and removes repeated names.
  // InvalidArgument when the actor, the list or a name is bad.
  static Status CheckAdminCall(const std::vector<std::string>& requested, const AdminContext& context,
                               std::string_view command, std::vector<std::string>* tenants);
  // Appends a control event of `kind` to `record` (not saved).
  Status AppendControl(lmdb::Txn& txn, TenantRecord* record, EventKind kind,
                       const AdminContext& context, int64_t now, uint64_t rewind_target = 0);
  // Undoes the tombstone of `record` and saves it. REQUIRES: tombstoned.
  Status UndoTombstone(lmdb::Txn& txn, TenantRecord* record, const AdminContext& context, int64_t now);
  struct PendingAppend;
  // Appends one caller's batch in the group's transaction. A failed check
  // leaves *wrote false and writes nothing; the status is also the caller's.
  Status AppendOne(lmdb::Txn& txn, eventlog::LogWriter& log, PendingAppend* append, bool* wrote);
  Status ValidateBatch(const AppendBatch& batch) const;
  // Loads the tenant `tenant` names: InvalidArgument (bad name), NotFound
  // (no such tenant, or another tenant than the one the caller is bound to).
  Status LoadTenant(lmdb::Txn& txn, const TenantRef& tenant, TenantRecord* record) const;
  // Loads a tenant that reads may see: as LoadTenant, or TenantDeleted.
  Status LoadReadable(lmdb::Txn& txn, const TenantRef& tenant, TenantRecord* record) const;
  Result<uint64_t> Resolve(lmdb::Txn& txn, const TenantRecord& record, const Point& point) const;
  // Runs `persisted` on the tenant's persisted copy of view options.view,
  // brought up to date first when it is behind; or `folded` on a fold of its
  // history when options.as_of is set (or the store is read-only and the
  // view is behind).
  Status WithView(const TenantRef& tenant, const ReadOptions& options,
                  const std::function<Status(lmdb::Txn&, const TenantRecord&, const views::ViewDef&)>& persisted,
                  const std::function<Status(const TenantRecord&, const views::Folded&)>& folded);
  AuditEntry MakeAudit(const AdminContext& context, std::string_view default_command,
                       const std::vector<std::string>& tenants, std::string outcome) const;
  // Records an audit entry in `txn`, the transaction of the action itself,
  // and sets *audit_seq to its seq.
  Status AuditIn(lmdb::Txn& txn, const AdminContext& context, std::string_view default_command,
                 const std::vector<std::string>& tenants, std::string outcome, uint64_t* audit_seq) const;
  // Records an audit entry in a transaction of its own.
  Result<uint64_t> AppendAudit(const AdminContext& context, std::string_view default_command,
                               const std::vector<std::string>& tenants, std::string_view outcome);
  // Records the refusal of an admin call and returns `refusal`.
  Status Refuse(const AdminContext& context, std::string_view command,
                const std::vector<std::string>& tenants, const Status& refusal);
  int64_t Now() const { return clock_->NowMicros(); }

  const Options options_;
  std::unique_ptr<lmdb::LmdbEnv> env_;
  const std::unique_ptr<views::ViewRegistry> views_;
  const Clock* clock_;
  // Used only inside write transactions, which LMDB runs one at a time.
  EventEncoder encoder_;

  // Group commit of concurrent appends.
  static constexpr size_t kMaxGroupAppends = 1024;
  // The longest a leader waits for the callers of the last round.
  static constexpr std::chrono::microseconds kMaxGroupWait{1000};
  mutable std::mutex group_mu_;
  std::condition_variable group_cv_;       // a group committed, or the leader left
  std::condition_variable group_fill_cv_;  // the round the leader gathers is queued
  // All guarded by group_mu_.
  std::deque<PendingAppend*> group_queue_;
  bool group_leader_active_ = false;
  bool group_gathering_ = false;
  // Callers seen by the last group: its own and those queued when it committed.
  size_t group_round_ = 1;
  // How long the next leader may wait for them: half the last commit's time,
  // at most kMaxGroupWait.
  std::chrono::steady_clock::duration group_wait_{};
  AppendStats append_stats_;

  // One fold at a time per view of a tenant that reads must rebuild.
  views::RebuildLatch rebuilds_;

  // Wakes subscriptions after each write commit of this process.
  subscription::CommitNotifier commits_;
};

}  // namespace tenantlog

#endif  // TENANTLOG_ENGINE_STORE_IMPL_H_
