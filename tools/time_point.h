// Parsing of the points, times and durations given on the command line.
//
// Thread-safety: free functions; thread-safe.
#ifndef TENANTLOG_TOOLS_TIME_POINT_H_
#define TENANTLOG_TOOLS_TIME_POINT_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "tenantlog/event.h"

namespace tenantlog::tool {

// Microseconds since the Unix epoch for an ISO-8601 UTC time:
// "2022-04-05T02:00:00Z", "2022-04-05T02:00:00.25Z" (1 to 9 digits of
// fraction, as `date -u +%FT%T.%NZ` prints; digits past the microseconds are
// dropped, so the result is at or before the time) or with an offset
// "2022-04-05T04:00:00+02:00", in the years 0000-9999. nullopt for anything
// else, a date or time that does not exist included.
std::optional<int64_t> ParseIsoTime(std::string_view text);

// Microseconds in a duration "30d", "12h", "15m", "90s" (whole numbers, one
// unit). nullopt for anything else.
std::optional<int64_t> ParseDuration(std::string_view text);

// A seq when `text` is all digits, else nullopt.
std::optional<uint64_t> ParseSeq(std::string_view text);

// The value of a --to/--as-of/--from flag: all digits is a seq, anything else
// an ISO-8601 time. UsageError naming `flag` for anything else.
Point ParsePointFlag(std::string_view flag, std::string_view text);

// The value of a --since flag: an ISO-8601 time, or a duration meaning that
// long before now. UsageError naming `flag` for anything else.
int64_t ParseSinceFlag(std::string_view flag, std::string_view text);

// The system clock in microseconds since the Unix epoch.
int64_t NowMicros();

}  // namespace tenantlog::tool

#endif  // TENANTLOG_TOOLS_TIME_POINT_H_
