// The JSON Lines input of `tenantlog append --jsonl FILE`: one data event per
// line, appended as one atomic batch.
//
// Each non-blank line is one JSON object with these fields:
//   "type"            string, required, non-empty
//   "key"             string, non-empty; or "key_base64" for a key that is
//                     not UTF-8 (the form `log --json` prints it in); one of
//                     the two is required
//   "op"              "put" (default) or "delete"
//   "payload"         string; or "payload_base64"; at most one, none for a
//                     delete; absent: an empty payload
//   "time"            ISO-8601 UTC time of the event; absent: the store's clock
// Any other field is an error. Lines end with "\n" or "\r\n"; lines holding
// only spaces, tabs and "\r" are skipped. Limits (sizes, times before the
// tenant's last event) are the store's to check at append.
//
// Thread-safety: free functions; thread-safe.
#ifndef TENANTLOG_TOOLS_JSONL_BATCH_H_
#define TENANTLOG_TOOLS_JSONL_BATCH_H_

#include <string>
#include <string_view>

#include "tenantlog/event.h"
#include "tenantlog/status.h"

namespace tenantlog::tool {

// The batch `content` describes. `source` names the input in errors
// ("events.jsonl", "<stdin>"). InvalidArgument naming the source and the line
// for the first malformed line, or when there is no event at all.
Result<AppendBatch> ParseJsonLinesBatch(std::string_view content, std::string_view source);

// One JSON Lines line (no newline) that ParseJsonLinesBatch reads back as
// `event`: keys and payloads that are not UTF-8 in base64, the time (when
// set) with microseconds. REQUIRES: event.type is UTF-8.
std::string JsonLineFor(const DataEvent& event);

}  // namespace tenantlog::tool

#endif  // TENANTLOG_TOOLS_JSONL_BATCH_H_
