// Store::Impl::Export and Store::Impl::Import: moving one tenant between
// stores through the portable export file.
#include "audit/audit_log.h"
#include "exchange/export_file.h"
#include "log/event_log.h"
#include "store_impl.h"

namespace tenantlog {

Result<ExportReport> Store::Impl::Export(std::string_view tenant, const std::string& file) {
  Status s = CheckTenantName(tenant);
  if (!s.ok()) return s;
  ExportReport report;
  exchange::ExportWriter writer;
  s = env_->Read([&](lmdb::Txn& txn) -> Status {
    TenantRecord record;
    Status r = registry::LoadByName(txn, tenant, &record);
    if (!r.ok()) return r;
    exchange::ExportHeaderFields header;
    header.tenant = record.name;
    header.event_count = record.head_seq;
    header.head_seq = record.head_seq;
    header.exported_us = Now();
    header.source_tenant_id = record.id;
    r = writer.Open(file, header);
    if (r.ok()) {
      r = eventlog::Scan(txn, record, 1, record.head_seq,
                         [&](const EventDecoder& e) { return writer.WriteEvent(e.record()); });
    }
    if (!r.ok()) return r;
    auto bytes = writer.Finish(record.head_seq, record.chain_head);
    if (!bytes.ok()) return bytes.status();
    report.tenant = record.name;
    report.events = record.head_seq;
    report.chain_head = record.chain_head;
    report.bytes = *bytes;
    return Status::OK();
  });
  if (!s.ok()) return s;
  return report;
}

namespace {

// Rebuilds a tenant record from the events of its log, as they are read.
class RecordBuilder {
 public:
  void Add(const EventDecoder& e) {
    if (e.seq() == 1) record_.created_us = e.time_us();
    record_.head_seq = e.seq();
    record_.event_count += 1;
    record_.chain_head = e.chain();
    record_.updated_us = e.time_us();
    switch (e.kind()) {
      case EventKind::kTombstone:
        record_.state = TenantState::kTombstoned;
        record_.state_changed_us = e.time_us();
        break;
      case EventKind::kRestore:
        record_.state = TenantState::kActive;
        record_.state_changed_us = e.time_us();
        break;
      case EventKind::kRewind:
        record_.timeline.push_back(RewindMarker{e.seq(), e.rewind_target()});
        break;
      case EventKind::kData:
        break;
    }
  }
  TenantRecord Finish(uint64_t id, const std::string& name) {
    TenantRecord r = record_;
    r.id = id;
    r.name = name;
    if (r.state_changed_us == 0) r.state_changed_us = r.created_us;
    r.timeline_version = 1;
    return r;
  }

 private:
  TenantRecord record_;
};

}  // namespace

Result<ImportReport> Store::Impl::Import(const std::string& file, const std::string& as_name,
                                         const AdminContext& context) {
  constexpr std::string_view kCommand = "import";
  if (context.actor.empty()) return Status::InvalidArgument("an actor is required for import");
  if (!as_name.empty()) {
    Status s = CheckTenantName(as_name);
    if (!s.ok()) return s;
  }
  // Check the whole file before taking the write lock.
  exchange::ExportSummary summary;
  Status s = exchange::ReadExport(file, &summary, [](std::string_view, const EventDecoder&) { return Status::OK(); });
  if (!s.ok()) return s;
  const std::string name = as_name.empty() ? summary.header.tenant : as_name;
  const std::vector<std::string> tenants{name};

  ImportReport report;
  Status refusal;
  s = env_->Write([&](lmdb::Txn& txn) -> Status {
    TenantRecord existing;
    Status r = registry::LoadByName(txn, name, &existing);
    if (r.ok()) {
      refusal = Status::Refused("tenant name " + name + " is taken (import it under another name with --as)");
      return refusal;
    }
    if (!r.IsNotFound()) return r;
    auto id = registry::NextId(txn);
    if (!id.ok()) return id.status();
    RecordBuilder builder;
    eventlog::LogWriter log(txn, encoder_);
    exchange::ExportSummary again;
    // Read again inside the transaction: the file may have changed since the
    // check, and the writes are kept only if this pass checks out too.
    r = exchange::ReadExport(file, &again, [&](std::string_view stored, const EventDecoder& e) {
      builder.Add(e);
      return log.PutStored(*id, e.seq(), stored);
    });
    if (!r.ok()) return r;
    const TenantRecord record = builder.Finish(*id, name);
    r = registry::ClaimName(txn, name, *id);
    if (r.ok()) r = registry::Save(txn, record);
    if (!r.ok()) return r;
    report = ImportReport();
    report.tenant = name;
    report.events = record.event_count;
    report.chain_head = record.chain_head;
    report.state = record.state;
    return AuditIn(txn, context, kCommand, tenants,
                   "ok: " + std::to_string(record.event_count) + " events from " + file, &report.audit_seq);
  });
  if (!refusal.ok()) return Refuse(context, kCommand, tenants, refusal);
  if (!s.ok()) return s;
  return report;
}

}  // namespace tenantlog
