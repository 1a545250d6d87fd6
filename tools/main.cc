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
#include "tenantlog/admin.h"

namespace tenantlog::tool {
namespace {

void AddGlobalFlags(CLI::App& app, GlobalFlags& flags) {
  app.add_option("--db", flags.db, "Store directory (default: $TENANTLOG_DB)");
  app.add_flag("--json", flags.json, "Print the result as one JSON document on stdout");
  app.add_option("--actor", flags.actor,
                 "Who is acting, for the audit log (default: the OS user name)")
      ->check(NonEmpty());
}

// The arguments that are neither flags nor values of the global flags, in
// order, up to "--": the command words, then the positional arguments.
std::vector<std::string> Words(int argc, char** argv) {
  std::vector<std::string> words;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg == "--db" || arg == "--actor") {
      ++i;
    } else if (!arg.starts_with("-")) {
      words.emplace_back(arg);
    }
  }
  return words;
}

// The command the user typed up to its first word that names no command where
// one is expected ("frobnicate", "purge now"); empty when there is none.
std::string UnknownCommand(const CLI::App& app, const std::vector<std::string>& words) {
  const CLI::App* parent = &app;
  std::string typed;
  for (const std::string& word : words) {
    if (parent->get_subcommands([](const CLI::App*) { return true; }).empty()) return {};
    const auto named =
        parent->get_subcommands([&](const CLI::App* command) { return command->check_name(word); });
    typed += (typed.empty() ? "" : " ") + word;
    if (named.empty()) return typed;
    parent = named.front();
  }
  return {};
}

// The option `arg` ("--as-of", "--as-of=3", "-o") names among those of `app`
// and of all its commands; nullptr when it names none.
const CLI::Option* FindOption(const CLI::App& app, std::string_view arg) {
  const std::string name(arg.substr(0, arg.find('=')));
  if (const CLI::Option* option = app.get_option_no_throw(name); option != nullptr) return option;
  for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (const CLI::Option* option = FindOption(*command, arg); option != nullptr) return option;
  }
  return nullptr;
}

// The first argument before "--" that starts with '-', is a valid tenant
// name, and is neither an option of the tool nor the value of one ("-acme");
// empty when there is none.
std::string FlagLikeTenantName(const CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    if (const CLI::Option* option = FindOption(app, arg); option != nullptr) {
      if (option->get_type_size() != 0 && arg.find('=') == std::string_view::npos) ++i;  // its value
      continue;
    }
    if (arg.size() > 1 && arg.starts_with("-") && IsValidTenantName(arg)) return std::string(arg);
  }
  return {};
}

int ParseErrorExit(CLI::App& app, const CLI::ParseError& error, int argc, char** argv) {
  if (error.get_exit_code() == 0) return app.exit(error);  // --help
  const std::string unknown = UnknownCommand(app, Words(argc, argv));
  if (!unknown.empty()) {
    fmt::print(stderr, "tenantlog: unknown command '{}'\n", unknown);
  } else {
    fmt::print(stderr, "tenantlog: {}\n", error.what());
  }
  if (const std::string name = FlagLikeTenantName(app, argc, argv); !name.empty()) {
    fmt::print(stderr,
               "tenantlog: '{}' is no flag; a tenant name that starts with '-' goes after '--', "
               "e.g. tenantlog show -- {}\n",
               name, name);
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
