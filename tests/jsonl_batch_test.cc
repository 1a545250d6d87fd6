// The JSON Lines batch of `tenantlog append --jsonl` (tools/jsonl_batch.h):
// every good line becomes its event, in order; every malformed input is
// InvalidArgument naming the line and what is wrong, with no batch at all.

#include "tools/jsonl_batch.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/store_helpers.h"
#include "util/test_clock.h"

namespace tenantlog::tool {
namespace {

using test::kTestEpochMicros;

DataEvent Event(std::string type, std::string key, Op op, std::string payload,
                std::optional<int64_t> time_us = std::nullopt) {
  DataEvent e;
  e.type = std::move(type);
  e.key = std::move(key);
  e.op = op;
  e.payload = std::move(payload);
  e.time_us = time_us;
  return e;
}

std::string Describe(const DataEvent& e) {
  return "{type=" + e.type + " key=" + e.key + " op=" + std::string(OpName(e.op)) +
         " payload=" + e.payload +
         " time=" + (e.time_us ? std::to_string(*e.time_us) : std::string("unset")) + "}";
}

void ExpectEvents(const std::string& content, const std::vector<DataEvent>& expected) {
  SCOPED_TRACE(content);
  const auto batch = ParseJsonLinesBatch(content, "in.jsonl");
  ASSERT_TRUE(test::IsOk(batch.status()));
  ASSERT_EQ(batch->size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const DataEvent& got = batch->events()[i];
    const DataEvent& want = expected[i];
    EXPECT_TRUE(got.type == want.type && got.key == want.key && got.op == want.op &&
                got.payload == want.payload && got.time_us == want.time_us)
        << "event " << i << ": got " << Describe(got) << ", want " << Describe(want);
  }
}

TEST(JsonlBatchTest, EveryLineIsOneEventInOrder) {
  ExpectEvents(
      "{\"type\":\"issue.updated\",\"key\":\"issue/42\",\"op\":\"put\",\"payload\":\"{\\\"a\\\":1}\"}\n"
      "{\"type\":\"issue.deleted\",\"key\":\"issue/7\",\"op\":\"delete\"}\n"
      "{\"key\":\"issue/8\",\"type\":\"issue.created\"}\n",
      {Event("issue.updated", "issue/42", Op::kPut, "{\"a\":1}"),
       Event("issue.deleted", "issue/7", Op::kDelete, ""),
       Event("issue.created", "issue/8", Op::kPut, "")});
}

TEST(JsonlBatchTest, CrlfBlankLinesAndAMissingLastNewlineAreAccepted) {
  ExpectEvents(
      "\r\n  \t\r\n{\"type\":\"t\",\"key\":\"a\",\"payload\":\"1\"}\r\n\n"
      "  {\"type\":\"t\",\"key\":\"b\",\"payload\":\"2\"}  \r\n"
      "{\"type\":\"t\",\"key\":\"c\",\"payload\":\"3\"}",
      {Event("t", "a", Op::kPut, "1"), Event("t", "b", Op::kPut, "2"),
       Event("t", "c", Op::kPut, "3")});
}

TEST(JsonlBatchTest, EscapesBase64AndTimesGiveTheirBytesAndMicroseconds) {
  ExpectEvents(
      "{\"type\":\"t\",\"key\":\"\\u00e9t\\u00e9\",\"payload\":\"nul \\u0000 \\ud83d\\ude00\"}\n"
      "{\"type\":\"t\",\"key_base64\":\"AP8Baw==\",\"payload_base64\":\"AAECAw==\"}\n"
      "{\"type\":\"t\",\"key\":\"k\",\"payload_base64\":\"\"}\n"
      "{\"type\":\"t\",\"key\":\"k\",\"time\":\"2022-04-05T02:00:00.250000Z\"}\n"
      "{\"type\":\"t\",\"key\":\"k\",\"time\":\"2022-04-05T04:00:01+02:00\"}\n",
      {Event("t", "\xc3\xa9t\xc3\xa9", Op::kPut, std::string("nul \0 \xf0\x9f\x98\x80", 10)),
       Event("t", std::string("\x00\xff\x01k", 4), Op::kPut, std::string("\x00\x01\x02\x03", 4)),
       Event("t", "k", Op::kPut, ""),
       Event("t", "k", Op::kPut, "", kTestEpochMicros + 250000),
       Event("t", "k", Op::kPut, "", kTestEpochMicros + 1000000)});
}

// `date -u +%FT%T.%NZ` prints nanoseconds; the store keeps microseconds. A
// time is floored: the event is at or before the time given.
TEST(JsonlBatchTest, TimesWithUpToNineDigitsOfFractionAreFlooredToTheMicrosecond) {
  const auto timed = [](const std::string& time) {
    return "{\"type\":\"t\",\"key\":\"k\",\"time\":\"" + time + "\"}\n";
  };
  ExpectEvents(timed("2022-04-05T02:00:00.123456789Z") + timed("2022-04-05T02:00:00.1234567Z") +
                   timed("2022-04-05T02:00:00.999999999Z") +
                   timed("2022-04-05T04:00:00.000000999+02:00") +
                   timed("1969-12-31T23:59:59.999999999Z") +
                   timed("9999-12-31T23:59:59.999999999Z"),
               {Event("t", "k", Op::kPut, "", kTestEpochMicros + 123456),
                Event("t", "k", Op::kPut, "", kTestEpochMicros + 123456),
                Event("t", "k", Op::kPut, "", kTestEpochMicros + 999999),
                Event("t", "k", Op::kPut, "", kTestEpochMicros),
                Event("t", "k", Op::kPut, "", -1),
                Event("t", "k", Op::kPut, "", int64_t{253402300799999999})});
}

TEST(JsonlBatchTest, AWrittenOutEventReadsBackTheSame) {
  const std::vector<DataEvent> events = {
      Event("t", "plain", Op::kPut, "text"),
      Event("t", std::string("\x00\xff\x80", 3), Op::kPut, std::string("\xc3\x28", 2)),
      Event("t", "gone", Op::kDelete, ""),
      Event("t", "timed", Op::kPut, "", kTestEpochMicros + 1),
      Event("t", "before 1970", Op::kPut, "", -1),
      Event("t", "first time", Op::kPut, "", int64_t{-62167219200} * 1000000),  // 0000-01-01
      Event("t", "last time", Op::kPut, "", int64_t{253402300799999999}),  // 9999-12-31T23:59:59.999999
  };
  std::string content;
  for (const DataEvent& e : events) content += JsonLineFor(e) + "\n";
  ExpectEvents(content, events);
}

struct BadCase {
  std::string what;
  std::string content;
  std::string message;  // a substring the error must hold
};

TEST(JsonlBatchTest, EveryMalformedInputIsInvalidArgumentNamingTheLine) {
  const std::string good = "{\"type\":\"t\",\"key\":\"k\"}\n";
  const std::vector<BadCase> cases = {
      {"empty input", "", "in.jsonl: no events"},
      {"blank lines only", "\n \r\n\t\n", "in.jsonl: no events"},
      {"not JSON", "{oops\n", "in.jsonl line 1: not valid JSON"},
      {"a truncated object", good + "{\"type\":\"t\",\"key\":", "in.jsonl line 2: not valid JSON"},
      {"two objects on one line", "{\"type\":\"t\",\"key\":\"a\"}{\"type\":\"t\",\"key\":\"b\"}\n",
       "line 1: not valid JSON"},
      {"a NUL byte outside strings", std::string("{\"type\":\"t\",\0\"key\":\"k\"}\n", 22),
       "line 1: not valid JSON"},
      {"invalid UTF-8 in a string", "{\"type\":\"t\",\"key\":\"\xff\xfe\"}\n",
       "line 1: not valid JSON"},
      {"a lone surrogate escape", "{\"type\":\"t\",\"key\":\"\\ud800\"}\n", "line 1: not valid JSON"},
      {"an array", "[1,2]\n", "line 1: expected a JSON object"},
      {"a string", "\"type\"\n", "line 1: expected a JSON object"},
      {"a number", good + good + "42\n", "line 3: expected a JSON object"},
      {"null", "null\n", "line 1: expected a JSON object"},
      {"a number as type", "{\"type\":1,\"key\":\"k\"}\n", "\"type\" must be a string"},
      {"a huge number as type", "{\"type\":1e999,\"key\":\"k\"}\n", "line 1:"},
      {"a huge integer as key", "{\"type\":\"t\",\"key\":123456789012345678901234567890}\n",
       "\"key\" must be a string"},
      {"an array as key", "{\"type\":\"t\",\"key\":[\"k\"]}\n", "\"key\" must be a string"},
      {"a bool as op", "{\"type\":\"t\",\"key\":\"k\",\"op\":true}\n", "\"op\" must be a string"},
      {"an object as payload", "{\"type\":\"t\",\"key\":\"k\",\"payload\":{\"a\":1}}\n",
       "\"payload\" must be a string"},
      {"a number as time", "{\"type\":\"t\",\"key\":\"k\",\"time\":1649124000}\n",
       "\"time\" must be a string"},
      {"null as key", "{\"type\":\"t\",\"key\":null}\n", "\"key\" must be a string"},
      {"no type", "{\"key\":\"k\"}\n", "line 1: \"type\" is required"},
      {"an empty type", "{\"type\":\"\",\"key\":\"k\"}\n", "\"type\" is required"},
      {"no key", "{\"type\":\"t\",\"payload\":\"p\"}\n", "\"key\" is required"},
      {"an empty key", "{\"type\":\"t\",\"key\":\"\"}\n", "\"key\" is required"},
      {"an empty base64 key", "{\"type\":\"t\",\"key_base64\":\"\"}\n", "\"key\" is required"},
      {"an empty object", "{}\n", "\"type\" is required"},
      {"a bad op", "{\"type\":\"t\",\"key\":\"k\",\"op\":\"upsert\"}\n",
       "\"op\" 'upsert' must be put or delete"},
      {"an op in capitals", "{\"type\":\"t\",\"key\":\"k\",\"op\":\"PUT\"}\n", "must be put or delete"},
      {"a delete with a payload", "{\"type\":\"t\",\"key\":\"k\",\"op\":\"delete\",\"payload\":\"\"}\n",
       "a delete carries no payload"},
      {"a delete with a base64 payload",
       "{\"type\":\"t\",\"key\":\"k\",\"op\":\"delete\",\"payload_base64\":\"YQ==\"}\n",
       "a delete carries no payload"},
      {"payload and payload_base64", "{\"type\":\"t\",\"key\":\"k\",\"payload\":\"a\",\"payload_base64\":\"YQ==\"}\n",
       "give \"payload\" or \"payload_base64\", not both"},
      {"key and key_base64", "{\"type\":\"t\",\"key\":\"k\",\"key_base64\":\"aw==\"}\n",
       "give \"key\" or \"key_base64\", not both"},
      {"base64 of the wrong length", "{\"type\":\"t\",\"key\":\"k\",\"payload_base64\":\"YQ=\"}\n",
       "\"payload_base64\" is not standard base64"},
      {"base64 with a foreign character", "{\"type\":\"t\",\"key_base64\":\"a-b_\"}\n",
       "\"key_base64\" is not standard base64"},
      {"base64 with padding inside", "{\"type\":\"t\",\"key\":\"k\",\"payload_base64\":\"YQ==YQ==\"}\n",
       "is not standard base64"},
      {"an unparseable time", "{\"type\":\"t\",\"key\":\"k\",\"time\":\"yesterday\"}\n",
       "\"time\" 'yesterday' is not an ISO-8601 UTC time"},
      {"month 13", "{\"type\":\"t\",\"key\":\"k\",\"time\":\"2022-13-01T00:00:00Z\"}\n",
       "is not an ISO-8601 UTC time"},
      {"February 30", "{\"type\":\"t\",\"key\":\"k\",\"time\":\"2022-02-30T00:00:00Z\"}\n",
       "is not an ISO-8601 UTC time"},
      {"hour 25", "{\"type\":\"t\",\"key\":\"k\",\"time\":\"2022-04-05T25:00:00Z\"}\n",
       "is not an ISO-8601 UTC time"},
      {"a time without a zone", "{\"type\":\"t\",\"key\":\"k\",\"time\":\"2022-04-05T02:00:00\"}\n",
       "is not an ISO-8601 UTC time"},
      {"more than nanoseconds", "{\"type\":\"t\",\"key\":\"k\",\"time\":\"2022-04-05T02:00:00.0000000001Z\"}\n",
       "is not an ISO-8601 UTC time"},
      {"a '.' without digits", "{\"type\":\"t\",\"key\":\"k\",\"time\":\"2022-04-05T02:00:00.Z\"}\n",
       "is not an ISO-8601 UTC time"},
      {"a malformed time that date::parse once read as NaN (found by jsonl_fuzz)",
       "{\"type\":\"t\",\"key\":\"k\",\"time\":\"2436-02-30T2)5:61:61Z\"}\n",
       "is not an ISO-8601 UTC time"},
      {"a time that an offset moves before the year 0000",
       "{\"type\":\"t\",\"key\":\"k\",\"time\":\"0000-01-01T00:00:00+01:00\"}\n",
       "is not an ISO-8601 UTC time"},
      {"a 5-digit year", "{\"type\":\"t\",\"key\":\"k\",\"time\":\"10000-01-01T00:00:00Z\"}\n",
       "is not an ISO-8601 UTC time"},
      {"an unknown field", good + "{\"type\":\"t\",\"key\":\"k\",\"tenant\":\"acme\"}\n",
       "line 2: unknown field \"tenant\""},
      {"a bad line after good ones", good + "\n" + good + "{\"type\":\"t\"}\n",
       "in.jsonl line 4: \"key\" is required"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.what);
    const auto batch = ParseJsonLinesBatch(c.content, "in.jsonl");
    ASSERT_TRUE(test::HasCode(batch.status(), Status::Code::kInvalidArgument));
    EXPECT_NE(batch.status().message().find(c.message), std::string::npos)
        << batch.status().message();
  }
}

TEST(JsonlBatchTest, AVeryLongLineIsOneEvent) {
  const std::string payload(1 << 20, 'p');
  ExpectEvents("{\"type\":\"t\",\"key\":\"k\",\"payload\":\"" + payload + "\"}\n",
               {Event("t", "k", Op::kPut, payload)});
}

}  // namespace
}  // namespace tenantlog::tool
