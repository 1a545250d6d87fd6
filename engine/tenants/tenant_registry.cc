#include "tenants/tenant_registry.h"

#include <cstring>

#include "log/keys.h"
#include "tenant_meta_generated.h"
#include "util/aligned_bytes.h"

namespace tenantlog {

TenantInfo TenantRecord::ToInfo() const {
  TenantInfo info;
  info.name = name;
  info.id = id;
  info.state = state;
  info.head_seq = head_seq;
  info.event_count = event_count;
  info.chain_head = chain_head;
  info.created_us = created_us;
  info.updated_us = updated_us;
  info.state_changed_us = state_changed_us;
  info.rewinds = timeline.size();
  return info;
}

namespace registry {

namespace {

std::string Encode(const TenantRecord& r) {
  flatbuffers::FlatBufferBuilder b(256);
  auto name = b.CreateString(r.name);
  std::vector<fb::RewindMarker> markers;
  markers.reserve(r.timeline.size());
  for (const RewindMarker& m : r.timeline) markers.emplace_back(m.at, m.target);
  auto timeline = b.CreateVectorOfStructs(markers);
  auto purged_by = b.CreateString(r.purged_by);
  fb::TenantMetaBuilder m(b);
  m.add_name(name);
  m.add_state(static_cast<fb::TenantState>(r.state));
  m.add_head_seq(r.head_seq);
  m.add_event_count(r.event_count);
  m.add_chain_head(r.chain_head);
  m.add_created_us(r.created_us);
  m.add_updated_us(r.updated_us);
  m.add_timeline(timeline);
  m.add_timeline_version(r.timeline_version);
  m.add_state_changed_us(r.state_changed_us);
  m.add_purged_us(r.purged_us);
  m.add_purged_by(purged_by);
  m.add_purged_events(r.purged_events);
  b.Finish(m.Finish());
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

Status Decode(uint64_t id, std::string_view bytes, TenantRecord* r) {
  if (bytes.size() < 8) {
    return Status::Corruption("record of tenant id " + std::to_string(id) + " is truncated");
  }
  const AlignedBytes aligned(bytes);
  const uint8_t* data = aligned.data();
  flatbuffers::Verifier verifier(data, aligned.size());
  if (!fb::VerifyTenantMetaBuffer(verifier)) {
    return Status::Corruption("record of tenant id " + std::to_string(id) +
                              " fails the FlatBuffers verifier");
  }
  const fb::TenantMeta* m = fb::GetTenantMeta(data);
  if (m->state() > fb::TenantState::MAX) {
    return Status::Corruption("record of tenant id " + std::to_string(id) + " has an unknown state");
  }
  r->id = id;
  r->name = m->name() ? m->name()->str() : std::string();
  r->state = static_cast<TenantState>(m->state());
  r->head_seq = m->head_seq();
  r->event_count = m->event_count();
  r->chain_head = m->chain_head();
  r->created_us = m->created_us();
  r->updated_us = m->updated_us();
  r->state_changed_us = m->state_changed_us();
  r->timeline.clear();
  if (m->timeline() != nullptr) {
    for (const fb::RewindMarker* marker : *m->timeline()) {
      r->timeline.push_back(RewindMarker{marker->at(), marker->target()});
    }
  }
  r->timeline_version = m->timeline_version();
  r->purged_us = m->purged_us();
  r->purged_by = m->purged_by() ? m->purged_by()->str() : std::string();
  r->purged_events = m->purged_events();
  return Status::OK();
}

}  // namespace

Status Load(lmdb::Txn& txn, uint64_t id, TenantRecord* record) {
  auto value = txn.Get(txn.dbs().tenants, keys::TenantKey(id));
  if (!value.ok()) return value.status();
  return Decode(id, *value, record);
}

Status LoadByName(lmdb::Txn& txn, std::string_view name, TenantRecord* record) {
  auto id = txn.Get(txn.dbs().names, name);
  if (!id.ok()) {
    if (id.status().IsNotFound()) return Status::NotFound("unknown tenant " + std::string(name));
    return id.status();
  }
  if (id->size() != 8) {
    return Status::Corruption("name entry of tenant " + std::string(name) + " is damaged");
  }
  Status s = Load(txn, keys::GetFixed64(id->data()), record);
  if (s.IsNotFound()) {
    return Status::Corruption("tenant " + std::string(name) + " has a name but no record");
  }
  return s;
}

Status Save(lmdb::Txn& txn, const TenantRecord& record) {
  return txn.Put(txn.dbs().tenants, keys::TenantKey(record.id), Encode(record));
}

Result<uint64_t> NextId(lmdb::Txn& txn) {
  auto cursor = lmdb::Cursor::Open(txn, txn.dbs().tenants);
  if (!cursor.ok()) return cursor.status();
  auto last = (*cursor)->Last();
  if (!last.ok()) return last.status();
  if (!*last) return uint64_t{1};
  if ((*cursor)->key().size() != 8) return Status::Corruption("a tenants key is damaged");
  return keys::GetFixed64((*cursor)->key().data()) + 1;
}

Status Create(lmdb::Txn& txn, std::string_view name, int64_t now_us, TenantRecord* record) {
  auto id = NextId(txn);
  if (!id.ok()) return id.status();
  *record = TenantRecord();
  record->id = *id;
  record->name = std::string(name);
  record->state_changed_us = now_us;
  Status s = ClaimName(txn, name, *id);
  if (!s.ok()) return s;
  return Save(txn, *record);
}

Status ClaimName(lmdb::Txn& txn, std::string_view name, uint64_t id) {
  return txn.Put(txn.dbs().names, name, keys::TenantKey(id));
}

Status ReleaseName(lmdb::Txn& txn, std::string_view name) {
  return txn.Delete(txn.dbs().names, name);
}

Status ForEach(lmdb::Txn& txn, const std::function<Status(const TenantRecord&)>& fn,
               const std::function<void(uint64_t, const Status&)>& on_damaged) {
  auto cursor = lmdb::Cursor::Open(txn, txn.dbs().tenants);
  if (!cursor.ok()) return cursor.status();
  lmdb::Cursor& c = **cursor;
  TenantRecord record;
  for (auto found = c.First(); ; found = c.Next()) {
    if (!found.ok()) return found.status();
    if (!*found) return Status::OK();
    const uint64_t id = c.key().size() == 8 ? keys::GetFixed64(c.key().data()) : 0;
    Status s = c.key().size() == 8 ? Decode(id, c.value(), &record)
                                   : Status::Corruption("a tenants key is damaged");
    if (!s.ok()) {
      if (!on_damaged) return s;
      on_damaged(id, s);
      continue;
    }
    s = fn(record);
    if (!s.ok()) return s;
  }
}

}  // namespace registry
}  // namespace tenantlog
