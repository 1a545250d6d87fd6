// Data lifecycle commands: backup, restore-from-backup, export, import,
// purge plan, purge run and compact (DESIGN.md, "Backups, restore from
// backup, export" and "Purge"). The engine guards and audits each of them.

#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "commands.h"
#include "output.h"
#include "progress.h"
#include "time_point.h"

namespace tenantlog::tool {
namespace {

using json = nlohmann::ordered_json;

// ---- backup ----

int RunBackup(CliContext& context, const std::string& dir) {
  Store& store = context.OpenStore(Access::kChange);  // the audit entry
  const BackupReport report = Check(store.Backup(dir, context.MakeAdminContext("backup")));
  if (context.json()) {
    PrintJson({{"dir", report.dir}, {"bytes", report.bytes}, {"audit_seq", report.audit_seq}});
  } else {
    fmt::print("backup written to {}: {} (audit entry {})\n", report.dir, HumanBytes(report.bytes),
               report.audit_seq);
  }
  return kExitOk;
}

// ---- restore-from-backup ----

struct RestoreArgs {
  std::string backup;
  std::vector<std::string> tenants;
  std::string tenants_file;
  std::string reason;
  bool dry_run = false;
  size_t max_tenants = 1000;
};

int RunRestoreFromBackup(CliContext& context, const RestoreArgs& args) {
  const std::vector<std::string> tenants = ReadTenantList(args.tenants, args.tenants_file);
  if (tenants.empty()) UsageError("restore-from-backup: no tenants given (arguments or --tenants-file)");
  if (args.max_tenants == 0) UsageError("--max-tenants must be at least 1");
  AdminContext admin = context.MakeAdminContext("restore-from-backup");
  admin.reason = args.reason;
  admin.dry_run = args.dry_run;
  admin.max_tenants = args.max_tenants;
  Progress progress("restoring tenants", 0);
  admin.progress = [&progress](uint64_t done, uint64_t) { progress.Update(done); };

  Store& store = context.OpenStore(Access::kWrite);
  const RestoreReport report = Check(store.RestoreFromBackup(args.backup, tenants, admin));
  progress.Finish();
  std::vector<std::string> conflicts;
  for (const RestoreConflict& c : report.conflicts) conflicts.push_back(c.tenant);
  if (context.json()) {
    json reasons = json::array();
    for (const RestoreConflict& c : report.conflicts) reasons.push_back({{"tenant", c.tenant}, {"reason", c.reason}});
    PrintJson({{"restored", report.restored},
               {"unchanged", report.unchanged},
               {"conflicts", conflicts},
               {"events_copied", report.events_copied},
               {"dry_run", report.dry_run},
               {"conflict_reasons", reasons},
               {"audit_seq", report.audit_seq}});
  } else {
    Table table({{"TENANT"}, {"RESULT"}});
    for (const std::string& t : report.restored) table.AddRow({t, report.dry_run ? "would be restored" : "restored"});
    for (const std::string& t : report.unchanged) table.AddRow({t, "unchanged (live already holds the backup's history)"});
    for (const RestoreConflict& c : report.conflicts) table.AddRow({c.tenant, "conflict: " + c.reason});
    table.Print();
    fmt::print("{}{} restored, {} unchanged, {}; {} copied from {} (audit entry {})\n",
               report.dry_run ? "dry run: " : "", report.restored.size(), report.unchanged.size(),
               Plural(report.conflicts.size(), "conflict"), Plural(report.events_copied, "event"),
               args.backup, report.audit_seq);
  }
  if (!report.conflicts.empty()) {
    if (!context.json()) {
      fmt::print(stderr, "tenantlog: {} left alone: {}\n", Plural(conflicts.size(), "conflicting tenant"),
                 JoinLimited(conflicts, 20));
    }
    return kExitRefused;
  }
  return kExitOk;
}

// ---- export / import ----

int RunExport(CliContext& context, const std::string& tenant, const std::string& file) {
  RequireValidTenantName(tenant);
  RequireOutputFile("-o/--output", file);
  Store& store = context.OpenStore(Access::kRead);
  const ExportReport report = Check(store.Export(tenant, file));
  if (context.json()) {
    PrintJson({{"tenant", report.tenant},
               {"file", file},
               {"events", report.events},
               {"chain", FormatChain(report.chain_head)},
               {"bytes", report.bytes}});
  } else {
    fmt::print("exported {} to {}: {}, {}, chain head {}\n", report.tenant, file,
               Plural(report.events, "event"), HumanBytes(report.bytes), FormatChain(report.chain_head));
  }
  return kExitOk;
}

int RunImport(CliContext& context, const std::string& file, const std::string& as_name) {
  if (!as_name.empty()) RequireValidTenantName(as_name);
  Store& store = context.OpenStore(Access::kWrite);
  const ImportReport report = Check(store.Import(file, as_name, context.MakeAdminContext("import")));
  if (context.json()) {
    PrintJson({{"tenant", report.tenant},
               {"events", report.events},
               {"chain", FormatChain(report.chain_head)},
               {"state", TenantStateName(report.state)},
               {"audit_seq", report.audit_seq}});
  } else {
    fmt::print("imported {} as {}: {}, chain head {}, {} (audit entry {})\n", file, report.tenant,
               Plural(report.events, "event"), FormatChain(report.chain_head), TenantStateName(report.state),
               report.audit_seq);
  }
  return kExitOk;
}

// ---- purge ----

struct PurgePlanArgs {
  std::vector<std::string> tenants;
  std::string tenants_file;
  std::string older_than;
  std::string plan;
  size_t max_tenants = 10;
};

int RunPurgePlan(CliContext& context, const PurgePlanArgs& args) {
  const std::vector<std::string> tenants = ReadTenantList(args.tenants, args.tenants_file);
  if (tenants.empty()) UsageError("purge plan: no tenants given (arguments or --tenants-file)");
  const std::optional<int64_t> older_than = ParseDuration(args.older_than);
  if (!older_than) {
    UsageError(fmt::format("--older-than: '{}' is not a duration such as 30d, 12h or 0s", args.older_than));
  }
  if (args.max_tenants == 0) UsageError("--max-tenants must be at least 1");
  RequireOutputFile("-o/--output", args.plan);
  AdminContext admin = context.MakeAdminContext("purge plan");
  admin.max_tenants = args.max_tenants;
  Store& store = context.OpenStore(Access::kChange);  // the audit entry
  const PurgePlan plan = Check(store.PlanPurge(tenants, *older_than, args.plan, admin));
  if (context.json()) {
    std::vector<std::string> names;
    for (const PlannedPurge& p : plan.tenants) names.push_back(p.tenant);
    PrintJson({{"token", plan.token}, {"tenants", names}, {"events", plan.events}, {"plan", args.plan}});
    return kExitOk;
  }
  Table table({{"TENANT"}, {"EVENTS", Table::Align::kRight}, {"CHAIN"}, {"TOMBSTONED"}});
  for (const PlannedPurge& p : plan.tenants) {
    table.AddRow({p.tenant, HumanCount(p.event_count), FormatChain(p.chain_head), FormatTime(p.tombstoned_us)});
  }
  table.Print();
  fmt::print("plan written to {}: {} and {} would be removed for good.\n", args.plan,
             Plural(plan.tenants.size(), "tenant"), Plural(plan.events, "event"));
  fmt::print("to run it: tenantlog purge run {} --confirm {}\n", args.plan, plan.token);
  return kExitOk;
}

int RunPurgeRun(CliContext& context, const std::string& plan, const std::string& token) {
  Store& store = context.OpenStore(Access::kChange);
  const PurgeReport report = Check(store.RunPurge(plan, token, context.MakeAdminContext("purge run")));
  if (context.json()) {
    PrintJson({{"purged", report.purged},
               {"events", report.events_removed},
               {"store_bytes_before", report.store_bytes_before},
               {"store_bytes_after", report.store_bytes_after},
               {"audit_seq", report.audit_seq}});
  } else {
    fmt::print("purged {} ({}): {}; store compacted from {} to {} (audit entry {})\n",
               Plural(report.purged.size(), "tenant"), Plural(report.events_removed, "event"),
               JoinLimited(report.purged, 20), HumanBytes(report.store_bytes_before),
               HumanBytes(report.store_bytes_after), report.audit_seq);
  }
  return kExitOk;
}

int RunCompact(CliContext& context) {
  Store& store = context.OpenStore(Access::kChange);
  Check(store.Compact(context.MakeAdminContext("compact")));
  if (context.json()) {
    PrintJson({{"compacted", true}});
  } else {
    fmt::print("store compacted\n");
  }
  return kExitOk;
}

}  // namespace

void AddLifecycleCommands(CLI::App& app, CliContext& context, CommandTable& table) {
  auto backup_dir = std::make_shared<std::string>();
  CLI::App* backup = app.add_subcommand("backup", "Write a hot, consistent, compacted copy of the store to DIR");
  backup->add_option("dir", *backup_dir, "Target directory (must not exist or be empty)")
      ->required()
      ->check(NonEmpty());
  table.Add(backup, [&context, backup_dir] { return RunBackup(context, *backup_dir); });

  auto restore = std::make_shared<RestoreArgs>();
  CLI::App* rfb = app.add_subcommand("restore-from-backup",
                                     "Bring tenants back from the backup at BACKUP into the live store");
  rfb->add_option("backup", restore->backup, "Backup directory")->required();
  rfb->add_option("tenants", restore->tenants, "Tenant names");
  rfb->add_option("--tenants-file", restore->tenants_file,
                  "Also the tenants listed in FILE, one per line ('-': stdin)")
      ->check(NonEmpty());
  rfb->add_option("--reason", restore->reason, "Why, for the log and the audit entry");
  rfb->add_flag("--dry-run", restore->dry_run, "Show what would happen; change nothing");
  rfb->add_option("--max-tenants", restore->max_tenants, "Refuse a list of more than N tenants (default 1000)")
      ->check(WholeNumber());
  table.Add(rfb, [&context, restore] { return RunRestoreFromBackup(context, *restore); });

  auto export_args = std::make_shared<std::pair<std::string, std::string>>();
  CLI::App* exp = app.add_subcommand("export", "Write TENANT's whole log to a portable, verifiable file");
  exp->add_option("tenant", export_args->first, "Tenant name")->required();
  exp->add_option("-o,--output", export_args->second, "The file to write")->required()->check(NonEmpty());
  table.Add(exp, [&context, export_args] { return RunExport(context, export_args->first, export_args->second); });

  auto import_args = std::make_shared<std::pair<std::string, std::string>>();
  CLI::App* imp = app.add_subcommand("import", "Import an export file as a new tenant (checked whole first)");
  imp->add_option("file", import_args->first, "The export file")->required();
  imp->add_option("--as", import_args->second, "Tenant name to import under (default: the name in the file)")
      ->check(NonEmpty());
  table.Add(imp, [&context, import_args] { return RunImport(context, import_args->first, import_args->second); });

  CLI::App* purge = app.add_subcommand("purge", "Compliance purge of long-tombstoned tenants: plan, then run");
  purge->require_subcommand(1);
  auto plan = std::make_shared<PurgePlanArgs>();
  CLI::App* plan_cmd = purge->add_subcommand("plan", "Check tenants and write a purge plan; prints its token");
  plan_cmd->add_option("tenants", plan->tenants, "Tenant names");
  plan_cmd->add_option("--tenants-file", plan->tenants_file,
                       "Also the tenants listed in FILE, one per line ('-': stdin)")
      ->check(NonEmpty());
  plan_cmd->add_option("--older-than", plan->older_than, "Only tenants tombstoned at least this long ago (30d, 12h, 0s)")
      ->required();
  plan_cmd->add_option("-o,--output", plan->plan, "The plan file to write")->required()->check(NonEmpty());
  plan_cmd->add_option("--max-tenants", plan->max_tenants, "Refuse a list of more than N tenants (default 10)")
      ->check(WholeNumber());
  table.Add(plan_cmd, [&context, plan] { return RunPurgePlan(context, *plan); });

  auto run = std::make_shared<std::pair<std::string, std::string>>();
  CLI::App* run_cmd = purge->add_subcommand("run", "Run a purge plan: removes the planned tenants' data for good");
  run_cmd->add_option("plan", run->first, "The plan file")->required();
  run_cmd->add_option("--confirm", run->second, "The token purge plan printed")->required()->check(NonEmpty());
  table.Add(run_cmd, [&context, run] { return RunPurgeRun(context, run->first, run->second); });

  CLI::App* compact = app.add_subcommand("compact", "Replace the data file with a compacted copy (gives space back)");
  table.Add(compact, [&context] { return RunCompact(context); });
}

}  // namespace tenantlog::tool
