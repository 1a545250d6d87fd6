// Commands that only read the store: get, keys, log, tenants, show, diff,
// verify, audit. They open the store read-only and refuse a missing one.

#include <fmt/format.h>
#include <unistd.h>

#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "commands.h"
#include "output.h"
#include "time_point.h"

namespace tenantlog::tool {
namespace {

using json = nlohmann::ordered_json;

// ReadOptions for an --as-of flag value (empty: now).
ReadOptions AsOf(const std::string& as_of) {
  ReadOptions options;
  if (!as_of.empty()) options.as_of = ParsePointFlag("--as-of", as_of);
  return options;
}

// ---- get ----

struct GetArgs {
  std::string tenant;
  std::string key;
  std::string as_of;
};

int RunGet(CliContext& context, const GetArgs& args) {
  RequireValidTenantName(args.tenant);
  const ReadOptions options = AsOf(args.as_of);
  Store& store = context.OpenStore(Access::kRead);
  const std::string value = Check(store.Get(args.tenant, args.key, options));
  if (context.json()) {
    json document = {{"tenant", args.tenant}};
    SetBytes(document, "key", args.key);
    SetBytes(document, "payload", value);
    PrintJson(document);
    return kExitOk;
  }
  fmt::print("{}", value);
  if (isatty(STDOUT_FILENO) == 1 && (value.empty() || value.back() != '\n')) fmt::print("\n");
  return kExitOk;
}

// ---- keys ----

struct KeysArgs {
  std::string tenant;
  std::string as_of;
};

int RunKeys(CliContext& context, const KeysArgs& args) {
  RequireValidTenantName(args.tenant);
  const ReadOptions options = AsOf(args.as_of);
  Store& store = context.OpenStore(Access::kRead);
  const std::vector<KeyValue> entries = Check(store.List(args.tenant, options));
  if (context.json()) {
    json keys = json::array();
    for (const KeyValue& entry : entries) {
      json item;
      SetBytes(item, "key", entry.key);
      item["bytes"] = entry.payload.size();
      keys.push_back(std::move(item));
    }
    json document = {{"tenant", args.tenant}, {"keys", std::move(keys)}};
    if (options.as_of)
      document["as_of_seq"] = Check(store.ResolvePoint(args.tenant, *options.as_of));
    PrintJson(document);
    return kExitOk;
  }
  Table table({{"KEY"}, {"SIZE", Table::Align::kRight}});
  for (const KeyValue& entry : entries) {
    table.AddRow({DisplayText(entry.key), HumanBytes(entry.payload.size())});
  }
  table.Print();
  fmt::print("{}\n", Plural(entries.size(), "key"));
  return kExitOk;
}

// ---- log ----

struct LogArgs {
  std::string tenant;
  uint64_t from = 1;
  size_t limit = std::numeric_limits<size_t>::max();  // --limit; default: all
};

json EventJson(const Event& event) {
  json item = {{"seq", event.seq},
               {"time", FormatTimeMicros(event.time_us)},
               {"kind", EventKindName(event.kind)}};
  if (event.kind == EventKind::kData) {
    item["type"] = event.type;
    SetBytes(item, "key", event.key);
    item["op"] = OpName(event.op);
    SetBytes(item, "payload", event.payload);
  } else {
    item["type"] = nullptr;
    item["key"] = nullptr;
    item["op"] = nullptr;
    item["payload"] = nullptr;
    item["actor"] = event.actor;
    item["reason"] = event.reason;
    if (event.kind == EventKind::kRewind) item["rewind_target"] = event.rewind_target;
  }
  item["chain"] = FormatChain(event.chain);
  return item;
}

std::string ControlDetail(const Event& event) {
  std::string detail = fmt::format("by {}", event.actor);
  if (event.kind == EventKind::kRewind) detail += fmt::format(", to seq {}", event.rewind_target);
  if (!event.reason.empty()) detail += fmt::format(": {}", event.reason);
  return detail;
}

int RunLog(CliContext& context, const LogArgs& args) {
  RequireValidTenantName(args.tenant);
  if (args.from == 0) UsageError("--from 0: seqs start at 1");
  if (args.limit == 0) UsageError("--limit must be at least 1");
  Store& store = context.OpenStore(Access::kRead);
  const std::vector<Event> events = Check(store.ReadLog(args.tenant, args.from, args.limit));
  if (context.json()) {
    json items = json::array();
    for (const Event& event : events) items.push_back(EventJson(event));
    PrintJson({{"tenant", args.tenant}, {"events", std::move(items)}});
    return kExitOk;
  }
  Table table({{"SEQ", Table::Align::kRight},
               {"TIME"},
               {"KIND"},
               {"TYPE"},
               {"OP"},
               {"KEY"},
               {"SIZE", Table::Align::kRight},
               {"DETAIL"}});
  for (const Event& event : events) {
    if (event.kind == EventKind::kData) {
      table.AddRow({std::to_string(event.seq), FormatTimeMicros(event.time_us), "data",
                    DisplayText(event.type), std::string(OpName(event.op)), DisplayText(event.key),
                    event.op == Op::kPut ? HumanBytes(event.payload.size()) : "", ""});
    } else {
      table.AddRow({std::to_string(event.seq), FormatTimeMicros(event.time_us),
                    std::string(EventKindName(event.kind)), "", "", "", "",
                    DisplayText(ControlDetail(event))});
    }
  }
  table.Print();
  return kExitOk;
}

// ---- tenants and show ----

json TenantJson(const TenantInfo& info) {
  return {{"tenant", info.name},
          {"id", info.id},
          {"state", TenantStateName(info.state)},
          {"head_seq", info.head_seq},
          {"events", info.event_count},
          {"chain", FormatChain(info.chain_head)},
          {"created", FormatTimeMicros(info.created_us)},
          {"updated", FormatTimeMicros(info.updated_us)},
          {"state_changed", FormatTimeMicros(info.state_changed_us)},
          {"rewinds", info.rewinds}};
}

struct TenantsArgs {
  std::string state;
};

int RunTenants(CliContext& context, const TenantsArgs& args) {
  std::optional<TenantState> state;
  if (!args.state.empty()) {
    TenantState parsed;
    if (!ParseTenantState(args.state, &parsed)) {
      UsageError(fmt::format("--state '{}': expected active, tombstoned or purged", args.state));
    }
    state = parsed;
  }
  Store& store = context.OpenStore(Access::kRead);
  std::vector<TenantInfo> tenants = Check(store.Tenants());
  std::erase_if(tenants, [&](const TenantInfo& info) { return state && info.state != *state; });
  if (context.json()) {
    json items = json::array();
    for (const TenantInfo& info : tenants) items.push_back(TenantJson(info));
    PrintJson({{"tenants", std::move(items)}});
    return kExitOk;
  }
  Table table({{"TENANT"},
               {"STATE"},
               {"EVENTS", Table::Align::kRight},
               {"HEAD", Table::Align::kRight},
               {"CREATED"},
               {"UPDATED"},
               {"STATE CHANGED"}});
  for (const TenantInfo& info : tenants) {
    table.AddRow({info.name, std::string(TenantStateName(info.state)), HumanCount(info.event_count),
                  std::to_string(info.head_seq), FormatTime(info.created_us),
                  FormatTime(info.updated_us), FormatTime(info.state_changed_us)});
  }
  table.Print();
  fmt::print("{}\n", Plural(tenants.size(), "tenant"));
  return kExitOk;
}

struct ShowArgs {
  std::string tenant;
};

int RunShow(CliContext& context, const ShowArgs& args) {
  RequireValidTenantName(args.tenant);
  Store& store = context.OpenStore(Access::kRead);
  const TenantInfo info = Check(store.Describe(args.tenant));
  if (context.json()) {
    PrintJson(TenantJson(info));
    return kExitOk;
  }
  Table table({{"FIELD"}, {"VALUE"}});
  table.HideHeader();
  table.AddRow({"tenant", info.name});
  table.AddRow({"id", std::to_string(info.id)});
  table.AddRow({"state", std::string(TenantStateName(info.state))});
  table.AddRow({"head seq", std::to_string(info.head_seq)});
  table.AddRow({"events", HumanCount(info.event_count)});
  table.AddRow({"chain", FormatChain(info.chain_head)});
  table.AddRow({"created", FormatTimeMicros(info.created_us)});
  table.AddRow({"updated", FormatTimeMicros(info.updated_us)});
  table.AddRow({"state changed", FormatTimeMicros(info.state_changed_us)});
  table.AddRow({"rewinds", std::to_string(info.rewinds)});
  table.Print();
  return kExitOk;
}

// ---- diff ----

struct DiffArgs {
  std::string tenant;
  std::string from;
  std::string to;
};

int RunDiff(CliContext& context, const DiffArgs& args) {
  RequireValidTenantName(args.tenant);
  const Point from = ParsePointFlag("--from", args.from);
  std::optional<Point> to;
  if (!args.to.empty()) to = ParsePointFlag("--to", args.to);
  Store& store = context.OpenStore(Access::kRead);
  const ViewDiff diff = Check(store.Diff(args.tenant, from, to));
  const uint64_t from_seq = Check(store.ResolvePoint(args.tenant, from));
  const uint64_t to_seq = to ? Check(store.ResolvePoint(args.tenant, *to))
                             : Check(store.Describe(args.tenant)).head_seq;
  if (context.json()) {
    json document = {{"tenant", args.tenant}, {"from_seq", from_seq}, {"to_seq", to_seq}};
    document.update(ViewDiffJson(diff));
    PrintJson(document);
    return kExitOk;
  }
  fmt::print("{}: view at seq {} → seq {}{}\n", args.tenant, from_seq, to_seq, to ? "" : " (now)");
  PrintViewDiff(diff);
  return kExitOk;
}

// ---- verify ----

struct VerifyArgs {
  std::vector<std::string> tenants;
  std::string tenants_file;
};

int RunVerify(CliContext& context, const VerifyArgs& args) {
  const std::vector<std::string> tenants = ReadTenantList(args.tenants, args.tenants_file);
  // A store too damaged to open is damage found, as is what stops the pass.
  Result<Store*> store = context.TryOpenStore(Access::kRead);
  VerifyReport report;
  if (store.ok()) {
    report = Check((*store)->Verify(tenants));
  } else if (store.status().IsCorruption()) {
    report.ok = false;
    report.damaged.push_back(Damage{"(store)", 0, store.status().message()});
  } else {
    Check(store.status());
  }
  if (context.json()) {
    json damaged = json::array();
    for (const Damage& damage : report.damaged) {
      damaged.push_back(
          {{"tenant", damage.tenant}, {"seq", damage.seq}, {"problem", damage.problem}});
    }
    PrintJson({{"ok", report.ok},
               {"tenants", report.tenants},
               {"events", report.events},
               {"damaged", std::move(damaged)}});
  } else if (report.ok) {
    fmt::print("ok: {} and {} verified, every chain intact\n", Plural(report.tenants, "tenant"),
               Plural(report.events, "event"));
  } else {
    Table table({{"TENANT"}, {"SEQ", Table::Align::kRight}, {"PROBLEM"}});
    for (const Damage& damage : report.damaged) {
      table.AddRow({damage.tenant, std::to_string(damage.seq), damage.problem});
    }
    table.Print();
    fmt::print("DAMAGE: {} in {} and {} checked\n", Plural(report.damaged.size(), "problem"),
               Plural(report.tenants, "tenant"), Plural(report.events, "event"));
  }
  return report.ok ? kExitOk : kExitDamaged;
}

// ---- audit ----

struct AuditArgs {
  std::string since;
};

std::string JoinArguments(const std::vector<std::string>& arguments) {
  std::string line;
  for (const std::string& argument : arguments) {
    if (!line.empty()) line += ' ';
    line += DisplayText(argument);
  }
  return line;
}

int RunAudit(CliContext& context, const AuditArgs& args) {
  const int64_t since_us = args.since.empty() ? 0 : ParseSinceFlag("--since", args.since);
  Store& store = context.OpenStore(Access::kRead);
  const std::vector<AuditEntry> entries = Check(store.Audit(since_us));
  if (context.json()) {
    json items = json::array();
    for (const AuditEntry& entry : entries) {
      items.push_back({{"seq", entry.seq},
                       {"time", FormatTimeMicros(entry.time_us)},
                       {"actor", entry.actor},
                       {"command", entry.command},
                       {"arguments", entry.arguments},
                       {"dry_run", entry.dry_run},
                       {"tenants", entry.tenants},
                       {"outcome", entry.outcome}});
    }
    PrintJson({{"entries", std::move(items)}});
    return kExitOk;
  }
  Table table({{"SEQ", Table::Align::kRight},
               {"TIME"},
               {"ACTOR"},
               {"COMMAND"},
               {"DRY RUN"},
               {"TENANTS"},
               {"OUTCOME"},
               {"COMMAND LINE"}});
  for (const AuditEntry& entry : entries) {
    const std::string line = JoinArguments(entry.arguments);
    table.AddRow({std::to_string(entry.seq), FormatTime(entry.time_us), DisplayText(entry.actor),
                  DisplayText(entry.command), entry.dry_run ? "yes" : "",
                  JoinLimited(entry.tenants, 3), DisplayText(entry.outcome),
                  Truncate(line, 80)});
  }
  table.Print();
  fmt::print("{}\n", Plural(entries.size(), "entry", "entries"));
  return kExitOk;
}

}  // namespace

void AddReadCommands(CLI::App& app, CliContext& context, CommandTable& table) {
  {
    auto args = std::make_shared<GetArgs>();
    CLI::App* cmd = app.add_subcommand("get", "Print the payload of KEY in TENANT's view");
    cmd->add_option("tenant", args->tenant, "Tenant name")->required();
    cmd->add_option("key", args->key, "Entity key")->required()->check(NonEmpty());
    cmd->add_option("--as-of", args->as_of, "Read the view as of a SEQ or an ISO-8601 TIME")
        ->check(NonEmpty());
    table.Add(cmd, [&context, args] { return RunGet(context, *args); });
  }
  {
    auto args = std::make_shared<KeysArgs>();
    CLI::App* cmd = app.add_subcommand("keys", "List the live keys of TENANT's view");
    cmd->add_option("tenant", args->tenant, "Tenant name")->required();
    cmd->add_option("--as-of", args->as_of, "Read the view as of a SEQ or an ISO-8601 TIME")
        ->check(NonEmpty());
    table.Add(cmd, [&context, args] { return RunKeys(context, *args); });
  }
  {
    auto args = std::make_shared<LogArgs>();
    CLI::App* cmd = app.add_subcommand("log", "Print TENANT's raw log, control events included");
    cmd->add_option("tenant", args->tenant, "Tenant name")->required();
    cmd->add_option("--from", args->from, "First seq to print (default 1)")->check(WholeNumber());
    cmd->add_option("--limit", args->limit, "Print at most N events (default: all)")
        ->check(WholeNumber());
    table.Add(cmd, [&context, args] { return RunLog(context, *args); });
  }
  {
    auto args = std::make_shared<TenantsArgs>();
    CLI::App* cmd = app.add_subcommand("tenants", "List the tenants, one row each");
    cmd->add_option("--state", args->state,
                    "Only tenants in this state: active, tombstoned, purged")
        ->check(NonEmpty());
    table.Add(cmd, [&context, args] { return RunTenants(context, *args); });
  }
  {
    auto args = std::make_shared<ShowArgs>();
    CLI::App* cmd = app.add_subcommand("show", "Show TENANT's record");
    cmd->add_option("tenant", args->tenant, "Tenant name")->required();
    table.Add(cmd, [&context, args] { return RunShow(context, *args); });
  }
  {
    auto args = std::make_shared<DiffArgs>();
    CLI::App* cmd = app.add_subcommand(
        "diff", "What changed in TENANT's view between two points: how to pick a rewind point");
    cmd->add_option("tenant", args->tenant, "Tenant name")->required();
    cmd->add_option("--from", args->from, "Earlier point: a SEQ or an ISO-8601 TIME")
        ->required()
        ->check(NonEmpty());
    cmd->add_option("--to", args->to, "Later point: a SEQ or an ISO-8601 TIME (default: now)")
        ->check(NonEmpty());
    table.Add(cmd, [&context, args] { return RunDiff(context, *args); });
  }
  {
    auto args = std::make_shared<VerifyArgs>();
    CLI::App* cmd = app.add_subcommand(
        "verify", "Check every chain of the listed tenants (default: all, and the audit log)");
    cmd->add_option("tenants", args->tenants, "Tenant names");
    cmd->add_option("--tenants-file", args->tenants_file,
                    "Also the tenants listed in FILE, one per line ('-': stdin)")
        ->check(NonEmpty());
    table.Add(cmd, [&context, args] { return RunVerify(context, *args); });
  }
  {
    auto args = std::make_shared<AuditArgs>();
    CLI::App* cmd = app.add_subcommand("audit", "Print the audit log of admin actions");
    cmd->add_option("--since", args->since,
                    "Only entries at or after an ISO-8601 TIME, or this long ago (12h, 30d)")
        ->check(NonEmpty());
    table.Add(cmd, [&context, args] { return RunAudit(context, *args); });
  }
}

}  // namespace tenantlog::tool
