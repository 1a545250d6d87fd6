#include "log/envelope.h"

#include <cstring>

#include "event_generated.h"
#include "log/chain.h"
#include "log/keys.h"

namespace tenantlog {

namespace {

flatbuffers::Offset<flatbuffers::Vector<uint8_t>> Bytes(flatbuffers::FlatBufferBuilder& b,
                                                        std::string_view s) {
  return b.CreateVector(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string_view View(const flatbuffers::Vector<uint8_t>* v) {
  if (v == nullptr) return {};
  return std::string_view(reinterpret_cast<const char*>(v->data()), v->size());
}

std::string_view View(const flatbuffers::String* s) {
  if (s == nullptr) return {};
  return std::string_view(s->data(), s->size());
}

const fb::Event* Root(const void* root) { return static_cast<const fb::Event*>(root); }

}  // namespace

EventEncoder::EventEncoder() : builder_(new flatbuffers::FlatBufferBuilder(512)) {}
EventEncoder::~EventEncoder() { delete builder_; }

size_t EventEncoder::Encode(const EventFields& f, uint64_t previous_chain) {
  flatbuffers::FlatBufferBuilder& b = *builder_;
  b.Clear();
  flatbuffers::Offset<flatbuffers::String> type, actor, reason;
  flatbuffers::Offset<flatbuffers::Vector<uint8_t>> key, payload;
  if (f.kind == EventKind::kData) {
    type = b.CreateString(f.type.data(), f.type.size());
    key = Bytes(b, f.key);
    if (f.op == Op::kPut) payload = Bytes(b, f.payload);
  } else {
    actor = b.CreateString(f.actor.data(), f.actor.size());
    reason = b.CreateString(f.reason.data(), f.reason.size());
  }
  fb::EventBuilder e(b);
  e.add_seq(f.seq);
  e.add_time_us(f.time_us);
  e.add_kind(static_cast<fb::EventKind>(f.kind));
  e.add_op(static_cast<fb::Op>(f.op));
  e.add_rewind_target(f.rewind_target);
  if (!type.IsNull()) e.add_type(type);
  if (!key.IsNull()) e.add_key(key);
  if (!payload.IsNull()) e.add_payload(payload);
  if (!actor.IsNull()) e.add_actor(actor);
  if (!reason.IsNull()) e.add_reason(reason);
  b.Finish(e.Finish());

  const std::string_view record(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
  chain_ = ChainNext(previous_chain, record);
  return kChainPrefixBytes + record.size();
}

void EventEncoder::WriteStored(char* out) const {
  keys::PutFixed64(out, chain_);
  std::memcpy(out + kChainPrefixBytes, builder_->GetBufferPointer(), builder_->GetSize());
}

Status EventDecoder::Parse(std::string_view stored) { return Load(stored, /*verify=*/true); }

Status EventDecoder::ParseLinked(std::string_view stored, uint64_t previous_chain, bool verify) {
  root_ = nullptr;
  if (stored.size() >= kChainPrefixBytes &&
      ChainNext(previous_chain, stored.substr(kChainPrefixBytes)) != keys::GetFixed64(stored.data())) {
    return Status::Corruption("chain hash mismatch");
  }
  return Load(stored, verify);
}

Status EventDecoder::Load(std::string_view stored, bool verify) {
  root_ = nullptr;
  if (stored.size() < kChainPrefixBytes + 8) {
    return Status::Corruption("event value of " + std::to_string(stored.size()) +
                              " bytes is too short");
  }
  chain_ = keys::GetFixed64(stored.data());
  record_ = stored.substr(kChainPrefixBytes);
  // FlatBuffers reads scalars in place. Stored values are whole multiples of
  // 8 bytes, so LMDB lays them out 8-byte aligned and the copy is rare.
  if (reinterpret_cast<uintptr_t>(record_.data()) % alignof(uint64_t) != 0) {
    aligned_.Assign(record_);
    record_ = aligned_.view();
  }
  const uint8_t* bytes = reinterpret_cast<const uint8_t*>(record_.data());
  if (verify) {
    flatbuffers::Verifier verifier(bytes, record_.size());
    if (!fb::VerifyEventBuffer(verifier)) {
      return Status::Corruption("event record fails the FlatBuffers verifier");
    }
  }
  const fb::Event* e = fb::GetEvent(bytes);
  if (e->kind() > fb::EventKind::MAX || e->op() > fb::Op::MAX) {
    return Status::Corruption("event record has an unknown kind or op");
  }
  root_ = e;
  seq_ = e->seq();
  time_us_ = e->time_us();
  kind_ = static_cast<EventKind>(e->kind());
  op_ = static_cast<Op>(e->op());
  type_ = View(e->type());
  key_ = View(e->key());
  payload_ = View(e->payload());
  return Status::OK();
}

uint64_t EventDecoder::rewind_target() const { return Root(root_)->rewind_target(); }

Event EventDecoder::ToEvent() const {
  const fb::Event* e = Root(root_);
  Event out;
  out.seq = seq_;
  out.time_us = time_us_;
  out.kind = kind_;
  out.type = std::string(type_);
  out.key = std::string(key_);
  out.op = op_;
  out.payload = std::string(payload_);
  out.actor = std::string(View(e->actor()));
  out.reason = std::string(View(e->reason()));
  out.rewind_target = e->rewind_target();
  out.chain = chain_;
  return out;
}

}  // namespace tenantlog
