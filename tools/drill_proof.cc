#include "drill_proof.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "output.h"

namespace tenantlog::tool {
namespace {

constexpr size_t kLogPage = 4096;
// Bytes of a file read at once when searching it.
constexpr size_t kScanChunk = size_t{16} << 20;

// The first field in which two events differ, or empty.
std::string FirstFieldDifference(const Event& a, const Event& b) {
  if (a.seq != b.seq) return fmt::format("seq {} vs {}", a.seq, b.seq);
  if (a.time_us != b.time_us) {
    return fmt::format("time {} vs {}", FormatTimeMicros(a.time_us), FormatTimeMicros(b.time_us));
  }
  if (a.kind != b.kind) {
    return fmt::format("kind {} vs {}", EventKindName(a.kind), EventKindName(b.kind));
  }
  if (a.type != b.type) return fmt::format("type {} vs {}", a.type, b.type);
  if (a.key != b.key) return fmt::format("key {} vs {}", DisplayText(a.key), DisplayText(b.key));
  if (a.op != b.op) return fmt::format("op {} vs {}", OpName(a.op), OpName(b.op));
  if (a.payload != b.payload) return "payload differs";
  if (a.actor != b.actor) return fmt::format("actor {} vs {}", a.actor, b.actor);
  if (a.reason != b.reason) return "reason differs";
  if (a.rewind_target != b.rewind_target) {
    return fmt::format("rewind target {} vs {}", a.rewind_target, b.rewind_target);
  }
  if (a.chain != b.chain) {
    return fmt::format("chain {} vs {}", FormatChain(a.chain), FormatChain(b.chain));
  }
  return {};
}

}  // namespace

Result<std::vector<Event>> ReadWholeLog(Store& store, std::string_view tenant) {
  std::vector<Event> events;
  for (uint64_t from = 1;;) {
    auto page = store.ReadLog(tenant, from, kLogPage);
    if (!page.ok()) return page.status();
    const size_t read = page->size();
    for (Event& event : *page) events.push_back(std::move(event));
    if (read < kLogPage) return events;
    from = events.back().seq + 1;
  }
}

std::vector<std::string> CompareEvents(std::string_view tenant, std::span<const Event> actual,
                                       std::span<const Event> expected) {
  std::vector<std::string> problems;
  const size_t common = std::min(actual.size(), expected.size());
  for (size_t i = 0; i < common; ++i) {
    const std::string difference = FirstFieldDifference(actual[i], expected[i]);
    if (!difference.empty()) {
      problems.push_back(
          fmt::format("{}: event at seq {} differs: {}", tenant, expected[i].seq, difference));
      break;
    }
  }
  if (actual.size() != expected.size()) {
    problems.push_back(fmt::format("{}: {} events where {} were expected", tenant, actual.size(),
                                   expected.size()));
  }
  return problems;
}

std::vector<std::string> CompareViews(std::string_view tenant, const std::vector<KeyValue>& actual,
                                      const std::vector<KeyValue>& expected) {
  size_t a = 0;
  size_t e = 0;
  while (a < actual.size() || e < expected.size()) {
    if (e == expected.size() || (a < actual.size() && actual[a].key < expected[e].key)) {
      return {fmt::format("{}: view has key {} that should be absent", tenant,
                          DisplayText(actual[a].key))};
    }
    if (a == actual.size() || expected[e].key < actual[a].key) {
      return {fmt::format("{}: view lacks key {}", tenant, DisplayText(expected[e].key))};
    }
    if (actual[a].payload != expected[e].payload) {
      return {fmt::format("{}: view payload of key {} differs ({} vs {} bytes)", tenant,
                          DisplayText(actual[a].key), actual[a].payload.size(),
                          expected[e].payload.size())};
    }
    ++a;
    ++e;
  }
  return {};
}

std::vector<std::string> CompareWithReference(Store& store, Store& reference,
                                              std::string_view tenant) {
  const auto info = store.Describe(tenant);
  const auto expected_info = reference.Describe(tenant);
  if (!info.ok() || !expected_info.ok()) {
    return {fmt::format("{}: describe failed: {} / reference: {}", tenant, info.status().ToString(),
                        expected_info.status().ToString())};
  }
  std::vector<std::string> problems;
  if (info->state != expected_info->state || info->head_seq != expected_info->head_seq ||
      info->event_count != expected_info->event_count ||
      info->chain_head != expected_info->chain_head) {
    problems.push_back(
        fmt::format("{}: record differs: {} head {} events {} chain {} vs reference {} head {} "
                    "events {} chain {}",
                    tenant, TenantStateName(info->state), info->head_seq, info->event_count,
                    FormatChain(info->chain_head), TenantStateName(expected_info->state),
                    expected_info->head_seq, expected_info->event_count,
                    FormatChain(expected_info->chain_head)));
  }
  const auto log = ReadWholeLog(store, tenant);
  const auto expected_log = ReadWholeLog(reference, tenant);
  if (!log.ok() || !expected_log.ok()) {
    problems.push_back(fmt::format("{}: reading the log failed: {} / reference: {}", tenant,
                                   log.status().ToString(), expected_log.status().ToString()));
    return problems;
  }
  for (std::string& problem : CompareEvents(tenant, *log, *expected_log)) {
    problems.push_back(std::move(problem));
  }
  const auto view = store.List(tenant);
  const auto expected_view = reference.List(tenant);
  if (!view.ok() || !expected_view.ok()) {
    problems.push_back(fmt::format("{}: reading the view failed: {} / reference: {}", tenant,
                                   view.status().ToString(), expected_view.status().ToString()));
    return problems;
  }
  for (std::string& problem : CompareViews(tenant, *view, *expected_view)) {
    problems.push_back(std::move(problem));
  }
  return problems;
}

Result<std::vector<bool>> FindInFiles(const std::string& dir,
                                      const std::vector<std::string>& needles) {
  using Searcher = std::boyer_moore_horspool_searcher<std::string::const_iterator>;
  std::vector<Searcher> searchers;
  size_t longest = 0;
  for (const std::string& needle : needles) {
    searchers.emplace_back(needle.begin(), needle.end());
    longest = std::max(longest, needle.size());
  }
  std::vector<bool> found(needles.size(), false);
  std::error_code error;
  std::filesystem::recursive_directory_iterator files(dir, error);
  if (error) return Status::IOError(fmt::format("listing {}: {}", dir, error.message()));
  for (const auto& entry : files) {
    if (!entry.is_regular_file(error)) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    if (!in) return Status::IOError(fmt::format("cannot open {}", entry.path().string()));
    // Each chunk starts with the last longest-1 bytes of the one before, so
    // that a needle across a chunk boundary is found.
    std::string window;
    while (in) {
      const size_t kept = window.size();
      window.resize(kept + kScanChunk);
      in.read(window.data() + kept, static_cast<std::streamsize>(kScanChunk));
      window.resize(kept + static_cast<size_t>(in.gcount()));
      if (in.bad()) return Status::IOError(fmt::format("reading {}", entry.path().string()));
      for (size_t i = 0; i < needles.size(); ++i) {
        if (found[i]) continue;
        const std::string& text = window;
        found[i] = std::search(text.begin(), text.end(), searchers[i]) != text.end();
      }
      const size_t overlap = std::min(window.size(), longest > 0 ? longest - 1 : 0);
      window.erase(0, window.size() - overlap);
    }
  }
  return found;
}

void ParallelFor(size_t n, size_t threads, const std::function<void(size_t)>& fn) {
  std::atomic<size_t> next{0};
  const auto work = [&] {
    for (size_t i = next++; i < n; i = next++) fn(i);
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& thread : pool) thread.join();
}

}  // namespace tenantlog::tool
