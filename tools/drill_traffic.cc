#include "drill_traffic.h"

#include <fmt/format.h>

#include <array>
#include <string_view>
#include <utility>

namespace tenantlog::tool {
namespace {

// 2022-04-01T00:00:00Z: the synthetic clocks start here.
constexpr int64_t kEpochUs = int64_t{1'648'771'200} * 1'000'000;

constexpr std::array<std::string_view, 8> kCompanies = {"acme",  "globex",   "initech", "umbrella",
                                                        "hooli", "vandelay", "wonka",   "stark"};
constexpr std::array<std::string_view, 6> kPeople = {"dana", "lee", "sam", "noor", "kai", "ines"};
constexpr std::array<std::string_view, 4> kStatuses = {"open", "in_progress", "review", "closed"};
constexpr std::array<std::string_view, 4> kPriorities = {"low", "medium", "high", "urgent"};
constexpr std::array<std::string_view, 10> kSubjects = {
    "login",  "checkout", "export",   "search", "invoice",
    "signup", "webhook",  "calendar", "upload", "dashboard"};
constexpr std::array<std::string_view, 8> kProblems = {
    "fails on Safari",       "times out",     "shows the wrong total", "loses the draft",
    "is slow for big teams", "returns a 500", "ignores the time zone", "sends two emails"};
constexpr std::array<std::string_view, 24> kWords = {
    "the",   "customer", "reports", "that",  "after",    "update", "page", "button",
    "again", "steps",    "to",      "repro", "open",     "click",  "save", "expected",
    "saw",   "error",    "fixed",   "by",    "retrying", "works",  "when", "cache"};

template <size_t N>
std::string_view Pick(const std::array<std::string_view, N>& words, uint64_t random) {
  return words[random % N];
}

}  // namespace

TrafficGenerator::TrafficGenerator(uint64_t seed, size_t tenants) : tenants_(tenants) {
  for (size_t i = 0; i < tenants; ++i) {
    tenants_[i].random = seed ^ (0x9E3779B97F4A7C15ull * (i + 1));
    tenants_[i].clock_us = kEpochUs + static_cast<int64_t>(i) * 1'700'000;
  }
}

std::string TrafficGenerator::TenantName(size_t index) {
  return fmt::format("{}-{:04}", kCompanies[index % kCompanies.size()], index + 1);
}

uint64_t TrafficGenerator::Next(TenantTraffic& t) {
  uint64_t z = (t.random += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t TrafficGenerator::Below(TenantTraffic& t, uint64_t bound) { return Next(t) % bound; }

size_t TrafficGenerator::NextBatchSize(size_t tenant, size_t remaining) {
  const size_t size = 50 + Below(tenants_[tenant], 51);
  return size < remaining ? size : remaining;
}

// `head` (a JSON object's opening fields) completed by a "body" of words to
// a total of 100 to 300 bytes.
std::string TrafficGenerator::Payload(TenantTraffic& t, const std::string& head) {
  const size_t target = 100 + Below(t, 201);
  std::string payload = head + ",\"body\":\"";
  while (payload.size() + 2 < target) {
    payload += Pick(kWords, Next(t));
    payload += ' ';
  }
  payload.back() = '"';
  payload += '}';
  return payload;
}

DataEvent TrafficGenerator::NextEvent(TenantTraffic& t) {
  t.clock_us += 1'000'000 + static_cast<int64_t>(Below(t, 120'000'000));
  DataEvent event;
  event.time_us = t.clock_us;
  const uint64_t roll = Below(t, 100);
  const auto pick_index = [&](const std::vector<uint32_t>& ids) { return Below(t, ids.size()); };

  if (t.issues.empty() || roll < 22) {
    const uint32_t id = t.next_issue++;
    t.issues.push_back(id);
    event.type = "issue.created";
    event.key = fmt::format("issue/{}", id);
    const std::string_view subject = Pick(kSubjects, Next(t));
    const std::string_view problem = Pick(kProblems, Next(t));
    const std::string_view priority = Pick(kPriorities, Next(t));
    const std::string_view reporter = Pick(kPeople, Next(t));
    event.payload = Payload(
        t, fmt::format(
               R"({{"issue":{},"title":"{} {}","status":"open","priority":"{}","reporter":"{}")",
               id, subject, problem, priority, reporter));
  } else if (roll < 55) {
    const uint32_t id = t.issues[pick_index(t.issues)];
    event.type = "issue.updated";
    event.key = fmt::format("issue/{}", id);
    const std::string_view status = Pick(kStatuses, Next(t));
    const std::string_view assignee = Pick(kPeople, Next(t));
    event.payload = Payload(
        t, fmt::format(R"({{"issue":{},"status":"{}","assignee":"{}")", id, status, assignee));
  } else if (roll < 80 || (roll < 90 && t.comments.empty())) {
    const uint32_t id = t.next_comment++;
    t.comments.push_back(id);
    event.type = "comment.added";
    event.key = fmt::format("comment/{}", id);
    const uint32_t issue = t.issues[pick_index(t.issues)];
    const std::string_view author = Pick(kPeople, Next(t));
    event.payload =
        Payload(t, fmt::format(R"({{"comment":{},"issue":{},"author":"{}")", id, issue, author));
  } else if (roll < 90) {
    const uint32_t id = t.comments[pick_index(t.comments)];
    event.type = "comment.edited";
    event.key = fmt::format("comment/{}", id);
    event.payload = Payload(t, fmt::format(R"({{"comment":{},"edited":true)", id));
  } else if (roll < 96 || t.comments.empty()) {
    const size_t at = pick_index(t.issues);
    event.type = "issue.deleted";
    event.key = fmt::format("issue/{}", t.issues[at]);
    event.op = Op::kDelete;
    t.issues.erase(t.issues.begin() + static_cast<std::ptrdiff_t>(at));
  } else {
    const size_t at = pick_index(t.comments);
    event.type = "comment.deleted";
    event.key = fmt::format("comment/{}", t.comments[at]);
    event.op = Op::kDelete;
    t.comments.erase(t.comments.begin() + static_cast<std::ptrdiff_t>(at));
  }
  return event;
}

AppendBatch TrafficGenerator::NextBatch(size_t tenant, size_t count) {
  AppendBatch batch;
  for (size_t i = 0; i < count; ++i) batch.Add(NextEvent(tenants_[tenant]));
  return batch;
}

AppendBatch DamagingBatch(const std::vector<std::string>& keys, int64_t time_us, uint64_t seed) {
  AppendBatch batch;
  uint64_t random = seed;
  for (size_t i = 0; i < keys.size(); ++i) {
    DataEvent event;
    event.key = keys[i];
    event.time_us = time_us;
    if (i % 10 == 9) {
      event.type = "bulk.cleanup";
      event.op = Op::kDelete;
    } else {
      event.type = "bulk.migrated";
      random = random * 6364136223846793005ull + 1442695040888963407ull;
      event.payload.resize(64 + (random >> 33) % 449);
      for (char& byte : event.payload) {
        random = random * 6364136223846793005ull + 1442695040888963407ull;
        byte = static_cast<char>(random >> 56);
      }
    }
    batch.Add(std::move(event));
  }
  return batch;
}

}  // namespace tenantlog::tool
