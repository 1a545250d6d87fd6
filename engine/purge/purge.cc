// Store::Impl::PlanPurge and Store::Impl::RunPurge: the compliance purge,
// the one operation that removes bytes (DESIGN.md, "Purge").
#include <unistd.h>
#include <xxhash.h>

#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "audit/audit_log.h"
#include "log/keys.h"
#include "purge_plan_generated.h"
#include "store_impl.h"
#include "util/aligned_bytes.h"

namespace tenantlog {

namespace {

// In `meta` from a purge's commit until a compacted copy has replaced the
// data file: the purged bytes may still be in its free space.
constexpr std::string_view kScrubPendingKey = "scrub_pending";

std::string Hex16(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string TokenOf(std::string_view plan_bytes) {
  return Hex16(XXH3_64bits(plan_bytes.data(), plan_bytes.size()));
}

std::string CanonicalPath(const std::string& path) {
  std::error_code ec;
  auto canonical = std::filesystem::weakly_canonical(path, ec);
  return ec ? path : canonical.string();
}

Status WriteFileAtomically(const std::string& path, std::string_view bytes) {
  const std::string temp = path + ".partial";
  std::FILE* f = std::fopen(temp.c_str(), "wb");
  if (f == nullptr) return Status::IOError("cannot create " + temp);
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size() &&
                       std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
  std::fclose(f);
  if (!written || std::rename(temp.c_str(), path.c_str()) != 0) {
    std::remove(temp.c_str());
    return Status::IOError("cannot write " + path);
  }
  return Status::OK();
}

Status ReadPlan(const std::string& path, std::string* bytes, std::vector<PlannedPurge>* tenants,
                int64_t* older_than_us, std::string* store_path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read purge plan " + path);
  std::ostringstream content;
  content << in.rdbuf();
  *bytes = content.str();
  if (bytes->size() < 8) return Status::InvalidArgument(path + " is not a tenantlog purge plan");
  const AlignedBytes aligned(*bytes);
  const uint8_t* data = aligned.data();
  flatbuffers::Verifier verifier(data, aligned.size());
  if (!fb::VerifyPurgePlanFileBuffer(verifier)) {
    return Status::InvalidArgument(path + " is not a tenantlog purge plan");
  }
  const fb::PurgePlanFile* plan = fb::GetPurgePlanFile(data);
  *older_than_us = plan->older_than_us();
  *store_path = plan->store_path() ? plan->store_path()->str() : "";
  tenants->clear();
  if (plan->tenants() != nullptr) {
    for (const fb::PlannedTenant* t : *plan->tenants()) {
      tenants->push_back(PlannedPurge{t->name() ? t->name()->str() : "", t->id(), t->head_seq(),
                                      t->event_count(), t->chain_head(), t->tombstoned_us()});
    }
  }
  if (tenants->empty()) return Status::InvalidArgument(path + " plans no tenants");
  return Status::OK();
}

}  // namespace

Result<PurgePlan> Store::Impl::PlanPurge(const std::vector<std::string>& requested, int64_t older_than_us,
                                         const std::string& plan_file, const AdminContext& context) {
  constexpr std::string_view kCommand = "purge plan";
  std::vector<std::string> tenants;
  Status s = CheckAdminCall(requested, context, kCommand, &tenants);
  if (!s.ok()) return s;
  if (older_than_us < 0) return Status::InvalidArgument("--older-than must not be negative");
  if (plan_file.empty()) return Status::InvalidArgument("a plan file is required");
  s = CheckBlastRadius(tenants, context);
  if (!s.ok()) return Refuse(context, kCommand, tenants, s);

  const int64_t now = Now();
  PurgePlan plan;
  plan.older_than_us = older_than_us;
  std::vector<std::string> unknown, active, young;
  s = env_->Read([&](lmdb::Txn& txn) -> Status {
    for (const std::string& name : tenants) {
      TenantRecord record;
      Status r = registry::LoadByName(txn, name, &record);
      if (r.IsNotFound()) {
        unknown.push_back(name);
        continue;
      }
      if (!r.ok()) return r;
      if (record.state != TenantState::kTombstoned) {
        active.push_back(name);
      } else if (now - record.state_changed_us < older_than_us) {
        young.push_back(name);
      } else {
        plan.tenants.push_back(PlannedPurge{record.name, record.id, record.head_seq, record.event_count,
                                            record.chain_head, record.state_changed_us});
        plan.events += record.event_count;
      }
    }
    return Status::OK();
  });
  if (!s.ok()) return s;
  std::string why;
  if (!unknown.empty()) why = ListRefusal("unknown tenants", unknown);
  else if (!active.empty()) why = ListRefusal("not tombstoned (tombstone them first)", active);
  else if (!young.empty()) why = ListRefusal("tombstoned less than --older-than ago", young);
  if (!why.empty()) return Refuse(context, kCommand, tenants, Status::Refused(why));

  flatbuffers::FlatBufferBuilder b(1024);
  std::vector<flatbuffers::Offset<fb::PlannedTenant>> planned;
  for (const PlannedPurge& t : plan.tenants) {
    planned.push_back(fb::CreatePlannedTenant(b, b.CreateString(t.tenant), t.id, t.head_seq, t.event_count,
                                              t.chain_head, t.tombstoned_us));
  }
  auto file = fb::CreatePurgePlanFile(b, now, older_than_us, b.CreateString(context.actor),
                                      b.CreateVector(planned), b.CreateString(CanonicalPath(env_->path())));
  b.Finish(file);
  const std::string_view bytes(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
  s = WriteFileAtomically(plan_file, bytes);
  if (!s.ok()) return s;
  plan.token = TokenOf(bytes);

  AdminContext planning = context;
  planning.dry_run = true;
  auto seq = AppendAudit(planning, kCommand, tenants,
                         "planned: " + std::to_string(plan.tenants.size()) + " tenants, " +
                             std::to_string(plan.events) + " events, token " + plan.token + ", plan " + plan_file);
  if (!seq.ok()) return seq.status();
  plan.audit_seq = *seq;
  return plan;
}

Result<PurgeReport> Store::Impl::RunPurge(const std::string& plan_file, const std::string& token,
                                          const AdminContext& context) {
  constexpr std::string_view kCommand = "purge run";
  if (context.actor.empty()) return Status::InvalidArgument("an actor is required for purge");
  std::string bytes, store_path;
  std::vector<PlannedPurge> planned;
  int64_t older_than_us = 0;
  Status s = ReadPlan(plan_file, &bytes, &planned, &older_than_us, &store_path);
  if (!s.ok()) return s;
  std::vector<std::string> tenants;
  for (const PlannedPurge& p : planned) tenants.push_back(p.tenant);
  if (token != TokenOf(bytes)) {
    return Refuse(context, kCommand, tenants,
                  Status::Refused("the token does not match plan " + plan_file + "; nothing purged"));
  }
  if (store_path != CanonicalPath(env_->path())) {
    return Refuse(context, kCommand, tenants,
                  Status::Refused("plan " + plan_file + " was made for the store at " + store_path +
                                  ", not this one; nothing purged"));
  }

  const int64_t now = Now();
  PurgeReport report;
  Status refusal;
  s = env_->Write([&](lmdb::Txn& txn) -> Status {
    report = PurgeReport();
    std::vector<TenantRecord> records(planned.size());
    std::vector<std::string> stale;
    for (size_t i = 0; i < planned.size(); ++i) {
      const PlannedPurge& p = planned[i];
      TenantRecord& record = records[i];
      Status r = registry::Load(txn, p.id, &record);
      if (!r.ok() && !r.IsNotFound()) return r;
      const bool unchanged = r.ok() && record.name == p.tenant && record.state == TenantState::kTombstoned &&
                             record.head_seq == p.head_seq && record.chain_head == p.chain_head &&
                             record.state_changed_us == p.tombstoned_us;
      if (!unchanged) {
        stale.push_back(p.tenant);
      } else if (now - record.state_changed_us < older_than_us) {
        stale.push_back(p.tenant + " (tombstoned less than the retention period ago)");
      }
    }
    if (!stale.empty()) {
      refusal = Status::Refused(ListRefusal("stale plan: changed since the plan", stale) +
                                " (make a new plan)");
      return refusal;
    }
    for (TenantRecord& record : records) {
      Status r = txn.DeletePrefix(txn.dbs().events, keys::TenantKey(record.id));
      if (r.ok()) r = views::Drop(txn, record.id);
      if (r.ok()) r = registry::ReleaseName(txn, record.name);
      if (!r.ok()) return r;
      report.purged.push_back(record.name);
      report.events_removed += record.event_count;
      record.state = TenantState::kPurged;
      record.state_changed_us = now;
      record.purged_us = now;
      record.purged_by = context.actor;
      record.purged_events = record.event_count;
      record.event_count = 0;
      record.timeline.clear();
      record.timeline_version += 1;
      r = registry::Save(txn, record);
      if (!r.ok()) return r;
    }
    Status r = txn.Put(txn.dbs().meta, kScrubPendingKey, "1");
    if (!r.ok()) return r;
    return AuditIn(txn, context, kCommand, tenants,
                   "ok: purged " + std::to_string(report.purged.size()) + " tenants, " +
                       std::to_string(report.events_removed) + " events",
                   &report.audit_seq);
  });
  if (!refusal.ok()) return Refuse(context, kCommand, tenants, refusal);
  if (!s.ok()) return s;

  // LMDB leaves deleted bytes in freed pages and in the unused space of
  // live pages: only a compacted copy holds none of them.
  std::error_code ec;
  const std::filesystem::path data_file = std::filesystem::path(env_->path()) / "data.mdb";
  report.store_bytes_before = std::filesystem::file_size(data_file, ec);
  s = Scrub();
  if (!s.ok()) {
    return Status::IOError("purged " + std::to_string(report.purged.size()) +
                           " tenants, but compacting the store failed, so their bytes may remain in free "
                           "space until `tenantlog compact` succeeds: " + s.message());
  }
  report.store_bytes_after = std::filesystem::file_size(data_file, ec);
  return report;
}

Status Store::Impl::Compact(const AdminContext& context) {
  if (context.actor.empty()) return Status::InvalidArgument("an actor is required for compact");
  std::error_code ec;
  const std::filesystem::path data_file = std::filesystem::path(env_->path()) / "data.mdb";
  const uint64_t before = std::filesystem::file_size(data_file, ec);
  Status s = Scrub();
  if (!s.ok()) return s;
  const uint64_t after = std::filesystem::file_size(data_file, ec);
  return AppendAudit(context, "compact", {},
                     "ok: " + std::to_string(before) + " bytes before, " + std::to_string(after) + " after")
      .status();
}

Status Store::Impl::Scrub() {
  Status s = env_->CompactInPlace();
  if (!s.ok()) return s;
  return env_->Write([](lmdb::Txn& txn) { return txn.Delete(txn.dbs().meta, kScrubPendingKey); });
}

Result<bool> ScrubPendingIn(lmdb::Txn& txn) {
  auto mark = txn.Get(txn.dbs().meta, kScrubPendingKey);
  if (mark.ok()) return true;
  if (mark.status().IsNotFound()) return false;
  return mark.status();
}

Result<bool> Store::Impl::ScrubPending() {
  bool pending = false;
  Status s = env_->Read([&](lmdb::Txn& txn) -> Status {
    auto mark = ScrubPendingIn(txn);
    if (mark.ok()) pending = *mark;
    return mark.status();
  });
  if (!s.ok()) return s;
  return pending;
}

}  // namespace tenantlog
