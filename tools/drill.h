// The incident drill (CLI.md "drill"): builds a fresh store, fills it with
// realistic multi-tenant traffic, takes a hot backup, replays the April 2022
// incident (a cleanup script tombstoning the wrong tenants while others keep
// writing, then purging some of them for good), repairs it (bulk restore, and
// restore from the backup for the purged), and proves that nobody else was
// touched.
#ifndef TENANTLOG_TOOLS_DRILL_H_
#define TENANTLOG_TOOLS_DRILL_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "cli_context.h"

namespace tenantlog::tool {

struct DrillOptions {
  size_t tenants = 2000;     // tenants filled with traffic
  size_t events = 500;       // events per tenant
  size_t victims = 400;      // tenants the cleanup script tombstones
  uint64_t seed = 20220405;  // of the synthetic traffic
  std::string dir;           // the drill store; empty: a temporary directory
  bool keep = false;         // keep the temporary directories (reference, backup, plan)
};

// Runs the drill, printing each step (or, with context.json(), one JSON
// document at the end). Returns kExitOk when every proof passes, kExitFailure
// otherwise; UsageError for impossible options; CommandError(kExitRefused)
// when options.dir holds anything.
int RunDrill(CliContext& context, const DrillOptions& options);

}  // namespace tenantlog::tool

#endif  // TENANTLOG_TOOLS_DRILL_H_
