// A TenantHandle reaches its own tenant alone: whatever keys, seqs, times,
// points and views it is given (keys whose bytes look like another tenant's
// key prefix, names of other tenants, huge seqs, negative times), its
// answers are those of a model of its own tenant, and every other tenant's
// bytes are unchanged. Once bound, it never reaches a newcomer that took a
// purged tenant's name.

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tenantlog/store.h"
#include "tenantlog/tenant_handle.h"
#include "util/raw_lmdb.h"
#include "util/store_helpers.h"
#include "util/temp_dir.h"
#include "util/test_clock.h"

namespace tenantlog::test {
namespace {

// Keys an attacker would try: other tenants' ids and names as raw bytes, the
// store's key layout, bytes 0x00/0xff, and the longest key.
std::vector<std::string> HostileKeys(const std::map<std::string, uint64_t>& ids) {
  std::vector<std::string> keys = {"k", std::string(1, '\0'), std::string(8, '\xff'),
                                   std::string(kMaxEntityKeyBytes, 'z'), "../bob", "bob", "bob/secret"};
  for (const auto& [name, id] : ids) {
    keys.push_back(BigEndian64(id));
    keys.push_back(BigEndian64(id) + std::string("\0\0\0\1", 4) + "secret");
    keys.push_back(BigEndian64(id) + BigEndian64(1));
    keys.push_back(name);
  }
  return keys;
}

const std::vector<uint64_t>& HostileSeqs() {
  static const std::vector<uint64_t> seqs = {0, 1, 2, 3, 1u << 31, std::numeric_limits<uint64_t>::max(),
                                             std::numeric_limits<uint64_t>::max() - 1,
                                             uint64_t{1} << 63};
  return seqs;
}

const std::vector<int64_t>& HostileTimes() {
  static const std::vector<int64_t> times = {std::numeric_limits<int64_t>::min(), -1, 0, kTestEpochMicros,
                                             std::numeric_limits<int64_t>::max()};
  return times;
}

// Everything a reader of `tenant` can see through the Store.
struct Visible {
  std::vector<KeyValue> view;
  TenantInfo info;
  std::vector<Event> log;
};

Visible See(Store& store, const std::string& tenant) {
  Visible v;
  auto view = store.List(tenant);
  auto info = store.Describe(tenant);
  auto log = store.ReadLog(tenant, 1, 1000000);
  EXPECT_OK(view);
  EXPECT_OK(info);
  EXPECT_OK(log);
  if (view.ok()) v.view = *view;
  if (info.ok()) v.info = *info;
  if (log.ok()) v.log = *log;
  return v;
}

void ExpectSame(const Visible& a, const Visible& b, const std::string& tenant) {
  EXPECT_EQ(Payloads(a.view), Payloads(b.view)) << tenant;
  EXPECT_EQ(a.info.head_seq, b.info.head_seq) << tenant;
  EXPECT_EQ(a.info.chain_head, b.info.chain_head) << tenant;
  ASSERT_EQ(a.log.size(), b.log.size()) << tenant;
  for (size_t i = 0; i < a.log.size(); ++i) EXPECT_EQ(a.log[i].chain, b.log[i].chain) << tenant;
}

TEST(TenantHandleTest, AHandleReachesItsOwnTenantAloneWhateverItIsGiven) {
  TempDir dir;
  TestClock clock;
  std::map<std::string, uint64_t> ids;
  std::map<std::string, Visible> before;
  {
    auto store = OpenOrDie(dir.path(), TestOptions(&clock));
    ASSERT_NE(store, nullptr);
    // Neighbours: names that sort and encode next to the handle's.
    for (const std::string name : {"bob", "alicf", "alic", "alice-2", "alice.", "Alice"}) {
      AppendBatch batch;
      batch.Put("test.put", "secret", "SECRET OF " + name);
      batch.Put("test.put", "k", "k OF " + name);
      ASSERT_OK(store->Append(name, batch));
      ASSERT_OK(store->Rewind(name, Point::AtSeq(1), Admin()));
      ASSERT_OK(store->List(name));
      ASSERT_OK_AND_ASSIGN(TenantInfo info, store->Describe(name));
      ids[name] = info.id;
      before[name] = See(*store, name);
    }
  }
  std::map<std::string, TenantBytes> bytes_before;
  for (const auto& [name, id] : ids) bytes_before[name] = ReadTenantBytes(dir.path(), id, name);

  auto store = OpenOrDie(dir.path(), TestOptions(&clock));
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TenantHandle> alice, store->OpenTenant("alice"));
  EXPECT_EQ(alice->tenant(), "alice");
  const std::vector<std::string> keys = HostileKeys(ids);
  // alice's own model: key → payload, and her head.
  std::map<std::string, std::string> model;
  uint64_t head = 0;

  const bool passed = rc::check("hostile calls through alice's handle", [&] {
    const int steps = *rc::gen::inRange(1, 12);
    for (int step = 0; step < steps; ++step) {
      const std::string key = *rc::gen::oneOf(rc::gen::elementOf(keys), rc::gen::arbitrary<std::string>());
      const uint64_t seq = *rc::gen::oneOf(rc::gen::elementOf(HostileSeqs()), rc::gen::inRange<uint64_t>(0, head + 2));
      const int64_t time = *rc::gen::elementOf(HostileTimes());
      const Point point = *rc::gen::arbitrary<bool>() ? Point::AtSeq(seq) : Point::AtTime(time);
      switch (*rc::gen::inRange(0, 7)) {
        case 0: {  // put or delete
          AppendBatch batch;
          const bool put = *rc::gen::arbitrary<bool>();
          if (put) {
            batch.Put("test.put", key, "alice:" + key);
          } else {
            batch.Delete("test.delete", key);
          }
          auto appended = alice->Append(batch);
          const bool valid_key = !key.empty() && key.size() <= kMaxEntityKeyBytes;
          RC_ASSERT(appended.ok() == valid_key);
          if (!valid_key) {
            RC_ASSERT(appended.status().IsInvalidArgument());
            break;
          }
          RC_ASSERT(appended->first_seq == head + 1);
          head = appended->last_seq;
          if (put) {
            model[key] = "alice:" + key;
          } else {
            model.erase(key);
          }
          break;
        }
        case 1: {  // get, now or as of a hostile point
          ReadOptions options;
          if (*rc::gen::arbitrary<bool>()) options.as_of = point;
          auto got = alice->Get(key, options);
          if (got.ok()) {
            RC_ASSERT(got->rfind("alice:", 0) == 0);
            if (!options.as_of) RC_ASSERT(model.count(key) == 1 && model.at(key) == *got);
          } else if (!options.as_of) {
            const bool absent = head == 0 ? got.status().IsNotFound() : model.count(key) == 0;
            RC_ASSERT(absent);
          } else {
            RC_ASSERT(got.status().IsNotFound() || got.status().IsInvalidArgument());
          }
          break;
        }
        case 2: {  // list
          ReadOptions options;
          if (*rc::gen::arbitrary<bool>()) options.as_of = point;
          auto list = alice->List(options);
          if (list.ok()) {
            for (const KeyValue& kv : *list) RC_ASSERT(kv.payload == "alice:" + kv.key);
            if (!options.as_of) RC_ASSERT(Payloads(*list) == model);
          } else {
            RC_ASSERT(list.status().IsNotFound() || list.status().IsInvalidArgument());
          }
          break;
        }
        case 3: {  // the log from a hostile seq
          auto log = alice->ReadLog(seq, static_cast<size_t>(*rc::gen::inRange(0, 1000)));
          if (log.ok()) {
            for (const Event& e : *log) RC_ASSERT(e.payload.empty() || e.payload == "alice:" + e.key);
          } else {
            RC_ASSERT(head == 0 && log.status().IsNotFound());
          }
          break;
        }
        case 4: {  // resolve and diff hostile points
          auto resolved = alice->ResolvePoint(point);
          if (resolved.ok()) RC_ASSERT(*resolved <= head);
          auto diff = alice->Diff(point, std::nullopt);
          if (diff.ok()) {
            for (const auto* list : {&diff->added, &diff->changed, &diff->removed}) {
              for (const KeyChange& change : *list) RC_ASSERT(change.seq <= head);
            }
          }
          break;
        }
        case 5: {  // describe
          auto info = alice->Describe();
          if (head == 0) {
            RC_ASSERT(info.status().IsNotFound());
          } else {
            RC_ASSERT(info.ok() && info->name == "alice" && info->head_seq == head);
          }
          break;
        }
        default: {  // a view that is not there
          if (key.empty()) break;  // "" names the built-in view
          ReadOptions options;
          options.view = key;
          RC_ASSERT(alice->List(options).status().IsInvalidArgument() || head == 0);
          break;
        }
      }
    }
    for (const auto& [name, seen] : before) ExpectSame(seen, See(*store, name), name);
  });
  EXPECT_TRUE(passed);
  ASSERT_GT(head, 0u) << "the property never appended";
  store.reset();
  for (const auto& [name, id] : ids) {
    EXPECT_EQ(DescribeDifference(bytes_before[name], ReadTenantBytes(dir.path(), id, name)), "") << name;
  }
}

TEST(TenantHandleTest, ABoundHandleNeverReachesANewTenantThatTookAPurgedName) {
  TempDir dir;
  TestClock clock;
  auto store = OpenOrDie(dir.path(), TestOptions(&clock));
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TenantHandle> handle, store->OpenTenant("carol"));
  EXPECT_TRUE(handle->Describe().status().IsNotFound());
  ASSERT_OK(handle->Append(PutBatch("k", "first carol")));
  ASSERT_OK_AND_ASSIGN(std::string value, handle->Get("k"));
  EXPECT_EQ(value, "first carol");

  ASSERT_OK(store->Tombstone({"carol"}, Admin()));
  clock.Advance(int64_t{3600} * 1000000);
  const std::string plan = dir.path() + "/purge.plan";
  ASSERT_OK_AND_ASSIGN(PurgePlan planned, store->PlanPurge({"carol"}, 0, plan, Admin()));
  ASSERT_OK(store->RunPurge(plan, planned.token, Admin()));
  ASSERT_OK(store->Append("carol", PutBatch("k", "second carol")));

  for (const Status& s : {handle->Get("k").status(), handle->List().status(), handle->Describe().status(),
                          handle->ReadLog(1, 10).status(), handle->ResolvePoint(Point::AtSeq(1)).status(),
                          handle->Diff(Point::AtSeq(0), std::nullopt).status(),
                          handle->Append(PutBatch("k", "through the old handle")).status()}) {
    EXPECT_TRUE(s.IsNotFound()) << s.ToString();
    EXPECT_NE(s.message().find("was purged"), std::string::npos) << s.ToString();
  }
  ASSERT_OK_AND_ASSIGN(value, store->Get("carol", "k"));
  EXPECT_EQ(value, "second carol") << "the old handle wrote nothing";
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TenantHandle> fresh, store->OpenTenant("carol"));
  ASSERT_OK_AND_ASSIGN(value, fresh->Get("k"));
  EXPECT_EQ(value, "second carol");
}

TEST(TenantHandleTest, BadNamesAreRefused) {
  TempDir dir;
  auto store = OpenOrDie(dir.path(), TestOptions());
  ASSERT_NE(store, nullptr);
  for (const std::string& name :
       std::vector<std::string>{"", "a b", "../x", std::string(129, 'a'), std::string("nul\0", 4)}) {
    Status s = store->OpenTenant(name).status();
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_NE(s.message().find("invalid tenant name"), std::string::npos) << s.ToString();
  }
}

}  // namespace
}  // namespace tenantlog::test
