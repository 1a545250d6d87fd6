#include "tenantlog/status.h"

namespace tenantlog {

namespace {

const char* CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk: return "OK";
    case Status::Code::kNotFound: return "NotFound";
    case Status::Code::kInvalidArgument: return "InvalidArgument";
    case Status::Code::kConflict: return "Conflict";
    case Status::Code::kRefused: return "Refused";
    case Status::Code::kTenantDeleted: return "TenantDeleted";
    case Status::Code::kCorruption: return "Corruption";
    case Status::Code::kIOError: return "IOError";
  }
  return "Unknown";
}

}  // namespace

const std::string& Status::message() const {
  static const std::string* const kNone = new std::string();
  return state_ ? state_->message : *kNone;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(code())) + ": " + message();
}

}  // namespace tenantlog
