// Checks of option values on the command line, so that a bad value is a
// usage error (exit 2) that names its option.
//
// Thread-safety: the validators are immutable once made; thread-safe.
#ifndef TENANTLOG_TOOLS_FLAG_CHECKS_H_
#define TENANTLOG_TOOLS_FLAG_CHECKS_H_

#include <CLI/CLI.hpp>

namespace tenantlog::tool {

// Refuses an empty value: "--as-of ''" must not quietly mean "now", nor
// "--payload-file ''" an empty payload.
const CLI::Validator& NonEmpty();

// Digits only, 0 to 18446744073709551615. Without it, CLI11 would take "-1"
// as 2^64-1 (a --max-tenants that disables the blast-radius limit) and clamp
// values past 2^64-1. Its message states no lower bound: a command that
// refuses 0 (--max-tenants, --limit) or more says so itself.
const CLI::Validator& WholeNumber();

}  // namespace tenantlog::tool

#endif  // TENANTLOG_TOOLS_FLAG_CHECKS_H_
