#include "tenantlog/admin.h"
#include "tenantlog/event.h"

namespace tenantlog {

std::string_view OpName(Op op) { return op == Op::kDelete ? "delete" : "put"; }

std::string_view EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kData: return "data";
    case EventKind::kTombstone: return "tombstone";
    case EventKind::kRestore: return "restore";
    case EventKind::kRewind: return "rewind";
  }
  return "unknown";
}

bool ParseOp(std::string_view text, Op* op) {
  if (text == "put") {
    *op = Op::kPut;
    return true;
  }
  if (text == "delete") {
    *op = Op::kDelete;
    return true;
  }
  return false;
}

void AppendBatch::Put(std::string type, std::string key, std::string payload) {
  events_.push_back(DataEvent{std::move(type), std::move(key), Op::kPut, std::move(payload), {}});
}

void AppendBatch::Delete(std::string type, std::string key) {
  events_.push_back(DataEvent{std::move(type), std::move(key), Op::kDelete, {}, {}});
}

void AppendBatch::Add(DataEvent event) { events_.push_back(std::move(event)); }

std::string_view TenantStateName(TenantState state) {
  switch (state) {
    case TenantState::kActive: return "active";
    case TenantState::kTombstoned: return "tombstoned";
    case TenantState::kPurged: return "purged";
  }
  return "unknown";
}

bool ParseTenantState(std::string_view text, TenantState* state) {
  for (TenantState s : {TenantState::kActive, TenantState::kTombstoned, TenantState::kPurged}) {
    if (text == TenantStateName(s)) {
      *state = s;
      return true;
    }
  }
  return false;
}

bool IsValidTenantName(std::string_view name) {
  if (name.empty() || name.size() > kMaxTenantNameLength) return false;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace tenantlog
