// The HTTP/JSON interface of doc_server: tenants' documents kept in a
// tenantlog store, one event per change.
//
//   PUT    /tenants/{tenant}/docs/{key}   body: the document   → {"tenant","key","seq"}
//   DELETE /tenants/{tenant}/docs/{key}                        → {"tenant","key","seq"}
//          both: ?expected_head_seq=N appends only if the tenant's head is N
//   GET    /tenants/{tenant}/docs/{key}   ?as_of_seq=N         → the document's bytes
//   GET    /tenants/{tenant}/docs         ?as_of_seq=N         → {"tenant","keys"}
//   GET    /tenants/{tenant}/history      ?from=SEQ&limit=N    → {"tenant","events"}
//   POST   /tenants/{tenant}/rewind
//          body: {"to_seq": N, "actor": "...", "reason": "...", "dry_run": false}
//                                         → the rewind report and the keys it changes
//
// Keys may contain '/'. Errors are {"error", "message"} with the HTTP status
// of the engine's Status code (HttpStatus).
#ifndef TENANTLOG_EXAMPLES_DOC_SERVER_ROUTES_H_
#define TENANTLOG_EXAMPLES_DOC_SERVER_ROUTES_H_

#include <httplib.h>

#include "tenantlog/status.h"
#include "tenantlog/store.h"

namespace doc_server {

// NotFound 404, InvalidArgument 400, Conflict and Refused 409, TenantDeleted
// 410, Corruption and IOError 500.
int HttpStatus(tenantlog::Status::Code code);

// Registers the routes above, and JSON bodies for unrouted requests and
// uncaught exceptions. `store` must outlive `server`. The handlers run on the
// server's worker threads concurrently: Store is thread-safe.
void AddRoutes(httplib::Server& server, tenantlog::Store& store);

}  // namespace doc_server

#endif  // TENANTLOG_EXAMPLES_DOC_SERVER_ROUTES_H_
