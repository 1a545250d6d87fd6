#include "routes.h"

#include <date/date.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tenantlog/admin.h"
#include "tenantlog/event.h"
#include "tenantlog/options.h"

namespace doc_server {
namespace {

using json = nlohmann::ordered_json;  // fields in the order written
using tenantlog::Status;

// Event types the server writes for its documents.
constexpr char kPutType[] = "doc.put";
constexpr char kDeleteType[] = "doc.delete";

// Events one history request returns: by default, and at most.
constexpr size_t kDefaultHistoryLimit = 100;
constexpr size_t kMaxHistoryLimit = 1000;

std::string ErrorName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk: return "ok";
    case Status::Code::kNotFound: return "not_found";
    case Status::Code::kInvalidArgument: return "invalid_argument";
    case Status::Code::kConflict: return "conflict";
    case Status::Code::kRefused: return "refused";
    case Status::Code::kTenantDeleted: return "tenant_deleted";
    case Status::Code::kCorruption: return "corruption";
    case Status::Code::kIOError: return "io_error";
  }
  return "unknown";
}

void SendJson(httplib::Response& res, int http_status, const json& body) {
  res.status = http_status;
  // Keys and documents are bytes: bytes that are not UTF-8 show as U+FFFD.
  res.set_content(body.dump(2, ' ', false, json::error_handler_t::replace) + "\n",
                  "application/json");
}

void SendError(httplib::Response& res, const Status& status) {
  SendJson(res, HttpStatus(status.code()),
           {{"error", ErrorName(status.code())}, {"message", status.message()}});
}

// The query parameter `name` as an unsigned integer; unset when absent.
Status UintParam(const httplib::Request& req, const std::string& name,
                 std::optional<uint64_t>* value) {
  if (!req.has_param(name.c_str())) return Status::OK();
  const std::string text = req.get_param_value(name.c_str());
  uint64_t parsed = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, parsed);
  if (text.empty() || error != std::errc() || stop != end) {
    return Status::InvalidArgument(name + " must be an unsigned integer, not '" + text + "'");
  }
  *value = parsed;
  return Status::OK();
}

// ?as_of_seq=N: read the state as of seq N instead of now.
Status ReadOptionsOf(const httplib::Request& req, tenantlog::ReadOptions* options) {
  std::optional<uint64_t> as_of_seq;
  Status s = UintParam(req, "as_of_seq", &as_of_seq);
  if (as_of_seq) options->as_of = tenantlog::Point::AtSeq(*as_of_seq);
  return s;
}

// "2022-04-05T02:00:00.250000Z"
std::string IsoTime(int64_t time_us) {
  using std::chrono::microseconds;
  return date::format("%FT%TZ", std::chrono::sys_time<microseconds>(microseconds(time_us)));
}

json EventJson(const tenantlog::Event& event) {
  json item = {{"seq", event.seq},
               {"time", IsoTime(event.time_us)},
               {"kind", std::string(tenantlog::EventKindName(event.kind))}};
  if (event.kind == tenantlog::EventKind::kData) {
    item["type"] = event.type;
    item["key"] = event.key;
    item["op"] = std::string(tenantlog::OpName(event.op));
    if (event.op == tenantlog::Op::kPut) {
      item["payload_bytes"] = event.payload.size();
      item["payload"] = event.payload;
    }
  } else {
    item["actor"] = event.actor;
    item["reason"] = event.reason;
    if (event.kind == tenantlog::EventKind::kRewind) item["rewind_target"] = event.rewind_target;
  }
  return item;
}

json ChangesJson(const std::vector<tenantlog::KeyChange>& changes) {
  json list = json::array();
  for (const tenantlog::KeyChange& change : changes) {
    list.push_back({{"key", change.key}, {"seq", change.seq}});
  }
  return list;
}

// The rewind request body: {"to_seq": N, "actor": "...", "reason": "...",
// "dry_run": false}; reason and dry_run are optional.
Status ParseRewind(const std::string& text, uint64_t* to_seq, tenantlog::AdminContext* context) {
  const json body = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) {
    return Status::InvalidArgument(
        R"(the body must be a JSON object {"to_seq": N, "actor": "...", "reason": "..."})");
  }
  const auto field = body.find("to_seq");
  if (field == body.end() || !field->is_number_unsigned()) {
    return Status::InvalidArgument("to_seq must be an unsigned integer: the seq to rewind to");
  }
  *to_seq = field->get<uint64_t>();
  for (const char* name : {"actor", "reason"}) {
    if (body.contains(name) && !body[name].is_string()) {
      return Status::InvalidArgument(std::string(name) + " must be a string");
    }
  }
  if (body.contains("dry_run") && !body["dry_run"].is_boolean()) {
    return Status::InvalidArgument("dry_run must be true or false");
  }
  context->actor = body.value("actor", "");
  context->reason = body.value("reason", "");
  context->dry_run = body.value("dry_run", false);
  return Status::OK();
}

// PUT and DELETE of /tenants/{tenant}/docs/{key}: one event, appended only
// if the tenant's head is ?expected_head_seq=N when given.
void AppendOne(tenantlog::Store& store, const httplib::Request& req, tenantlog::Op op,
               httplib::Response& res) {
  const std::string tenant = req.matches[1], key = req.matches[2];
  tenantlog::WriteOptions options;
  if (Status s = UintParam(req, "expected_head_seq", &options.expected_head_seq); !s.ok()) {
    return SendError(res, s);
  }
  tenantlog::AppendBatch batch;
  if (op == tenantlog::Op::kPut) {
    batch.Put(kPutType, key, req.body);
  } else {
    batch.Delete(kDeleteType, key);
  }
  auto appended = store.Append(tenant, batch, options);
  if (!appended.ok()) return SendError(res, appended.status());
  SendJson(res, 200, {{"tenant", tenant}, {"key", key}, {"seq", appended->last_seq}});
}

}  // namespace

int HttpStatus(Status::Code code) {
  switch (code) {
    case Status::Code::kOk: return 200;
    case Status::Code::kNotFound: return 404;
    case Status::Code::kInvalidArgument: return 400;
    case Status::Code::kConflict: return 409;
    case Status::Code::kRefused: return 409;  // not in the tenant's current state
    case Status::Code::kTenantDeleted: return 410;
    case Status::Code::kCorruption: return 500;
    case Status::Code::kIOError: return 500;
  }
  return 500;
}

void AddRoutes(httplib::Server& server, tenantlog::Store& store) {
  using httplib::Request;
  using httplib::Response;

  server.Put(R"(/tenants/([^/]+)/docs/(.+))", [&store](const Request& req, Response& res) {
    AppendOne(store, req, tenantlog::Op::kPut, res);
  });
  server.Delete(R"(/tenants/([^/]+)/docs/(.+))", [&store](const Request& req, Response& res) {
    AppendOne(store, req, tenantlog::Op::kDelete, res);
  });

  server.Get(R"(/tenants/([^/]+)/docs/(.+))", [&store](const Request& req, Response& res) {
    tenantlog::ReadOptions options;
    if (Status s = ReadOptionsOf(req, &options); !s.ok()) return SendError(res, s);
    auto doc = store.Get(req.matches[1].str(), req.matches[2].str(), options);
    if (!doc.ok()) return SendError(res, doc.status());
    res.set_content(*doc, "application/octet-stream");
  });

  server.Get(R"(/tenants/([^/]+)/docs)", [&store](const Request& req, Response& res) {
    const std::string tenant = req.matches[1];
    tenantlog::ReadOptions options;
    if (Status s = ReadOptionsOf(req, &options); !s.ok()) return SendError(res, s);
    auto docs = store.List(tenant, options);
    if (!docs.ok()) return SendError(res, docs.status());
    json keys = json::array();
    for (const tenantlog::KeyValue& doc : *docs) keys.push_back(doc.key);
    SendJson(res, 200, {{"tenant", tenant}, {"keys", keys}});
  });

  server.Get(R"(/tenants/([^/]+)/history)", [&store](const Request& req, Response& res) {
    const std::string tenant = req.matches[1];
    std::optional<uint64_t> from, limit;
    Status s = UintParam(req, "from", &from);
    if (s.ok()) s = UintParam(req, "limit", &limit);
    if (s.ok() && limit && (*limit == 0 || *limit > kMaxHistoryLimit)) {
      s = Status::InvalidArgument("limit must be 1-" + std::to_string(kMaxHistoryLimit));
    }
    if (!s.ok()) return SendError(res, s);
    auto events = store.ReadLog(tenant, from.value_or(1), limit.value_or(kDefaultHistoryLimit));
    if (!events.ok()) return SendError(res, events.status());
    json list = json::array();
    for (const tenantlog::Event& event : *events) list.push_back(EventJson(event));
    SendJson(res, 200, {{"tenant", tenant}, {"events", list}});
  });

  server.Post(R"(/tenants/([^/]+)/rewind)", [&store](const Request& req, Response& res) {
    const std::string tenant = req.matches[1];
    uint64_t to_seq = 0;
    tenantlog::AdminContext context;
    if (Status s = ParseRewind(req.body, &to_seq, &context); !s.ok()) return SendError(res, s);
    auto report = store.Rewind(tenant, tenantlog::Point::AtSeq(to_seq), context);
    if (!report.ok()) return SendError(res, report.status());
    SendJson(res, 200,
             {{"tenant", tenant},
              {"dry_run", report->dry_run},
              {"changed", report->changed},
              {"target_seq", report->target_seq},
              {"marker_seq", report->marker_seq},
              {"audit_seq", report->audit_seq},
              {"diff",
               {{"added", ChangesJson(report->diff.added)},
                {"changed", ChangesJson(report->diff.changed)},
                {"removed", ChangesJson(report->diff.removed)}}}});
  });

  // Requests no route matched get a JSON body too; errors the routes answered
  // keep theirs.
  using httplib::Server;
  server.set_error_handler(Server::HandlerWithResponse([](const Request& req, Response& res) {
    if (!res.body.empty()) return Server::HandlerResponse::Unhandled;
    const std::string request = req.method + " " + req.path;
    if (res.status == 404) {
      SendJson(res, 404, {{"error", "no_route"}, {"message", "no route for " + request}});
    } else {
      SendJson(res, res.status,
               {{"error", "http"},
                {"message", "HTTP " + std::to_string(res.status) + " for " + request}});
    }
    return Server::HandlerResponse::Handled;
  }));
  server.set_exception_handler([](const Request&, Response& res, std::exception_ptr error) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    SendJson(res, 500, {{"error", "internal"}, {"message", what}});
  });
}

}  // namespace doc_server
