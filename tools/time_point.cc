#include "time_point.h"

// date::parse trips a false -Wmaybe-uninitialized in g++ 12 at -O2.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <date/date.h>
#pragma GCC diagnostic pop
#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <sstream>
#include <string>

#include "cli_context.h"

namespace tenantlog::tool {

namespace {

bool AllDigits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

// Parses all of `text` with the date::parse `format`.
std::optional<int64_t> ParseWithFormat(std::string_view text, const char* format) {
  std::istringstream in{std::string(text)};
  date::sys_time<std::chrono::microseconds> time;
  in >> date::parse(format, time);
  if (in.fail() || in.peek() != std::char_traits<char>::eof()) return std::nullopt;
  return time.time_since_epoch().count();
}

}  // namespace

std::optional<int64_t> ParseIsoTime(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text.back() == 'Z') return ParseWithFormat(text, "%FT%TZ");
  return ParseWithFormat(text, "%FT%T%Ez");
}

std::optional<int64_t> ParseDuration(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  const std::string_view digits = text.substr(0, text.size() - 1);
  if (!AllDigits(digits)) return std::nullopt;
  int64_t unit_us = 0;
  switch (text.back()) {
    case 'd':
      unit_us = int64_t{86'400'000'000};
      break;
    case 'h':
      unit_us = int64_t{3'600'000'000};
      break;
    case 'm':
      unit_us = int64_t{60'000'000};
      break;
    case 's':
      unit_us = int64_t{1'000'000};
      break;
    default:
      return std::nullopt;
  }
  int64_t count = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  if (count > INT64_MAX / unit_us) return std::nullopt;
  return count * unit_us;
}

std::optional<uint64_t> ParseSeq(std::string_view text) {
  if (!AllDigits(text)) return std::nullopt;
  uint64_t seq = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seq);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return seq;
}

Point ParsePointFlag(std::string_view flag, std::string_view text) {
  if (AllDigits(text)) {
    const auto seq = ParseSeq(text);
    if (!seq) UsageError(fmt::format("{} {}: seq out of range", flag, text));
    return Point::AtSeq(*seq);
  }
  const auto time = ParseIsoTime(text);
  if (!time) {
    UsageError(fmt::format(
        "{} '{}': expected a seq (digits) or an ISO-8601 UTC time like 2022-04-05T02:00:00Z", flag,
        text));
  }
  return Point::AtTime(*time);
}

int64_t ParseSinceFlag(std::string_view flag, std::string_view text) {
  if (const auto time = ParseIsoTime(text)) return *time;
  if (const auto duration = ParseDuration(text)) return NowMicros() - *duration;
  UsageError(fmt::format(
      "{} '{}': expected an ISO-8601 UTC time like 2022-04-05T02:00:00Z or a duration like 12h",
      flag, text));
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace tenantlog::tool
