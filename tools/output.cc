#include "output.h"

#include <date/date.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <iostream>

namespace tenantlog::tool {

std::string HumanBytes(uint64_t bytes) {
  static constexpr std::array<const char*, 5> kUnits = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) return fmt::format("{} B", bytes);
  double value = static_cast<double>(bytes) / 1024;
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < kUnits.size()) {
    value /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, kUnits[unit]);
}

std::string HumanCount(uint64_t count) {
  std::string digits = std::to_string(count);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string HumanSeconds(double seconds) {
  if (seconds < 1) return fmt::format("{:.1f} ms", seconds * 1000);
  return fmt::format("{:.2f} s", seconds);
}

std::string FormatTime(int64_t time_us) {
  const date::sys_time<std::chrono::microseconds> time{std::chrono::microseconds(time_us)};
  return date::format("%FT%TZ", std::chrono::floor<std::chrono::seconds>(time));
}

std::string FormatTimeMicros(int64_t time_us) {
  const date::sys_time<std::chrono::microseconds> time{std::chrono::microseconds(time_us)};
  return date::format("%FT%TZ", time);
}

std::string FormatChain(uint64_t chain) { return fmt::format("{:016x}", chain); }

namespace {

// Length of the UTF-8 sequence starting at bytes[i], or 0 when it is not one.
size_t Utf8SequenceLength(std::string_view bytes, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(bytes[k]); };
  const unsigned char lead = byte(i);
  size_t length = 0;
  uint32_t code = 0;
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > bytes.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr std::array<uint32_t, 5> kMinimum = {0, 0, 0x80, 0x800, 0x10000};
  if (code < kMinimum[length] || code > 0x10FFFF) return 0;  // overlong or out of range
  if (code >= 0xD800 && code <= 0xDFFF) return 0;            // surrogate
  return length;
}

// Characters a terminal shows for `text` (UTF-8 code points).
size_t DisplayWidth(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

bool IsValidUtf8(std::string_view bytes) {
  for (size_t i = 0; i < bytes.size();) {
    const size_t length = Utf8SequenceLength(bytes, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

std::string DisplayText(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) {
    const size_t length = Utf8SequenceLength(bytes, i);
    const auto lead = static_cast<unsigned char>(bytes[i]);
    if (length == 0 || lead < 0x20 || lead == 0x7F) {
      out += fmt::format("\\x{:02x}", lead);
      ++i;
      continue;
    }
    out.append(bytes.substr(i, length));
    i += length;
  }
  return out;
}

std::string Truncate(std::string_view text, size_t max_chars) {
  if (DisplayWidth(text) <= max_chars) return std::string(text);
  const size_t keep = max_chars < 3 ? 0 : max_chars - 3;
  size_t chars = 0;
  size_t end = 0;
  while (end < text.size()) {
    if ((static_cast<unsigned char>(text[end]) & 0xC0) != 0x80 && chars++ == keep) break;
    ++end;
  }
  return std::string(text.substr(0, end)) + "...";
}

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  const auto at = [&](size_t k) {
    return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k]));
  };
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t n = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    out += kBase64Alphabet[(n >> 18) & 63];
    out += kBase64Alphabet[(n >> 12) & 63];
    out += kBase64Alphabet[(n >> 6) & 63];
    out += kBase64Alphabet[n & 63];
  }
  if (const size_t rest = bytes.size() - i; rest > 0) {
    const uint32_t n = (at(i) << 16) | (rest == 2 ? at(i + 1) << 8 : 0);
    out += kBase64Alphabet[(n >> 18) & 63];
    out += kBase64Alphabet[(n >> 12) & 63];
    out += rest == 2 ? kBase64Alphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    uint32_t n = 0;
    size_t padding = 0;
    for (size_t k = 0; k < 4; ++k) {
      const char c = text[i + k];
      uint32_t value = 0;
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        ++padding;
      } else if (padding > 0) {
        return std::nullopt;
      } else {
        const auto pos = kBase64Alphabet.find(c);
        if (pos == std::string_view::npos) return std::nullopt;
        value = static_cast<uint32_t>(pos);
      }
      n = (n << 6) | value;
    }
    out += static_cast<char>((n >> 16) & 0xFF);
    if (padding < 2) out += static_cast<char>((n >> 8) & 0xFF);
    if (padding < 1) out += static_cast<char>(n & 0xFF);
  }
  return out;
}

void SetBytes(nlohmann::ordered_json& object, const std::string& name, std::string_view bytes) {
  if (IsValidUtf8(bytes)) {
    object[name] = std::string(bytes);
  } else {
    object[name + "_base64"] = Base64Encode(bytes);
  }
}

void PrintJson(const nlohmann::ordered_json& document) {
  std::cout << document.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
  std::cout.flush();
}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  rows_.push_back(std::move(cells));
}

void Table::Print(std::FILE* out) const {
  std::vector<size_t> widths(columns_.size());
  for (size_t c = 0; c < columns_.size(); ++c) {
    widths[c] = show_header_ ? DisplayWidth(columns_[c].header) : 0;
    for (const auto& row : rows_) widths[c] = std::max(widths[c], DisplayWidth(row[c]));
  }
  const auto print_row = [&](const auto& cell_at) {
    std::string line;
    for (size_t c = 0; c < columns_.size(); ++c) {
      const std::string& cell = cell_at(c);
      const size_t pad = widths[c] - DisplayWidth(cell);
      const bool last = c + 1 == columns_.size();
      if (c > 0) line += "  ";
      if (columns_[c].align == Align::kRight) {
        line.append(pad, ' ');
        line += cell;
      } else {
        line += cell;
        if (!last) line.append(pad, ' ');
      }
    }
    line.erase(line.find_last_not_of(' ') + 1);
    fmt::print(out, "{}\n", line);
  };
  if (show_header_) {
    print_row([&](size_t c) -> const std::string& { return columns_[c].header; });
  }
  for (const auto& row : rows_) {
    print_row([&](size_t c) -> const std::string& { return row[c]; });
  }
}

std::string Plural(uint64_t count, std::string_view noun, std::string_view plural) {
  if (count == 1) return fmt::format("1 {}", noun);
  if (plural.empty()) return fmt::format("{} {}s", HumanCount(count), noun);
  return fmt::format("{} {}", HumanCount(count), plural);
}

std::string JoinLimited(const std::vector<std::string>& items, size_t limit) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < limit; ++i) {
    if (i > 0) out += ", ";
    out += DisplayText(items[i]);
  }
  if (items.size() > limit) out += fmt::format(" … (+{} more)", items.size() - limit);
  return out;
}

namespace {

std::string OptionalBytes(const std::optional<size_t>& bytes) {
  return bytes ? HumanBytes(*bytes) : "-";
}

}  // namespace

nlohmann::ordered_json KeyChangeJson(const KeyChange& change) {
  nlohmann::ordered_json item;
  SetBytes(item, "key", change.key);
  item["seq"] = change.seq;
  item["before_bytes"] =
      change.before_bytes ? nlohmann::ordered_json(*change.before_bytes) : nlohmann::ordered_json(nullptr);
  item["after_bytes"] =
      change.after_bytes ? nlohmann::ordered_json(*change.after_bytes) : nlohmann::ordered_json(nullptr);
  return item;
}

nlohmann::ordered_json ViewDiffJson(const ViewDiff& diff) {
  nlohmann::ordered_json document = {{"added", nlohmann::ordered_json::array()},
                             {"changed", nlohmann::ordered_json::array()},
                             {"removed", nlohmann::ordered_json::array()}};
  for (const KeyChange& change : diff.added) document["added"].push_back(KeyChangeJson(change));
  for (const KeyChange& change : diff.changed) document["changed"].push_back(KeyChangeJson(change));
  for (const KeyChange& change : diff.removed) document["removed"].push_back(KeyChangeJson(change));
  return document;
}

void PrintViewDiff(const ViewDiff& diff) {
  if (diff.empty()) {
    fmt::print("no keys change\n");
    return;
  }
  Table table({{"CHANGE"},
               {"KEY"},
               {"SEQ", Table::Align::kRight},
               {"BEFORE", Table::Align::kRight},
               {"AFTER", Table::Align::kRight}});
  const auto add_rows = [&](const std::vector<KeyChange>& changes, const char* kind) {
    for (const KeyChange& change : changes) {
      table.AddRow({kind, DisplayText(change.key), std::to_string(change.seq),
                    OptionalBytes(change.before_bytes), OptionalBytes(change.after_bytes)});
    }
  };
  add_rows(diff.added, "added");
  add_rows(diff.changed, "changed");
  add_rows(diff.removed, "removed");
  table.Print();
  fmt::print("{} added, {} changed, {} removed\n", diff.added.size(), diff.changed.size(),
             diff.removed.size());
}

}  // namespace tenantlog::tool
