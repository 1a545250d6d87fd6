// append: data events written by an operator, one from flags or many from a
// JSON Lines file, each call one atomic batch.

#include <fmt/format.h>

#include <memory>
#include <string>
#include <utility>

#include "commands.h"
#include "jsonl_batch.h"
#include "output.h"

namespace tenantlog::tool {
namespace {

struct AppendArgs {
  std::string tenant;
  std::string type;
  std::string key;
  std::string op = "put";
  std::string payload;
  bool payload_given = false;  // --payload was given, possibly empty
  std::string payload_file;
  std::string jsonl;
};

// The audit context of an append. Types, keys and payloads are tenant data:
// the audit log outlives a purge, so it records their sizes, never their
// bytes.
AdminContext AuditContext(const CliContext& context) {
  AdminContext admin = context.MakeAdminContext("append");
  std::vector<std::string>& arguments = admin.arguments;
  for (size_t i = 0; i < arguments.size(); ++i) {
    std::string& arg = arguments[i];
    for (const std::string_view flag : {"--type", "--key", "--payload"}) {
      if (arg == flag && i + 1 < arguments.size()) {
        ++i;
        arguments[i] = fmt::format("<{} bytes>", arguments[i].size());
        break;
      }
      if (arg.size() > flag.size() && arg.starts_with(flag) && arg[flag.size()] == '=') {
        arg = fmt::format("{}=<{} bytes>", flag, arg.size() - flag.size() - 1);
        break;
      }
    }
  }
  return admin;
}

Op ParseOpFlag(std::string_view text) {
  Op op = Op::kPut;
  if (!ParseOp(text, &op)) UsageError(fmt::format("--op '{}': expected put or delete", text));
  return op;
}

DataEvent EventFromFlags(const AppendArgs& args) {
  if (args.type.empty()) UsageError("append: --type is required (or --jsonl FILE)");
  if (args.key.empty()) UsageError("append: --key is required (or --jsonl FILE)");
  DataEvent event;
  event.type = args.type;
  event.key = args.key;
  event.op = ParseOpFlag(args.op);
  const bool has_payload = args.payload_given || !args.payload_file.empty();
  if (event.op == Op::kDelete && has_payload) {
    UsageError("append: a delete carries no payload; drop --payload/--payload-file");
  }
  if (args.payload_given) event.payload = args.payload;
  if (!args.payload_file.empty())
    event.payload = ReadInputFile("--payload-file", args.payload_file);
  return event;
}

// Every event of the JSON Lines `file` (jsonl_batch.h). UsageError naming the
// line for the first malformed one.
AppendBatch BatchFromJsonLines(const std::string& file) {
  const std::string content = ReadInputFile("--jsonl", file);
  return Check(ParseJsonLinesBatch(content, file == "-" ? "<stdin>" : file));
}

int RunAppend(CliContext& context, const AppendArgs& args) {
  RequireValidTenantName(args.tenant);
  AppendBatch batch;
  if (!args.jsonl.empty()) {
    batch = BatchFromJsonLines(args.jsonl);
  } else {
    batch.Add(EventFromFlags(args));
  }

  Store& store = context.OpenStore(Access::kWrite);
  Result<AppendResult> result = store.Append(args.tenant, batch);
  // A tombstoned tenant is a wrong tenant state: a refusal (exit 3), as for
  // rewind. Reads of it stay failures (exit 1).
  if (result.status().IsTenantDeleted()) {
    throw CommandError(kExitRefused, result.status().message());
  }
  const AppendResult appended = Check(std::move(result));
  const std::string outcome =
      appended.first_seq == appended.last_seq
          ? fmt::format("ok: seq {}", appended.last_seq)
          : fmt::format("ok: seqs {}..{}", appended.first_seq, appended.last_seq);
  const auto audit = store.RecordAudit(AuditContext(context), {args.tenant}, outcome);
  if (!audit.ok()) {
    throw CommandError(ExitCodeFor(audit.status()),
                       fmt::format("appended to {} ({}), but the audit entry failed: {}",
                                   args.tenant, outcome, audit.status().message()));
  }

  if (context.json()) {
    PrintJson({{"tenant", args.tenant},
               {"seq", appended.last_seq},
               {"first_seq", appended.first_seq},
               {"events", batch.size()},
               {"chain", FormatChain(appended.chain_head)}});
  } else if (batch.size() == 1) {
    fmt::print("{}\n", appended.last_seq);
  } else {
    fmt::print("appended {} to {}: seqs {}..{}\n", Plural(batch.size(), "event"), args.tenant,
               appended.first_seq, appended.last_seq);
  }
  return kExitOk;
}

}  // namespace

void AddAppendCommands(CLI::App& app, CliContext& context, CommandTable& table) {
  auto args = std::make_shared<AppendArgs>();
  CLI::App* cmd = app.add_subcommand(
      "append", "Append data events to TENANT in one atomic batch; prints the new seq");
  cmd->add_option("tenant", args->tenant, "Tenant name (created on its first append)")->required();
  CLI::Option* type = cmd->add_option("--type", args->type, "Event type, e.g. issue.updated");
  CLI::Option* key = cmd->add_option("--key", args->key, "Entity key");
  CLI::Option* op = cmd->add_option("--op", args->op, "put (default) or delete");
  CLI::Option* payload = cmd->add_option("--payload", args->payload, "Payload text");
  CLI::Option* payload_file =
      cmd->add_option("--payload-file", args->payload_file, "Payload read from FILE ('-': stdin)")
          ->check(NonEmpty());
  CLI::Option* jsonl = cmd->add_option(
      "--jsonl", args->jsonl,
      "Append every line {\"type\",\"key\",\"op\",\"payload\"} of FILE ('-': stdin), all or none");
  jsonl->check(NonEmpty());
  payload->excludes(payload_file);
  jsonl->excludes(type)->excludes(key)->excludes(op)->excludes(payload)->excludes(payload_file);
  table.Add(cmd, [&context, args, payload] {
    args->payload_given = payload->count() > 0;
    return RunAppend(context, *args);
  });
}

}  // namespace tenantlog::tool
