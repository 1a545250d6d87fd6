// Store::Impl::Backup and Store::Impl::RestoreFromBackup.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include "audit/audit_log.h"
#include "backup/restore_plan.h"
#include "log/event_log.h"
#include "log/keys.h"
#include "store_impl.h"

namespace tenantlog {

namespace {

// Events per restore commit: large enough to amortise the commit, small
// enough to bound memory and the time the write lock is held.
constexpr uint64_t kEventsPerCommit = 200000;

// One tenant's log read and checked from the backup.
struct CopiedTenant {
  size_t job = 0;
  Status status;
  std::string values;         // the stored values of seqs 1..head, back to back
  std::vector<size_t> ends;   // where each value ends in `values`
  uint64_t events() const { return ends.size(); }
  std::string_view value(size_t i) const {
    const size_t begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view(values).substr(begin, ends[i] - begin);
  }
};

// A queue from the backup readers to the single writer, bounded by the
// events it holds so that readers run ahead of the writer (while it commits)
// by at most `capacity_events`. An item larger than that is still accepted
// into an empty queue.
class CopyQueue {
 public:
  explicit CopyQueue(uint64_t capacity_events) : capacity_events_(capacity_events) {}
  void Push(CopiedTenant item) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] {
      return items_.empty() || queued_events_ + item.events() <= capacity_events_;
    });
    queued_events_ += item.events();
    items_.push_back(std::move(item));
    not_empty_.notify_one();
  }
  CopiedTenant Pop() {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return !items_.empty(); });
    CopiedTenant item = std::move(items_.front());
    items_.pop_front();
    queued_events_ -= item.events();
    not_full_.notify_all();
    return item;
  }

 private:
  const uint64_t capacity_events_;
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<CopiedTenant> items_;
  uint64_t queued_events_ = 0;
};

CopiedTenant CopyFromBackup(lmdb::LmdbEnv& backup, const TenantRecord& record, size_t job) {
  CopiedTenant out;
  out.job = job;
  out.status = backup.Read([&](lmdb::Txn& txn) -> Status {
    out.ends.reserve(record.head_seq);
    Status s = eventlog::Scan(txn, record, 1, record.head_seq, [&](const EventDecoder& e) {
      if (out.values.empty()) {
        // Events of one tenant are of similar size: one allocation, mostly.
        out.values.reserve((e.record().size() + 8) * record.head_seq * 5 / 4);
      }
      keys::AppendFixed64(&out.values, e.chain());
      out.values.append(e.record());
      out.ends.push_back(out.values.size());
      return Status::OK();
    }, eventlog::Check::kFull);
    if (s.ok() && out.events() != 0 &&
        keys::GetFixed64(out.value(out.events() - 1).data()) != record.chain_head) {
      s = Status::Corruption("tenant " + record.name + ": chain head differs from its record");
    }
    return s;
  });
  if (!out.status.ok()) {
    out.values.clear();
    out.ends.clear();
  }
  return out;
}

// Writes the copied log at seqs 1..n of tenant `tenant_id`, filling its
// pages as an append does (LogWriter::SetAside); every other entry of
// `events` comes out as it was. REQUIRES: writable transaction.
Status PutLog(lmdb::Txn& txn, EventEncoder& encoder, uint64_t tenant_id, const CopiedTenant& log) {
  eventlog::LogWriter writer(txn, encoder);
  Status s = writer.SetAside(tenant_id, log.events() + 1);
  for (size_t i = 0; s.ok() && i < log.events(); ++i) s = writer.PutStored(tenant_id, i + 1, log.value(i));
  if (s.ok()) s = writer.PutBack();
  return s;
}

}  // namespace

Result<BackupReport> Store::Impl::Backup(const std::string& dir, const AdminContext& context) {
  namespace fs = std::filesystem;
  if (context.actor.empty()) return Status::InvalidArgument("an actor is required for backup");
  std::error_code ec;
  if (fs::exists(dir, ec) && (!fs::is_directory(dir, ec) || !fs::is_empty(dir, ec))) {
    return Status::InvalidArgument("backup target " + dir + " exists and is not an empty directory");
  }
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create " + dir + ": " + ec.message());
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  Status s = env_->CopyCompact(dir);
  if (!s.ok()) {
    fs::remove(fs::path(dir) / "data.mdb", ec);
    return s;
  }
  BackupReport report;
  report.dir = dir;
  report.bytes = fs::file_size(fs::path(dir) / "data.mdb", ec);
  auto seq = AppendAudit(context, "backup", {}, "ok: " + std::to_string(report.bytes) + " bytes to " + dir);
  if (!seq.ok()) return seq.status();
  report.audit_seq = *seq;
  return report;
}

Result<RestoreReport> Store::Impl::RestoreFromBackup(const std::string& backup_dir,
                                                     const std::vector<std::string>& requested,
                                                     const AdminContext& context) {
  constexpr std::string_view kCommand = "restore-from-backup";
  std::vector<std::string> tenants;
  Status s = CheckAdminCall(requested, context, kCommand, &tenants);
  if (!s.ok()) return s;
  std::error_code ec;
  if (std::filesystem::equivalent(backup_dir, env_->path(), ec)) {
    return Status::InvalidArgument("the backup " + backup_dir + " is this store itself");
  }
  s = CheckBlastRadius(tenants, context);
  if (!s.ok()) return Refuse(context, kCommand, tenants, s);

  lmdb::EnvOptions backup_options;
  backup_options.read_only = true;
  backup_options.create_if_missing = false;
  std::unique_ptr<lmdb::LmdbEnv> backup;
  s = lmdb::LmdbEnv::Open(backup_options, backup_dir, &backup);
  if (!s.ok()) return s;

  // Decide every tenant on one snapshot of each store.
  struct Job {
    TenantRecord record;  // as in the backup
    backup::RestoreDecision decision;
  };
  std::vector<Job> jobs(tenants.size());
  std::vector<std::string> missing;
  s = backup->Read([&](lmdb::Txn& btxn) -> Status {
    missing.clear();
    for (size_t i = 0; i < tenants.size(); ++i) {
      Status r = registry::LoadByName(btxn, tenants[i], &jobs[i].record);
      if (r.IsNotFound()) {
        missing.push_back(tenants[i]);
      } else if (!r.ok()) {
        return r;
      }
    }
    if (!missing.empty()) return Status::OK();
    return env_->Read([&](lmdb::Txn& live) -> Status {
      for (Job& job : jobs) {
        auto decision = backup::Decide(live, job.record, btxn);
        if (!decision.ok()) return decision.status();
        job.decision = *decision;
      }
      return Status::OK();
    });
  });
  if (!s.ok()) return s;
  if (!missing.empty()) {
    return Refuse(context, kCommand, tenants,
                  Status::Refused(ListRefusal("not in the backup " + backup_dir, missing)));
  }

  RestoreReport report;
  report.dry_run = context.dry_run;
  std::vector<size_t> undo, reinsert;
  for (size_t i = 0; i < jobs.size(); ++i) {
    switch (jobs[i].decision.action) {
      case backup::RestoreAction::kUnchanged: report.unchanged.push_back(tenants[i]); break;
      case backup::RestoreAction::kConflict:
        report.conflicts.push_back(RestoreConflict{tenants[i], jobs[i].decision.reason});
        break;
      case backup::RestoreAction::kUndoTombstone: undo.push_back(i); break;
      case backup::RestoreAction::kReinsert: reinsert.push_back(i); break;
    }
  }
  const int64_t now = Now();

  if (context.dry_run) {
    for (size_t i : undo) report.restored.push_back(tenants[i]);
    for (size_t i : reinsert) {
      report.restored.push_back(tenants[i]);
      report.events_copied += jobs[i].record.head_seq;
    }
  } else {
    // Tombstoned in live: their data never left.
    if (!undo.empty()) {
      std::vector<std::string> restored;
      s = env_->Write([&](lmdb::Txn& txn) -> Status {
        restored.clear();
        for (size_t i : undo) {
          TenantRecord record;
          Status r = registry::LoadByName(txn, tenants[i], &record);
          if (!r.ok()) return r;
          if (record.id != jobs[i].decision.live_id || record.state != TenantState::kTombstoned) continue;
          r = UndoTombstone(txn, &record, context, now);
          if (!r.ok()) return r;
          restored.push_back(tenants[i]);
        }
        return Status::OK();
      });
      if (!s.ok()) return s;
      report.restored.insert(report.restored.end(), restored.begin(), restored.end());
    }

    // Purged or missing in live: read and check the logs in parallel, write
    // them in batched commits. Views are folded by each tenant's first read.
    const size_t workers = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
    CopyQueue queue(kEventsPerCommit);
    std::atomic<size_t> next{0};
    std::vector<std::thread> readers;
    for (size_t w = 0; w < std::min(workers, reinsert.size()); ++w) {
      readers.emplace_back([&] {
        for (size_t k = next++; k < reinsert.size(); k = next++) {
          queue.Push(CopyFromBackup(*backup, jobs[reinsert[k]].record, reinsert[k]));
        }
      });
    }
    std::vector<CopiedTenant> pending;
    uint64_t pending_events = 0;
    size_t received = 0;
    Status failure;
    auto commit = [&]() -> Status {
      std::vector<std::string> restored;
      std::vector<RestoreConflict> conflicts;
      uint64_t copied = 0;
      Status w = env_->Write([&](lmdb::Txn& txn) -> Status {
        restored.clear();
        conflicts.clear();
        copied = 0;
        for (const CopiedTenant& item : pending) {
          const Job& job = jobs[item.job];
          if (!item.status.ok()) {
            conflicts.push_back(RestoreConflict{job.record.name, "the backup is damaged: " + item.status.message()});
            continue;
          }
          TenantRecord existing;
          Status r = registry::LoadByName(txn, job.record.name, &existing);
          if (r.ok()) {
            conflicts.push_back(RestoreConflict{job.record.name, "the name was taken while restoring"});
            continue;
          }
          if (!r.IsNotFound()) return r;
          TenantRecord record = job.record;
          r = registry::Load(txn, record.id, &existing);
          const bool id_free = r.IsNotFound();
          if (!id_free && !r.ok()) return r;
          if (!job.decision.reuse_id ||
              (!id_free && (existing.state != TenantState::kPurged || existing.name != record.name))) {
            auto id = registry::NextId(txn);
            if (!id.ok()) return id.status();
            record.id = *id;
          }
          if (!id_free) record.timeline_version = std::max(record.timeline_version, existing.timeline_version);
          record.timeline_version += 1;
          record.purged_us = 0;
          record.purged_by.clear();
          record.purged_events = 0;
          r = PutLog(txn, encoder_, record.id, item);
          if (!r.ok()) return r;
          r = registry::ClaimName(txn, record.name, record.id);
          if (r.ok()) r = registry::Save(txn, record);
          if (r.ok() && record.state == TenantState::kTombstoned) {
            r = UndoTombstone(txn, &record, context, now);
          }
          // Views are caches: the tenant's first read folds its view.
          if (r.ok()) r = views::Drop(txn, record.id);
          if (!r.ok()) return r;
          restored.push_back(record.name);
          copied += item.events();
        }
        return Status::OK();
      });
      if (!w.ok()) return w;
      report.restored.insert(report.restored.end(), restored.begin(), restored.end());
      report.conflicts.insert(report.conflicts.end(), conflicts.begin(), conflicts.end());
      report.events_copied += copied;
      pending.clear();
      pending_events = 0;
      return Status::OK();
    };
    while (received < reinsert.size()) {
      CopiedTenant item = queue.Pop();
      ++received;
      if (!failure.ok()) continue;  // drain the readers
      pending_events += item.events();
      pending.push_back(std::move(item));
      if (pending_events >= kEventsPerCommit || received == reinsert.size()) {
        failure = commit();
        if (context.progress) context.progress(received, reinsert.size());
      }
    }
    for (std::thread& t : readers) t.join();
    if (!failure.ok()) return failure;
  }

  std::string outcome = std::string(context.dry_run ? "dry-run: " : "ok: ") +
                        std::to_string(report.restored.size()) + " restored, " +
                        std::to_string(report.unchanged.size()) + " unchanged, " +
                        std::to_string(report.conflicts.size()) + " conflicts, " +
                        std::to_string(report.events_copied) + " events copied from " + backup_dir;
  auto seq = AppendAudit(context, kCommand, tenants, outcome);
  if (!seq.ok()) return seq.status();
  report.audit_seq = *seq;
  return report;
}

}  // namespace tenantlog
