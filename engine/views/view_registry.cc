#include "views/view_registry.h"

#include <algorithm>
#include <set>
#include <string>

#include "log/keys.h"

namespace tenantlog::views {

namespace {

constexpr std::string_view kNextIdKey = "view_next_id";

bool IsValidViewName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

std::string IdKey(std::string_view name) { return "view:" + std::string(name); }

Result<uint32_t> ReadId(lmdb::Txn& txn, std::string_view key) {
  auto value = txn.Get(txn.dbs().meta, key);
  if (!value.ok()) return value.status();
  if (value->size() != 4) return Status::Corruption("damaged view id record '" + std::string(key) + "'");
  return keys::GetFixed32(value->data());
}

}  // namespace

Status ViewRegistry::Check(const std::vector<std::shared_ptr<const Reducer>>& reducers) {
  std::set<std::string> names;
  for (const auto& reducer : reducers) {
    if (reducer == nullptr) return Status::InvalidArgument("Options::reducers holds a null reducer");
    const std::string name = reducer->name();
    if (!IsValidViewName(name)) {
      return Status::InvalidArgument("invalid reducer name '" + name.substr(0, 100) +
                                     "': use 1-64 characters of a-z 0-9 . _ -");
    }
    if (!names.insert(name).second) return Status::InvalidArgument("two reducers are named '" + name + "'");
  }
  return Status::OK();
}

Status ViewRegistry::Build(lmdb::LmdbEnv& env, const std::vector<std::shared_ptr<const Reducer>>& reducers,
                           std::unique_ptr<ViewRegistry>* out) {
  Status s = Check(reducers);
  if (!s.ok()) return s;
  auto registry = std::unique_ptr<ViewRegistry>(new ViewRegistry());
  auto assign = [&](lmdb::Txn& txn) -> Status {
    registry->views_.clear();
    registry->views_.push_back(ViewDef::Builtin());
    for (const auto& reducer : reducers) {
      auto id = ReadId(txn, IdKey(reducer->name()));
      if (id.status().IsNotFound() && txn.writable()) {
        auto next = ReadId(txn, kNextIdKey);
        if (!next.ok() && !next.status().IsNotFound()) return next.status();
        const uint32_t assigned = next.ok() ? *next : keys::kBuiltinViewId + 1;
        if (assigned > keys::kMaxViewId) return Status::IOError("no view ids left");
        std::string value;
        keys::AppendFixed32(&value, assigned);
        Status s = txn.Put(txn.dbs().meta, IdKey(reducer->name()), value);
        value.clear();
        keys::AppendFixed32(&value, assigned + 1);
        if (s.ok()) s = txn.Put(txn.dbs().meta, kNextIdKey, value);
        if (!s.ok()) return s;
        id = assigned;
      } else if (id.status().IsNotFound()) {
        id = 0;  // read-only: folded in memory
      }
      if (!id.ok()) return id.status();
      registry->views_.emplace_back(*id, reducer);
    }
    return Status::OK();
  };
  bool all_known = true;
  s = env.Read([&](lmdb::Txn& txn) {
    Status r = assign(txn);
    for (const ViewDef& view : registry->views_) all_known = all_known && view.persisted();
    return r;
  });
  if (s.ok() && !all_known && !env.read_only()) s = env.Write(assign);
  if (!s.ok()) return s;
  *out = std::move(registry);
  return Status::OK();
}

Result<const ViewDef*> ViewRegistry::Find(std::string_view name) const {
  for (const ViewDef& view : views_) {
    if (view.name() == name) return &view;
  }
  return Status::InvalidArgument("unknown view '" + std::string(name) +
                                 "': name one of the reducers the store was opened with");
}

}  // namespace tenantlog::views
