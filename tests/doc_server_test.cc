// doc_server (examples/doc_server), the example application server, run as
// its own process and driven over HTTP as clients would, from several threads
// too; and the admin tool working on its store while it runs.

#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "util/process.h"
#include "util/temp_dir.h"

namespace tenantlog::test {
namespace {

using json = nlohmann::json;

struct Reply {
  int status = 0;  // 0: no response
  std::string body;
  json Json() const { return json::parse(body); }
};

class DocServerTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(); }

  // Every test ends with a clean shutdown on SIGTERM.
  void TearDown() override {
    if (server_ != nullptr && server_->running()) {
      const ProcessResult stopped = server_->Stop(SIGTERM);
      EXPECT_EQ(stopped.exit_code, 0) << stopped.Describe();
    }
  }

  // Starts doc_server on a free loopback port against store_dir().
  void StartServer() {
    server_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{DOC_SERVER_BIN, "--db", store_dir(), "--port", "0"});
    const std::optional<std::string> line = server_->ReadLine(30000);
    ASSERT_TRUE(line.has_value()) << "doc_server printed no line";
    const std::string prefix = "listening on 127.0.0.1:";
    ASSERT_TRUE(line->starts_with(prefix)) << *line;
    port_ = std::stoi(line->substr(prefix.size()));
    ASSERT_GT(port_, 0);
  }

  std::string store_dir() const { return dir_.Sub("store"); }

  httplib::Client NewClient() const {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(60);
    return client;
  }

  static Reply ReplyOf(const httplib::Result& result) {
    if (!result) {
      ADD_FAILURE() << "no response: " << httplib::to_string(result.error());
      return {};
    }
    return {result->status, result->body};
  }
  Reply Get(const std::string& path) { return ReplyOf(NewClient().Get(path)); }
  Reply Delete(const std::string& path) { return ReplyOf(NewClient().Delete(path)); }
  Reply Put(const std::string& path, const std::string& body) {
    return ReplyOf(NewClient().Put(path, body, "application/octet-stream"));
  }
  Reply Post(const std::string& path, const std::string& body) {
    return ReplyOf(NewClient().Post(path, body, "application/json"));
  }

  // The admin tool on the server's store.
  ProcessResult Tool(std::vector<std::string> args) {
    args.insert(args.begin(), {TENANTLOG_BIN, "--db", store_dir(), "--actor", "ops"});
    return RunProcess(args);
  }

  TempDir dir_;
  std::unique_ptr<BackgroundProcess> server_;
  int port_ = 0;
};

// The status, and the JSON error a failed request names.
::testing::AssertionResult IsError(const Reply& reply, int status, const std::string& error,
                                   const std::string& message_part) {
  if (reply.status != status) {
    return ::testing::AssertionFailure() << "HTTP " << reply.status << ", expected " << status
                                         << ": " << reply.body;
  }
  const json body = json::parse(reply.body, nullptr, false);
  if (!body.is_object() || body.value("error", "") != error ||
      body.value("message", "").find(message_part) == std::string::npos) {
    return ::testing::AssertionFailure() << "expected error \"" << error << "\" with a message naming \""
                                         << message_part << "\", got " << reply.body;
  }
  return ::testing::AssertionSuccess();
}

TEST_F(DocServerTest, DocumentsArePutReadListedAndDeleted) {
  Reply put = Put("/tenants/acme/docs/issue/42", R"({"title":"Login fails"})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.Json(), json({{"tenant", "acme"}, {"key", "issue/42"}, {"seq", 1}}));
  const std::string binary("a\0b\xff", 4);
  put = Put("/tenants/acme/docs/issue/7", binary);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.Json()["seq"], 2);

  Reply got = Get("/tenants/acme/docs/issue/42");
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, R"({"title":"Login fails"})");
  got = Get("/tenants/acme/docs/issue/7");
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, binary);
  Reply keys = Get("/tenants/acme/docs");
  ASSERT_EQ(keys.status, 200) << keys.body;
  EXPECT_EQ(keys.Json(), json({{"tenant", "acme"}, {"keys", {"issue/42", "issue/7"}}}));

  Reply deleted = Delete("/tenants/acme/docs/issue/7");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(deleted.Json()["seq"], 3);
  EXPECT_TRUE(IsError(Get("/tenants/acme/docs/issue/7"), 404, "not_found", "acme"));
  EXPECT_EQ(Get("/tenants/acme/docs").Json()["keys"], json({"issue/42"}));

  got = Get("/tenants/acme/docs/issue/7?as_of_seq=2");
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, binary);
  EXPECT_EQ(Get("/tenants/acme/docs?as_of_seq=2").Json()["keys"], json({"issue/42", "issue/7"}));
  EXPECT_EQ(Get("/tenants/acme/docs?as_of_seq=0").Json()["keys"], json::array());
}

TEST_F(DocServerTest, HistoryIsTheRawLogFromASeqWithALimit) {
  for (int i = 1; i <= 4; ++i) {
    ASSERT_EQ(Put("/tenants/acme/docs/k" + std::to_string(i), "v" + std::to_string(i)).status, 200);
  }
  ASSERT_EQ(Delete("/tenants/acme/docs/k1").status, 200);

  Reply history = Get("/tenants/acme/history?from=2&limit=2");
  ASSERT_EQ(history.status, 200) << history.body;
  const json events = history.Json()["events"];
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["seq"], 2);
  EXPECT_EQ(events[0]["kind"], "data");
  EXPECT_EQ(events[0]["type"], "doc.put");
  EXPECT_EQ(events[0]["key"], "k2");
  EXPECT_EQ(events[0]["op"], "put");
  EXPECT_EQ(events[0]["payload"], "v2");
  EXPECT_EQ(events[0]["payload_bytes"], 2);
  const std::string time = events[0]["time"];
  EXPECT_EQ(time.size(), std::string("2022-04-05T02:00:00.250000Z").size()) << time;
  EXPECT_EQ(time.back(), 'Z') << time;
  EXPECT_EQ(events[1]["seq"], 3);

  const json all = Get("/tenants/acme/history").Json()["events"];
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[4]["op"], "delete");
  EXPECT_EQ(all[4]["key"], "k1");
  EXPECT_FALSE(all[4].contains("payload"));
  EXPECT_EQ(Get("/tenants/acme/history?from=6").Json()["events"], json::array());
}

TEST_F(DocServerTest, ConcurrentClientsEachGetTheirOwnSeqAndReadTheirWrites) {
  constexpr int kThreads = 4;
  constexpr int kPutsPerThread = 25;
  std::vector<std::vector<int>> seqs(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &seqs] {
      httplib::Client client = NewClient();
      for (int n = 0; n < kPutsPerThread; ++n) {
        const std::string path = "/tenants/shared/docs/t" + std::to_string(t) + "/" + std::to_string(n);
        const std::string doc = "doc " + std::to_string(t) + "/" + std::to_string(n);
        const Reply put = ReplyOf(client.Put(path, doc, "text/plain"));
        if (put.status != 200) {
          ADD_FAILURE() << path << ": " << put.status << " " << put.body;
          return;
        }
        seqs[t].push_back(put.Json()["seq"].get<int>());
        const Reply got = ReplyOf(client.Get(path));
        EXPECT_EQ(got.status, 200) << path;
        EXPECT_EQ(got.body, doc) << path;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  std::vector<int> all;
  for (const std::vector<int>& mine : seqs) {
    EXPECT_TRUE(std::is_sorted(mine.begin(), mine.end()));
    all.insert(all.end(), mine.begin(), mine.end());
  }
  std::sort(all.begin(), all.end());
  std::vector<int> expected(kThreads * kPutsPerThread);
  std::iota(expected.begin(), expected.end(), 1);
  EXPECT_EQ(all, expected) << "every put has its own seq, with no gap";
  EXPECT_EQ(Get("/tenants/shared/docs").Json()["keys"].size(), expected.size());
}

TEST_F(DocServerTest, RewindShowsTheEarlierStateAndCanBeUndone) {
  ASSERT_EQ(Put("/tenants/acme/docs/page", "good").status, 200);
  ASSERT_EQ(Put("/tenants/acme/docs/page", "bad").status, 200);
  ASSERT_EQ(Put("/tenants/acme/docs/extra", "new").status, 200);

  Reply dry = Post("/tenants/acme/rewind", R"({"to_seq": 1, "actor": "ops", "dry_run": true})");
  ASSERT_EQ(dry.status, 200) << dry.body;
  EXPECT_EQ(dry.Json()["dry_run"], true);
  EXPECT_EQ(dry.Json()["marker_seq"], 0);
  EXPECT_EQ(Get("/tenants/acme/docs/page").body, "bad");

  Reply rewound =
      Post("/tenants/acme/rewind", R"({"to_seq": 1, "actor": "ops", "reason": "bad deploy"})");
  ASSERT_EQ(rewound.status, 200) << rewound.body;
  const json report = rewound.Json();
  EXPECT_EQ(report["changed"], true);
  EXPECT_EQ(report["target_seq"], 1);
  EXPECT_EQ(report["marker_seq"], 4);
  EXPECT_EQ(report["diff"]["changed"], json::parse(R"([{"key": "page", "seq": 1}])"));
  EXPECT_EQ(report["diff"]["removed"], json::parse(R"([{"key": "extra", "seq": 4}])"));
  EXPECT_EQ(Get("/tenants/acme/docs/page").body, "good");
  EXPECT_TRUE(IsError(Get("/tenants/acme/docs/extra"), 404, "not_found", "acme"));

  const json marker = Get("/tenants/acme/history?from=4").Json()["events"][0];
  EXPECT_EQ(marker["kind"], "rewind");
  EXPECT_EQ(marker["actor"], "ops");
  EXPECT_EQ(marker["reason"], "bad deploy");
  EXPECT_EQ(marker["rewind_target"], 1);

  ASSERT_EQ(Post("/tenants/acme/rewind", R"({"to_seq": 3, "actor": "ops"})").status, 200);
  EXPECT_EQ(Get("/tenants/acme/docs/page").body, "bad");
  EXPECT_EQ(Get("/tenants/acme/docs/extra").body, "new");
}

TEST_F(DocServerTest, TheAdminToolsRewindWhileTheServerRunsIsServedAtTheNextRead) {
  ASSERT_EQ(Put("/tenants/acme/docs/page", "good").status, 200);
  ASSERT_EQ(Put("/tenants/acme/docs/page", "bad").status, 200);
  ASSERT_EQ(Get("/tenants/acme/docs/page").body, "bad");

  const ProcessResult rewind = Tool({"rewind", "acme", "--to", "1", "--reason", "bad deploy"});
  ASSERT_EQ(rewind.exit_code, 0) << rewind.Describe();

  EXPECT_EQ(Get("/tenants/acme/docs/page").body, "good");
  const json marker = Get("/tenants/acme/history?from=3").Json()["events"][0];
  EXPECT_EQ(marker["kind"], "rewind");
  EXPECT_EQ(marker["actor"], "ops");

  // And the other way: what the server writes, the tool reads.
  Reply put = Put("/tenants/acme/docs/page", "fixed");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.Json()["seq"], 4);
  const ProcessResult got = Tool({"get", "acme", "page"});
  EXPECT_EQ(got.exit_code, 0) << got.Describe();
  EXPECT_EQ(got.out.substr(0, 5), "fixed") << got.Describe();
}

TEST_F(DocServerTest, BadRequestsGetTheirHttpStatusAndANamedError) {
  ASSERT_EQ(Put("/tenants/acme/docs/page", "v1").status, 200);

  EXPECT_TRUE(IsError(Put("/tenants/bad!name/docs/page", "x"), 400, "invalid_argument", "bad!name"));
  EXPECT_TRUE(IsError(Put("/tenants/acme/docs/" + std::string(600, 'k'), "x"), 400,
                      "invalid_argument", "key"));
  EXPECT_TRUE(IsError(Get("/tenants/nobody/docs/page"), 404, "not_found", "nobody"));
  EXPECT_TRUE(IsError(Get("/tenants/acme/docs/absent"), 404, "not_found", "acme"));
  EXPECT_TRUE(IsError(Get("/tenants/acme/docs/page?as_of_seq=abc"), 400, "invalid_argument",
                      "as_of_seq"));
  EXPECT_TRUE(IsError(Get("/tenants/acme/docs/page?as_of_seq=9"), 400, "invalid_argument", "9"));
  EXPECT_TRUE(IsError(Get("/tenants/acme/history?limit=0"), 400, "invalid_argument", "limit"));
  EXPECT_TRUE(IsError(Put("/tenants/acme/docs/page?expected_head_seq=0", "v2"), 409, "conflict",
                      "expected 0"));
  EXPECT_EQ(Put("/tenants/acme/docs/page?expected_head_seq=1", "v2").status, 200);
  EXPECT_TRUE(IsError(Delete("/tenants/acme/docs/page?expected_head_seq=1"), 409, "conflict",
                      "expected 1"));

  EXPECT_TRUE(IsError(Post("/tenants/acme/rewind", "not json"), 400, "invalid_argument", "JSON"));
  EXPECT_TRUE(IsError(Post("/tenants/acme/rewind", R"({"to_seq": -1, "actor": "ops"})"), 400,
                      "invalid_argument", "to_seq"));
  EXPECT_TRUE(IsError(Post("/tenants/acme/rewind", R"({"to_seq": 1})"), 400, "invalid_argument",
                      "actor"));
  EXPECT_TRUE(IsError(Post("/tenants/acme/rewind", R"({"to_seq": 9, "actor": "ops"})"), 400,
                      "invalid_argument", "9"));
  EXPECT_TRUE(IsError(Get("/nothing/here"), 404, "no_route", "GET /nothing/here"));
  EXPECT_TRUE(IsError(Post("/tenants/acme/docs/page", "x"), 404, "no_route", "POST"));

  const ProcessResult tombstone = Tool({"tombstone", "acme", "--reason", "test"});
  ASSERT_EQ(tombstone.exit_code, 0) << tombstone.Describe();
  EXPECT_TRUE(IsError(Get("/tenants/acme/docs/page"), 410, "tenant_deleted", "acme"));
  EXPECT_TRUE(IsError(Put("/tenants/acme/docs/page", "v3"), 410, "tenant_deleted", "acme"));
  EXPECT_TRUE(IsError(Post("/tenants/acme/rewind", R"({"to_seq": 1, "actor": "ops"})"), 409,
                      "refused", "acme"));
}

TEST_F(DocServerTest, SigintStopsTheServerCleanlyAndTheDataStays) {
  ASSERT_EQ(Put("/tenants/acme/docs/page", "kept").status, 200);
  const ProcessResult stopped = server_->Stop(SIGINT);
  EXPECT_EQ(stopped.exit_code, 0) << stopped.Describe();
  EXPECT_FALSE(stopped.timed_out);

  StartServer();
  EXPECT_EQ(Get("/tenants/acme/docs/page").body, "kept");
}

TEST_F(DocServerTest, StartupErrorsExitNonZeroWithAMessage) {
  const ProcessResult no_db = RunProcess({DOC_SERVER_BIN});
  EXPECT_EQ(no_db.exit_code, 2) << no_db.Describe();
  EXPECT_NE(no_db.err.find("--db"), std::string::npos) << no_db.Describe();

  const ProcessResult port_taken = RunProcess(
      {DOC_SERVER_BIN, "--db", dir_.Sub("other"), "--port", std::to_string(port_)});
  EXPECT_EQ(port_taken.exit_code, 1) << port_taken.Describe();
  EXPECT_NE(port_taken.err.find("cannot listen on 127.0.0.1:" + std::to_string(port_)),
            std::string::npos)
      << port_taken.Describe();
}

}  // namespace
}  // namespace tenantlog::test
