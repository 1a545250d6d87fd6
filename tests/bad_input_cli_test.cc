// Bad input to every command of the admin tool (CLI.md, and compact): bad
// tenant names, keys, times, seqs, sizes, flags, files and store paths. Each
// case gets its documented exit code, an error on stderr naming what was
// wrong, nothing on stdout, and writes nothing: every file under the test's
// directory keeps its bytes (stores, backup, export and plan files), no file
// appears, and a refusal that the contract audits adds exactly its audit
// entry ("refused: …") and nothing else.
//
// With TENANTLOG_CASE_TABLE=FILE set, each case is also appended to FILE as a
// Markdown table row: command, input, exit code, message.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tenantlog/store.h"
#include "util/files.h"
#include "util/process.h"
#include "util/raw_lmdb.h"
#include "util/store_helpers.h"
#include "util/temp_dir.h"
#include "util/unchanged_files.h"
#include "util/test_clock.h"

namespace tenantlog::test {
namespace {

struct CliCase {
  CliCase(std::string what, std::vector<std::string> args, int exit_code, std::string message,
          Writes writes = Writes::kNothing, std::string stdin_data = "")
      : what(std::move(what)),
        args(std::move(args)),
        exit_code(exit_code),
        message(std::move(message)),
        writes(writes),
        stdin_data(std::move(stdin_data)) {}

  std::string what;               // the bad input, for people
  std::vector<std::string> args;  // after the program name
  int exit_code;
  std::string message;            // a substring stderr must hold
  Writes writes;
  std::string stdin_data;
};

// The first line of `text`.
std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

class BadInputCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new TempDir();
    TestClock clock;
    {
      auto store = OpenOrDie(StoreDir(), TestOptions(&clock));
      ASSERT_NE(store, nullptr);
      for (const char* tenant : {"acme", "gone", "old"}) {
        for (int i = 1; i <= 3; ++i) {
          clock.Advance(1000000);
          ASSERT_OK(store->Append(tenant, PutBatch("k" + std::to_string(i), "v" + std::to_string(i))));
        }
      }
      ASSERT_OK(store->Tombstone({"gone", "old"}, Admin()));
      ASSERT_OK_AND_ASSIGN(PurgePlan old_plan, store->PlanPurge({"old"}, 0, Path("old.plan"), Admin()));
      ASSERT_OK(store->RunPurge(Path("old.plan"), old_plan.token, Admin()));
      ASSERT_OK(store->PlanPurge({"gone"}, 0, Path("gone.plan"), Admin()));
      ASSERT_OK(store->Backup(Path("backup"), Admin()));
      ASSERT_OK(store->Export("acme", Path("acme.tlexp")));
    }
    const std::string export_bytes = ReadFileBytes(Path("acme.tlexp"));
    std::string flipped = export_bytes;
    flipped[flipped.size() / 2] ^= 0x20;
    WriteFileBytes(Path("flipped.tlexp"), flipped);
    WriteFileBytes(Path("truncated.tlexp"), export_bytes.substr(0, export_bytes.size() - 9));
    std::string plan_bytes = ReadFileBytes(Path("gone.plan"));
    plan_bytes[plan_bytes.size() / 2] ^= 0x20;
    WriteFileBytes(Path("flipped.plan"), plan_bytes);
    WriteFileBytes(Path("empty"), "");
    WriteFileBytes(Path("garbage"), std::string("\x00\xff garbage \x01\x02\n\n\xfe", 16));
    WriteFileBytes(Path("names-bad.txt"), "acme\n# a comment\nbad name!\n");
    WriteFileBytes(Path("names-comments.txt"), "# only comments\n\n   \n");
    WriteFileBytes(Path("names-unknown.txt"), "acme\nnobody\n");
    WriteFileBytes(Path("jsonl-bad-line.jsonl"),
                   "{\"type\":\"t\",\"key\":\"new\",\"payload\":\"x\"}\n{\"type\":\"t\",\"key\":\"\"}\n");
    WriteFileBytes(Path("jsonl-early.jsonl"),
                   "{\"type\":\"t\",\"key\":\"new\",\"time\":\"" + IsoTime(kTestEpochMicros) + "\"}\n");
    std::filesystem::create_directories(Path("a-dir"));
    std::filesystem::create_directories(Path("other-files"));
    WriteFileBytes(Path("other-files/notes.txt"), "not a store\n");
    std::filesystem::create_directories(Path("garbage-store"));
    WriteFileBytes(Path("garbage-store/data.mdb"), std::string(8192, 'g'));
    MakeForeignLmdb(Path("foreign-lmdb"));
  }

  static void TearDownTestSuite() {
    delete root_;
    root_ = nullptr;
  }

  static std::string Path(const std::string& name) { return root_->Sub(name); }
  static std::string StoreDir() { return Path("store"); }

  // `tenantlog --db STORE --actor test-operator args…`.
  static std::vector<std::string> On(const std::string& store, std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", store, "--actor", "test-operator"});
    return args;
  }
  static std::vector<std::string> T(std::vector<std::string> args) { return On(StoreDir(), std::move(args)); }

  // The audit log of the suite's store, read without changing it.
  static std::vector<AuditEntry> AuditLog() {
    Options options = TestOptions();
    options.read_only = true;
    options.create_if_missing = false;
    std::unique_ptr<tenantlog::Store> store;
    const Status opened = tenantlog::Store::Open(options, StoreDir(), &store);
    EXPECT_TRUE(IsOk(opened));
    if (!opened.ok()) return {};
    auto entries = store->Audit();
    EXPECT_TRUE(IsOk(entries.status()));
    return entries.ok() ? *entries : std::vector<AuditEntry>();
  }

  void Check(const std::string& command, const CliCase& c) {
    SCOPED_TRACE(command + ": " + c.what);
    const bool refusal = c.writes == Writes::kRefusalAudit;
    const UnchangedFiles files(root_->path(), StoreDir(), c.writes);
    const size_t audit_entries = refusal ? AuditLog().size() : 0;

    std::vector<std::string> argv = {TENANTLOG_BIN};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    ProcessOptions options;
    options.env = {{"TENANTLOG_DB", std::nullopt}, {"TMPDIR", Path("a-dir")}};
    options.stdin_data = c.stdin_data;
    const ProcessResult r = RunProcess(argv, options);
    Report(command, c, r);

    EXPECT_EQ(r.exit_code, c.exit_code) << r.Describe();
    EXPECT_NE(r.err.find(c.message), std::string::npos)
        << "stderr does not hold \"" << c.message << "\"\n" << r.Describe();
    EXPECT_TRUE(r.out.empty()) << "stdout: " << r.out;

    files.ExpectUnchanged();
    if (!refusal) return;
    const std::vector<AuditEntry> audit = AuditLog();
    ASSERT_EQ(audit.size(), audit_entries + 1);
    EXPECT_EQ(audit.back().outcome.rfind("refused: ", 0), 0u) << audit.back().outcome;
    EXPECT_EQ(audit.back().actor, "test-operator");
  }

  void CheckAll(const std::string& command, const std::vector<CliCase>& cases) {
    for (const CliCase& c : cases) Check(command, c);
  }

  // Appends the case as a Markdown row to $TENANTLOG_CASE_TABLE.
  void Report(const std::string& command, const CliCase& c, const ProcessResult& r) {
    const char* table = std::getenv("TENANTLOG_CASE_TABLE");
    if (table == nullptr || *table == '\0') return;
    std::string message = FirstLine(r.err);
    if (message.rfind("tenantlog: ", 0) == 0) message = message.substr(11);
    message = Replace(message, root_->path(), "$DIR");
    message = Replace(message, "|", "\\|");
    std::ofstream out(table, std::ios::app);
    out << "| " << command << " | " << Replace(c.what, "|", "\\|") << " | "
        << (r.term_signal != 0 ? "signal " + std::to_string(r.term_signal)
                               : std::to_string(r.exit_code))
        << " | " << message << " |\n";
  }

  static TempDir* root_;
};

TempDir* BadInputCliTest::root_ = nullptr;

const std::string kLongName(129, 'a');
const std::string kLongKey(kMaxEntityKeyBytes + 1, 'k');

TEST_F(BadInputCliTest, GlobalFlagsAndStorePaths) {
  CheckAll("(global)", {
      {"no --db and no TENANTLOG_DB", {"tenants"}, 2, "no store given"},
      {"--db given empty", {"--db", "", "tenants"}, 2, "no store given"},
      {"--db without its value", {"tenants", "--db"}, 2, "--db"},
      {"no command", {"--db", StoreDir()}, 2, "subcommand"},
      {"unknown command", T({"frobnicate"}), 2, "unknown command 'frobnicate'"},
      {"unknown global flag", T({"--verbose", "tenants"}), 2, "--verbose"},
      {"read: --db is a regular file", On(Path("empty"), {"tenants"}), 2, "is not a directory"},
      {"write: --db is a regular file", On(Path("empty"), {"append", "acme", "--type", "t", "--key", "k"}),
       2, "is not a directory"},
      {"write: --db is a path under a regular file",
       On(Path("empty") + "/store", {"append", "acme", "--type", "t", "--key", "k"}), 1, Path("empty")},
      {"read: --db holds other files", On(Path("other-files"), {"tenants"}), 1, "no store at"},
      {"read: --db holds a garbage data.mdb", On(Path("garbage-store"), {"tenants"}), 2,
       "not a tenantlog store"},
      {"write: --db holds a garbage data.mdb",
       On(Path("garbage-store"), {"append", "acme", "--type", "t", "--key", "k"}), 2, "not a tenantlog store"},
      {"read: --db is an LMDB environment of another program", On(Path("foreign-lmdb"), {"tenants"}), 2,
       "not a tenantlog store"},
      {"write: --db is an LMDB environment of another program",
       On(Path("foreign-lmdb"), {"tombstone", "acme"}), 2, "not a tenantlog store"},
      {"read: --db is an empty directory", On(Path("a-dir"), {"show", "acme"}), 1, "no store at"},
      {"read: --db does not exist", On(Path("missing"), {"verify"}), 1, "no store at"},
      {"--json: a bad seq prints nothing on stdout", T({"--json", "get", "acme", "k1", "--as-of", "99"}), 2,
       "beyond the head"},
      {"--json: a refusal prints nothing on stdout", T({"tombstone", "nobody", "--json"}), 3, "nobody",
       Writes::kRefusalAudit},
  });
}

TEST_F(BadInputCliTest, Append) {
  // Inputs over the 16 MiB payload limit, outside the directory every case
  // compares byte for byte (the tool only reads them).
  TempDir big;
  const std::string big_payload = big.Sub("payload");
  const std::string big_jsonl = big.Sub("big.jsonl");
  WriteFileBytes(big_payload, std::string((16u << 20) + 1, 'p'));
  WriteFileBytes(big_jsonl, "{\"type\":\"t\",\"key\":\"k\",\"payload\":\"" + std::string((16u << 20) + 1, 'p') +
                                "\"}\n");
  const std::vector<std::string> event = {"--type", "t", "--key", "k", "--payload", "v"};
  auto append = [&](const std::string& tenant, std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"append", tenant};
    args.insert(args.end(), more.begin(), more.end());
    return T(args);
  };
  auto with_event = [&](const std::string& tenant) { return append(tenant, event); };
  CheckAll("append", {
      {"empty tenant name", with_event(""), 2, "bad tenant name ''"},
      {"129-character tenant name", with_event(kLongName), 2, "bad tenant name"},
      {"space and ! in tenant name", with_event("bad name!"), 2, "bad tenant name 'bad name!'"},
      {"slash in tenant name", with_event("ac/me"), 2, "bad tenant name 'ac/me'"},
      {"non-ASCII tenant name", with_event("acm\xc3\xa9"), 2, "bad tenant name"},
      {"control byte in tenant name", with_event("ac\tme"), 2, "bad tenant name"},
      {"tenant name that looks like a flag", with_event("-acme"), 2,
       "'-acme' is no flag; a tenant name that starts with '-' goes after '--'"},
      {"tenant name that is a flag of the tool", with_event("--json"), 2, "tenant"},
      {"no tenant", T({"append", "--type", "t", "--key", "k"}), 2, "tenant"},
      {"two tenants", T({"append", "acme", "globex", "--type", "t", "--key", "k"}), 2, "globex"},
      {"empty key", append("acme", {"--type", "t", "--key", "", "--payload", "v"}), 2, "--key"},
      {"key over the limit", append("acme", {"--type", "t", "--key", kLongKey}), 2, "key"},
      {"empty type", append("acme", {"--type", "", "--key", "k"}), 2, "--type"},
      {"type over the limit", append("acme", {"--type", std::string(257, 't'), "--key", "k"}), 2, "type"},
      {"no --type", append("acme", {"--key", "k", "--payload", "v"}), 2, "--type is required"},
      {"no --key", append("acme", {"--type", "t", "--payload", "v"}), 2, "--key is required"},
      {"unknown --op", append("acme", {"--type", "t", "--key", "k", "--op", "upsert"}), 2,
       "--op 'upsert'"},
      {"a delete with a payload", append("acme", {"--type", "t", "--key", "k", "--op", "delete", "--payload", "v"}),
       2, "a delete carries no payload"},
      {"--payload and --payload-file", append("acme", {"--type", "t", "--key", "k", "--payload", "v",
                                                        "--payload-file", Path("empty")}),
       2, "--payload"},
      {"--jsonl with --type", append("acme", {"--jsonl", Path("empty"), "--type", "t"}), 2, "--jsonl"},
      {"unknown flag", append("acme", {"--type", "t", "--key", "k", "--expected-head", "3"}), 2,
       "--expected-head"},
      {"flag given twice", append("acme", {"--type", "t", "--key", "k", "--key", "j"}), 2, "--key"},
      {"payload over the 16 MiB limit", append("acme", {"--type", "t", "--key", "k", "--payload-file",
                                                         big_payload}),
       2, "payload"},
      {"--payload-file does not exist", append("acme", {"--type", "t", "--key", "k", "--payload-file",
                                                         Path("missing")}),
       2, "--payload-file " + Path("missing") + ": cannot open: No such file or directory"},
      {"--payload-file is a directory", append("acme", {"--type", "t", "--key", "k", "--payload-file",
                                                         Path("a-dir")}),
       2, "--payload-file " + Path("a-dir") + ": cannot read: Is a directory"},
      {"--payload-file empty", append("acme", {"--type", "t", "--key", "k", "--payload-file", ""}), 2,
       "--payload-file: must not be empty"},
      {"--jsonl does not exist", append("acme", {"--jsonl", Path("missing")}), 2,
       "--jsonl " + Path("missing") + ": cannot open: No such file or directory"},
      {"--jsonl is a directory", append("acme", {"--jsonl", Path("a-dir")}), 2,
       "--jsonl " + Path("a-dir") + ": cannot read: Is a directory"},
      {"--jsonl is empty", append("acme", {"--jsonl", Path("empty")}), 2, "no events"},
      {"--jsonl is binary garbage", append("acme", {"--jsonl", Path("garbage")}), 2, "line 1: not valid JSON"},
      {"--jsonl: a good line, then a bad one", append("acme", {"--jsonl", Path("jsonl-bad-line.jsonl")}), 2,
       "line 2: \"key\" is required"},
      {"--jsonl: a time before the tenant's last event", append("acme", {"--jsonl", Path("jsonl-early.jsonl")}),
       2, "time"},
      {"--jsonl: a payload over the limit", append("acme", {"--jsonl", big_jsonl}), 2, "payload"},
      {"--jsonl - with bad stdin", append("acme", {"--jsonl", "-"}), 2, "<stdin> line 1: not valid JSON", 
       Writes::kNothing, "{oops\n"},
      {"tombstoned tenant: a wrong tenant state", with_event("gone"), 3,
       "tenant gone is deleted (tombstoned)"},
      {"tombstoned tenant, --jsonl", append("gone", {"--jsonl", "-"}), 3,
       "tenant gone is deleted (tombstoned)", Writes::kNothing, "{\"type\":\"t\",\"key\":\"k\"}\n"},
  });
}

TEST_F(BadInputCliTest, ReadCommands) {
  CheckAll("get", {
      {"empty tenant name", T({"get", "", "k1"}), 2, "bad tenant name"},
      {"129-character tenant name", T({"get", kLongName, "k1"}), 2, "bad tenant name"},
      {"bad character in tenant name", T({"get", "ac:me", "k1"}), 2, "bad tenant name 'ac:me'"},
      {"tenant name that looks like a flag", T({"get", "-acme", "k1"}), 2, "-acme"},
      {"no key", T({"get", "acme"}), 2, "key"},
      {"empty key", T({"get", "acme", ""}), 2, "key: must not be empty"},
      {"unknown tenant", T({"get", "nobody", "k1"}), 1, "unknown tenant nobody"},
      {"a key the tenant does not hold", T({"get", "acme", "k9"}), 1, "key 'k9' not found in tenant acme"},
      {"tombstoned tenant", T({"get", "gone", "k1"}), 1, "gone"},
      {"purged tenant", T({"get", "old", "k1"}), 1, "old"},
      {"--as-of a word", T({"get", "acme", "k1", "--as-of", "yesterday"}), 2, "--as-of 'yesterday'"},
      {"--as-of empty", T({"get", "acme", "k1", "--as-of", ""}), 2, "--as-of: must not be empty"},
      {"--as-of month 13", T({"get", "acme", "k1", "--as-of", "2022-13-01T00:00:00Z"}), 2, "--as-of"},
      {"--as-of February 30", T({"get", "acme", "k1", "--as-of", "2022-02-30T00:00:00Z"}), 2, "--as-of"},
      {"--as-of hour 24", T({"get", "acme", "k1", "--as-of", "2022-04-05T24:00:00Z"}), 2, "--as-of"},
      {"--as-of a time without a zone", T({"get", "acme", "k1", "--as-of", "2022-04-05T02:00:00"}), 2,
       "--as-of"},
      {"--as-of a 5-digit year", T({"get", "acme", "k1", "--as-of", "10000-01-01T00:00:00Z"}), 2, "--as-of"},
      {"--as-of 10 digits of fraction", T({"get", "acme", "k1", "--as-of", "2022-04-05T02:00:00.1234567891Z"}),
       2, "--as-of '2022-04-05T02:00:00.1234567891Z'"},
      {"--as-of a '.' without digits", T({"get", "acme", "k1", "--as-of", "2022-04-05T02:00:00.Z"}), 2,
       "--as-of"},
      {"--as-of a negative seq", T({"get", "acme", "k1", "--as-of", "-1"}), 2, "-1"},
      {"--as-of a seq beyond the head", T({"get", "acme", "k1", "--as-of", "4"}), 2,
       "seq 4 is beyond the head (3) of tenant acme"},
      {"--as-of a seq past 2^64", T({"get", "acme", "k1", "--as-of", "18446744073709551616"}), 2,
       "out of range"},
  });
  CheckAll("keys", {
      {"bad character in tenant name", T({"keys", "ac me"}), 2, "bad tenant name"},
      {"unknown tenant", T({"keys", "nobody"}), 1, "nobody"},
      {"tombstoned tenant", T({"keys", "gone"}), 1, "gone"},
      {"--as-of beyond the head", T({"keys", "acme", "--as-of", "99"}), 2, "99"},
      {"--as-of a max uint64 seq", T({"keys", "acme", "--as-of", "18446744073709551615"}), 2,
       "18446744073709551615"},
      {"--as-of not a time", T({"keys", "acme", "--as-of", "2022-04-05 02:00:00"}), 2, "--as-of"},
      {"two tenants", T({"keys", "acme", "gone"}), 2, "gone"},
  });
  CheckAll("log", {
      {"empty tenant name", T({"log", ""}), 2, "bad tenant name"},
      {"unknown tenant", T({"log", "nobody"}), 1, "nobody"},
      {"--from 0", T({"log", "acme", "--from", "0"}), 2, "--from 0"},
      {"--from negative", T({"log", "acme", "--from", "-1"}), 2, "--from: '-1' is not a whole number"},
      {"--from not a number", T({"log", "acme", "--from", "three"}), 2, "--from"},
      {"--from past 2^64", T({"log", "acme", "--from", "18446744073709551616"}), 2,
       "--from: '18446744073709551616' is not a whole number"},
      {"--limit 0", T({"log", "acme", "--limit", "0"}), 2, "--limit must be at least 1"},
      {"--limit negative", T({"log", "acme", "--limit", "-5"}), 2,
       "--limit: '-5' is not a whole number up to 18446744073709551615"},
      {"--limit not a number", T({"log", "acme", "--limit", "ten"}), 2, "--limit"},
  });
  CheckAll("tenants", {
      {"unknown --state", T({"tenants", "--state", "deleted"}), 2, "--state 'deleted'"},
      {"empty --state", T({"tenants", "--state", ""}), 2, "--state: must not be empty"},
      {"a stray argument", T({"tenants", "acme"}), 2, "acme"},
  });
  CheckAll("show", {
      {"no tenant", T({"show"}), 2, "tenant"},
      {"129-character tenant name", T({"show", kLongName}), 2, "bad tenant name"},
      {"unknown tenant", T({"show", "nobody"}), 1, "nobody"},
  });
  CheckAll("diff", {
      {"bad tenant name", T({"diff", "a*", "--from", "1"}), 2, "bad tenant name 'a*'"},
      {"no --from", T({"diff", "acme"}), 2, "--from"},
      {"--from not a point", T({"diff", "acme", "--from", "not-a-point"}), 2, "--from 'not-a-point'"},
      {"--from beyond the head", T({"diff", "acme", "--from", "9"}), 2, "9"},
      {"--to beyond the head", T({"diff", "acme", "--from", "1", "--to", "9"}), 2, "9"},
      {"--to not a point", T({"diff", "acme", "--from", "1", "--to", "later"}), 2, "--to 'later'"},
      {"unknown tenant", T({"diff", "nobody", "--from", "1"}), 1, "nobody"},
      {"tombstoned tenant", T({"diff", "gone", "--from", "1"}), 1, "gone"},
  });
  CheckAll("verify", {
      {"bad tenant name", T({"verify", "acme", "bad name"}), 2, "bad tenant name 'bad name'"},
      {"unknown tenant: the list refused whole", T({"verify", "acme", "nobody"}), 3, "unknown tenants: nobody"},
      {"--tenants-file does not exist", T({"verify", "--tenants-file", Path("missing")}), 2,
       "--tenants-file " + Path("missing") + ": cannot open"},
      {"--tenants-file is a directory", T({"verify", "--tenants-file", Path("a-dir")}), 2,
       "--tenants-file " + Path("a-dir") + ": cannot read: Is a directory"},
      {"--tenants-file holds a bad name", T({"verify", "--tenants-file", Path("names-bad.txt")}), 2,
       "names-bad.txt:3: bad tenant name 'bad name!'"},
  });
  CheckAll("audit", {
      {"--since a word", T({"audit", "--since", "last-week"}), 2, "--since 'last-week'"},
      {"--since an unknown unit", T({"audit", "--since", "12y"}), 2, "--since '12y'"},
      {"--since a negative duration", T({"audit", "--since", "-1d"}), 2, "--since"},
      {"--since a duration past int64", T({"audit", "--since", "9999999999999999999d"}), 2, "--since"},
      {"--since empty", T({"audit", "--since", ""}), 2, "--since: must not be empty"},
      {"a stray argument", T({"audit", "acme"}), 2, "acme"},
  });
}

TEST_F(BadInputCliTest, TimelineAdminCommands) {
  for (const std::string command : {"tombstone", "restore"}) {
    CheckAll(command, {
        {"no tenants", T({command}), 2, "no tenants given"},
        {"bad tenant name", T({command, "acme", "bad name!"}), 2, "bad tenant name 'bad name!'"},
        {"empty tenant name", T({command, ""}), 2, "bad tenant name"},
        {"tenant name that looks like a flag", T({command, "-x"}), 2, "-x"},
        {"--max-tenants 0", T({command, "acme", "--max-tenants", "0"}), 2, "--max-tenants"},
        {"--max-tenants negative", T({command, "acme", "--max-tenants", "-1"}), 2,
         "--max-tenants: '-1' is not a whole number"},
        {"--max-tenants not a number", T({command, "acme", "--max-tenants", "many"}), 2, "--max-tenants"},
        {"--max-tenants past 2^64", T({command, "acme", "--max-tenants", "18446744073709551616"}), 2,
         "--max-tenants: '18446744073709551616' is not a whole number"},
        {"--tenants-file does not exist", T({command, "--tenants-file", Path("missing")}), 2,
         "--tenants-file " + Path("missing") + ": cannot open"},
        {"--tenants-file is a directory", T({command, "--tenants-file", Path("a-dir")}), 2,
         "cannot read: Is a directory"},
        {"--tenants-file empty", T({command, "acme", "--tenants-file", ""}), 2,
         "--tenants-file: must not be empty"},
        {"--tenants-file is empty", T({command, "--tenants-file", Path("empty")}), 2, "no tenants given"},
        {"--tenants-file holds only comments", T({command, "--tenants-file", Path("names-comments.txt")}), 2,
         "no tenants given"},
        {"--tenants-file is binary garbage", T({command, "--tenants-file", Path("garbage")}), 2,
         "bad tenant name"},
        {"--tenants-file holds a bad name", T({command, "--tenants-file", Path("names-bad.txt")}), 2,
         "names-bad.txt:3"},
        {"unknown flag", T({command, "acme", "--force"}), 2, "--force"},
        {"a list naming an unknown tenant", T({command, "acme", "nobody"}), 3, "nobody",
         Writes::kRefusalAudit},
        {"a tenants file naming an unknown tenant", T({command, "--tenants-file", Path("names-unknown.txt")}),
         3, "nobody", Writes::kRefusalAudit},
        {"a purged tenant", T({command, "old"}), 3, "old", Writes::kRefusalAudit},
        {"more tenants than --max-tenants", T({command, "acme", "gone", "--max-tenants", "1"}), 3, "1",
         Writes::kRefusalAudit},
    });
  }
  CheckAll("tombstone", {
      {"11 tenants, over the default limit of 10",
       T({"tombstone", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9", "t10", "t11"}), 3, "10",
       Writes::kRefusalAudit},
  });
  CheckAll("rewind", {
      {"no --to", T({"rewind", "acme"}), 2, "--to"},
      {"no tenant", T({"rewind", "--to", "1"}), 2, "tenant"},
      {"bad tenant name", T({"rewind", "ac/me", "--to", "1"}), 2, "bad tenant name 'ac/me'"},
      {"--to a word", T({"rewind", "acme", "--to", "10:00 yesterday"}), 2, "--to '10:00 yesterday'"},
      {"--to empty", T({"rewind", "acme", "--to", ""}), 2, "--to"},
      {"--to negative", T({"rewind", "acme", "--to", "-3"}), 2, "--to"},
      {"--to beyond the head", T({"rewind", "acme", "--to", "4"}), 2,
       "seq 4 is beyond the head (3) of tenant acme"},
      {"--to past 2^64", T({"rewind", "acme", "--to", "99999999999999999999"}), 2, "out of range"},
      {"--to a date that does not exist", T({"rewind", "acme", "--to", "2022-02-29T00:00:00Z"}), 2, "--to"},
      {"--to given twice", T({"rewind", "acme", "--to", "1", "--to", "2"}), 2, "--to"},
      {"unknown tenant", T({"rewind", "nobody", "--to", "1"}), 1, "nobody"},
      {"tombstoned tenant", T({"rewind", "gone", "--to", "1"}), 3, "gone", Writes::kRefusalAudit},
      {"tombstoned tenant, dry run", T({"rewind", "gone", "--to", "1", "--dry-run"}), 3, "gone",
       Writes::kRefusalAudit},
      {"purged tenant (its name is free)", T({"rewind", "old", "--to", "1"}), 1, "unknown tenant old"},
  });
}

TEST_F(BadInputCliTest, LifecycleCommands) {
  CheckAll("backup", {
      {"no directory", T({"backup"}), 2, "dir"},
      {"a non-empty directory", T({"backup", Path("other-files")}), 2, Path("other-files")},
      {"the store itself", T({"backup", StoreDir()}), 2, StoreDir()},
      {"a regular file", T({"backup", Path("empty")}), 2, Path("empty")},
      {"a path under a regular file", T({"backup", Path("empty") + "/backup"}), 1, Path("empty")},
  });
  CheckAll("restore-from-backup", {
      {"no backup", T({"restore-from-backup"}), 2, "backup"},
      {"no tenants", T({"restore-from-backup", Path("backup")}), 2, "no tenants given"},
      {"bad tenant name", T({"restore-from-backup", Path("backup"), "bad name!"}), 2, "bad tenant name"},
      {"the backup does not exist", T({"restore-from-backup", Path("missing"), "acme"}), 1, Path("missing")},
      {"the backup is not a store", T({"restore-from-backup", Path("other-files"), "acme"}), 1,
       "no store at " + Path("other-files")},
      {"the backup is a regular file", T({"restore-from-backup", Path("empty"), "acme"}), 2, Path("empty")},
      {"the backup is an LMDB environment of another program",
       T({"restore-from-backup", Path("foreign-lmdb"), "acme"}), 2, Path("foreign-lmdb")},
      {"a tenant the backup does not hold", T({"restore-from-backup", Path("backup"), "acme", "nobody"}), 3,
       "nobody", Writes::kRefusalAudit},
      {"--max-tenants 0", T({"restore-from-backup", Path("backup"), "acme", "--max-tenants", "0"}), 2,
       "--max-tenants"},
      {"more tenants than --max-tenants",
       T({"restore-from-backup", Path("backup"), "acme", "gone", "--max-tenants", "1"}), 3, "1",
       Writes::kRefusalAudit},
      {"--tenants-file does not exist",
       T({"restore-from-backup", Path("backup"), "--tenants-file", Path("missing")}), 2, "cannot open"},
  });
  CheckAll("export", {
      {"no -o", T({"export", "acme"}), 2, "-o"},
      {"bad tenant name", T({"export", "ac me", "-o", Path("out.tlexp")}), 2, "bad tenant name"},
      {"unknown tenant", T({"export", "nobody", "-o", Path("out.tlexp")}), 1, "nobody"},
      {"-o is a directory", T({"export", "acme", "-o", Path("a-dir")}), 1, Path("a-dir")},
      {"-o in a missing directory", T({"export", "acme", "-o", Path("missing/out.tlexp")}), 1,
       Path("missing/out.tlexp")},
      {"-o empty", T({"export", "acme", "-o", ""}), 2, "--output: must not be empty"},
      {"-o - (not stdout)", T({"export", "acme", "-o", "-"}), 2, "-o/--output -: this writes a file"},
  });
  CheckAll("import", {
      {"no file", T({"import"}), 2, "file"},
      {"the file does not exist", T({"import", Path("missing")}), 1, Path("missing")},
      {"--as empty", T({"import", Path("acme.tlexp"), "--as", ""}), 2, "--as: must not be empty"},
      {"the file is a directory", T({"import", Path("a-dir")}), 2, Path("a-dir")},
      {"the file is empty", T({"import", Path("empty"), "--as", "new"}), 2, Path("empty")},
      {"the file is garbage", T({"import", Path("garbage"), "--as", "new"}), 2, Path("garbage")},
      {"a bit flipped in the file", T({"import", Path("flipped.tlexp"), "--as", "new"}), 2,
       Path("flipped.tlexp")},
      {"the file is truncated", T({"import", Path("truncated.tlexp"), "--as", "new"}), 2,
       Path("truncated.tlexp")},
      {"a purge plan instead of an export", T({"import", Path("gone.plan"), "--as", "new"}), 2,
       Path("gone.plan")},
      {"bad --as name", T({"import", Path("acme.tlexp"), "--as", "new name"}), 2, "bad tenant name"},
      {"the file's tenant name is taken", T({"import", Path("acme.tlexp")}), 3, "acme",
       Writes::kRefusalAudit},
      {"--as a taken name", T({"import", Path("acme.tlexp"), "--as", "gone"}), 3, "gone",
       Writes::kRefusalAudit},
  });
  const std::string plan = Path("new.plan");
  CheckAll("purge plan", {
      {"no subcommand", T({"purge"}), 2, "subcommand"},
      {"unknown subcommand", T({"purge", "now", "gone"}), 2, "unknown command 'purge now'"},
      {"no tenants", T({"purge", "plan", "--older-than", "0s", "-o", plan}), 2, "no tenants given"},
      {"no --older-than", T({"purge", "plan", "gone", "-o", plan}), 2, "--older-than"},
      {"no -o", T({"purge", "plan", "gone", "--older-than", "0s"}), 2, "-o"},
      {"-o - (not stdout)", T({"purge", "plan", "gone", "--older-than", "0s", "-o", "-"}), 2,
       "-o/--output -: this writes a file"},
      {"--older-than without a unit", T({"purge", "plan", "gone", "--older-than", "30", "-o", plan}), 2,
       "--older-than: '30'"},
      {"--older-than negative", T({"purge", "plan", "gone", "--older-than", "-1d", "-o", plan}), 2,
       "--older-than"},
      {"--older-than a fraction", T({"purge", "plan", "gone", "--older-than", "1.5d", "-o", plan}), 2,
       "--older-than: '1.5d'"},
      {"--older-than past int64",
       T({"purge", "plan", "gone", "--older-than", "99999999999999999d", "-o", plan}), 2, "--older-than"},
      {"bad tenant name", T({"purge", "plan", "gone!", "--older-than", "0s", "-o", plan}), 2,
       "bad tenant name"},
      {"--max-tenants 0", T({"purge", "plan", "gone", "--older-than", "0s", "-o", plan, "--max-tenants", "0"}),
       2, "--max-tenants"},
      {"an active tenant", T({"purge", "plan", "acme", "--older-than", "0s", "-o", plan}), 3, "acme",
       Writes::kRefusalAudit},
      {"an unknown tenant", T({"purge", "plan", "nobody", "--older-than", "0s", "-o", plan}), 3, "nobody",
       Writes::kRefusalAudit},
      {"a tombstone younger than --older-than",
       T({"purge", "plan", "gone", "--older-than", "36500d", "-o", plan}), 3, "gone", Writes::kRefusalAudit},
      {"an already purged tenant", T({"purge", "plan", "old", "--older-than", "0s", "-o", plan}), 3, "old",
       Writes::kRefusalAudit},
  });
  CheckAll("purge run", {
      {"no plan", T({"purge", "run", "--confirm", "x"}), 2, "plan"},
      {"no --confirm", T({"purge", "run", Path("gone.plan")}), 2, "--confirm"},
      {"--confirm empty", T({"purge", "run", Path("gone.plan"), "--confirm", ""}), 2,
       "--confirm: must not be empty"},
      {"the plan does not exist", T({"purge", "run", Path("missing"), "--confirm", "x"}), 2, Path("missing")},
      {"the plan is a directory", T({"purge", "run", Path("a-dir"), "--confirm", "x"}), 2, Path("a-dir")},
      {"the plan is empty", T({"purge", "run", Path("empty"), "--confirm", "x"}), 2, Path("empty")},
      {"the plan is damaged (a bit flipped)", T({"purge", "run", Path("flipped.plan"), "--confirm", "x"}), 3,
       "the token does not match plan " + Path("flipped.plan"), Writes::kRefusalAudit},
      {"an export file instead of a plan", T({"purge", "run", Path("acme.tlexp"), "--confirm", "x"}), 2,
       Path("acme.tlexp")},
      {"a wrong token", T({"purge", "run", Path("gone.plan"), "--confirm", "0000000000000000"}), 3, "token",
       Writes::kRefusalAudit},
  });
  CheckAll("compact", {
      {"a stray argument", T({"compact", "now"}), 2, "now"},
      {"unknown flag", T({"compact", "--dry-run"}), 2, "--dry-run"},
      {"--db is an LMDB environment of another program", On(Path("foreign-lmdb"), {"compact"}), 2,
       "not a tenantlog store"},
      {"--db holds a garbage data.mdb", On(Path("garbage-store"), {"compact"}), 2, "not a tenantlog store"},
  });
  CheckAll("drill", {
      {"--tenants 1", T({"drill", "--tenants", "1"}), 2, "--tenants"},
      {"--tenants not a number", T({"drill", "--tenants", "lots"}), 2, "--tenants: 'lots' is not a whole number"},
      {"--tenants negative", T({"drill", "--tenants", "-2000"}), 2, "--tenants: '-2000' is not a whole number"},
      {"--events 5", T({"drill", "--events", "5"}), 2, "--events"},
      {"--victims within the blast radius", T({"drill", "--victims", "5"}), 2, "--victims"},
      {"--victims as many as the tenants", T({"drill", "--tenants", "20", "--victims", "20"}), 2, "--victims"},
      {"--db an existing store", T({"drill", "--tenants", "20", "--events", "10", "--victims", "11"}), 3,
       "not empty"},
      {"unknown flag", T({"drill", "--fast"}), 2, "--fast"},
  });
}

// A tenant name may start with '-' (the name rule allows it); given after
// "--" it is a name, not a flag.
TEST_F(BadInputCliTest, ATenantNameThatStartsWithADashGoesAfterDoubleDash) {
  const std::string store = Path("dash-store");
  ProcessOptions options;
  options.env = {{"TENANTLOG_DB", std::nullopt}};
  const ProcessResult appended = RunProcess(
      {TENANTLOG_BIN, "--db", store, "append", "--type", "t", "--key", "k", "--payload", "v", "--", "-acme"},
      options);
  ASSERT_EQ(appended.exit_code, 0) << appended.Describe();
  const ProcessResult got = RunProcess({TENANTLOG_BIN, "--db", store, "get", "--", "-acme", "k"}, options);
  ASSERT_EQ(got.exit_code, 0) << got.Describe();
  EXPECT_EQ(got.out, "v");
}

}  // namespace
}  // namespace tenantlog::test
