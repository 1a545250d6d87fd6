// Types of the administrative calls of Store: tenant descriptions, the
// context every state-changing admin call carries, and the reports they return.
//
// Thread-safety: plain values.
#ifndef TENANTLOG_ADMIN_H_
#define TENANTLOG_ADMIN_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tenantlog {

// Stored values (part of the on-disk format): never renumber.
enum class TenantState : uint8_t {
  kActive = 0,
  kTombstoned = 1,
  kPurged = 2,
};

// "active", "tombstoned", "purged".
std::string_view TenantStateName(TenantState state);
// Parses one of the names above. Returns false for anything else.
bool ParseTenantState(std::string_view text, TenantState* state);

// Tenant names: 1..128 characters of A-Z a-z 0-9 . _ -
constexpr size_t kMaxTenantNameLength = 128;
// True when `name` is a valid tenant name.
bool IsValidTenantName(std::string_view name);

struct TenantInfo {
  std::string name;
  uint64_t id = 0;            // internal id; never reused
  TenantState state = TenantState::kActive;
  uint64_t head_seq = 0;      // newest seq, 0 when the tenant has no events
  uint64_t event_count = 0;   // events stored (0 once purged)
  uint64_t chain_head = 0;    // chain hash of the newest event
  int64_t created_us = 0;     // time of the tenant's first event
  int64_t updated_us = 0;     // time of the tenant's newest event
  int64_t state_changed_us = 0;  // when the state last changed
  uint64_t rewinds = 0;       // rewind markers in the log
};

// Who does an admin action and why; recorded in the control events and in
// the audit log.
struct AdminContext {
  std::string actor;       // required, non-empty
  std::string reason;      // free text; may be empty
  bool dry_run = false;    // plan and report, change nothing (audited)
  // Blast-radius limit: a call naming more tenants than this is refused whole.
  size_t max_tenants = std::numeric_limits<size_t>::max();
  // How the audit log names the action, e.g. the admin tool's command line.
  // Empty: the call's own name ("tombstone", "restore", "rewind").
  std::string command;
  std::vector<std::string> arguments;
  // Called on the calling thread as long work advances (restore from
  // backup): `done` of `total` units. Default: none.
  std::function<void(uint64_t done, uint64_t total)> progress;
};

// Outcome of a bulk admin call (tombstone, restore).
struct BulkReport {
  bool dry_run = false;
  std::vector<std::string> changed;    // tenants the call changed (or would)
  std::vector<std::string> unchanged;  // already in the target state
  uint64_t audit_seq = 0;              // the audit entry recording the call
};

// One key whose value differs between two points of a tenant's history.
struct KeyChange {
  std::string key;
  // The event that made the difference: for an added or changed key, the put
  // that set its newer value; for a removed key, its delete event or the
  // control event that hid it.
  uint64_t seq = 0;
  std::optional<size_t> before_bytes;  // payload size before; unset when absent
  std::optional<size_t> after_bytes;   // payload size after; unset when absent
};

struct ViewDiff {
  std::vector<KeyChange> added;
  std::vector<KeyChange> changed;
  std::vector<KeyChange> removed;
  bool empty() const { return added.empty() && changed.empty() && removed.empty(); }
};

struct RewindReport {
  bool dry_run = false;
  bool changed = false;     // false: the tenant already shows that state
  uint64_t target_seq = 0;  // the state the tenant now shows (or would)
  uint64_t marker_seq = 0;  // seq of the rewind control event; 0 if none written
  ViewDiff diff;            // keys that change (or would), current → target
  uint64_t audit_seq = 0;
};

struct Damage {
  std::string tenant;  // tenant name; "(audit)" for the audit log
  uint64_t seq = 0;    // event seq (audit seq for the audit log); 0: the tenant record
  std::string problem;
};

struct VerifyReport {
  bool ok = true;
  uint64_t tenants = 0;  // tenants checked
  uint64_t events = 0;   // events checked
  std::vector<Damage> damaged;
};

struct AuditEntry {
  uint64_t seq = 0;
  int64_t time_us = 0;
  std::string actor;
  std::string command;
  std::vector<std::string> arguments;
  bool dry_run = false;
  std::vector<std::string> tenants;
  std::string outcome;  // "ok", "unchanged", "refused: …", …
};

struct BackupReport {
  std::string dir;     // where the copy was written
  uint64_t bytes = 0;  // size of the copy's data file
  uint64_t audit_seq = 0;
};

// One tenant restore-from-backup left alone, and why.
struct RestoreConflict {
  std::string tenant;
  std::string reason;
};

struct RestoreReport {
  bool dry_run = false;
  std::vector<std::string> restored;   // brought back (or would be)
  std::vector<std::string> unchanged;  // live already holds the backup's history
  std::vector<RestoreConflict> conflicts;
  uint64_t events_copied = 0;          // events re-inserted from the backup
  uint64_t audit_seq = 0;
};

struct ExportReport {
  std::string tenant;
  uint64_t events = 0;
  uint64_t chain_head = 0;
  uint64_t bytes = 0;  // size of the file
};

struct ImportReport {
  std::string tenant;  // the name it was imported under
  uint64_t events = 0;
  uint64_t chain_head = 0;
  TenantState state = TenantState::kActive;
  uint64_t audit_seq = 0;
};

// One tenant of a purge plan, as it was when the plan was made.
struct PlannedPurge {
  std::string tenant;
  uint64_t id = 0;
  uint64_t head_seq = 0;
  uint64_t event_count = 0;
  uint64_t chain_head = 0;
  int64_t tombstoned_us = 0;
};

struct PurgePlan {
  std::string token;  // to pass back to RunPurge; binds exactly this plan
  std::vector<PlannedPurge> tenants;
  uint64_t events = 0;
  int64_t older_than_us = 0;
  uint64_t audit_seq = 0;
};

struct PurgeReport {
  std::vector<std::string> purged;
  uint64_t events_removed = 0;
  // Size of the data file before and after: a purge ends by replacing it
  // with a compacted copy, so that no purged byte stays behind in free space.
  uint64_t store_bytes_before = 0;
  uint64_t store_bytes_after = 0;
  uint64_t audit_seq = 0;
};

}  // namespace tenantlog

#endif  // TENANTLOG_ADMIN_H_
