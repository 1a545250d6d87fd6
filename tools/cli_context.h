// What every command of the admin tool shares: the global flags, the store,
// the actor, tenant lists, and how failures become exit codes (CLI.md).
//
// Thread-safety: a CliContext belongs to the main thread of one invocation.
#ifndef TENANTLOG_TOOLS_CLI_CONTEXT_H_
#define TENANTLOG_TOOLS_CLI_CONTEXT_H_

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tenantlog/admin.h"
#include "tenantlog/status.h"
#include "tenantlog/store.h"

namespace tenantlog::tool {

// Exit codes of the admin tool; scripts depend on them.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,  // runtime failure: I/O, store missing, not found
  kExitUsage = 2,    // bad usage or bad input; nothing written
  kExitRefused = 3,  // a safety guard refused; nothing written for it
  kExitDamaged = 4,  // verify found damage
};

// A failure that ends the command. main() prints "tenantlog: <what()>" on
// stderr and exits with exit_code().
class CommandError : public std::runtime_error {
 public:
  CommandError(int exit_code, const std::string& message)
      : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

// The exit code for a failed engine call: InvalidArgument → 2,
// Refused/Conflict → 3, everything else → 1.
int ExitCodeFor(const Status& status);

// Throws CommandError(kExitUsage, message).
[[noreturn]] void UsageError(const std::string& message);

// Throws CommandError for a failed status, with the engine's message.
void Check(const Status& status);

// The value of an engine call, or CommandError for its failure.
template <typename T>
T Check(Result<T> result) {
  Check(result.status());
  return std::move(result).value();
}

// Flags accepted before or after any command.
struct GlobalFlags {
  std::string db;     // --db; empty when not given
  bool json = false;  // --json
  std::string actor;  // --actor; empty: the OS user
};

// What a command does to the store. kWrite creates a missing store (append,
// import, restore-from-backup: they bring tenants in). kChange writes but
// refuses a missing store, as kRead does (exit 1, "no store at DIR"): it acts
// on tenants or data that must already be there, so a missing store is a
// mistyped --db, and creating one would write where nothing was asked for.
enum class Access { kRead, kChange, kWrite };

class CliContext {
 public:
  // `arguments`: the command line after the program name, recorded in audit
  // entries.
  explicit CliContext(std::vector<std::string> arguments) : arguments_(std::move(arguments)) {}

  GlobalFlags& flags() { return flags_; }
  bool json() const { return flags_.json; }

  // --db, else $TENANTLOG_DB. UsageError when neither is set.
  std::string StoreDir() const;

  // Opens the store at StoreDir() on the first call and returns it after.
  // REQUIRES: every call of one invocation passes the same `access`.
  Store& OpenStore(Access access);
  // As OpenStore, but a store that exists and fails to open returns its
  // Status instead of ending the command (verify reports damage with it).
  Result<Store*> TryOpenStore(Access access);

  // --actor, else the OS user name of the effective uid, else $USER.
  std::string Actor() const;

  // The context of an admin call made by `command`: actor, command and the
  // command line; the caller fills reason, dry_run and max_tenants.
  AdminContext MakeAdminContext(std::string_view command) const;

  const std::vector<std::string>& arguments() const { return arguments_; }

 private:
  GlobalFlags flags_;
  std::vector<std::string> arguments_;
  std::unique_ptr<Store> store_;
};

// The whole content of the input file `file` given with `flag` ("-": stdin).
// UsageError naming the flag, the file and the reason when it cannot be read
// (missing, a directory, no permission).
std::string ReadInputFile(std::string_view flag, const std::string& file);

// UsageError unless `file`, given with `flag` for a file the command writes,
// can be taken as a file name: "-" names stdin for the tool's input files,
// so as an output it is refused rather than taken as a file named "-".
void RequireOutputFile(std::string_view flag, const std::string& file);

// UsageError naming `name` unless it is a valid tenant name.
void RequireValidTenantName(std::string_view name);

// The tenants named by `names` and by the lines of `tenants_file` (when
// non-empty; "-" is stdin; '#' comments and blank lines ignored), in order,
// duplicates dropped. Every name is checked first: a bad name or an
// unreadable file is a UsageError, so nothing is written for a bad list.
std::vector<std::string> ReadTenantList(const std::vector<std::string>& names,
                                        const std::string& tenants_file);

}  // namespace tenantlog::tool

#endif  // TENANTLOG_TOOLS_CLI_CONTEXT_H_
