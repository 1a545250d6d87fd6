#include "time_point.h"

// date::parse trips a false -Wmaybe-uninitialized in g++ 12 at -O2 (a
// warning clang does not have).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <date/date.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#include <fmt/format.h>

#include <algorithm>
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

// An ISO-8601 time up to its whole seconds ('9' stands for a digit).
constexpr std::string_view kSecondsShape = "9999-99-99T99:99:99";
// The most digits of fraction accepted (nanoseconds), and those kept.
constexpr size_t kMaxFractionDigits = 9;
constexpr size_t kMicrosecondDigits = 6;

// The number of digits of fraction of `text`, which starts with the
// fraction's '.' (0 when it holds no '.').
size_t FractionDigits(std::string_view text) {
  if (!text.starts_with('.')) return 0;
  return std::min(text.find_first_not_of("0123456789", 1), text.size()) - 1;
}

// True when `text` has the shape YYYY-MM-DDTHH:MM:SS, then optionally '.'
// and 1 to 9 digits, then Z or an offset +HH:MM / -HH:MM. date::parse sees
// nothing else: some malformed times make it convert NaN to an integer,
// which is undefined behaviour.
bool HasIsoTimeShape(std::string_view text) {
  const auto matches = [](std::string_view part, std::string_view pattern) {
    if (part.size() != pattern.size()) return false;
    for (size_t i = 0; i < part.size(); ++i) {
      const bool digit = part[i] >= '0' && part[i] <= '9';
      if (pattern[i] == '9' ? !digit : part[i] != pattern[i]) return false;
    }
    return true;
  };
  if (text.size() < kSecondsShape.size() ||
      !matches(text.substr(0, kSecondsShape.size()), kSecondsShape)) {
    return false;
  }
  text.remove_prefix(kSecondsShape.size());
  if (text.starts_with('.')) {
    const size_t digits = FractionDigits(text);
    if (digits < 1 || digits > kMaxFractionDigits) return false;
    text.remove_prefix(1 + digits);
  }
  return text == "Z" || matches(text, "+99:99") || matches(text, "-99:99");
}

// `text` without the digits of fraction past the microseconds: the same
// time floored to the microsecond, which date::parse reads whole.
// REQUIRES: HasIsoTimeShape(text).
std::string TruncatedToMicroseconds(std::string_view text) {
  std::string truncated(text);
  const size_t digits = FractionDigits(text.substr(kSecondsShape.size()));
  if (digits > kMicrosecondDigits) {
    truncated.erase(kSecondsShape.size() + 1 + kMicrosecondDigits, digits - kMicrosecondDigits);
  }
  return truncated;
}

}  // namespace

std::optional<int64_t> ParseIsoTime(std::string_view text) {
  if (!HasIsoTimeShape(text)) return std::nullopt;
  const auto time = ParseWithFormat(TruncatedToMicroseconds(text),
                                    text.back() == 'Z' ? "%FT%TZ" : "%FT%T%Ez");
  // An offset can move a time out of the years 0000-9999, which the tool
  // could not print back in this form.
  using std::chrono::microseconds;
  constexpr int64_t kFirst = std::chrono::duration_cast<microseconds>(
      date::sys_days{date::year{0} / 1 / 1}.time_since_epoch()).count();
  constexpr int64_t kEnd = std::chrono::duration_cast<microseconds>(
      date::sys_days{date::year{10000} / 1 / 1}.time_since_epoch()).count();
  if (!time || *time < kFirst || *time >= kEnd) return std::nullopt;
  return time;
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
