#include "tenantlog/store.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <set>

#include "audit/audit_log.h"
#include "store_impl.h"
#include "log/envelope.h"
#include "log/event_log.h"
#include "tenants/tenant_registry.h"
#include "timeline/timeline.h"
#include "verify/verifier.h"
#include "views/view.h"

namespace tenantlog {

namespace {

class SystemClockImpl final : public Clock {
 public:
  int64_t NowMicros() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace

const Clock& SystemClock() {
  static const SystemClockImpl clock;
  return clock;
}

Status CheckTenantName(std::string_view name) {
  if (IsValidTenantName(name)) return Status::OK();
  return Status::InvalidArgument("invalid tenant name '" + std::string(name.substr(0, 200)) +
                                 "': use 1-128 characters of A-Z a-z 0-9 . _ -");
}

namespace {

Status CheckReadable(const TenantRecord& record) {
  if (record.state == TenantState::kTombstoned) {
    return Status::TenantDeleted("tenant " + record.name + " is deleted (tombstoned); restore it to read it");
  }
  return Status::OK();
}

}  // namespace

// ---- Writing ----

Status Store::Impl::ValidateBatch(const AppendBatch& batch) const {
  if (batch.empty()) return Status::InvalidArgument("empty batch: nothing to append");
  std::optional<int64_t> last_time;
  for (size_t i = 0; i < batch.size(); ++i) {
    const DataEvent& e = batch.events()[i];
    auto where = [i] { return "event " + std::to_string(i + 1) + " of the batch: "; };
    if (e.type.empty() || e.type.size() > options_.max_type_bytes) {
      return Status::InvalidArgument(where() + "type must be 1-" + std::to_string(options_.max_type_bytes) +
                                     " bytes, got " + std::to_string(e.type.size()));
    }
    if (e.key.empty() || e.key.size() > options_.max_key_bytes) {
      return Status::InvalidArgument(where() + "key must be 1-" + std::to_string(options_.max_key_bytes) +
                                     " bytes, got " + std::to_string(e.key.size()));
    }
    if (e.op != Op::kPut && e.op != Op::kDelete) {
      return Status::InvalidArgument(where() + "unknown op " + std::to_string(static_cast<int>(e.op)));
    }
    if (e.payload.size() > options_.max_payload_bytes) {
      return Status::InvalidArgument(where() + "payload of " + std::to_string(e.payload.size()) +
                                     " bytes exceeds the limit of " +
                                     std::to_string(options_.max_payload_bytes));
    }
    if (e.time_us) {
      if (last_time && *e.time_us < *last_time) {
        return Status::InvalidArgument(where() + "time goes back within the batch");
      }
      last_time = e.time_us;
    }
  }
  return Status::OK();
}

// One caller's append waiting in the group commit queue.
struct Store::Impl::PendingAppend {
  TenantRef tenant;
  const AppendBatch* batch;
  const WriteOptions* options;
  int64_t now = 0;
  Result<AppendResult> result{Status::IOError("append not run")};
  bool done = false;
};

Result<AppendResult> Store::Impl::Append(const TenantRef& tenant, const AppendBatch& batch,
                                         const WriteOptions& write_options) {
  Status s = CheckTenantName(tenant.name);
  if (s.ok()) s = ValidateBatch(batch);
  if (!s.ok()) return s;
  PendingAppend me{tenant, &batch, &write_options};
  me.now = Now();

  // Group commit: the first waiting caller leads, committing every append
  // queued by then in one transaction (one flush); the others wait for it.
  std::unique_lock lock(group_mu_);
  group_queue_.push_back(&me);
  // The gathering leader wakes once, when its round is complete, rather
  // than at every arrival.
  if (group_gathering_ && group_queue_.size() >= group_round_) group_fill_cv_.notify_one();
  group_cv_.wait(lock, [&] { return me.done || !group_leader_active_; });
  if (me.done) return std::move(me.result);
  group_leader_active_ = true;
  // The callers of the last group return and append again a moment after
  // it committed. Without waiting for them, a leader would commit the few
  // that queued during that commit, and groups would alternate between
  // small and large. So a leader waits, for at most half the last commit's
  // time, until as many callers queue as took part in the last round.
  if (group_queue_.size() < group_round_) {
    const auto deadline = std::chrono::steady_clock::now() + group_wait_;
    group_gathering_ = true;
    group_fill_cv_.wait_until(lock, deadline, [&] { return group_queue_.size() >= group_round_; });
    group_gathering_ = false;
  }
  std::vector<PendingAppend*> group;
  while (!group_queue_.empty() && group.size() < kMaxGroupAppends) {
    group.push_back(group_queue_.front());
    group_queue_.pop_front();
  }
  lock.unlock();

  const auto started = std::chrono::steady_clock::now();
  s = env_->Write([&](lmdb::Txn& txn) -> Status {
    eventlog::LogWriter log(txn, encoder_);
    for (PendingAppend* append : group) {
      bool wrote = false;
      Status r = AppendOne(txn, log, append, &wrote);
      // A failed check fails that caller alone; a failed write fails them all.
      if (!r.ok() && wrote) return r;
    }
    return Status::OK();
  });
  const auto took = std::chrono::steady_clock::now() - started;

  lock.lock();
  bool committed = false;
  for (PendingAppend* append : group) {
    if (!s.ok()) append->result = s;
    append->done = true;
    if (append->result.ok()) {
      committed = true;
      append_stats_.appends += 1;
      append_stats_.events += append->batch->size();
    }
  }
  append_stats_.commits += committed;
  group_round_ = std::min(group.size() + group_queue_.size(), kMaxGroupAppends);
  group_wait_ = std::min<std::chrono::steady_clock::duration>(took / 2, kMaxGroupWait);
  group_leader_active_ = false;
  lock.unlock();
  group_cv_.notify_all();
  return std::move(me.result);
}

Status Store::Impl::AppendOne(lmdb::Txn& txn, eventlog::LogWriter& log, PendingAppend* append,
                              bool* wrote) {
  const AppendBatch& batch = *append->batch;
  TenantRecord record;
  Status s = LoadTenant(txn, append->tenant, &record);
  const bool created = s.IsNotFound() && append->tenant.id == 0;
  if (created) {
    record = TenantRecord();
    record.name = std::string(append->tenant.name);
  } else if (!s.ok()) {
    append->result = s;
    return s;
  }
  auto fail = [&](Status status) {
    append->result = status;
    return status;
  };
  if (record.state == TenantState::kTombstoned) {
    return fail(Status::TenantDeleted("tenant " + record.name +
                                      " is deleted (tombstoned); restore it before appending"));
  }
  const std::optional<uint64_t>& expected = append->options->expected_head_seq;
  if (expected && *expected != record.head_seq) {
    return fail(Status::Conflict("tenant " + record.name + " is at seq " + std::to_string(record.head_seq) +
                                 ", expected " + std::to_string(*expected) + "; nothing appended"));
  }
  // Every time is fixed and checked before anything is written.
  std::vector<int64_t> times(batch.size());
  std::optional<int64_t> last;
  if (record.head_seq != 0) last = record.updated_us;
  for (size_t i = 0; i < batch.size(); ++i) {
    const DataEvent& e = batch.events()[i];
    if (e.time_us && last && *e.time_us < *last) {
      return fail(Status::InvalidArgument("event " + std::to_string(i + 1) + " of the batch: time " +
                                          std::to_string(*e.time_us) + " is before the last event of tenant " +
                                          record.name + " (" + std::to_string(*last) + ")"));
    }
    times[i] = e.time_us ? *e.time_us : std::max(append->now, last.value_or(append->now));
    last = times[i];
  }

  *wrote = true;
  if (created) {
    s = registry::Create(txn, append->tenant.name, append->now, &record);
    if (!s.ok()) return fail(s);
  }
  AppendResult result;
  result.first_seq = record.head_seq + 1;
  // A batch of a page or more fills its pages (LogWriter::SetAside).
  size_t batch_bytes = 0;
  for (const DataEvent& e : batch.events()) batch_bytes += e.type.size() + e.key.size() + e.payload.size();
  const bool fills_pages = batch_bytes >= txn.page_bytes();
  if (fills_pages) {
    s = log.SetAside(record.id, result.first_seq);
    if (!s.ok()) return fail(s);
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    const DataEvent& e = batch.events()[i];
    EventFields fields;
    fields.time_us = times[i];
    fields.kind = EventKind::kData;
    fields.type = e.type;
    fields.key = e.key;
    fields.op = e.op;
    fields.payload = e.payload;
    s = log.Append(fields, &record);
    if (!s.ok()) return fail(s);
  }
  if (fills_pages) {
    s = log.PutBack();
    if (!s.ok()) return fail(s);
  }
  s = registry::Save(txn, record);
  if (!s.ok()) return fail(s);
  result.last_seq = record.head_seq;
  result.chain_head = record.chain_head;
  append->result = result;
  return Status::OK();
}

// ---- Reading ----

Status Store::Impl::LoadTenant(lmdb::Txn& txn, const TenantRef& tenant, TenantRecord* record) const {
  Status s = CheckTenantName(tenant.name);
  if (s.ok()) s = registry::LoadByName(txn, tenant.name, record);
  if (s.ok() && tenant.id != 0 && record->id != tenant.id) {
    return Status::NotFound("tenant " + record->name + " was purged; the name now belongs to another tenant");
  }
  return s;
}

Status Store::Impl::LoadReadable(lmdb::Txn& txn, const TenantRef& tenant, TenantRecord* record) const {
  Status s = LoadTenant(txn, tenant, record);
  if (s.ok()) s = CheckReadable(*record);
  return s;
}

Result<uint64_t> Store::Impl::Resolve(lmdb::Txn& txn, const TenantRecord& record,
                                      const Point& point) const {
  if (point.is_time()) return eventlog::SeqAtTime(txn, record, point.time_us());
  if (point.seq() > record.head_seq) {
    return Status::InvalidArgument("seq " + std::to_string(point.seq()) + " is beyond the head (" +
                                   std::to_string(record.head_seq) + ") of tenant " + record.name);
  }
  return point.seq();
}

Result<std::vector<Event>> Store::Impl::ReadLog(const TenantRef& tenant, uint64_t from_seq,
                                                size_t limit) {
  std::vector<Event> events;
  Status s = env_->Read([&](lmdb::Txn& txn) -> Status {
    TenantRecord record;
    Status found = LoadTenant(txn, tenant, &record);
    if (!found.ok()) return found;
    const uint64_t first = std::max<uint64_t>(from_seq, 1);
    if (first > record.head_seq || limit == 0) return Status::OK();
    const uint64_t last = std::min<uint64_t>(record.head_seq, first + std::min<uint64_t>(limit, record.head_seq) - 1);
    return eventlog::Scan(txn, record, first, last, [&](const EventDecoder& e) {
      events.push_back(e.ToEvent());
      return Status::OK();
    });
  });
  if (!s.ok()) return s;
  return events;
}

Status Store::Impl::WithView(
    const TenantRef& tenant, const ReadOptions& options,
    const std::function<Status(lmdb::Txn&, const TenantRecord&, const views::ViewDef&)>& persisted,
    const std::function<Status(const TenantRecord&, const views::Folded&)>& folded) {
  auto found = views_->Find(options.view);
  if (!found.ok()) return found.status();
  const views::ViewDef& view = **found;
  if (options.as_of) {
    return env_->Read([&](lmdb::Txn& txn) -> Status {
      TenantRecord record;
      Status r = LoadReadable(txn, tenant, &record);
      if (!r.ok()) return r;
      auto at = Resolve(txn, record, *options.as_of);
      if (!at.ok()) return at.status();
      views::Folded state;
      r = views::FoldAsOf(txn, record, view, *at, &state);
      return r.ok() ? folded(record, state) : r;
    });
  }
  bool done = false;
  // A view to rebuild is folded in the read transaction, so that the store's
  // writers wait for the events appended meanwhile to be applied and the
  // view stored, not for a fold of the whole log (a map growth, though,
  // waits for the fold). `rebuilt` is the fold of
  // `folded_from`'s history up to seq `rebuilt_seq`. One read at a time
  // rebuilds a view (it holds `lead`); the others wait for it outside any
  // transaction, then read again, as does a read whose snapshot may predate
  // a rebuild stored meanwhile.
  std::optional<views::RebuildLatch::Lead> lead;
  std::optional<views::Folded> rebuilt;
  TenantRecord folded_from;
  uint64_t rebuilt_seq = 0;
  Status s;
  for (;;) {
    std::optional<uint64_t> rebuilt_elsewhere;  // the tenant whose lead was refused
    const uint64_t generation = rebuilds_.generation();
    s = env_->Read([&](lmdb::Txn& txn) -> Status {
      rebuilt_elsewhere.reset();
      rebuilt.reset();
      TenantRecord record;
      Status r = LoadReadable(txn, tenant, &record);
      if (!r.ok()) return r;
      auto current = views::IsCurrent(txn, record, view);
      if (!current.ok()) return current.status();
      if (*current) {
        done = true;
        return persisted(txn, record, view);
      }
      if (!env_->read_only() && view.persisted()) {
        auto rebuild = views::NeedsRebuild(txn, record, view);
        if (!rebuild.ok()) return rebuild.status();
        if (!*rebuild) return Status::OK();
        lead = rebuilds_.TryLead(record.id, view.id(), generation);
        if (!lead) {
          rebuilt_elsewhere = record.id;
          return Status::OK();
        }
        rebuilt.emplace();
        folded_from = record;
        rebuilt_seq = record.head_seq;
        return views::FoldAsOf(txn, record, view, record.head_seq, &*rebuilt, /*track_deletes=*/true);
      }
      done = true;
      views::Folded state;
      r = views::FoldAsOf(txn, record, view, record.head_seq, &state);
      return r.ok() ? folded(record, state) : r;
    });
    if (!s.ok() || done || !rebuilt_elsewhere) break;
    rebuilds_.Wait(*rebuilt_elsewhere, view.id());
  }
  if (!s.ok() || done) return s;
  s = env_->Write([&](lmdb::Txn& txn) -> Status {
    TenantRecord record;
    Status r = LoadReadable(txn, tenant, &record);
    if (!r.ok()) return r;
    auto current = views::IsCurrent(txn, record, view);
    if (!current.ok()) return current.status();
    if (*current) return persisted(txn, record, view);
    // Within one timeline version of a tenant, its log only grows by data
    // events, so the fold extends to the head; after a rewind, tombstone,
    // restore or purge, CatchUp folds again under the write lock.
    bool extends = rebuilt && record.id == folded_from.id &&
                   record.timeline_version == folded_from.timeline_version &&
                   record.head_seq >= rebuilt_seq;
    if (extends) {
      auto chain = eventlog::ChainAt(txn, record, folded_from.head_seq);
      if (!chain.ok()) return chain.status();
      extends = *chain == folded_from.chain_head;
    }
    if (extends) {
      // Progress is kept across a re-run of this transaction (map growth):
      // the events applied are committed ones.
      r = views::Advance(txn, record, view, rebuilt_seq, &*rebuilt);
      if (!r.ok()) {
        rebuilt.reset();  // applied in part
        return r;
      }
      rebuilt_seq = record.head_seq;
      r = views::Replace(txn, record, view, *rebuilt, options_.view_checkpoint_interval);
    } else {
      rebuilt.reset();  // none, or of a history the tenant no longer has
      r = views::CatchUp(txn, record, view, options_.view_checkpoint_interval);
    }
    if (r.ok()) r = persisted(txn, record, view);
    return r;
  });
  if (!s.IsIOError()) return s;
  lead.reset();
  // The caught-up view could not be written (a full disk, say): the read is
  // answered from a fold in memory, as in a read-only store, and a later
  // read that can write stores the view. `rebuilt`, when set, is a fold of
  // the tenant's committed history up to seq rebuilt_seq (folded_from names
  // the tenant).
  if (rebuilt) return folded(folded_from, *rebuilt);
  return env_->Read([&](lmdb::Txn& txn) -> Status {
    TenantRecord record;
    Status r = LoadReadable(txn, tenant, &record);
    if (!r.ok()) return r;
    views::Folded state;
    r = views::FoldAsOf(txn, record, view, record.head_seq, &state);
    return r.ok() ? folded(record, state) : r;
  });
}

Result<std::string> Store::Impl::Get(const TenantRef& tenant, std::string_view key,
                                     const ReadOptions& options) {
  std::string payload;
  Status s = WithView(
      tenant, options,
      [&](lmdb::Txn& txn, const TenantRecord& record, const views::ViewDef& view) -> Status {
        auto value = views::Get(txn, record, view, key);
        if (!value.ok()) return value.status();
        payload = std::move(*value);
        return Status::OK();
      },
      [&](const TenantRecord& record, const views::Folded& state) -> Status {
        auto it = state.live.find(key);
        if (it == state.live.end()) return views::KeyNotFound(record, key);
        payload = it->second.payload;
        return Status::OK();
      });
  if (!s.ok()) return s;
  return payload;
}

Result<std::vector<KeyValue>> Store::Impl::List(const TenantRef& tenant, const ReadOptions& options) {
  std::vector<KeyValue> out;
  Status s = WithView(
      tenant, options,
      [&](lmdb::Txn& txn, const TenantRecord& record, const views::ViewDef& view) {
        return views::List(txn, record, view, &out);
      },
      [&](const TenantRecord&, const views::Folded& state) -> Status {
        out.clear();
        for (const auto* entry : state.Sorted()) out.push_back(KeyValue{entry->first, entry->second.payload});
        return Status::OK();
      });
  if (!s.ok()) return s;
  return out;
}

Result<TenantInfo> Store::Impl::Describe(const TenantRef& tenant) {
  TenantInfo info;
  Status s = env_->Read([&](lmdb::Txn& txn) -> Status {
    TenantRecord record;
    Status r = LoadTenant(txn, tenant, &record);
    if (r.ok()) info = record.ToInfo();
    return r;
  });
  if (!s.ok()) return s;
  return info;
}

Result<std::vector<TenantInfo>> Store::Impl::Tenants() {
  std::vector<TenantInfo> out;
  Status s = env_->Read([&](lmdb::Txn& txn) -> Status {
    out.clear();
    return registry::ForEach(txn, [&](const TenantRecord& record) {
      out.push_back(record.ToInfo());
      return Status::OK();
    });
  });
  if (!s.ok()) return s;
  std::sort(out.begin(), out.end(), [](const TenantInfo& a, const TenantInfo& b) {
    return a.name != b.name ? a.name < b.name : a.id < b.id;
  });
  return out;
}

Result<uint64_t> Store::Impl::ResolvePoint(const TenantRef& tenant, const Point& point) {
  uint64_t seq = 0;
  Status s = env_->Read([&](lmdb::Txn& txn) -> Status {
    TenantRecord record;
    Status r = LoadTenant(txn, tenant, &record);
    if (!r.ok()) return r;
    auto at = Resolve(txn, record, point);
    if (!at.ok()) return at.status();
    seq = *at;
    return Status::OK();
  });
  if (!s.ok()) return s;
  return seq;
}

namespace {

// The first rewind marker in (from, to] that went back before `put_seq`:
// the control event that hid a key set by that put. 0 when none.
uint64_t HidingMarker(const TenantRecord& record, uint64_t from, uint64_t to, uint64_t put_seq) {
  for (const RewindMarker& m : record.timeline) {
    if (m.at > from && m.at <= to && m.target < put_seq) return m.at;
  }
  return put_seq;
}

}  // namespace

Result<ViewDiff> Store::Impl::Diff(const TenantRef& tenant, const Point& from,
                                   const std::optional<Point>& to) {
  ViewDiff diff;
  Status s = env_->Read([&](lmdb::Txn& txn) -> Status {
    TenantRecord record;
    Status r = LoadReadable(txn, tenant, &record);
    if (!r.ok()) return r;
    auto from_seq = Resolve(txn, record, from);
    if (!from_seq.ok()) return from_seq.status();
    auto to_seq = to ? Resolve(txn, record, *to) : Result<uint64_t>(record.head_seq);
    if (!to_seq.ok()) return to_seq.status();
    views::Folded before, after;
    const views::ViewDef& view = views::ViewDef::Builtin();
    r = views::FoldAsOf(txn, record, view, *from_seq, &before, /*track_deletes=*/true);
    if (r.ok()) r = views::FoldAsOf(txn, record, view, *to_seq, &after, /*track_deletes=*/true);
    if (!r.ok()) return r;
    diff = views::Compare(before, after, [&](uint64_t put_seq) {
      return HidingMarker(record, *from_seq, *to_seq, put_seq);
    });
    return Status::OK();
  });
  if (!s.ok()) return s;
  return diff;
}

// ---- Administration ----

AuditEntry Store::Impl::MakeAudit(const AdminContext& context, std::string_view default_command,
                                  const std::vector<std::string>& tenants, std::string outcome) const {
  AuditEntry entry;
  entry.time_us = Now();
  entry.actor = context.actor;
  entry.command = context.command.empty() ? std::string(default_command) : context.command;
  entry.arguments = context.arguments;
  entry.dry_run = context.dry_run;
  entry.tenants = tenants;
  entry.outcome = std::move(outcome);
  return entry;
}

Status Store::Impl::AuditIn(lmdb::Txn& txn, const AdminContext& context, std::string_view default_command,
                            const std::vector<std::string>& tenants, std::string outcome,
                            uint64_t* audit_seq) const {
  auto seq = audit::Append(txn, MakeAudit(context, default_command, tenants, std::move(outcome)));
  if (!seq.ok()) return seq.status();
  *audit_seq = *seq;
  return Status::OK();
}

Status Store::Impl::Refuse(const AdminContext& context, std::string_view command,
                           const std::vector<std::string>& tenants, const Status& refusal) {
  auto recorded = AppendAudit(context, command, tenants, "refused: " + refusal.message());
  if (!recorded.ok()) return recorded.status();
  return refusal;
}

Status Store::Impl::CheckAdminCall(const std::vector<std::string>& requested,
                                   const AdminContext& context, std::string_view command,
                                   std::vector<std::string>* tenants) {
  if (context.actor.empty()) return Status::InvalidArgument("an actor is required for " + std::string(command));
  if (requested.empty()) return Status::InvalidArgument("no tenants given to " + std::string(command));
  tenants->clear();
  std::set<std::string_view> seen;
  for (const std::string& name : requested) {
    Status s = CheckTenantName(name);
    if (!s.ok()) return s;
    if (seen.insert(name).second) tenants->push_back(name);
  }
  return Status::OK();
}

Status Store::Impl::AppendControl(lmdb::Txn& txn, TenantRecord* record, EventKind kind,
                                  const AdminContext& context, int64_t now, uint64_t rewind_target) {
  EventFields fields;
  fields.time_us = std::max(now, record->updated_us);
  fields.kind = kind;
  fields.actor = context.actor;
  fields.reason = context.reason;
  fields.rewind_target = rewind_target;
  return eventlog::LogWriter(txn, encoder_).Append(fields, record);
}

Status Store::Impl::UndoTombstone(lmdb::Txn& txn, TenantRecord* record, const AdminContext& context,
                                  int64_t now) {
  Status s = AppendControl(txn, record, EventKind::kRestore, context, now);
  if (!s.ok()) return s;
  record->state = TenantState::kActive;
  record->state_changed_us = record->updated_us;
  record->timeline_version += 1;
  return registry::Save(txn, *record);
}

std::string ListRefusal(std::string_view what, const std::vector<std::string>& tenants) {
  std::string names;
  for (size_t i = 0; i < tenants.size() && i < 20; ++i) names += (i ? ", " : "") + tenants[i];
  if (tenants.size() > 20) names += ", … (" + std::to_string(tenants.size()) + " in all)";
  return std::string(what) + ": " + names + "; nothing changed";
}

Status CheckBlastRadius(const std::vector<std::string>& tenants, const AdminContext& context) {
  if (tenants.size() <= context.max_tenants) return Status::OK();
  return Status::Refused(std::to_string(tenants.size()) + " tenants named, more than the limit of " +
                         std::to_string(context.max_tenants) + " (--max-tenants); nothing changed");
}

Result<BulkReport> Store::Impl::Bulk(const std::vector<std::string>& requested,
                                     const AdminContext& context, TenantState target) {
  const bool tombstone = target == TenantState::kTombstoned;
  const std::string_view command = tombstone ? "tombstone" : "restore";
  std::vector<std::string> tenants;
  Status s = CheckAdminCall(requested, context, command, &tenants);
  if (!s.ok()) return s;
  s = CheckBlastRadius(tenants, context);
  if (!s.ok()) return Refuse(context, command, tenants, s);
  const int64_t now = Now();
  BulkReport report;
  Status refusal;
  s = env_->Write([&](lmdb::Txn& txn) -> Status {
    report = BulkReport();
    report.dry_run = context.dry_run;
    std::vector<TenantRecord> records(tenants.size());
    std::vector<std::string> unknown;
    for (size_t i = 0; i < tenants.size(); ++i) {
      Status r = registry::LoadByName(txn, tenants[i], &records[i]);
      if (r.IsNotFound()) {
        unknown.push_back(tenants[i]);
      } else if (!r.ok()) {
        return r;
      }
    }
    if (!unknown.empty()) {
      refusal = Status::Refused(ListRefusal("unknown tenants", unknown));
      return refusal;
    }
    for (TenantRecord& record : records) {
      if (record.state == target) {
        report.unchanged.push_back(record.name);
        continue;
      }
      report.changed.push_back(record.name);
      if (context.dry_run) continue;
      Status r;
      if (tombstone) {
        r = AppendControl(txn, &record, EventKind::kTombstone, context, now);
        record.state = TenantState::kTombstoned;
        record.state_changed_us = record.updated_us;
        record.timeline_version += 1;
        if (r.ok()) r = views::Drop(txn, record.id);
        if (r.ok()) r = registry::Save(txn, record);
      } else {
        r = UndoTombstone(txn, &record, context, now);
      }
      if (!r.ok()) return r;
    }
    std::string outcome = context.dry_run ? "dry-run: " : "ok: ";
    outcome += std::to_string(report.changed.size()) + " changed, " +
               std::to_string(report.unchanged.size()) + " unchanged";
    return AuditIn(txn, context, command, tenants, outcome, &report.audit_seq);
  });
  if (!refusal.ok()) return Refuse(context, command, tenants, refusal);
  if (!s.ok()) return s;
  return report;
}

Result<RewindReport> Store::Impl::Rewind(std::string_view tenant, const Point& to,
                                         const AdminContext& context) {
  constexpr std::string_view kCommand = "rewind";
  if (context.actor.empty()) return Status::InvalidArgument("an actor is required for rewind");
  Status s = CheckTenantName(tenant);
  if (!s.ok()) return s;
  const std::vector<std::string> tenants{std::string(tenant)};
  const int64_t now = Now();
  RewindReport report;
  Status refusal;
  s = env_->Write([&](lmdb::Txn& txn) -> Status {
    report = RewindReport();
    report.dry_run = context.dry_run;
    TenantRecord record;
    Status r = registry::LoadByName(txn, tenant, &record);
    if (!r.ok()) return r;
    if (record.state != TenantState::kActive) {
      refusal = Status::Refused("tenant " + record.name + " is " +
                                std::string(TenantStateName(record.state)) + "; restore it before rewinding");
      return refusal;
    }
    auto target = Resolve(txn, record, to);
    if (!target.ok()) return target.status();
    report.target_seq = *target;
    views::Folded current, wanted;
    const views::ViewDef& view = views::ViewDef::Builtin();
    r = views::FoldAsOf(txn, record, view, record.head_seq, &current, /*track_deletes=*/true);
    if (r.ok()) r = views::FoldAsOf(txn, record, view, *target, &wanted, /*track_deletes=*/true);
    if (!r.ok()) return r;
    const uint64_t marker_seq = record.head_seq + 1;
    report.diff = views::Compare(current, wanted, [&](uint64_t) { return marker_seq; });
    report.changed = timeline::EffectiveRanges(record.timeline, *target) != timeline::CurrentRanges(record);
    std::string outcome = !report.changed ? "unchanged: already shows seq " + std::to_string(*target)
                          : context.dry_run ? "dry-run: would rewind to seq " + std::to_string(*target)
                                            : "ok: rewound to seq " + std::to_string(*target);
    if (report.changed && !context.dry_run) {
      r = AppendControl(txn, &record, EventKind::kRewind, context, now, *target);
      if (!r.ok()) return r;
      record.timeline.push_back(RewindMarker{record.head_seq, *target});
      record.timeline_version += 1;
      report.marker_seq = record.head_seq;
      r = registry::Save(txn, record);
      // The new current state is the target's: it becomes the built-in view
      // at once (application views are rebuilt at their next read).
      if (r.ok()) r = views::Replace(txn, record, view, wanted, options_.view_checkpoint_interval);
      if (!r.ok()) return r;
    }
    return AuditIn(txn, context, kCommand, tenants, outcome, &report.audit_seq);
  });
  if (!refusal.ok()) return Refuse(context, kCommand, tenants, refusal);
  if (!s.ok()) return s;
  return report;
}

Result<VerifyReport> Store::Impl::Verify(const std::vector<std::string>& tenants) {
  VerifyReport report;
  Status s = env_->Read([&](lmdb::Txn& txn) -> Status {
    report = VerifyReport();
    auto check = [&](const TenantRecord& record) -> Status {
      auto events = verify::VerifyTenant(txn, record, &report.damaged);
      if (!events.ok()) return events.status();
      report.tenants += 1;
      report.events += *events;
      return Status::OK();
    };
    if (tenants.empty()) {
      Status r = registry::ForEach(txn, check, [&](uint64_t id, const Status& damage) {
        report.damaged.push_back(Damage{"(tenant id " + std::to_string(id) + ")", 0, damage.message()});
      });
      if (!r.ok()) return r;
      r = verify::VerifyNames(txn, &report.damaged);
      if (!r.ok()) return r;
      auto audited = audit::Verify(txn, &report.damaged);
      if (!audited.ok()) return audited.status();
      auto pending = ScrubPendingIn(txn);
      if (!pending.ok()) return pending.status();
      if (*pending) {
        report.damaged.push_back(Damage{"(store)", 0,
                                        "a purge was cut short before its compaction: purged bytes may remain "
                                        "in the store file until a writable open or `tenantlog compact` "
                                        "finishes it"});
      }
      return Status::OK();
    }
    std::vector<std::string> unknown;
    for (const std::string& name : tenants) {
      TenantRecord record;
      Status r = CheckTenantName(name);
      if (!r.ok()) return r;
      if (registry::LoadByName(txn, name, &record).IsNotFound()) unknown.push_back(name);
    }
    if (!unknown.empty()) return Status::Refused(ListRefusal("unknown tenants", unknown));
    for (const std::string& name : tenants) {
      TenantRecord record;
      Status r = registry::LoadByName(txn, name, &record);
      if (r.IsCorruption()) {
        report.damaged.push_back(Damage{name, 0, r.message()});
        continue;
      }
      if (r.ok()) r = check(record);
      if (!r.ok()) return r;
    }
    return Status::OK();
  });
  // Damage LMDB meets on its way to the events (a page that is not where
  // its parent says) ends the pass: it is reported with what was found so far.
  if (s.IsCorruption()) {
    report.damaged.push_back(Damage{"(store)", 0, s.message()});
  } else if (!s.ok()) {
    return s;
  }
  report.ok = report.damaged.empty();
  return report;
}

Result<uint64_t> Store::Impl::AppendAudit(const AdminContext& context,
                                          std::string_view default_command,
                                          const std::vector<std::string>& tenants,
                                          std::string_view outcome) {
  if (context.actor.empty()) return Status::InvalidArgument("an actor is required for the audit log");
  uint64_t seq = 0;
  Status s = env_->Write([&](lmdb::Txn& txn) {
    return AuditIn(txn, context, default_command, tenants, std::string(outcome), &seq);
  });
  if (!s.ok()) return s;
  return seq;
}

Result<uint64_t> Store::Impl::RecordAudit(const AdminContext& context,
                                          const std::vector<std::string>& tenants,
                                          std::string_view outcome) {
  return AppendAudit(context, "", tenants, outcome);
}

Result<std::vector<AuditEntry>> Store::Impl::Audit(int64_t since_us) {
  std::vector<AuditEntry> out;
  Status s = env_->Read([&](lmdb::Txn& txn) { return audit::ReadSince(txn, since_us, &out); });
  if (!s.ok()) return s;
  return out;
}

// ---- Subscriptions ----

Result<std::unique_ptr<Subscription>> Store::Impl::Subscribe(std::string_view tenant,
                                                             uint64_t after_position) {
  Status s = CheckTenantName(tenant);
  if (!s.ok()) return s;
  return subscription::Subscribe(env_.get(), &commits_, tenant, after_position);
}

// ---- Store ----

Status Store::Open(const Options& options, const std::string& dir, std::unique_ptr<Store>* store) {
  if (options.max_key_bytes == 0 || options.max_key_bytes > kMaxEntityKeyBytes) {
    return Status::InvalidArgument("Options::max_key_bytes must be 1-" + std::to_string(kMaxEntityKeyBytes) +
                                   ", got " + std::to_string(options.max_key_bytes));
  }
  if (options.max_type_bytes == 0 || options.max_readers == 0) {
    return Status::InvalidArgument("Options::max_type_bytes and max_readers must be positive");
  }
  Status s = views::ViewRegistry::Check(options.reducers);
  if (!s.ok()) return s;
  lmdb::EnvOptions env_options;
  env_options.create_if_missing = options.create_if_missing;
  env_options.read_only = options.read_only;
  env_options.sync = options.sync;
  env_options.initial_map_bytes = options.initial_map_bytes;
  env_options.max_map_bytes = options.max_map_bytes;
  env_options.max_readers = options.max_readers;
  std::unique_ptr<lmdb::LmdbEnv> env;
  s = lmdb::LmdbEnv::Open(env_options, dir, &env);
  if (!s.ok()) return s;
  std::unique_ptr<views::ViewRegistry> views;
  s = views::ViewRegistry::Build(*env, options.reducers, &views);
  if (!s.ok()) return s;
  auto impl = std::make_unique<Impl>(options, std::move(env), std::move(views));
  if (!options.read_only) {
    auto pending = impl->ScrubPending();
    if (!pending.ok()) return pending.status();
    if (*pending && !(s = impl->Scrub()).ok()) {
      return Status::IOError("a purge was cut short before its compaction, and finishing it failed, so purged "
                             "bytes may remain in the store file (free disk space and open it again): " +
                             s.message());
    }
  }
  store->reset(new Store(std::move(impl)));
  return Status::OK();
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Result<AppendResult> Store::Append(std::string_view tenant, const AppendBatch& batch,
                                   const WriteOptions& options) {
  return impl_->Append(tenant, batch, options);
}
Result<std::vector<Event>> Store::ReadLog(std::string_view tenant, uint64_t from_seq, size_t limit) {
  return impl_->ReadLog(tenant, from_seq, limit);
}
Result<std::string> Store::Get(std::string_view tenant, std::string_view key, const ReadOptions& options) {
  return impl_->Get(tenant, key, options);
}
Result<std::vector<KeyValue>> Store::List(std::string_view tenant, const ReadOptions& options) {
  return impl_->List(tenant, options);
}
Result<TenantInfo> Store::Describe(std::string_view tenant) { return impl_->Describe(tenant); }
Result<std::vector<TenantInfo>> Store::Tenants() { return impl_->Tenants(); }
Result<uint64_t> Store::ResolvePoint(std::string_view tenant, const Point& point) {
  return impl_->ResolvePoint(tenant, point);
}
Result<ViewDiff> Store::Diff(std::string_view tenant, const Point& from, const std::optional<Point>& to) {
  return impl_->Diff(tenant, from, to);
}
Result<BulkReport> Store::Tombstone(const std::vector<std::string>& tenants, const AdminContext& context) {
  return impl_->Bulk(tenants, context, TenantState::kTombstoned);
}
Result<BulkReport> Store::Restore(const std::vector<std::string>& tenants, const AdminContext& context) {
  return impl_->Bulk(tenants, context, TenantState::kActive);
}
Result<RewindReport> Store::Rewind(std::string_view tenant, const Point& to, const AdminContext& context) {
  return impl_->Rewind(tenant, to, context);
}
Result<VerifyReport> Store::Verify(const std::vector<std::string>& tenants) {
  return impl_->Verify(tenants);
}
Result<uint64_t> Store::RecordAudit(const AdminContext& context, const std::vector<std::string>& tenants,
                                    std::string_view outcome) {
  return impl_->RecordAudit(context, tenants, outcome);
}
Result<std::vector<AuditEntry>> Store::Audit(int64_t since_us) { return impl_->Audit(since_us); }
Result<BackupReport> Store::Backup(const std::string& dir, const AdminContext& context) {
  return impl_->Backup(dir, context);
}
Result<RestoreReport> Store::RestoreFromBackup(const std::string& backup_dir,
                                               const std::vector<std::string>& tenants,
                                               const AdminContext& context) {
  return impl_->RestoreFromBackup(backup_dir, tenants, context);
}
Result<ExportReport> Store::Export(std::string_view tenant, const std::string& file) {
  return impl_->Export(tenant, file);
}
Result<ImportReport> Store::Import(const std::string& file, const std::string& as_name,
                                   const AdminContext& context) {
  return impl_->Import(file, as_name, context);
}
Result<PurgePlan> Store::PlanPurge(const std::vector<std::string>& tenants, int64_t older_than_us,
                                   const std::string& plan_file, const AdminContext& context) {
  return impl_->PlanPurge(tenants, older_than_us, plan_file, context);
}
Result<PurgeReport> Store::RunPurge(const std::string& plan_file, const std::string& token,
                                    const AdminContext& context) {
  return impl_->RunPurge(plan_file, token, context);
}
Status Store::Compact(const AdminContext& context) { return impl_->Compact(context); }
Result<std::unique_ptr<Subscription>> Store::Subscribe(std::string_view tenant, uint64_t after_position) {
  return impl_->Subscribe(tenant, after_position);
}
const std::string& Store::path() const { return impl_->path(); }

AppendStats Store::append_stats() const { return impl_->append_stats(); }
ViewStats Store::view_stats() const { return impl_->view_stats(); }

}  // namespace tenantlog
