#include "views/checkpoint.h"

#include <algorithm>
#include <string>

#include "log/keys.h"

namespace tenantlog::views::checkpoint {

namespace {

constexpr char kLive = 'L';
constexpr char kDeleted = 'D';

struct Stored {
  uint32_t slot = 0;
  uint64_t at = 0;
  uint32_t version = 0;
};

// The checkpoints of `view`, oldest first.
Status ListStored(lmdb::Txn& txn, const TenantRecord& record, const ViewDef& view, std::vector<Stored>* out) {
  out->clear();
  for (uint32_t slot = 0; slot < kKept; ++slot) {
    auto value = txn.Get(txn.dbs().view_state, keys::ViewPrefix(record.id, keys::CheckpointViewId(view.id(), slot)));
    if (value.status().IsNotFound()) continue;
    if (!value.ok()) return value.status();
    if (value->size() != 12) return Status::Corruption("damaged checkpoint record of tenant " + record.name);
    out->push_back(Stored{slot, keys::GetFixed64(value->data() + 4), keys::GetFixed32(value->data())});
  }
  std::sort(out->begin(), out->end(), [](const Stored& a, const Stored& b) { return a.at < b.at; });
  return Status::OK();
}

Status Load(lmdb::Txn& txn, const TenantRecord& record, const ViewDef& view, const Stored& stored, Folded* out) {
  const std::string prefix = keys::ViewPrefix(record.id, keys::CheckpointViewId(view.id(), stored.slot));
  auto cursor = lmdb::Cursor::Open(txn, txn.dbs().views);
  if (!cursor.ok()) return cursor.status();
  lmdb::Cursor& c = **cursor;
  for (auto found = c.Seek(prefix);; found = c.Next()) {
    if (!found.ok()) return found.status();
    if (!*found || c.key().substr(0, prefix.size()) != prefix) return Status::OK();
    const std::string_view value = c.value();
    if (value.size() < 9 || (value[0] != kLive && value[0] != kDeleted) ||
        (value[0] == kDeleted && value.size() != 9)) {
      return Status::Corruption("damaged checkpoint entry of tenant " + record.name + " at seq " +
                                std::to_string(stored.at));
    }
    std::string key(c.key().substr(prefix.size()));
    const uint64_t seq = keys::GetFixed64(value.data() + 1);
    if (value[0] == kLive) {
      out->live.emplace(std::move(key), FoldedValue{std::string(value.substr(9)), seq});
    } else {
      out->deleted.emplace(std::move(key), seq);
    }
  }
}

}  // namespace

std::optional<Resume> After(const std::vector<timeline::SeqRange>& prefix,
                            const std::vector<timeline::SeqRange>& ranges) {
  if (prefix.empty()) return Resume{0, ranges.empty() ? 0 : ranges[0].first};
  const size_t last = prefix.size() - 1;
  if (ranges.size() < prefix.size()) return std::nullopt;
  for (size_t i = 0; i < last; ++i) {
    if (!(prefix[i] == ranges[i])) return std::nullopt;
  }
  if (prefix[last].first != ranges[last].first || prefix[last].last > ranges[last].last) return std::nullopt;
  if (prefix[last].last < ranges[last].last) return Resume{last, prefix[last].last + 1};
  if (last + 1 < ranges.size()) return Resume{last + 1, ranges[last + 1].first};
  return Resume{ranges.size(), 0};
}

Result<Resume> LoadLatest(lmdb::Txn& txn, const TenantRecord& record, const ViewDef& view,
                          const std::vector<timeline::SeqRange>& ranges, Folded* out) {
  out->live.clear();
  out->deleted.clear();
  std::vector<Stored> stored;
  Status s = ListStored(txn, record, view, &stored);
  if (!s.ok()) return s;
  for (auto it = stored.rbegin(); it != stored.rend(); ++it) {
    if (it->version != view.version() || it->at > record.head_seq) continue;
    auto resume = After(timeline::EffectiveRanges(record.timeline, it->at), ranges);
    if (!resume) continue;
    s = Load(txn, record, view, *it, out);
    if (!s.ok()) return s;
    return *resume;
  }
  return *After({}, ranges);
}

Status Save(lmdb::Txn& txn, const TenantRecord& record, const ViewDef& view, uint64_t at,
            const Folded& folded) {
  std::vector<Stored> stored;
  Status s = ListStored(txn, record, view, &stored);
  if (!s.ok()) return s;
  // A free slot; else one of another version; else the oldest.
  uint32_t slot = 0;
  std::vector<bool> taken(kKept, false);
  for (const Stored& st : stored) taken[st.slot] = true;
  auto free = std::find(taken.begin(), taken.end(), false);
  if (free != taken.end()) {
    slot = static_cast<uint32_t>(free - taken.begin());
  } else {
    auto stale = std::find_if(stored.begin(), stored.end(),
                              [&](const Stored& st) { return st.version != view.version(); });
    slot = stale != stored.end() ? stale->slot : stored.front().slot;
  }
  const std::string prefix = keys::ViewPrefix(record.id, keys::CheckpointViewId(view.id(), slot));
  s = txn.DeletePrefix(txn.dbs().views, prefix);
  std::string value;
  for (const auto& [key, entry] : folded.live) {
    if (!s.ok()) return s;
    value.assign(1, kLive);
    keys::AppendFixed64(&value, entry.seq);
    value.append(entry.payload);
    s = txn.Put(txn.dbs().views, prefix + key, value);
  }
  for (const auto& [key, seq] : folded.deleted) {
    if (!s.ok()) return s;
    value.assign(1, kDeleted);
    keys::AppendFixed64(&value, seq);
    s = txn.Put(txn.dbs().views, prefix + key, value);
  }
  if (!s.ok()) return s;
  value.clear();
  keys::AppendFixed32(&value, view.version());
  keys::AppendFixed64(&value, at);
  return txn.Put(txn.dbs().view_state, prefix, value);
}

}  // namespace tenantlog::views::checkpoint
