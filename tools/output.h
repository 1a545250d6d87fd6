// How the admin tool shows results: aligned tables, sizes and times for
// people; one JSON document for scripts (--json).
//
// Thread-safety: free functions are thread-safe; a Table needs external
// synchronisation.
#ifndef TENANTLOG_TOOLS_OUTPUT_H_
#define TENANTLOG_TOOLS_OUTPUT_H_

#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tenantlog/admin.h"

namespace tenantlog::tool {

// "0 B", "512 B", "1.5 KiB", "20.0 MiB".
std::string HumanBytes(uint64_t bytes);

// "1,234,567".
std::string HumanCount(uint64_t count);

// "0.42 s", "12.3 ms".
std::string HumanSeconds(double seconds);

// ISO-8601 UTC to the second: "2022-04-05T02:00:00Z".
std::string FormatTime(int64_t time_us);

// ISO-8601 UTC with microseconds: "2022-04-05T02:00:00.250000Z".
std::string FormatTimeMicros(int64_t time_us);

// A chain hash as 16 lowercase hex digits.
std::string FormatChain(uint64_t chain);

// True when `bytes` is well-formed UTF-8.
bool IsValidUtf8(std::string_view bytes);

// `bytes` as one line of text for people: valid UTF-8 is kept, control
// characters and bytes that are not UTF-8 are shown as \xNN.
std::string DisplayText(std::string_view bytes);

// `text` cut to at most `max_chars` characters, "..." marking a cut.
std::string Truncate(std::string_view text, size_t max_chars);

// Standard base64 (RFC 4648, with padding).
std::string Base64Encode(std::string_view bytes);
// nullopt when `text` is not standard base64.
std::optional<std::string> Base64Decode(std::string_view text);

// Sets object[name] to `bytes` as a string when it is UTF-8, else sets
// object[name + "_base64"].
void SetBytes(nlohmann::ordered_json& object, const std::string& name, std::string_view bytes);

// Writes `document` and a newline to stdout.
void PrintJson(const nlohmann::ordered_json& document);

// A table for people: columns aligned, numbers right-aligned.
class Table {
 public:
  enum class Align { kLeft, kRight };
  struct Column {
    std::string header;
    Align align = Align::kLeft;
  };

  explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

  // REQUIRES: cells.size() == number of columns.
  void AddRow(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }
  // Print() leaves the header line out (for field/value listings).
  void HideHeader() { show_header_ = false; }

  // Writes the header and every row; the last column is not padded.
  void Print(std::FILE* out = stdout) const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
  bool show_header_ = true;
};

// "1 tenant", "2 tenants"; `plural` when adding "s" is wrong ("entries").
std::string Plural(uint64_t count, std::string_view noun, std::string_view plural = {});

// "a, b, c" or, past `limit` items, "a, b, c … (+7 more)".
std::string JoinLimited(const std::vector<std::string>& items, size_t limit);

// {"key","seq","before_bytes","after_bytes"}; sizes null when absent.
nlohmann::ordered_json KeyChangeJson(const KeyChange& change);
// {"added":[…],"changed":[…],"removed":[…]} of KeyChangeJson.
nlohmann::ordered_json ViewDiffJson(const ViewDiff& diff);
// A table of the changed keys with their seqs and sizes, and a count line.
void PrintViewDiff(const ViewDiff& diff);

}  // namespace tenantlog::tool

#endif  // TENANTLOG_TOOLS_OUTPUT_H_
