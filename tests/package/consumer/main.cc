// Opens a store in the directory given as the only argument, appends to a
// tenant, reads the data back through the view and the log, and exits 0 only
// when everything read is what was written.

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "tenantlog/store.h"

namespace {

int Fail(const std::string& what, const tenantlog::Status& status) {
  std::fprintf(stderr, "%s: %s\n", what.c_str(), status.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s STORE_DIR\n", argv[0]);
    return 2;
  }
  std::unique_ptr<tenantlog::Store> store;
  tenantlog::Status s = tenantlog::Store::Open(tenantlog::Options(), argv[1], &store);
  if (!s.ok()) return Fail("open", s);

  tenantlog::AppendBatch batch;
  batch.Put("doc.put", "doc/1", "first");
  batch.Put("doc.put", "doc/2", "second");
  batch.Delete("doc.delete", "doc/1");
  auto appended = store->Append("acme", batch);
  if (!appended.ok()) return Fail("append", appended.status());
  if (appended->first_seq != 1 || appended->last_seq != 3) {
    std::fprintf(stderr, "append: seqs %llu..%llu, expected 1..3\n",
                 static_cast<unsigned long long>(appended->first_seq),
                 static_cast<unsigned long long>(appended->last_seq));
    return 1;
  }

  auto doc = store->Get("acme", "doc/2");
  if (!doc.ok()) return Fail("get doc/2", doc.status());
  if (*doc != "second") {
    std::fprintf(stderr, "get doc/2: \"%s\", expected \"second\"\n", doc->c_str());
    return 1;
  }
  auto deleted = store->Get("acme", "doc/1");
  if (!deleted.status().IsNotFound()) return Fail("get doc/1 (deleted)", deleted.status());

  tenantlog::ReadOptions before_delete;
  before_delete.as_of = tenantlog::Point::AtSeq(2);
  auto old = store->Get("acme", "doc/1", before_delete);
  if (!old.ok()) return Fail("get doc/1 as of seq 2", old.status());
  if (*old != "first") {
    std::fprintf(stderr, "get doc/1 as of seq 2: \"%s\", expected \"first\"\n", old->c_str());
    return 1;
  }

  auto log = store->ReadLog("acme", 1, 10);
  if (!log.ok()) return Fail("read log", log.status());
  if (log->size() != 3 || (*log)[2].op != tenantlog::Op::kDelete || (*log)[2].key != "doc/1") {
    std::fprintf(stderr, "read log: %zu events, expected put, put, delete doc/1\n", log->size());
    return 1;
  }

  std::printf("ok: 3 events appended and read back\n");
  return 0;
}
