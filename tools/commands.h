// Registration of the admin tool's commands with the command-line parser.
// Each Add*Commands function declares its subcommands and their flags on
// `app` and registers what runs when one of them is chosen.
#ifndef TENANTLOG_TOOLS_COMMANDS_H_
#define TENANTLOG_TOOLS_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <utility>
#include <vector>

#include "cli_context.h"
#include "flag_checks.h"

namespace tenantlog::tool {

// The subcommands of one invocation and what each runs. A command returns
// its exit code or throws CommandError.
class CommandTable {
 public:
  using Run = std::function<int()>;

  void Add(CLI::App* command, Run run) { commands_.emplace_back(command, std::move(run)); }

  // Runs the subcommand the parser chose. REQUIRES: exactly one was chosen.
  int RunChosen() const {
    for (const auto& [command, run] : commands_) {
      if (command->parsed()) return run();
    }
    throw CommandError(kExitUsage, "no command given; see --help");
  }

 private:
  std::vector<std::pair<CLI::App*, Run>> commands_;
};

// append.
void AddAppendCommands(CLI::App& app, CliContext& context, CommandTable& table);
// get, keys, log, tenants, show, diff, verify, audit.
void AddReadCommands(CLI::App& app, CliContext& context, CommandTable& table);
// tombstone, restore, rewind.
void AddAdminCommands(CLI::App& app, CliContext& context, CommandTable& table);
// backup, restore-from-backup, export, import, purge plan, purge run, compact.
void AddLifecycleCommands(CLI::App& app, CliContext& context, CommandTable& table);
// drill.
void AddDrillCommand(CLI::App& app, CliContext& context, CommandTable& table);

}  // namespace tenantlog::tool

#endif  // TENANTLOG_TOOLS_COMMANDS_H_
