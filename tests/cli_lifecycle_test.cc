// The data lifecycle commands of the admin tool (CLI.md; DESIGN.md "Backups,
// restore from backup, export" and "Purge"): backup, restore-from-backup,
// export, import, purge plan, purge run and compact, as operators run them,
// and the drill that replays a purge by mistake and its repair. The tool runs
// as a separate process; each test checks exit codes, JSON fields, and that a
// refused or bad command wrote nothing.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "util/files.h"
#include "util/process.h"
#include "util/temp_dir.h"

namespace tenantlog::test {
namespace {

using nlohmann::json;

class LifecycleCliTest : public ::testing::Test {
 protected:
  std::string db() const { return dir_.Sub("store"); }
  std::string Path(const std::string& name) const { return dir_.Sub(name); }

  // Runs `tenantlog --db <store> args…` with TENANTLOG_DB unset.
  ProcessResult Tool(const std::vector<std::string>& args, const std::string& stdin_data = "") {
    return ToolOn(db(), args, stdin_data);
  }
  ProcessResult ToolOn(const std::string& store, const std::vector<std::string>& args,
                       const std::string& stdin_data = "") {
    std::vector<std::string> argv = {TENANTLOG_BIN, "--db", store, "--actor", "test-operator"};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.env = {{"TENANTLOG_DB", std::nullopt}, {"TMPDIR", dir_.path()}};
    options.stdin_data = stdin_data;
    return RunProcess(argv, options);
  }

  // Runs a --json command that must exit `code`; its stdout must be exactly
  // one JSON document.
  json ToolJsonOn(const std::string& store, std::vector<std::string> args, int code = 0) {
    args.push_back("--json");
    const ProcessResult r = ToolOn(store, args);
    EXPECT_EQ(r.exit_code, code) << r.Describe();
    try {
      return json::parse(r.out);
    } catch (const json::exception& e) {
      ADD_FAILURE() << "stdout is not one JSON document (" << e.what() << "):\n" << r.Describe();
      return json();
    }
  }
  json ToolJson(std::vector<std::string> args, int code = 0) {
    return ToolJsonOn(db(), std::move(args), code);
  }

  // Appends one put per (key, payload) to `tenant` in one batch, from stdin,
  // so that no payload appears on a command line.
  void Append(const std::string& tenant,
              const std::vector<std::pair<std::string, std::string>>& puts,
              const std::string& store = "") {
    std::string lines;
    for (const auto& [key, payload] : puts) {
      lines += json{{"type", "test.put"}, {"key", key}, {"op", "put"}, {"payload", payload}}.dump();
      lines += '\n';
    }
    const ProcessResult r =
        ToolOn(store.empty() ? db() : store, {"append", tenant, "--jsonl", "-"}, lines);
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
  }

  // A tenant with three events, one of them carrying `secret`.
  void MakeTenant(const std::string& tenant, const std::string& secret = "") {
    Append(tenant, {{"issue/1", "{\"title\":\"first of " + tenant + "\"}"},
                    {"issue/2", secret.empty() ? "{\"title\":\"second\"}" : secret},
                    {"issue/1", "{\"title\":\"first, edited\"}"}});
  }

  json Show(const std::string& tenant, const std::string& store = "") {
    return ToolJsonOn(store.empty() ? db() : store, {"show", tenant});
  }

  void Tombstone(const std::string& tenant) {
    const ProcessResult r = Tool({"tombstone", tenant, "--reason", "test"});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
  }

  // Plans and runs the purge of `tenant`, tombstoning it first.
  void Purge(const std::string& tenant) {
    Tombstone(tenant);
    const json plan =
        ToolJson({"purge", "plan", tenant, "--older-than", "0s", "-o", Path(tenant + ".plan")});
    ASSERT_TRUE(plan.contains("token")) << plan.dump();
    const ProcessResult run = Tool(
        {"purge", "run", Path(tenant + ".plan"), "--confirm", plan["token"].get<std::string>()});
    ASSERT_EQ(run.exit_code, 0) << run.Describe();
  }

  // Names of the tenants `tenants --json` lists (with `state`, of that state).
  std::set<std::string> TenantNames(const std::string& state = "") {
    std::vector<std::string> args = {"tenants"};
    if (!state.empty()) args.insert(args.end(), {"--state", state});
    const json listed = ToolJson(args);
    std::set<std::string> names;
    for (const json& t : listed.value("tenants", json::array()))
      names.insert(t.value("tenant", ""));
    return names;
  }

  // Whether `needle` occurs in any file of the store directory.
  bool StoreFilesHold(const std::string& needle) {
    for (const auto& [name, bytes] : ReadDirectoryFiles(db())) {
      if (!FindAll(bytes, needle).empty()) return true;
    }
    return false;
  }

  std::string Backup() {
    const std::string dir = Path("backup");
    const ProcessResult r = Tool({"backup", dir});
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return dir;
  }

  TempDir dir_;
};

std::vector<std::string> Names(const json& list) {
  std::vector<std::string> names;
  if (!list.is_array()) return {"(not a list: " + list.dump() + ")"};
  for (const json& name : list)
    names.push_back(name.is_string() ? name.get<std::string>() : name.dump());
  std::sort(names.begin(), names.end());
  return names;
}

using Strings = std::vector<std::string>;

// ---- backup ----

TEST_F(LifecycleCliTest, BackupIsAStoreThatVerifiesAndServesReads) {
  MakeTenant("acme");
  MakeTenant("globex");
  Tombstone("globex");
  const std::string backup = Backup();

  const json verified = ToolJsonOn(backup, {"verify"});
  EXPECT_EQ(verified.value("ok", false), true) << verified.dump();
  EXPECT_EQ(verified.value("tenants", 0), 2) << verified.dump();
  EXPECT_EQ(verified.value("events", 0), 7) << verified.dump();  // 3 + 3 + a tombstone

  EXPECT_EQ(Show("acme", backup)["chain"], Show("acme")["chain"]);
  EXPECT_EQ(Show("globex", backup)["state"], "tombstoned");
  const ProcessResult get = ToolOn(backup, {"get", "acme", "issue/1"});
  EXPECT_EQ(get.exit_code, 0) << get.Describe();
  EXPECT_EQ(get.out.substr(0, get.out.find_last_not_of('\n') + 1), "{\"title\":\"first, edited\"}");
}

TEST_F(LifecycleCliTest, BackupIntoANonEmptyDirectoryIsBadUsageAndWritesNothing) {
  MakeTenant("acme");
  const std::string target = Path("occupied");
  const ProcessResult mkdir = RunProcess({"/bin/mkdir", target});
  ASSERT_EQ(mkdir.exit_code, 0) << mkdir.Describe();
  WriteFileBytes(target + "/notes.txt", "keep me");

  const ProcessResult r = Tool({"backup", target});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  const auto files = ReadDirectoryFiles(target);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files.begin()->first, "notes.txt");
  EXPECT_EQ(files.begin()->second, "keep me");
}

// ---- restore-from-backup ----

TEST_F(LifecycleCliTest, RestoreFromBackupBringsBackAPurgedTenantAsTheBackupHoldsIt) {
  MakeTenant("acme");
  MakeTenant("globex");
  const std::string backup = Backup();
  const json before = Show("acme", backup);
  Purge("acme");
  ASSERT_EQ(Tool({"show", "acme"}).exit_code, 1);

  const json dry = ToolJson({"restore-from-backup", backup, "acme", "--dry-run"});
  EXPECT_EQ(Names(dry["restored"]), Strings{"acme"}) << dry.dump();
  EXPECT_EQ(Tool({"show", "acme"}).exit_code, 1) << "the dry run wrote the tenant back";

  const json restored = ToolJson({"restore-from-backup", backup, "acme"});
  EXPECT_EQ(Names(restored["restored"]), Strings{"acme"}) << restored.dump();
  EXPECT_EQ(Names(restored["unchanged"]), Strings{}) << restored.dump();
  EXPECT_EQ(Names(restored["conflicts"]), Strings{}) << restored.dump();
  EXPECT_EQ(restored.value("events_copied", 0), 3) << restored.dump();

  const json after = Show("acme");
  EXPECT_EQ(after["state"], "active");
  EXPECT_EQ(after["chain"], before["chain"]);
  EXPECT_EQ(after["head_seq"], before["head_seq"]);
  const json log = ToolJson({"log", "acme"});
  EXPECT_EQ(log, ToolJsonOn(backup, {"log", "acme"}));
  EXPECT_EQ(ToolJson({"verify", "acme"}).value("ok", false), true);

  const json again = ToolJson({"restore-from-backup", backup, "acme"});
  EXPECT_EQ(Names(again["restored"]), Strings{}) << again.dump();
  EXPECT_EQ(Names(again["unchanged"]), Strings{"acme"}) << again.dump();
  EXPECT_EQ(again.value("events_copied", -1), 0) << again.dump();
  EXPECT_EQ(Show("acme")["chain"], before["chain"]);
}

TEST_F(LifecycleCliTest, RestoreFromBackupTakesATenantsFileAndUndoesTombstones) {
  MakeTenant("acme");
  MakeTenant("globex");
  MakeTenant("initech");
  const std::string backup = Backup();
  Tombstone("globex");
  const json initech = Show("initech");
  WriteFileBytes(Path("list.txt"), "# the wrong list\nglobex\n\ninitech\n");

  const json report = ToolJson({"restore-from-backup", backup, "--tenants-file", Path("list.txt")});
  EXPECT_EQ(Names(report["restored"]), Strings{"globex"}) << report.dump();
  EXPECT_EQ(Names(report["unchanged"]), Strings{"initech"}) << report.dump();
  EXPECT_EQ(Names(report["conflicts"]), Strings{}) << report.dump();
  EXPECT_EQ(Show("globex")["state"], "active");
  EXPECT_EQ(Show("initech"), initech);
  const ProcessResult get = Tool({"get", "globex", "issue/2"});
  EXPECT_EQ(get.exit_code, 0) << get.Describe();
}

TEST_F(LifecycleCliTest, RestoreFromBackupReportsANameReusedAfterAPurgeAsAConflict) {
  MakeTenant("acme");
  MakeTenant("globex");
  const std::string backup = Backup();
  Purge("acme");
  Purge("globex");
  Append("acme", {{"fresh/1", "a new customer took the name"}});
  const json newcomer = Show("acme");

  const json report = ToolJson({"restore-from-backup", backup, "acme", "globex"}, 3);
  EXPECT_EQ(Names(report["conflicts"]), Strings{"acme"}) << report.dump();
  EXPECT_EQ(Names(report["restored"]), Strings{"globex"}) << report.dump();
  EXPECT_EQ(report.value("events_copied", 0), 3) << report.dump();
  EXPECT_EQ(Show("acme"), newcomer) << "the conflicting tenant was touched";
  EXPECT_EQ(Show("globex")["chain"], Show("globex", backup)["chain"]);
}

TEST_F(LifecycleCliTest, RestoreFromBackupRefusesATenantMissingFromTheBackupWritingNothing) {
  MakeTenant("acme");
  const std::string backup = Backup();
  MakeTenant("globex");
  Tombstone("acme");
  Tombstone("globex");
  const json acme = Show("acme");

  const ProcessResult r = Tool({"restore-from-backup", backup, "acme", "globex", "--json"});
  EXPECT_EQ(r.exit_code, 3) << r.Describe();
  EXPECT_EQ(Show("acme"), acme) << "a refused list was half run";
  EXPECT_EQ(Show("globex")["state"], "tombstoned");
}

// ---- export / import ----

TEST_F(LifecycleCliTest, ExportThenImportKeepsTheChainAndTheLog) {
  MakeTenant("acme");
  Tombstone("acme");
  const std::string file = Path("acme.export");
  const ProcessResult exported = Tool({"export", "acme", "-o", file});
  ASSERT_EQ(exported.exit_code, 0) << exported.Describe();

  const json original = Show("acme");
  const json copy = ToolJson({"import", file, "--as", "acme-copy"});
  EXPECT_EQ(copy.value("tenant", ""), "acme-copy") << copy.dump();
  EXPECT_EQ(Show("acme-copy")["chain"], original["chain"]);
  EXPECT_EQ(Show("acme-copy")["state"], original["state"]);

  const std::string other = Path("other-store");
  const ProcessResult moved = ToolOn(other, {"import", file});
  ASSERT_EQ(moved.exit_code, 0) << moved.Describe();
  EXPECT_EQ(Show("acme", other)["chain"], original["chain"]);
  EXPECT_EQ(ToolJsonOn(other, {"log", "acme"}), ToolJson({"log", "acme"}));
}

TEST_F(LifecycleCliTest, ImportRejectsDamagedTruncatedAndForeignFilesWritingNothing) {
  MakeTenant("acme");
  const std::string file = Path("acme.export");
  ASSERT_EQ(Tool({"export", "acme", "-o", file}).exit_code, 0);
  const std::string good = ReadFileBytes(file);
  ASSERT_GT(good.size(), 64u);

  std::string flipped = good;
  flipped[flipped.size() / 2] ^= 0x20;
  const std::map<std::string, std::string> bad = {
      {"flipped", flipped},
      {"truncated", good.substr(0, good.size() - 9)},
      {"half", good.substr(0, good.size() / 2)},
      {"garbage", "this is not an export file\n" + std::string(200, 'x')},
      {"empty", ""},
  };
  for (const auto& [name, bytes] : bad) {
    SCOPED_TRACE(name);
    const std::string path = Path(name + ".export");
    WriteFileBytes(path, bytes);
    const ProcessResult r = Tool({"import", path, "--as", "imported-" + name});
    EXPECT_EQ(r.exit_code, 2) << r.Describe();
    EXPECT_FALSE(r.err.empty());
  }
  EXPECT_EQ(TenantNames(), std::set<std::string>{"acme"});
  EXPECT_EQ(ToolJson({"verify"}).value("ok", false), true);
}

TEST_F(LifecycleCliTest, ImportUnderATakenNameIsRefused) {
  MakeTenant("acme");
  MakeTenant("globex");
  const std::string file = Path("acme.export");
  ASSERT_EQ(Tool({"export", "acme", "-o", file}).exit_code, 0);
  const json acme = Show("acme");
  const json globex = Show("globex");

  const ProcessResult same = Tool({"import", file});
  EXPECT_EQ(same.exit_code, 3) << same.Describe();
  const ProcessResult other = Tool({"import", file, "--as", "globex"});
  EXPECT_EQ(other.exit_code, 3) << other.Describe();
  EXPECT_EQ(Show("acme"), acme);
  EXPECT_EQ(Show("globex"), globex);
}

// ---- purge ----

TEST_F(LifecycleCliTest, PurgePlanRefusesActiveTenantsAndYoungTombstonesWithoutAPlan) {
  MakeTenant("acme");
  MakeTenant("globex");
  Tombstone("globex");
  const std::string plan = Path("purge.plan");

  const ProcessResult active = Tool({"purge", "plan", "acme", "--older-than", "0s", "-o", plan});
  EXPECT_EQ(active.exit_code, 3) << active.Describe();
  EXPECT_FALSE(PathExists(plan));

  const ProcessResult mixed =
      Tool({"purge", "plan", "globex", "acme", "--older-than", "0s", "-o", plan});
  EXPECT_EQ(mixed.exit_code, 3) << mixed.Describe();
  EXPECT_FALSE(PathExists(plan));

  const ProcessResult young = Tool({"purge", "plan", "globex", "--older-than", "30d", "-o", plan});
  EXPECT_EQ(young.exit_code, 3) << young.Describe();
  EXPECT_FALSE(PathExists(plan));

  const ProcessResult unknown = Tool({"purge", "plan", "hooli", "--older-than", "0s", "-o", plan});
  EXPECT_EQ(unknown.exit_code, 3) << unknown.Describe();
  EXPECT_FALSE(PathExists(plan));
  EXPECT_EQ(Show("globex")["state"], "tombstoned");
}

TEST_F(LifecycleCliTest, PurgePlanRejectsABadDuration) {
  MakeTenant("acme");
  Tombstone("acme");
  const std::string plan = Path("purge.plan");
  for (const std::string duration : {"3x", "d", "30", "-1d", "1.5h", ""}) {
    SCOPED_TRACE(duration);
    const ProcessResult r = Tool({"purge", "plan", "acme", "--older-than", duration, "-o", plan});
    EXPECT_EQ(r.exit_code, 2) << r.Describe();
    EXPECT_FALSE(PathExists(plan));
  }
}

TEST_F(LifecycleCliTest, PurgeRunNeedsThePlansTokenThenRemovesEveryByte) {
  const std::string secret = "{\"card\":\"4111-1111-1111-1111 of acme, to be forgotten\"}";
  MakeTenant("acme", secret);
  MakeTenant("globex");
  Tombstone("acme");
  const json globex = Show("globex");
  const std::string plan_file = Path("purge.plan");

  const json plan = ToolJson({"purge", "plan", "acme", "--older-than", "0s", "-o", plan_file});
  ASSERT_TRUE(plan.contains("token")) << plan.dump();
  EXPECT_EQ(Names(plan["tenants"]), Strings{"acme"}) << plan.dump();
  EXPECT_EQ(plan.value("events", 0), 4) << plan.dump();  // 3 + the tombstone
  const std::string token = plan["token"].get<std::string>();
  ASSERT_FALSE(token.empty());
  ASSERT_TRUE(StoreFilesHold(secret)) << "the check below would prove nothing";

  const json acme = Show("acme");
  const ProcessResult wrong =
      Tool({"purge", "run", plan_file, "--confirm", token == "0000" ? "1111" : "0000"});
  EXPECT_EQ(wrong.exit_code, 3) << wrong.Describe();
  EXPECT_EQ(Show("acme"), acme) << "a wrong token purged something";
  EXPECT_TRUE(StoreFilesHold(secret));

  const ProcessResult run = Tool({"purge", "run", plan_file, "--confirm", token});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_EQ(Tool({"show", "acme"}).exit_code, 1);
  EXPECT_EQ(Tool({"get", "acme", "issue/2"}).exit_code, 1);
  EXPECT_EQ(TenantNames("purged"), std::set<std::string>{"acme"});
  EXPECT_FALSE(StoreFilesHold(secret)) << "purged bytes are still in the store files";
  EXPECT_EQ(Show("globex"), globex);
  EXPECT_EQ(ToolJson({"verify"}).value("ok", false), true);
}

// The audit log outlives a purge, so an append's entry names the sizes of
// the event's type, key and payload, not their bytes: after the purge, none
// of them is left in the store's files.
TEST_F(LifecycleCliTest, PurgeLeavesNoTypeKeyOrPayloadOfAnAppendInTheAudit) {
  const std::string type = "user.email-changed";
  const std::string key = "alice@example.com";
  const std::string payload = "{\"email\":\"alice.private@example.org\"}";
  for (const std::vector<std::string>& flags :
       {std::vector<std::string>{"--type", type, "--key", key, "--payload", payload},
        std::vector<std::string>{"--type=" + type, "--key=" + key, "--payload=" + payload}}) {
    std::vector<std::string> args = {"append", "gdpr"};
    args.insert(args.end(), flags.begin(), flags.end());
    const ProcessResult r = Tool(args);
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
  }
  MakeTenant("globex");
  const std::string audit = ToolJson({"audit"}).dump();
  EXPECT_NE(audit.find(R"("--key","<17 bytes>")"), std::string::npos) << audit;
  EXPECT_NE(audit.find(R"("--type=<18 bytes>")"), std::string::npos) << audit;
  ASSERT_TRUE(StoreFilesHold(key)) << "the check below would prove nothing";

  Purge("gdpr");
  for (const std::string& bytes : {type, key, payload}) {
    EXPECT_FALSE(StoreFilesHold(bytes)) << bytes << " outlived the purge";
  }
  EXPECT_EQ(ToolJson({"verify"}).value("ok", false), true);
}

TEST_F(LifecycleCliTest, PurgeRunRefusesATenantChangedSinceThePlan) {
  MakeTenant("acme");
  Tombstone("acme");
  const std::string plan_file = Path("purge.plan");
  const json plan = ToolJson({"purge", "plan", "acme", "--older-than", "0s", "-o", plan_file});
  ASSERT_TRUE(plan.contains("token")) << plan.dump();
  ASSERT_EQ(Tool({"restore", "acme"}).exit_code, 0);
  const json acme = Show("acme");

  const ProcessResult run =
      Tool({"purge", "run", plan_file, "--confirm", plan["token"].get<std::string>()});
  EXPECT_EQ(run.exit_code, 3) << run.Describe();
  EXPECT_EQ(Show("acme"), acme);
}

// ---- compact ----

TEST_F(LifecycleCliTest, CompactKeepsEveryTenant) {
  MakeTenant("acme");
  MakeTenant("globex");
  MakeTenant("initech");
  Tombstone("globex");
  Purge("initech");
  const json before = ToolJson({"tenants"});

  const ProcessResult r = Tool({"compact"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(ToolJson({"tenants"}), before);
  const json verified = ToolJson({"verify"});
  EXPECT_EQ(verified.value("ok", false), true) << verified.dump();
  EXPECT_EQ(verified.value("events", 0), 7) << verified.dump();  // 3 + 3 + a tombstone
  const ProcessResult get = Tool({"get", "acme", "issue/2"});
  EXPECT_EQ(get.exit_code, 0) << get.Describe();
}

// ---- drill ----

TEST_F(LifecycleCliTest, DrillPurgesVictimsByMistakeAndRestoresThemFromItsBackup) {
  ProcessOptions options;
  options.env = {{"TENANTLOG_DB", std::nullopt}, {"TMPDIR", dir_.path()}};
  const ProcessResult r = RunProcess(
      {TENANTLOG_BIN, "drill", "--tenants", "60", "--events", "40", "--victims", "12", "--json"},
      options);
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  const json drill = json::parse(r.out);
  EXPECT_EQ(drill.value("ok", false), true) << drill.dump(2);

  std::map<std::string, json> steps;
  std::vector<std::string> order;
  for (const json& step : drill["steps"]) {
    order.push_back(step.value("step", ""));
    steps[order.back()] = step;
  }
  const auto at = [&](const std::string& name) {
    return std::find(order.begin(), order.end(), name) - order.begin();
  };
  ASSERT_TRUE(steps.count("backup") && steps.count("purge") && steps.count("restore-from-backup"))
      << drill.dump(2);
  EXPECT_LT(at("backup"), at("incident"));
  EXPECT_LT(at("bulk-restore"), at("purge"));
  EXPECT_LT(at("purge"), at("restore-from-backup"));
  EXPECT_LT(at("restore-from-backup"), at("proof"));

  const json& purge = steps["purge"];
  const json& restore = steps["restore-from-backup"];
  EXPECT_GT(steps["backup"].value("bytes", 0), 0) << steps["backup"].dump();
  EXPECT_EQ(purge.value("purged", 0), 3) << purge.dump();
  EXPECT_EQ(purge.value("gone", 0), 3) << purge.dump();
  EXPECT_EQ(restore.value("restored", 0), 3) << restore.dump();
  EXPECT_EQ(restore.value("conflicts", -1), 0) << restore.dump();
  EXPECT_EQ(restore.value("events_copied", 0), 3 * 40) << restore.dump();
  EXPECT_GT(restore.value("tenants_per_second", 0.0), 0) << restore.dump();
  EXPECT_GT(restore.value("events_per_second", 0.0), 0) << restore.dump();
  EXPECT_EQ(steps["proof"].value("victims_restored_from_backup", 0), 3);
  EXPECT_EQ(steps["proof"].value("problems", -1), 0);

  const ProcessResult leftovers = RunProcess({"/bin/ls", "-A", dir_.path()});
  EXPECT_EQ(leftovers.out, "") << "the drill left its temporary directory behind";
}

}  // namespace
}  // namespace tenantlog::test
