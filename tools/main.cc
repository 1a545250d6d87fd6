// tenantlog: the admin tool of a tenantlog store. The contract (commands,
// flags, JSON fields, exit codes) is CLI.md.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "cli_context.h"
#include "commands.h"

namespace tenantlog::tool {
namespace {

void AddGlobalFlags(CLI::App& app, GlobalFlags& flags) {
  app.add_option("--db", flags.db, "Store directory (default: $TENANTLOG_DB)");
  app.add_flag("--json", flags.json, "Print the result as one JSON document on stdout");
  app.add_option("--actor", flags.actor,
                 "Who is acting, for the audit log (default: the OS user name)");
}

// The first argument that is neither a global flag nor its value: the
// command the user meant, or empty.
std::string FirstCommandWord(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--db" || arg == "--actor") {
      ++i;
    } else if (!arg.starts_with("-")) {
      return std::string(arg);
    }
  }
  return {};
}

int ParseErrorExit(CLI::App& app, const CLI::ParseError& error, int argc, char** argv) {
  if (error.get_exit_code() == 0) return app.exit(error);  // --help
  const std::string word = FirstCommandWord(argc, argv);
  const auto named = app.get_subcommands(
      [&](const CLI::App* command) { return command->check_name(word); });
  if (app.get_subcommands().empty() && !word.empty() && named.empty()) {
    fmt::print(stderr, "tenantlog: unknown command '{}'\n", word);
  } else {
    fmt::print(stderr, "tenantlog: {}\n", error.what());
  }
  fmt::print(stderr, "run 'tenantlog --help' or 'tenantlog COMMAND --help' for usage\n");
  return kExitUsage;
}

int Main(int argc, char** argv) {
  CliContext context(std::vector<std::string>(argv + 1, argv + argc));
  CLI::App app{"Administer a tenantlog store: an append-only, event-sourced store of tenant data.",
               "tenantlog"};
  app.fallthrough();  // global flags are accepted after the command too
  app.require_subcommand(1);
  AddGlobalFlags(app, context.flags());

  CommandTable table;
  AddAppendCommands(app, context, table);
  AddReadCommands(app, context, table);
  AddAdminCommands(app, context, table);
  AddLifecycleCommands(app, context, table);
  AddDrillCommand(app, context, table);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return ParseErrorExit(app, error, argc, argv);
  }
  try {
    return table.RunChosen();
  } catch (const CommandError& error) {
    fmt::print(stderr, "tenantlog: {}\n", error.what());
    return error.exit_code();
  } catch (const std::exception& error) {
    fmt::print(stderr, "tenantlog: {}\n", error.what());
    return kExitFailure;
  }
}

}  // namespace
}  // namespace tenantlog::tool

int main(int argc, char** argv) { return tenantlog::tool::Main(argc, argv); }
