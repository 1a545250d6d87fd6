// Bad input to every entry point of the public Store API: bad tenant names,
// keys, points (seqs and times), sizes, lists, admin contexts, files and
// store paths. Each case gets its documented Status code, a message naming
// what was wrong, and writes nothing: every file under the test's directory
// keeps its bytes, and a refused admin call adds exactly its audit entry
// ("refused: …") and nothing else.

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tenantlog/store.h"
#include "util/files.h"
#include "util/raw_lmdb.h"
#include "util/store_helpers.h"
#include "util/temp_dir.h"
#include "util/unchanged_files.h"
#include "util/test_clock.h"

namespace tenantlog::test {
namespace {

struct ApiCase {
  ApiCase(std::string what, std::function<Status(Store&)> call, Status::Code code,
          std::string message, Writes writes = Writes::kNothing)
      : what(std::move(what)),
        call(std::move(call)),
        code(code),
        message(std::move(message)),
        writes(writes) {}

  std::string what;
  std::function<Status(Store&)> call;
  Status::Code code;
  std::string message;  // a substring the status message must hold
  Writes writes;
};

// Wraps a call returning Result<T> or Status.
template <typename F>
std::function<Status(Store&)> Call(F f) {
  return [f](Store& store) { return StatusOf(f(store)); };
}

constexpr uint32_t kPayloadLimit = 1000;
constexpr uint64_t kMaxSeq = std::numeric_limits<uint64_t>::max();

AppendBatch Batch(std::vector<DataEvent> events) {
  AppendBatch batch;
  for (DataEvent& e : events) batch.Add(std::move(e));
  return batch;
}

DataEvent Put(std::string key, std::string payload = "v", std::string type = "t") {
  DataEvent e;
  e.type = std::move(type);
  e.key = std::move(key);
  e.payload = std::move(payload);
  return e;
}

DataEvent At(DataEvent e, int64_t time_us) {
  e.time_us = time_us;
  return e;
}

AdminContext NoActor() {
  AdminContext context = Admin();
  context.actor.clear();
  return context;
}

AdminContext Limit(size_t max_tenants) {
  AdminContext context = Admin();
  context.max_tenants = max_tenants;
  return context;
}

ReadOptions AsOf(Point point) {
  ReadOptions options;
  options.as_of = point;
  return options;
}

class BadInputApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new TempDir();
    clock_ = new TestClock();
    auto store = OpenOrDie(StoreDir(), StoreOptions());
    ASSERT_NE(store, nullptr);
    for (const char* tenant : {"acme", "gone", "old"}) {
      for (int i = 1; i <= 3; ++i) {
        clock_->Advance(1000000);
        ASSERT_OK(store->Append(tenant, PutBatch("k" + std::to_string(i), "v" + std::to_string(i))));
      }
    }
    ASSERT_OK(store->Tombstone({"gone", "old"}, Admin()));
    ASSERT_OK_AND_ASSIGN(PurgePlan old_plan, store->PlanPurge({"old"}, 0, Path("old.plan"), Admin()));
    ASSERT_OK(store->RunPurge(Path("old.plan"), old_plan.token, Admin()));
    ASSERT_OK(store->PlanPurge({"gone"}, 0, Path("gone.plan"), Admin()));
    ASSERT_OK(store->Backup(Path("backup"), Admin()));
    ASSERT_OK(store->Export("acme", Path("acme.tlexp")));
    store.reset();
    std::string flipped = ReadFileBytes(Path("acme.tlexp"));
    flipped[flipped.size() / 2] ^= 0x20;
    WriteFileBytes(Path("flipped.tlexp"), flipped);
    WriteFileBytes(Path("empty"), "");
    WriteFileBytes(Path("garbage"), std::string(300, 'g'));
    std::filesystem::create_directories(Path("a-dir"));
    std::filesystem::create_directories(Path("other-files"));
    WriteFileBytes(Path("other-files/notes.txt"), "not a store\n");
    std::filesystem::create_directories(Path("garbage-store"));
    WriteFileBytes(Path("garbage-store/data.mdb"), std::string(8192, 'g'));
    MakeForeignLmdb(Path("foreign-lmdb"));
  }

  static void TearDownTestSuite() {
    delete root_;
    delete clock_;
    root_ = nullptr;
    clock_ = nullptr;
  }

  static std::string Path(const std::string& name) { return root_->Sub(name); }
  static std::string StoreDir() { return Path("store"); }
  static Options StoreOptions() {
    Options options = TestOptions(clock_);
    options.max_payload_bytes = kPayloadLimit;
    return options;
  }

  // Runs each case on the suite's store, opened for the case (`options`) and
  // closed after it, so that its files can be compared.
  void CheckAll(const std::string& entry_point, const std::vector<ApiCase>& cases,
                const Options& options = StoreOptions()) {
    for (const ApiCase& c : cases) {
      SCOPED_TRACE(entry_point + ": " + c.what);
      const bool refusal = c.writes == Writes::kRefusalAudit;
      const UnchangedFiles files(root_->path(), StoreDir(), c.writes);
      std::vector<AuditEntry> audit;
      Status status;
      {
        std::unique_ptr<Store> store;
        ASSERT_OK(Store::Open(options, StoreDir(), &store));
        if (refusal) {
          ASSERT_OK_AND_ASSIGN(audit, store->Audit());
        }
        status = c.call(*store);
        if (refusal) {
          ASSERT_OK_AND_ASSIGN(std::vector<AuditEntry> after, store->Audit());
          ASSERT_EQ(after.size(), audit.size() + 1);
          EXPECT_EQ(after.back().outcome.rfind("refused: ", 0), 0u) << after.back().outcome;
          EXPECT_EQ(after.back().actor, "test-operator");
        }
      }
      EXPECT_TRUE(HasCode(status, c.code));
      EXPECT_NE(status.message().find(c.message), std::string::npos)
          << "the message does not hold \"" << c.message << "\": " << status.message();
      files.ExpectUnchanged();
    }
  }

  static TempDir* root_;
  static TestClock* clock_;
};

TempDir* BadInputApiTest::root_ = nullptr;
TestClock* BadInputApiTest::clock_ = nullptr;

const std::string kLongName(kMaxTenantNameLength + 1, 'a');
const std::string kLongKey(kMaxEntityKeyBytes + 1, 'k');

// Opening: each case runs Store::Open itself.
TEST_F(BadInputApiTest, Open) {
  auto open = [](const std::string& dir, Options options) {
    return [dir, options](Store&) {
      std::unique_ptr<Store> other;
      return Store::Open(options, dir, &other);
    };
  };
  Options no_create = TestOptions();
  no_create.create_if_missing = false;
  Options read_only = TestOptions();
  read_only.read_only = true;
  Options key_too_long = TestOptions();
  key_too_long.max_key_bytes = kMaxEntityKeyBytes + 1;
  Options no_keys = TestOptions();
  no_keys.max_key_bytes = 0;
  Options no_types = TestOptions();
  no_types.max_type_bytes = 0;
  Options no_readers = TestOptions();
  no_readers.max_readers = 0;
  CheckAll("Open", {
      {"a regular file", open(Path("empty"), TestOptions()), Status::Code::kInvalidArgument,
       "is not a directory"},
      {"a regular file, read-only", open(Path("empty"), read_only), Status::Code::kInvalidArgument,
       "is not a directory"},
      {"a path under a regular file", open(Path("empty") + "/store", TestOptions()),
       Status::Code::kIOError, Path("empty")},
      {"a garbage data.mdb", open(Path("garbage-store"), TestOptions()), Status::Code::kInvalidArgument,
       "not a tenantlog store"},
      {"a garbage data.mdb, read-only", open(Path("garbage-store"), read_only),
       Status::Code::kInvalidArgument, "not a tenantlog store"},
      {"an LMDB environment of another program", open(Path("foreign-lmdb"), TestOptions()),
       Status::Code::kInvalidArgument, "not a tenantlog store"},
      {"an LMDB environment of another program, read-only", open(Path("foreign-lmdb"), read_only),
       Status::Code::kInvalidArgument, "not a tenantlog store"},
      {"no store, without create_if_missing", open(Path("missing"), no_create), Status::Code::kNotFound,
       "no store at"},
      {"no store, read-only", open(Path("missing"), read_only), Status::Code::kNotFound, "no store at"},
      {"a directory of other files, read-only", open(Path("other-files"), read_only),
       Status::Code::kNotFound, "no store at"},
      {"max_key_bytes over what LMDB can hold", open(StoreDir(), key_too_long),
       Status::Code::kInvalidArgument, "max_key_bytes"},
      {"max_key_bytes 0", open(StoreDir(), no_keys), Status::Code::kInvalidArgument, "max_key_bytes"},
      {"max_type_bytes 0", open(StoreDir(), no_types), Status::Code::kInvalidArgument, "max_type_bytes"},
      {"max_readers 0", open(Path("missing"), no_readers), Status::Code::kInvalidArgument, "max_readers"},
  });
}

TEST_F(BadInputApiTest, Append) {
  WriteOptions stale;
  stale.expected_head_seq = 2;
  auto append = [](std::string tenant, AppendBatch batch, WriteOptions options = WriteOptions()) {
    return Call([=](Store& s) { return s.Append(tenant, batch, options); });
  };
  const AppendBatch one = Batch({Put("k")});
  CheckAll("Append", {
      {"empty tenant name", append("", one), Status::Code::kInvalidArgument, "tenant name"},
      {"129-character tenant name", append(kLongName, one), Status::Code::kInvalidArgument, "tenant name"},
      {"slash in tenant name", append("ac/me", one), Status::Code::kInvalidArgument, "tenant name"},
      {"NUL in tenant name", append(std::string("ac\0me", 5), one), Status::Code::kInvalidArgument,
       "tenant name"},
      {"empty batch", append("acme", AppendBatch()), Status::Code::kInvalidArgument, "empty"},
      {"empty key", append("acme", Batch({Put("")})), Status::Code::kInvalidArgument, "key"},
      {"key over the limit", append("acme", Batch({Put(kLongKey)})), Status::Code::kInvalidArgument,
       "key must be 1-499 bytes, got 500"},
      {"empty type", append("acme", Batch({Put("k", "v", "")})), Status::Code::kInvalidArgument, "type"},
      {"type over the limit", append("acme", Batch({Put("k", "v", std::string(257, 't'))})),
       Status::Code::kInvalidArgument, "type must be 1-256 bytes, got 257"},
      {"payload over the limit", append("acme", Batch({Put("k", std::string(kPayloadLimit + 1, 'p'))})),
       Status::Code::kInvalidArgument, "exceeds the limit of 1000"},
      {"a bad second event (all or none)", append("acme", Batch({Put("good"), Put("")})),
       Status::Code::kInvalidArgument, "event 2"},
      {"a time before the tenant's last event", append("acme", Batch({At(Put("k"), kTestEpochMicros)})),
       Status::Code::kInvalidArgument, "before the last event of tenant acme"},
      {"the most negative time", append("acme", Batch({At(Put("k"), std::numeric_limits<int64_t>::min())})),
       Status::Code::kInvalidArgument, "before the last event"},
      {"times decreasing inside the batch",
       append("new", Batch({At(Put("a"), kTestEpochMicros + 2), At(Put("b"), kTestEpochMicros + 1)})),
       Status::Code::kInvalidArgument, "event 2"},
      {"expected head behind", append("acme", one, stale), Status::Code::kConflict, "2"},
      {"tombstoned tenant", append("gone", one), Status::Code::kTenantDeleted, "gone"},
  });
  Options read_only = StoreOptions();
  read_only.read_only = true;
  CheckAll("Append (read-only store)",
           {{"any append", append("acme", one), Status::Code::kInvalidArgument, "read-only"}}, read_only);
}

TEST_F(BadInputApiTest, Reads) {
  auto get = [](std::string tenant, std::string key, ReadOptions options = ReadOptions()) {
    return Call([=](Store& s) { return s.Get(tenant, key, options); });
  };
  auto list = [](std::string tenant, ReadOptions options = ReadOptions()) {
    return Call([=](Store& s) { return s.List(tenant, options); });
  };
  auto log = [](std::string tenant, uint64_t from) {
    return Call([=](Store& s) { return s.ReadLog(tenant, from, 10); });
  };
  CheckAll("Get", {
      {"bad tenant name", get("ac me", "k1"), Status::Code::kInvalidArgument, "tenant name"},
      {"unknown tenant", get("nobody", "k1"), Status::Code::kNotFound, "nobody"},
      {"purged tenant (its name is free)", get("old", "k1"), Status::Code::kNotFound, "old"},
      {"tombstoned tenant", get("gone", "k1"), Status::Code::kTenantDeleted, "gone"},
      {"a seq beyond the head", get("acme", "k1", AsOf(Point::AtSeq(4))), Status::Code::kInvalidArgument,
       "seq 4 is beyond the head (3) of tenant acme"},
      {"the largest seq", get("acme", "k1", AsOf(Point::AtSeq(kMaxSeq))), Status::Code::kInvalidArgument,
       "beyond the head"},
  });
  CheckAll("List", {
      {"empty tenant name", list(""), Status::Code::kInvalidArgument, "tenant name"},
      {"unknown tenant", list("nobody"), Status::Code::kNotFound, "nobody"},
      {"tombstoned tenant", list("gone"), Status::Code::kTenantDeleted, "gone"},
      {"a seq beyond the head", list("acme", AsOf(Point::AtSeq(9))), Status::Code::kInvalidArgument,
       "beyond the head"},
  });
  CheckAll("ReadLog", {
      {"bad tenant name", log(kLongName, 1), Status::Code::kInvalidArgument, "tenant name"},
      {"unknown tenant", log("nobody", 1), Status::Code::kNotFound, "nobody"},
  });
  CheckAll("Describe", {
      {"bad tenant name", Call([](Store& s) { return s.Describe("a*b"); }), Status::Code::kInvalidArgument,
       "tenant name"},
      {"unknown tenant", Call([](Store& s) { return s.Describe("nobody"); }), Status::Code::kNotFound,
       "nobody"},
  });
  CheckAll("ResolvePoint", {
      {"bad tenant name", Call([](Store& s) { return s.ResolvePoint("", Point::AtSeq(1)); }),
       Status::Code::kInvalidArgument, "tenant name"},
      {"unknown tenant", Call([](Store& s) { return s.ResolvePoint("nobody", Point::AtSeq(1)); }),
       Status::Code::kNotFound, "nobody"},
      {"a seq beyond the head", Call([](Store& s) { return s.ResolvePoint("acme", Point::AtSeq(4)); }),
       Status::Code::kInvalidArgument, "beyond the head"},
  });
  CheckAll("Diff", {
      {"bad tenant name", Call([](Store& s) { return s.Diff("a b", Point::AtSeq(1), std::nullopt); }),
       Status::Code::kInvalidArgument, "tenant name"},
      {"unknown tenant", Call([](Store& s) { return s.Diff("nobody", Point::AtSeq(1), std::nullopt); }),
       Status::Code::kNotFound, "nobody"},
      {"tombstoned tenant", Call([](Store& s) { return s.Diff("gone", Point::AtSeq(1), std::nullopt); }),
       Status::Code::kTenantDeleted, "gone"},
      {"from beyond the head", Call([](Store& s) { return s.Diff("acme", Point::AtSeq(4), std::nullopt); }),
       Status::Code::kInvalidArgument, "beyond the head"},
      {"to beyond the head",
       Call([](Store& s) { return s.Diff("acme", Point::AtSeq(1), Point::AtSeq(kMaxSeq)); }),
       Status::Code::kInvalidArgument, "beyond the head"},
  });
  CheckAll("Verify", {
      {"bad tenant name", Call([](Store& s) { return s.Verify({"acme", "bad name"}); }),
       Status::Code::kInvalidArgument, "tenant name"},
      {"unknown tenants, the whole list refused",
       Call([](Store& s) { return s.Verify({"nobody", "acme", "nobody-else"}); }), Status::Code::kRefused,
       "unknown tenants: nobody, nobody-else"},
  });
}

TEST_F(BadInputApiTest, TimelineAdministration) {
  using Bulk = Result<BulkReport> (Store::*)(const std::vector<std::string>&, const AdminContext&);
  for (const auto& [name, call] : {std::pair<std::string, Bulk>{"Tombstone", &Store::Tombstone},
                                   std::pair<std::string, Bulk>{"Restore", &Store::Restore}}) {
    auto bulk = [call = call](std::vector<std::string> tenants, AdminContext context = Admin()) {
      return Call([=](Store& s) { return (s.*call)(tenants, context); });
    };
    CheckAll(name, {
        {"an empty list", bulk({}), Status::Code::kInvalidArgument, "no tenants"},
        {"a bad name in the list", bulk({"acme", "bad name"}), Status::Code::kInvalidArgument, "bad name"},
        {"no actor", bulk({"acme"}, NoActor()), Status::Code::kInvalidArgument, "actor"},
        {"an unknown tenant in the list", bulk({"acme", "nobody"}), Status::Code::kRefused, "nobody",
         Writes::kRefusalAudit},
        {"a purged tenant", bulk({"old"}), Status::Code::kRefused, "old", Writes::kRefusalAudit},
        {"more tenants than max_tenants", bulk({"acme", "gone"}, Limit(1)), Status::Code::kRefused,
         "more than the limit of 1", Writes::kRefusalAudit},
        {"max_tenants 0", bulk({"acme"}, Limit(0)), Status::Code::kRefused, "more than the limit of 0",
         Writes::kRefusalAudit},
    });
  }
  auto rewind = [](std::string tenant, Point to, AdminContext context = Admin()) {
    return Call([=](Store& s) { return s.Rewind(tenant, to, context); });
  };
  CheckAll("Rewind", {
      {"bad tenant name", rewind("", Point::AtSeq(1)), Status::Code::kInvalidArgument, "tenant name"},
      {"no actor", rewind("acme", Point::AtSeq(1), NoActor()), Status::Code::kInvalidArgument, "actor"},
      {"unknown tenant", rewind("nobody", Point::AtSeq(1)), Status::Code::kNotFound, "nobody"},
      {"a seq beyond the head", rewind("acme", Point::AtSeq(4)), Status::Code::kInvalidArgument,
       "beyond the head"},
      {"the largest seq", rewind("acme", Point::AtSeq(kMaxSeq)), Status::Code::kInvalidArgument,
       "beyond the head"},
      {"tombstoned tenant", rewind("gone", Point::AtSeq(1)), Status::Code::kRefused, "gone",
       Writes::kRefusalAudit},
      {"tombstoned tenant, dry run", rewind("gone", Point::AtSeq(1), DryRun()), Status::Code::kRefused,
       "gone", Writes::kRefusalAudit},
  });
  CheckAll("RecordAudit", {
      {"no actor", Call([](Store& s) { return s.RecordAudit(NoActor(), {"acme"}, "ok"); }),
       Status::Code::kInvalidArgument, "actor"},
  });
}

TEST_F(BadInputApiTest, DataLifecycle) {
  CheckAll("Backup", {
      {"a non-empty directory", Call([](Store& s) { return s.Backup(Path("other-files"), Admin()); }),
       Status::Code::kInvalidArgument, Path("other-files")},
      {"the store itself", Call([](Store& s) { return s.Backup(StoreDir(), Admin()); }),
       Status::Code::kInvalidArgument, StoreDir()},
      {"a regular file", Call([](Store& s) { return s.Backup(Path("empty"), Admin()); }),
       Status::Code::kInvalidArgument, Path("empty")},
      {"a path under a regular file", Call([](Store& s) { return s.Backup(Path("empty") + "/b", Admin()); }),
       Status::Code::kIOError, Path("empty")},
  });
  auto restore = [](std::string backup, std::vector<std::string> tenants, AdminContext context = Admin()) {
    return Call([=](Store& s) { return s.RestoreFromBackup(backup, tenants, context); });
  };
  CheckAll("RestoreFromBackup", {
      {"an empty list", restore(Path("backup"), {}), Status::Code::kInvalidArgument, "no tenants"},
      {"a bad name", restore(Path("backup"), {"bad name"}), Status::Code::kInvalidArgument, "bad name"},
      {"no actor", restore(Path("backup"), {"acme"}, NoActor()), Status::Code::kInvalidArgument, "actor"},
      {"no backup there", restore(Path("missing"), {"acme"}), Status::Code::kNotFound, Path("missing")},
      {"the live store itself", restore(StoreDir(), {"acme"}), Status::Code::kInvalidArgument,
       "is this store itself"},
      {"a backup of other files", restore(Path("other-files"), {"acme"}), Status::Code::kNotFound,
       Path("other-files")},
      {"a backup that is a regular file", restore(Path("empty"), {"acme"}), Status::Code::kInvalidArgument,
       Path("empty")},
      {"a backup that is an LMDB environment of another program", restore(Path("foreign-lmdb"), {"acme"}),
       Status::Code::kInvalidArgument, Path("foreign-lmdb")},
      {"a tenant the backup does not hold", restore(Path("backup"), {"acme", "nobody"}),
       Status::Code::kRefused, "nobody", Writes::kRefusalAudit},
      {"more tenants than max_tenants", restore(Path("backup"), {"acme", "gone"}, Limit(1)),
       Status::Code::kRefused, "more than the limit of 1", Writes::kRefusalAudit},
  });
  CheckAll("Export", {
      {"bad tenant name", Call([](Store& s) { return s.Export("a/b", Path("out")); }),
       Status::Code::kInvalidArgument, "tenant name"},
      {"unknown tenant", Call([](Store& s) { return s.Export("nobody", Path("out")); }),
       Status::Code::kNotFound, "nobody"},
      {"the file is a directory", Call([](Store& s) { return s.Export("acme", Path("a-dir")); }),
       Status::Code::kIOError, Path("a-dir")},
      {"the file is in a missing directory", Call([](Store& s) { return s.Export("acme", Path("no/out")); }),
       Status::Code::kIOError, Path("no/out")},
  });
  auto import = [](std::string file, std::string as, AdminContext context = Admin()) {
    return Call([=](Store& s) { return s.Import(file, as, context); });
  };
  CheckAll("Import", {
      {"no actor", import(Path("acme.tlexp"), "new", NoActor()), Status::Code::kInvalidArgument, "actor"},
      {"bad name to import under", import(Path("acme.tlexp"), "new name"), Status::Code::kInvalidArgument,
       "tenant name"},
      {"the file does not exist", import(Path("missing"), "new"), Status::Code::kIOError, Path("missing")},
      {"the file is a directory", import(Path("a-dir"), "new"), Status::Code::kInvalidArgument, Path("a-dir")},
      {"the file is empty", import(Path("empty"), "new"), Status::Code::kInvalidArgument, Path("empty")},
      {"the file is garbage", import(Path("garbage"), "new"), Status::Code::kInvalidArgument, Path("garbage")},
      {"a bit flipped in the file", import(Path("flipped.tlexp"), "new"), Status::Code::kInvalidArgument,
       Path("flipped.tlexp")},
      {"a purge plan instead of an export", import(Path("gone.plan"), "new"), Status::Code::kInvalidArgument,
       Path("gone.plan")},
      {"the name in the file is taken", import(Path("acme.tlexp"), ""), Status::Code::kRefused, "acme",
       Writes::kRefusalAudit},
      {"the name to import under is taken", import(Path("acme.tlexp"), "gone"), Status::Code::kRefused, "gone",
       Writes::kRefusalAudit},
  });
  auto plan = [](std::vector<std::string> tenants, int64_t older_than, std::string file,
                 AdminContext context = Admin()) {
    return Call([=](Store& s) { return s.PlanPurge(tenants, older_than, file, context); });
  };
  const std::string new_plan = Path("new.plan");
  CheckAll("PlanPurge", {
      {"an empty list", plan({}, 0, new_plan), Status::Code::kInvalidArgument, "no tenants"},
      {"a negative older_than", plan({"gone"}, -1, new_plan), Status::Code::kInvalidArgument,
       "must not be negative"},
      {"no plan file", plan({"gone"}, 0, ""), Status::Code::kInvalidArgument, "a plan file is required"},
      {"a plan file in a missing directory", plan({"gone"}, 0, Path("no/new.plan")), Status::Code::kIOError,
       Path("no/new.plan")},
      {"a bad name", plan({"gone!"}, 0, new_plan), Status::Code::kInvalidArgument, "gone!"},
      {"no actor", plan({"gone"}, 0, new_plan, NoActor()), Status::Code::kInvalidArgument, "actor"},
      {"an active tenant", plan({"acme"}, 0, new_plan), Status::Code::kRefused, "acme", Writes::kRefusalAudit},
      {"an unknown tenant", plan({"nobody"}, 0, new_plan), Status::Code::kRefused, "nobody",
       Writes::kRefusalAudit},
      {"a purged tenant", plan({"old"}, 0, new_plan), Status::Code::kRefused, "old", Writes::kRefusalAudit},
      {"a tombstone younger than older_than", plan({"gone"}, int64_t{3600} * 1000000, new_plan),
       Status::Code::kRefused, "gone", Writes::kRefusalAudit},
      {"more tenants than max_tenants", plan({"gone", "acme"}, 0, new_plan, Limit(1)), Status::Code::kRefused,
       "more than the limit of 1", Writes::kRefusalAudit},
  });
  auto run = [](std::string file, std::string token, AdminContext context = Admin()) {
    return Call([=](Store& s) { return s.RunPurge(file, token, context); });
  };
  CheckAll("RunPurge", {
      {"no actor", run(Path("gone.plan"), "x", NoActor()), Status::Code::kInvalidArgument, "actor"},
      {"the plan does not exist", run(Path("missing"), "x"), Status::Code::kInvalidArgument, Path("missing")},
      {"the plan is a directory", run(Path("a-dir"), "x"), Status::Code::kInvalidArgument, Path("a-dir")},
      {"the plan is empty", run(Path("empty"), "x"), Status::Code::kInvalidArgument, Path("empty")},
      {"an export file instead of a plan", run(Path("acme.tlexp"), "x"), Status::Code::kInvalidArgument,
       Path("acme.tlexp")},
      {"a wrong token", run(Path("gone.plan"), "0000000000000000"), Status::Code::kRefused, "token",
       Writes::kRefusalAudit},
      {"an empty token", run(Path("gone.plan"), ""), Status::Code::kRefused, "token", Writes::kRefusalAudit},
  });
  CheckAll("Compact", {
      {"no actor", Call([](Store& s) { return s.Compact(NoActor()); }), Status::Code::kInvalidArgument,
       "actor"},
  });
}

}  // namespace
}  // namespace tenantlog::test
