// The admin tool's contract (CLI.md): exit codes, JSON fields, nothing written
// on bad input, safety guards, tenant lists, and one JSON document on stdout
// with --json. The tool runs as a separate process, as operators run it.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tenantlog/store.h"
#include "util/files.h"
#include "util/process.h"
#include "util/raw_lmdb.h"
#include "util/store_helpers.h"
#include "util/temp_dir.h"

namespace tenantlog::test {
namespace {

using nlohmann::json;

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string OsUserName() {
  if (const passwd* pw = getpwuid(getuid()); pw != nullptr) return pw->pw_name;
  return "";
}

class CliTest : public ::testing::Test {
 protected:
  std::string db() const { return dir_.Sub("store"); }

  // Runs `tenantlog --db <store> args…` with TENANTLOG_DB unset.
  ProcessResult Tool(const std::vector<std::string>& args, const std::string& stdin_data = "") {
    std::vector<std::string> argv = {TENANTLOG_BIN, "--db", db()};
    argv.insert(argv.end(), args.begin(), args.end());
    return Raw(argv, {{"TENANTLOG_DB", std::nullopt}}, stdin_data);
  }
  ProcessResult Raw(const std::vector<std::string>& argv,
                    std::map<std::string, std::optional<std::string>> env,
                    const std::string& stdin_data = "") {
    ProcessOptions options;
    options.env = std::move(env);
    options.stdin_data = stdin_data;
    return RunProcess(argv, options);
  }

  // Runs a --json command that must exit `code` and parses its stdout, which
  // must be exactly one JSON document.
  json ToolJson(std::vector<std::string> args, int code = 0) {
    args.push_back("--json");
    ProcessResult r = Tool(args);
    EXPECT_EQ(r.exit_code, code) << r.Describe();
    try {
      return json::parse(r.out);
    } catch (const json::exception& e) {
      ADD_FAILURE() << "stdout is not one JSON document (" << e.what() << "):\n" << r.Describe();
      return json();
    }
  }

  void Append(const std::string& tenant, const std::string& key, const std::string& payload) {
    ProcessResult r = Tool({"append", tenant, "--type", "test.put", "--key", key, "--payload", payload});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
  }

  std::string State(const std::string& tenant) {
    json show = ToolJson({"show", tenant});
    return show.is_object() && show.contains("state") ? show["state"].get<std::string>() : "";
  }

  std::string WriteFile(const std::string& name, const std::string& bytes) {
    const std::string path = dir_.Sub(name);
    WriteFileBytes(path, bytes);
    return path;
  }

  // The store's files, byte for byte (lock.mdb holds only LMDB's reader table).
  std::map<std::string, std::string> StoreFiles() {
    std::map<std::string, std::string> files = ReadDirectoryFiles(db());
    files.erase("lock.mdb");
    return files;
  }

  std::vector<AuditEntry> AuditLog() {
    auto store = OpenOrDie(db(), TestOptions());
    if (store == nullptr) return {};
    auto entries = store->Audit();
    EXPECT_TRUE(IsOk(entries.status()));
    return entries.ok() ? *entries : std::vector<AuditEntry>();
  }

  TempDir dir_;
};

TEST_F(CliTest, AppendPrintsTheNewSeqAndItsJsonNamesTenantAndSeq) {
  ProcessResult first = Tool({"append", "acme", "--type", "t", "--key", "k", "--payload", "hello"});
  ASSERT_EQ(first.exit_code, 0) << first.Describe();
  EXPECT_NE(first.out.find('1'), std::string::npos) << first.Describe();
  json second = ToolJson({"append", "acme", "--type", "t", "--key", "k", "--op", "delete"});
  EXPECT_EQ(second.at("tenant"), "acme");
  EXPECT_EQ(second.at("seq"), 2);
  const std::string payload_file = WriteFile("payload.bin", std::string("from\0file", 9));
  json third = ToolJson({"append", "acme", "--type", "t", "--key", "f", "--payload-file", payload_file});
  EXPECT_EQ(third.at("seq"), 3);
  auto store = OpenOrDie(db(), TestOptions());
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(std::string f, store->Get("acme", "f"));
  EXPECT_EQ(f, std::string("from\0file", 9));
  EXPECT_CODE(kNotFound, store->Get("acme", "k"));
}

TEST_F(CliTest, AppendJsonlAppendsEveryLineOrNone) {
  const std::string good = WriteFile(
      "good.jsonl",
      "{\"type\":\"t\",\"key\":\"a\",\"op\":\"put\",\"payload\":\"1\"}\n"
      "{\"type\":\"t\",\"key\":\"b\",\"op\":\"put\",\"payload\":\"2\"}\n"
      "{\"type\":\"t\",\"key\":\"a\",\"op\":\"delete\"}\n");
  ProcessResult r = Tool({"append", "acme", "--jsonl", good});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  json log = ToolJson({"log", "acme"});
  ASSERT_EQ(log.at("events").size(), 3u);
  const auto files = StoreFiles();

  const std::vector<std::pair<std::string, std::string>> bad_files = {
      {"a bad op", "{\"type\":\"t\",\"key\":\"c\",\"op\":\"put\",\"payload\":\"3\"}\n"
                   "{\"type\":\"t\",\"key\":\"d\",\"op\":\"upsert\",\"payload\":\"4\"}\n"},
      {"not JSON", "{\"type\":\"t\",\"key\":\"c\",\"op\":\"put\",\"payload\":\"3\"}\n{oops\n"},
      {"an empty key", "{\"type\":\"t\",\"key\":\"c\",\"op\":\"put\",\"payload\":\"3\"}\n"
                       "{\"type\":\"t\",\"key\":\"\",\"op\":\"put\",\"payload\":\"4\"}\n"},
  };
  for (const auto& [what, text] : bad_files) {
    SCOPED_TRACE(what);
    ProcessResult bad = Tool({"append", "acme", "--jsonl", WriteFile("bad.jsonl", text)});
    EXPECT_EQ(bad.exit_code, 2) << bad.Describe();
    EXPECT_FALSE(bad.err.empty());
    EXPECT_TRUE(StoreFiles() == files) << "the store changed";
  }
  // "-" reads stdin.
  ProcessResult piped = Tool({"append", "acme", "--jsonl", "-"},
                             "{\"type\":\"t\",\"key\":\"z\",\"op\":\"put\",\"payload\":\"26\"}\n");
  ASSERT_EQ(piped.exit_code, 0) << piped.Describe();
  ProcessResult z = Tool({"get", "acme", "z"});
  EXPECT_EQ(z.exit_code, 0) << z.Describe();
  EXPECT_NE(z.out.find("26"), std::string::npos);
}

TEST_F(CliTest, GetPrintsThePayloadAndAMissingKeyExitsOne) {
  Append("acme", "k", "first");
  const int64_t between = NowMicros();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  Append("acme", "k", "second");
  ProcessResult now = Tool({"get", "acme", "k"});
  ASSERT_EQ(now.exit_code, 0) << now.Describe();
  EXPECT_EQ(now.out.substr(0, 6), "second");
  ProcessResult by_seq = Tool({"get", "acme", "k", "--as-of", "1"});
  ASSERT_EQ(by_seq.exit_code, 0) << by_seq.Describe();
  EXPECT_EQ(by_seq.out.substr(0, 5), "first");
  ProcessResult by_time = Tool({"get", "acme", "k", "--as-of", IsoTime(between)});
  ASSERT_EQ(by_time.exit_code, 0) << by_time.Describe();
  EXPECT_EQ(by_time.out.substr(0, 5), "first");
  // A time before the first event names the empty state; whole seconds parse too.
  ProcessResult before_all = Tool({"get", "acme", "k", "--as-of", "2000-01-01T00:00:00Z"});
  EXPECT_EQ(before_all.exit_code, 1) << before_all.Describe();
  ProcessResult missing = Tool({"get", "acme", "nope"});
  EXPECT_EQ(missing.exit_code, 1) << missing.Describe();
  EXPECT_NE(missing.err.find("not found"), std::string::npos) << missing.Describe();
  ProcessResult unknown = Tool({"get", "nobody", "k"});
  EXPECT_EQ(unknown.exit_code, 1) << unknown.Describe();
}

TEST_F(CliTest, KeysListsTheLiveKeysNowAndAsOfAPoint) {
  Append("acme", "alpha-key", "1");
  Append("acme", "bravo-key", "2");
  ProcessResult del = Tool({"append", "acme", "--type", "t", "--key", "alpha-key", "--op", "delete"});
  ASSERT_EQ(del.exit_code, 0) << del.Describe();
  ProcessResult now = Tool({"keys", "acme"});
  ASSERT_EQ(now.exit_code, 0) << now.Describe();
  EXPECT_EQ(now.out.find("alpha-key"), std::string::npos) << now.out;
  EXPECT_NE(now.out.find("bravo-key"), std::string::npos) << now.out;
  ProcessResult then = Tool({"keys", "acme", "--as-of", "2"});
  ASSERT_EQ(then.exit_code, 0) << then.Describe();
  EXPECT_NE(then.out.find("alpha-key"), std::string::npos) << then.out;
  json keys = ToolJson({"keys", "acme", "--as-of", "1"});
  EXPECT_NE(keys.dump().find("alpha-key"), std::string::npos);
  EXPECT_EQ(keys.dump().find("bravo-key"), std::string::npos);
}

// Times with nanoseconds, as `date -u +%FT%T.%NZ` prints them, are floored to
// the store's microseconds: "as of T" is at or before T.
TEST_F(CliTest, AsOfATimeWithNanosecondsMeansAtOrBeforeIt) {
  ProcessResult appended = Tool(
      {"append", "acme", "--jsonl", "-"},
      "{\"type\":\"t\",\"key\":\"alpha\",\"time\":\"2022-04-05T02:00:00.000001Z\"}\n"
      "{\"type\":\"t\",\"key\":\"bravo\",\"time\":\"2022-04-05T02:00:00.000002Z\"}\n");
  ASSERT_EQ(appended.exit_code, 0) << appended.Describe();
  json keys = ToolJson({"keys", "acme", "--as-of", "2022-04-05T02:00:00.000001999Z"});
  EXPECT_NE(keys.dump().find("alpha"), std::string::npos) << keys.dump();
  EXPECT_EQ(keys.dump().find("bravo"), std::string::npos) << keys.dump();
  ProcessResult got = Tool({"get", "acme", "bravo", "--as-of", "2022-04-05T02:00:00.000002000Z"});
  EXPECT_EQ(got.exit_code, 0) << got.Describe();
  ProcessResult diff = Tool({"diff", "acme", "--from", "2022-04-05T02:00:00.0000019Z", "--to",
                             "2022-04-05T04:00:00.000002999+02:00"});
  ASSERT_EQ(diff.exit_code, 0) << diff.Describe();
  EXPECT_NE(diff.out.find("bravo"), std::string::npos) << diff.out;
  EXPECT_EQ(diff.out.find("alpha"), std::string::npos) << diff.out;
}

TEST_F(CliTest, LogJsonHasEveryEventWithItsFieldsControlEventsIncluded) {
  Append("acme", "k", "text payload");
  const std::string binary = WriteFile("binary.bin", std::string("\xff\xfe\x00\x01", 4));
  ProcessResult r = Tool({"append", "acme", "--type", "t", "--key", "b", "--payload-file", binary});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  ASSERT_EQ(Tool({"tombstone", "acme"}).exit_code, 0);
  ASSERT_EQ(Tool({"restore", "acme"}).exit_code, 0);
  ASSERT_EQ(Tool({"rewind", "acme", "--to", "1"}).exit_code, 0);

  json log = ToolJson({"log", "acme"});
  EXPECT_EQ(log.at("tenant"), "acme");
  const json& events = log.at("events");
  ASSERT_EQ(events.size(), 5u);
  const std::vector<std::string> kinds = {"data", "data", "tombstone", "restore", "rewind"};
  for (size_t i = 0; i < events.size(); ++i) {
    SCOPED_TRACE(events[i].dump());
    EXPECT_EQ(events[i].at("seq"), i + 1);
    EXPECT_TRUE(events[i].contains("time"));
    EXPECT_EQ(events[i].at("kind"), kinds[i]);
  }
  EXPECT_EQ(events[0].at("type"), "test.put");
  EXPECT_EQ(events[0].at("key"), "k");
  EXPECT_EQ(events[0].at("op"), "put");
  EXPECT_EQ(events[0].at("payload"), "text payload");
  // A payload that is not UTF-8 comes as payload_base64 ("//4AAQ==" is ff fe 00 01).
  EXPECT_FALSE(events[1].contains("payload") && events[1]["payload"].is_string());
  EXPECT_EQ(events[1].at("payload_base64"), "//4AAQ==");

  json page = ToolJson({"log", "acme", "--from", "2", "--limit", "2"});
  ASSERT_EQ(page.at("events").size(), 2u);
  EXPECT_EQ(page["events"][0].at("seq"), 2);
  EXPECT_EQ(page["events"][1].at("seq"), 3);
}

TEST_F(CliTest, ShowJsonDescribesTheTenant) {
  Append("acme", "k", "v");
  Append("acme", "k", "w");
  json show = ToolJson({"show", "acme"});
  EXPECT_EQ(show.at("tenant"), "acme");
  EXPECT_EQ(show.at("state"), "active");
  EXPECT_EQ(show.at("head_seq"), 2);
  EXPECT_EQ(show.at("events"), 2);
  EXPECT_TRUE(show.contains("created"));
  EXPECT_TRUE(show.contains("updated"));
  const std::string chain = show.at("chain");
  EXPECT_EQ(chain.size(), 16u) << chain;
  EXPECT_EQ(chain.find_first_not_of("0123456789abcdef"), std::string::npos) << chain;
  auto store = OpenOrDie(db(), TestOptions());
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(TenantInfo info, store->Describe("acme"));
  char expected[17];
  std::snprintf(expected, sizeof expected, "%016llx", static_cast<unsigned long long>(info.chain_head));
  EXPECT_EQ(chain, expected);
  store.reset();
  ProcessResult unknown = Tool({"show", "nobody"});
  EXPECT_EQ(unknown.exit_code, 1) << unknown.Describe();
}

TEST_F(CliTest, TenantsListsOneRowPerTenantAndFiltersByState) {
  Append("alpha-tenant", "k", "v");
  Append("bravo-tenant", "k", "v");
  ASSERT_EQ(Tool({"tombstone", "bravo-tenant"}).exit_code, 0);
  ProcessResult all = Tool({"tenants"});
  ASSERT_EQ(all.exit_code, 0) << all.Describe();
  EXPECT_NE(all.out.find("alpha-tenant"), std::string::npos);
  EXPECT_NE(all.out.find("bravo-tenant"), std::string::npos);
  ProcessResult tombstoned = Tool({"tenants", "--state", "tombstoned"});
  ASSERT_EQ(tombstoned.exit_code, 0) << tombstoned.Describe();
  EXPECT_EQ(tombstoned.out.find("alpha-tenant"), std::string::npos) << tombstoned.out;
  EXPECT_NE(tombstoned.out.find("bravo-tenant"), std::string::npos) << tombstoned.out;
  json active = ToolJson({"tenants", "--state", "active"});
  EXPECT_NE(active.dump().find("alpha-tenant"), std::string::npos);
  EXPECT_EQ(active.dump().find("bravo-tenant"), std::string::npos);
  ProcessResult bad = Tool({"tenants", "--state", "gone"});
  EXPECT_EQ(bad.exit_code, 2) << bad.Describe();
}

TEST_F(CliTest, TombstoneAndRestoreRoundTripAndReRunningIsSafe) {
  Append("acme", "k", "v");
  ASSERT_EQ(Tool({"tombstone", "acme", "--reason", "customer left"}).exit_code, 0);
  EXPECT_EQ(State("acme"), "tombstoned");
  ProcessResult again = Tool({"tombstone", "acme"});
  EXPECT_EQ(again.exit_code, 0) << again.Describe();
  ProcessResult read = Tool({"get", "acme", "k"});
  EXPECT_NE(read.exit_code, 0) << read.Describe();
  ASSERT_EQ(Tool({"restore", "acme"}).exit_code, 0);
  EXPECT_EQ(State("acme"), "active");
  ProcessResult restored_again = Tool({"restore", "acme"});
  EXPECT_EQ(restored_again.exit_code, 0) << restored_again.Describe();
  ProcessResult get = Tool({"get", "acme", "k"});
  ASSERT_EQ(get.exit_code, 0) << get.Describe();
  EXPECT_EQ(get.out.substr(0, 1), "v");
  json log = ToolJson({"log", "acme"});
  EXPECT_EQ(log.at("events").size(), 3u) << "re-running wrote events";
}

TEST_F(CliTest, DryRunsChangeNothingButAreAudited) {
  Append("acme", "k", "v1");
  Append("acme", "k", "v2");
  Append("acme", "gone-later", "x");
  const auto audit_before = AuditLog().size();
  ProcessResult tomb = Tool({"tombstone", "acme", "--dry-run"});
  EXPECT_EQ(tomb.exit_code, 0) << tomb.Describe();
  EXPECT_NE(tomb.out.find("acme"), std::string::npos) << "a dry run shows the names";
  EXPECT_EQ(State("acme"), "active");
  ProcessResult rewind = Tool({"rewind", "acme", "--to", "1", "--dry-run"});
  EXPECT_EQ(rewind.exit_code, 0) << rewind.Describe();
  EXPECT_NE(rewind.out.find("gone-later"), std::string::npos) << "dry run lists the keys that would change";
  json show = ToolJson({"show", "acme"});
  EXPECT_EQ(show.at("head_seq"), 3);
  std::vector<AuditEntry> audit = AuditLog();
  ASSERT_EQ(audit.size(), audit_before + 2);
  EXPECT_TRUE(audit[audit.size() - 2].dry_run);
  EXPECT_TRUE(audit.back().dry_run);
}

TEST_F(CliTest, TombstoningMoreTenantsThanTheLimitIsRefusedWhole) {
  std::vector<std::string> names;
  for (int i = 0; i < 11; ++i) {
    names.push_back("tenant-" + std::to_string(i));
    Append(names.back(), "k", "v");
  }
  std::vector<std::string> args = {"tombstone"};
  args.insert(args.end(), names.begin(), names.end());
  const auto files = StoreFiles();
  ProcessResult refused = Tool(args);
  EXPECT_EQ(refused.exit_code, 3) << refused.Describe();
  EXPECT_FALSE(refused.err.empty());
  json tenants = ToolJson({"tenants", "--state", "tombstoned"});
  for (const std::string& name : names) {
    EXPECT_EQ(tenants.dump().find(name), std::string::npos) << name << " was tombstoned";
  }
  std::vector<AuditEntry> audit = AuditLog();
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit.back().outcome.rfind("refused", 0), 0u) << "the refusal is audited: " << audit.back().outcome;

  args.push_back("--max-tenants");
  args.push_back("11");
  ProcessResult allowed = Tool(args);
  EXPECT_EQ(allowed.exit_code, 0) << allowed.Describe();
  for (const std::string& name : names) EXPECT_EQ(State(name), "tombstoned") << name;

  ProcessResult restore = Tool({"restore", "tenant-0", "tenant-1", "tenant-2", "--max-tenants", "2"});
  EXPECT_EQ(restore.exit_code, 3) << restore.Describe();
  EXPECT_EQ(State("tenant-0"), "tombstoned");
}

TEST_F(CliTest, AListNamingAnUnknownTenantIsRefusedWhole) {
  Append("acme", "k", "v");
  Append("globex", "k", "v");
  ProcessResult refused = Tool({"tombstone", "acme", "no-such-tenant", "globex"});
  EXPECT_EQ(refused.exit_code, 3) << refused.Describe();
  EXPECT_NE(refused.err.find("no-such-tenant"), std::string::npos) << refused.Describe();
  EXPECT_EQ(State("acme"), "active");
  EXPECT_EQ(State("globex"), "active");
  ASSERT_EQ(Tool({"tombstone", "acme"}).exit_code, 0);
  ProcessResult restore = Tool({"restore", "acme", "no-such-tenant"});
  EXPECT_EQ(restore.exit_code, 3) << restore.Describe();
  EXPECT_EQ(State("acme"), "tombstoned");
}

TEST_F(CliTest, TenantsFilesSkipCommentsAndBlankLines) {
  for (const char* name : {"alpha", "bravo", "charlie", "delta"}) Append(name, "k", "v");
  const std::string list = WriteFile("tenants.txt",
                                     "# victims of the cleanup script\n"
                                     "alpha\n"
                                     "\n"
                                     "# bravo is not on the list\n"
                                     "charlie\n"
                                     "\n");
  ProcessResult r = Tool({"tombstone", "delta", "--tenants-file", list});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(State("alpha"), "tombstoned");
  EXPECT_EQ(State("bravo"), "active");
  EXPECT_EQ(State("charlie"), "tombstoned");
  EXPECT_EQ(State("delta"), "tombstoned");
  ProcessResult restore = Tool({"restore", "--tenants-file", list});
  ASSERT_EQ(restore.exit_code, 0) << restore.Describe();
  EXPECT_EQ(State("alpha"), "active");
  EXPECT_EQ(State("charlie"), "active");
  EXPECT_EQ(State("delta"), "tombstoned");
  // A file naming an unknown tenant is refused whole.
  const std::string bad = WriteFile("bad.txt", "alpha\n# comment\nzulu\n");
  ProcessResult refused = Tool({"tombstone", "--tenants-file", bad});
  EXPECT_EQ(refused.exit_code, 3) << refused.Describe();
  EXPECT_EQ(State("alpha"), "active");
}

TEST_F(CliTest, RewindToASeqOrATimeAndRewindingBack) {
  Append("acme", "a", "1");
  Append("acme", "b", "2");
  const int64_t between = NowMicros();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  Append("acme", "c", "3");
  ProcessResult to_time = Tool({"rewind", "acme", "--to", IsoTime(between)});
  ASSERT_EQ(to_time.exit_code, 0) << to_time.Describe();
  EXPECT_EQ(Tool({"get", "acme", "c"}).exit_code, 1);
  EXPECT_EQ(Tool({"get", "acme", "b"}).exit_code, 0);
  ProcessResult to_seq = Tool({"rewind", "acme", "--to", "1"});
  ASSERT_EQ(to_seq.exit_code, 0) << to_seq.Describe();
  EXPECT_EQ(Tool({"get", "acme", "b"}).exit_code, 1);
  ProcessResult back = Tool({"rewind", "acme", "--to", "3"});
  ASSERT_EQ(back.exit_code, 0) << back.Describe();
  EXPECT_EQ(Tool({"get", "acme", "c"}).exit_code, 0);
  ProcessResult beyond = Tool({"rewind", "acme", "--to", "99"});
  EXPECT_EQ(beyond.exit_code, 2) << beyond.Describe();
  ASSERT_EQ(Tool({"tombstone", "acme"}).exit_code, 0);
  ProcessResult tombstoned = Tool({"rewind", "acme", "--to", "1"});
  EXPECT_EQ(tombstoned.exit_code, 3) << "wrong tenant state: " << tombstoned.Describe();
}

TEST_F(CliTest, DiffJsonListsAddedChangedAndRemovedKeysWithTheirSeqs) {
  Append("acme", "same", "s");     // 1
  Append("acme", "edited", "e1");  // 2
  Append("acme", "removed", "r");  // 3
  Append("acme", "edited", "e2");  // 4
  ProcessResult del = Tool({"append", "acme", "--type", "t", "--key", "removed", "--op", "delete"});  // 5
  ASSERT_EQ(del.exit_code, 0) << del.Describe();
  Append("acme", "added", "a");    // 6
  json diff = ToolJson({"diff", "acme", "--from", "3"});
  ASSERT_EQ(diff.at("added").size(), 1u);
  EXPECT_EQ(diff["added"][0].at("key"), "added");
  EXPECT_EQ(diff["added"][0].at("seq"), 6);
  ASSERT_EQ(diff.at("changed").size(), 1u);
  EXPECT_EQ(diff["changed"][0].at("key"), "edited");
  EXPECT_EQ(diff["changed"][0].at("seq"), 4);
  ASSERT_EQ(diff.at("removed").size(), 1u);
  EXPECT_EQ(diff["removed"][0].at("key"), "removed");
  EXPECT_EQ(diff["removed"][0].at("seq"), 5);
  json between = ToolJson({"diff", "acme", "--from", "1", "--to", "2"});
  ASSERT_EQ(between.at("added").size(), 1u);
  EXPECT_EQ(between["added"][0].at("key"), "edited");
  EXPECT_TRUE(between.at("changed").empty());
  EXPECT_TRUE(between.at("removed").empty());
  ProcessResult human = Tool({"diff", "acme", "--from", "3"});
  EXPECT_EQ(human.exit_code, 0) << human.Describe();
  EXPECT_NE(human.out.find("edited"), std::string::npos);
}

TEST_F(CliTest, EveryChangeIsAuditedWithTheActor) {
  Append("acme", "k", "v");
  ASSERT_EQ(Tool({"tombstone", "acme", "--actor", "alice", "--reason", "ticket 42"}).exit_code, 0);
  ASSERT_EQ(Tool({"restore", "acme", "--actor", "bob"}).exit_code, 0);
  ASSERT_EQ(Tool({"rewind", "acme", "--to", "0", "--actor", "carol"}).exit_code, 0);
  std::vector<AuditEntry> audit = AuditLog();
  std::map<std::string, std::string> actor_of;
  for (const AuditEntry& e : audit) {
    actor_of[e.command] = e.actor;
    EXPECT_EQ(e.tenants, std::vector<std::string>{"acme"}) << e.command;
  }
  EXPECT_EQ(actor_of["tombstone"], "alice");
  EXPECT_EQ(actor_of["restore"], "bob");
  EXPECT_EQ(actor_of["rewind"], "carol");
  // The append, made without --actor, is recorded under the OS user name.
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit.front().actor, OsUserName());
  ProcessResult listed = Tool({"audit"});
  ASSERT_EQ(listed.exit_code, 0) << listed.Describe();
  for (const char* word : {"alice", "bob", "carol", "tombstone", "restore", "rewind"}) {
    EXPECT_NE(listed.out.find(word), std::string::npos) << word;
  }
  json as_json = ToolJson({"audit"});
  EXPECT_NE(as_json.dump().find("alice"), std::string::npos);
  ProcessResult since = Tool({"audit", "--since", IsoTime(NowMicros() + 3600LL * 1000000)});
  ASSERT_EQ(since.exit_code, 0) << since.Describe();
  EXPECT_EQ(since.out.find("alice"), std::string::npos) << since.out;
}

// Exit 2 for bad usage or input, and nothing written: the store's files keep
// every byte, and a store that did not exist is not created.
TEST_F(CliTest, BadUsageOrInputExitsTwoAndWritesNothing) {
  Append("acme", "k", "v");
  const auto files = StoreFiles();
  const std::vector<std::vector<std::string>> bad = {
      {"append", "acme", "--type", "t", "--key", "k", "--payload", "v", "--no-such-flag"},
      {"append", "bad name!", "--type", "t", "--key", "k", "--payload", "v"},
      {"append", "acme", "--type", "t", "--key", "", "--payload", "v"},
      {"append", "acme", "--type", "t", "--key", "k", "--op", "upsert"},
      {"append", "acme", "--type", "t", "--key", "k", "--payload", "v", "--payload-file",
       WriteFile("also-a-payload", "x")},
      {"append", "acme", "--key", "k", "--payload", "v"},
      {"no-such-command"},
      {"get", "acme", "k", "--as-of", "yesterday"},
      {"get", "acme", "k", "--as-of", "2022-13-45T99:00:00Z"},
      {"rewind", "acme", "--to", "10:00 yesterday"},
      {"rewind", "acme"},
      {"tombstone", "bad/name"},
      {"tombstone", "acme", "--max-tenants", "many"},
      {"diff", "acme", "--from", "not-a-point"},
  };
  for (const auto& args : bad) {
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    SCOPED_TRACE(joined);
    ProcessResult r = Tool(args);
    EXPECT_EQ(r.exit_code, 2) << r.Describe();
    EXPECT_FALSE(r.err.empty()) << "no message";
    EXPECT_TRUE(StoreFiles() == files) << "the store changed";
  }
  // Bad input against a store that does not exist yet does not create it.
  const std::string fresh = dir_.Sub("fresh-store");
  ProcessResult r = Raw({TENANTLOG_BIN, "--db", fresh, "append", "bad name!", "--type", "t", "--key",
                         "k", "--payload", "v"},
                        {{"TENANTLOG_DB", std::nullopt}});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_FALSE(PathExists(fresh));
}

TEST_F(CliTest, WithoutDbOrTenantlogDbTheToolExitsTwo) {
  ProcessResult r = Raw({TENANTLOG_BIN, "tenants"}, {{"TENANTLOG_DB", std::nullopt}});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_FALSE(r.err.empty());
  r = Raw({TENANTLOG_BIN, "append", "acme", "--type", "t", "--key", "k", "--payload", "v"},
          {{"TENANTLOG_DB", std::nullopt}});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
}

TEST_F(CliTest, TenantlogDbStandsInForDb) {
  ProcessResult r = Raw({TENANTLOG_BIN, "append", "acme", "--type", "t", "--key", "k", "--payload", "v"},
                        {{"TENANTLOG_DB", db()}});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(PathExists(db() + "/data.mdb"));
  r = Raw({TENANTLOG_BIN, "get", "acme", "k"}, {{"TENANTLOG_DB", db()}});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out.substr(0, 1), "v");
}

TEST_F(CliTest, ReadCommandsRefuseAMissingStore) {
  const std::vector<std::vector<std::string>> reads = {
      {"get", "acme", "k"},          {"keys", "acme"},    {"log", "acme"},
      {"tenants"},                   {"show", "acme"},    {"verify"},
      {"audit"},                     {"diff", "acme", "--from", "0"},
  };
  for (const auto& args : reads) {
    SCOPED_TRACE(args[0]);
    ProcessResult r = Tool(args);
    EXPECT_EQ(r.exit_code, 1) << r.Describe();
    EXPECT_NE(r.err.find("no store at"), std::string::npos) << r.Describe();
    EXPECT_FALSE(PathExists(db())) << "a read command created the store";
  }
}

// These write, but only to tenants or data already there: a missing store
// is a mistyped --db, and a backup of it must not "succeed" empty.
TEST_F(CliTest, CommandsThatChangeAStoreRefuseAMissingOneCreatingNothing) {
  const std::string plan = WriteFile("acme.plan", "not a plan\n");
  const std::vector<std::vector<std::string>> changes = {
      {"backup", dir_.Sub("backup")},
      {"compact"},
      {"tombstone", "acme"},
      {"restore", "acme"},
      {"rewind", "acme", "--to", "1"},
      {"purge", "plan", "acme", "--older-than", "0s", "-o", dir_.Sub("new.plan")},
      {"purge", "run", plan, "--confirm", "0000"},
  };
  for (const auto& args : changes) {
    SCOPED_TRACE(args[0]);
    ProcessResult r = Tool(args);
    EXPECT_EQ(r.exit_code, 1) << r.Describe();
    EXPECT_NE(r.err.find("no store at " + db()), std::string::npos) << r.Describe();
    EXPECT_FALSE(PathExists(db())) << "the command created a store";
    EXPECT_FALSE(PathExists(dir_.Sub("backup")));
    EXPECT_FALSE(PathExists(dir_.Sub("new.plan")));
  }
}

TEST_F(CliTest, VerifyExitsZeroWhenCleanAndFourOnDamage) {
  Append("acme", "k", "v");
  Append("acme", "k", "w");
  Append("globex", "k", "v");
  json clean = ToolJson({"verify"});
  EXPECT_EQ(clean.at("ok"), true);
  EXPECT_EQ(clean.at("tenants"), 2);
  EXPECT_EQ(clean.at("events"), 3);
  EXPECT_TRUE(clean.at("damaged").empty());
  ASSERT_GE(FlipStoredEventByte(db(), "acme", 2), 1u);
  json damaged = ToolJson({"verify"}, 4);
  EXPECT_EQ(damaged.at("ok"), false);
  ASSERT_FALSE(damaged.at("damaged").empty());
  const json& first = damaged["damaged"][0];
  EXPECT_EQ(first.at("tenant"), "acme");
  EXPECT_EQ(first.at("seq"), 2);
  EXPECT_TRUE(first.at("problem").is_string());
  ProcessResult other = Tool({"verify", "globex"});
  EXPECT_EQ(other.exit_code, 0) << other.Describe();
}

// DESIGN.md, "Processes": the tool works on a live store an application has
// open, and the application sees the tool's rewind at its next read.
TEST_F(CliTest, ARewindByTheToolIsSeenByAStoreThatIsOpen) {
  Append("acme", "a", "1");
  Append("acme", "b", "2");
  auto app = OpenOrDie(db(), TestOptions());
  ASSERT_NE(app, nullptr);
  ASSERT_OK_AND_ASSIGN(std::vector<KeyValue> before, app->List("acme"));
  ASSERT_EQ(before.size(), 2u);
  ProcessResult r = Tool({"rewind", "acme", "--to", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  ASSERT_OK_AND_ASSIGN(std::vector<KeyValue> after, app->List("acme"));
  EXPECT_EQ(Payloads(after), (std::map<std::string, std::string>{{"a", "1"}}));
  // And the other way round: the application's writes are seen by the tool.
  ASSERT_OK(app->Append("acme", PutBatch("c", "3")));
  ProcessResult get = Tool({"get", "acme", "c"});
  ASSERT_EQ(get.exit_code, 0) << get.Describe();
  EXPECT_EQ(get.out.substr(0, 1), "3");
}

TEST_F(CliTest, JsonOutputIsExactlyOneDocument) {
  Append("acme", "k", "v");
  const std::vector<std::vector<std::string>> commands = {
      {"append", "acme", "--type", "t", "--key", "j", "--payload", "x"},
      {"keys", "acme"},
      {"log", "acme"},
      {"tenants"},
      {"show", "acme"},
      {"rewind", "acme", "--to", "1", "--dry-run"},
      {"rewind", "acme", "--to", "1"},
      {"diff", "acme", "--from", "0"},
      {"tombstone", "acme", "--dry-run"},
      {"tombstone", "acme"},
      {"restore", "acme"},
      {"verify"},
      {"audit"},
  };
  for (const auto& args : commands) {
    SCOPED_TRACE(args[0]);
    json doc = ToolJson(args);
    EXPECT_TRUE(doc.is_object()) << doc.dump();
  }
}

}  // namespace
}  // namespace tenantlog::test
