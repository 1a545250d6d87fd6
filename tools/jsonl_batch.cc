#include "jsonl_batch.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "output.h"
#include "time_point.h"

namespace tenantlog::tool {
namespace {

using json = nlohmann::json;

constexpr std::string_view kFields[] = {"type",    "key",           "key_base64", "op",
                                        "payload", "payload_base64", "time"};

// A string field of `object`: nullopt when absent, InvalidArgument when it is
// not a string.
Status StringField(const json& object, const char* name, std::string_view where,
                   std::optional<std::string>* value) {
  const auto it = object.find(name);
  if (it == object.end()) return Status::OK();
  if (!it->is_string()) {
    return Status::InvalidArgument(fmt::format("{}: \"{}\" must be a string", where, name));
  }
  *value = it->get<std::string>();
  return Status::OK();
}

// The bytes of a field given as text (`name`) or as base64 (`name`_base64),
// at most one of them. nullopt when neither is present.
Status BytesField(const json& object, const char* name, std::string_view where,
                  std::optional<std::string>* value) {
  const std::string base64_name = std::string(name) + "_base64";
  std::optional<std::string> text, base64;
  Status s = StringField(object, name, where, &text);
  if (s.ok()) s = StringField(object, base64_name.c_str(), where, &base64);
  if (!s.ok()) return s;
  if (text && base64) {
    return Status::InvalidArgument(
        fmt::format("{}: give \"{}\" or \"{}\", not both", where, name, base64_name));
  }
  if (base64) {
    *value = Base64Decode(*base64);
    if (!*value) {
      return Status::InvalidArgument(
          fmt::format("{}: \"{}\" is not standard base64", where, base64_name));
    }
    return Status::OK();
  }
  *value = std::move(text);
  return Status::OK();
}

Status ParseObject(const json& object, std::string_view where, DataEvent* event) {
  if (!object.is_object()) {
    return Status::InvalidArgument(fmt::format("{}: expected a JSON object", where));
  }
  for (const auto& [name, value] : object.items()) {
    if (std::find(std::begin(kFields), std::end(kFields), name) == std::end(kFields)) {
      return Status::InvalidArgument(
          fmt::format("{}: unknown field \"{}\" (expected type, key, key_base64, op, payload, "
                      "payload_base64, time)",
                      where, DisplayText(name)));
    }
  }
  std::optional<std::string> type, key, op, payload, time;
  Status s = StringField(object, "type", where, &type);
  if (s.ok()) s = BytesField(object, "key", where, &key);
  if (s.ok()) s = StringField(object, "op", where, &op);
  if (s.ok()) s = BytesField(object, "payload", where, &payload);
  if (s.ok()) s = StringField(object, "time", where, &time);
  if (!s.ok()) return s;

  if (!type || type->empty()) {
    return Status::InvalidArgument(fmt::format("{}: \"type\" is required", where));
  }
  if (!key || key->empty()) {
    return Status::InvalidArgument(fmt::format("{}: \"key\" is required", where));
  }
  event->type = std::move(*type);
  event->key = std::move(*key);
  if (op && !ParseOp(*op, &event->op)) {
    return Status::InvalidArgument(
        fmt::format("{}: \"op\" '{}' must be put or delete", where, DisplayText(*op)));
  }
  if (payload) {
    if (event->op == Op::kDelete) {
      return Status::InvalidArgument(fmt::format("{}: a delete carries no payload", where));
    }
    event->payload = std::move(*payload);
  }
  if (time) {
    event->time_us = ParseIsoTime(*time);
    if (!event->time_us) {
      return Status::InvalidArgument(fmt::format(
          "{}: \"time\" '{}' is not an ISO-8601 UTC time like 2022-04-05T02:00:00Z", where,
          DisplayText(*time)));
    }
  }
  return Status::OK();
}

Status ParseLine(std::string_view line, std::string_view where, DataEvent* event) {
  json object;
  try {
    object = json::parse(line);
  } catch (const json::exception& error) {
    return Status::InvalidArgument(fmt::format("{}: not valid JSON ({})", where, error.what()));
  }
  return ParseObject(object, where, event);
}

}  // namespace

Result<AppendBatch> ParseJsonLinesBatch(std::string_view content, std::string_view source) {
  AppendBatch batch;
  size_t number = 0;
  while (!content.empty()) {
    ++number;
    const size_t end = content.find('\n');
    const std::string_view line = content.substr(0, end);
    content.remove_prefix(end == std::string_view::npos ? content.size() : end + 1);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    DataEvent event;
    Status s = ParseLine(line, fmt::format("{} line {}", source, number), &event);
    if (!s.ok()) return s;
    batch.Add(std::move(event));
  }
  if (batch.empty()) {
    return Status::InvalidArgument(fmt::format("{}: no events (expected one JSON object per line)",
                                               source));
  }
  return batch;
}

std::string JsonLineFor(const DataEvent& event) {
  nlohmann::ordered_json object = {{"type", event.type}};
  SetBytes(object, "key", event.key);
  object["op"] = OpName(event.op);
  if (event.op == Op::kPut) SetBytes(object, "payload", event.payload);
  if (event.time_us) object["time"] = FormatTimeMicros(*event.time_us);
  return object.dump();
}

}  // namespace tenantlog::tool
