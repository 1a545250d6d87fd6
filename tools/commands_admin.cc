// Admin commands that change a tenant's timeline: tombstone, restore, rewind.
// The engine guards them (blast radius, tenant state) and records each call,
// refused ones and dry runs included, in the audit log.

#include <fmt/format.h>

#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "commands.h"
#include "output.h"
#include "time_point.h"

namespace tenantlog::tool {
namespace {

using json = nlohmann::ordered_json;

// tombstone and restore: the same shape, different call and words.
struct BulkArgs {
  std::vector<std::string> tenants;
  std::string tenants_file;
  std::string reason;
  bool dry_run = false;
  size_t max_tenants = 0;
};

struct BulkCommand {
  const char* name;          // "tombstone"
  const char* past;          // "tombstoned"
  const char* target_state;  // "tombstoned": what unchanged tenants already are
  size_t default_max_tenants;
  Result<BulkReport> (Store::*call)(const std::vector<std::string>&, const AdminContext&);
};

constexpr BulkCommand kTombstone = {"tombstone", "tombstoned", "tombstoned", 10, &Store::Tombstone};
constexpr BulkCommand kRestore = {"restore", "restored", "active", 1000, &Store::Restore};

void PrintBulkReport(const BulkCommand& command, const BulkReport& report) {
  Table table({{"TENANT"}, {"RESULT"}});
  const std::string change =
      report.dry_run ? fmt::format("would be {}", command.past) : command.past;
  const std::string unchanged = fmt::format("unchanged (already {})", command.target_state);
  for (const std::string& tenant : report.changed) table.AddRow({tenant, change});
  for (const std::string& tenant : report.unchanged) table.AddRow({tenant, unchanged});
  table.Print();
  fmt::print("{}{}: {} {}, {} unchanged (audit entry {})\n", report.dry_run ? "dry run, " : "",
             command.name, Plural(report.changed.size(), "tenant"),
             report.dry_run ? "would change" : command.past, report.unchanged.size(),
             report.audit_seq);
}

int RunBulk(CliContext& context, const BulkCommand& command, const BulkArgs& args) {
  const std::vector<std::string> tenants = ReadTenantList(args.tenants, args.tenants_file);
  if (tenants.empty()) {
    UsageError(fmt::format("{}: no tenants given (arguments or --tenants-file)", command.name));
  }
  if (args.max_tenants == 0) UsageError("--max-tenants must be at least 1");
  AdminContext admin = context.MakeAdminContext(command.name);
  admin.reason = args.reason;
  admin.dry_run = args.dry_run;
  admin.max_tenants = args.max_tenants;

  Store& store = context.OpenStore(Access::kChange);
  const BulkReport report = Check((store.*command.call)(tenants, admin));
  if (context.json()) {
    PrintJson({{"dry_run", report.dry_run},
               {"changed", report.changed},
               {"unchanged", report.unchanged},
               {"audit_seq", report.audit_seq}});
  } else {
    PrintBulkReport(command, report);
  }
  return kExitOk;
}

void AddBulkCommand(CLI::App& app, CliContext& context, CommandTable& table,
                    const BulkCommand& command, const std::string& description) {
  auto args = std::make_shared<BulkArgs>();
  args->max_tenants = command.default_max_tenants;
  CLI::App* cmd = app.add_subcommand(command.name, description);
  cmd->add_option("tenants", args->tenants, "Tenant names");
  cmd->add_option("--tenants-file", args->tenants_file,
                  "Also the tenants listed in FILE, one per line ('-': stdin)")
      ->check(NonEmpty());
  cmd->add_option("--reason", args->reason, "Why, for the log and the audit entry");
  cmd->add_flag("--dry-run", args->dry_run, "Show what would change; change nothing");
  cmd->add_option("--max-tenants", args->max_tenants,
                  fmt::format("Refuse a list of more than N tenants (default {})",
                              command.default_max_tenants))
      ->check(WholeNumber());
  table.Add(cmd, [&context, &command, args] { return RunBulk(context, command, *args); });
}

// ---- rewind ----

struct RewindArgs {
  std::string tenant;
  std::string to;
  std::string reason;
  bool dry_run = false;
};

std::vector<std::string> ChangedKeys(const ViewDiff& diff) {
  std::vector<std::string> keys;
  for (const auto* changes : {&diff.added, &diff.changed, &diff.removed}) {
    for (const KeyChange& change : *changes) keys.push_back(change.key);
  }
  return keys;
}

int RunRewind(CliContext& context, const RewindArgs& args) {
  RequireValidTenantName(args.tenant);
  const Point to = ParsePointFlag("--to", args.to);
  AdminContext admin = context.MakeAdminContext("rewind");
  admin.reason = args.reason;
  admin.dry_run = args.dry_run;

  Store& store = context.OpenStore(Access::kChange);
  const RewindReport report = Check(store.Rewind(args.tenant, to, admin));
  if (context.json()) {
    PrintJson({{"tenant", args.tenant},
               {"dry_run", report.dry_run},
               {"changed", report.changed},
               {"target_seq", report.target_seq},
               {"marker_seq", report.marker_seq},
               {"keys", ChangedKeys(report.diff)},
               {"diff", ViewDiffJson(report.diff)},
               {"audit_seq", report.audit_seq}});
    return kExitOk;
  }
  if (!report.changed) {
    fmt::print("{} already shows its state as of seq {}: nothing to rewind (audit entry {})\n",
               args.tenant, report.target_seq, report.audit_seq);
    return kExitOk;
  }
  if (report.dry_run) {
    fmt::print("dry run: rewinding {} to seq {} would change these keys (audit entry {}):\n",
               args.tenant, report.target_seq, report.audit_seq);
  } else {
    fmt::print("rewound {} to seq {}: rewind event at seq {} (audit entry {}); changed keys:\n",
               args.tenant, report.target_seq, report.marker_seq, report.audit_seq);
  }
  PrintViewDiff(report.diff);
  return kExitOk;
}

}  // namespace

void AddAdminCommands(CLI::App& app, CliContext& context, CommandTable& table) {
  AddBulkCommand(app, context, table, kTombstone,
                 "Soft-delete tenants: reads and appends refused, data kept; undo with restore");
  AddBulkCommand(app, context, table, kRestore, "Undo the latest tombstone of tenants");

  auto args = std::make_shared<RewindArgs>();
  CLI::App* cmd = app.add_subcommand(
      "rewind", "Make TENANT show its state as of an earlier point; itself undoable");
  cmd->add_option("tenant", args->tenant, "Tenant name")->required();
  cmd->add_option("--to", args->to, "The point: a SEQ or an ISO-8601 TIME")
      ->required()
      ->check(NonEmpty());
  cmd->add_option("--reason", args->reason, "Why, for the log and the audit entry");
  cmd->add_flag("--dry-run", args->dry_run, "List the keys that would change; change nothing");
  table.Add(cmd, [&context, args] { return RunRewind(context, *args); });
}

}  // namespace tenantlog::tool
