#include "exchange/export_file.h"

#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "export_file_generated.h"
#include "log/chain.h"
#include "log/keys.h"
#include "tenantlog/admin.h"
#include "util/aligned_bytes.h"

namespace tenantlog::exchange {

namespace {

constexpr char kMagic[8] = {'T', 'L', 'E', 'X', 'P', 'v', '0', '1'};
constexpr uint32_t kFormatVersion = 1;
constexpr uint32_t kMaxHeaderBytes = 1 << 20;
constexpr uint32_t kMaxRecordBytes = 1u << 30;

void PutLE32(char* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
uint32_t GetLE32(const char* in) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}
void PutLE64(char* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
uint64_t GetLE64(const char* in) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

XXH3_state_t* HashState(void* p) { return static_cast<XXH3_state_t*>(p); }

// Reads the file sequentially, hashing what it reads, and names the offset
// of whatever is wrong.
class Reader {
 public:
  explicit Reader(const std::string& path) : path_(path), state_(XXH3_createState()) {
    XXH3_64bits_reset(state_);
  }
  ~Reader() {
    if (file_ != nullptr) std::fclose(file_);
    XXH3_freeState(state_);
  }
  Status Open() {
    file_ = std::fopen(path_.c_str(), "rb");
    if (file_ == nullptr) return Status::IOError("cannot read " + path_ + ": " + std::strerror(errno));
    struct stat st;
    if (::fstat(fileno(file_), &st) != 0) return Status::IOError("cannot stat " + path_ + ": " + std::strerror(errno));
    size_ = static_cast<uint64_t>(st.st_size);
    return Status::OK();
  }
  Status Read(size_t n, std::string* out, std::string_view what, bool hash = true) {
    if (n > size_ - offset_) return Bad("truncated in " + std::string(what));
    out->resize(n);
    if (n != 0 && std::fread(out->data(), 1, n, file_) != n) {
      if (std::ferror(file_)) return Status::IOError("cannot read " + path_ + ": " + std::strerror(errno));
      return Bad("truncated in " + std::string(what));
    }
    if (hash) XXH3_64bits_update(state_, out->data(), n);
    offset_ += n;
    return Status::OK();
  }
  Status ReadFramed(uint32_t limit, std::string* out, std::string_view what) {
    std::string len;
    Status s = Read(4, &len, what);
    if (!s.ok()) return s;
    const uint32_t n = GetLE32(len.data());
    if (n > limit) return Bad(std::string(what) + " claims " + std::to_string(n) + " bytes");
    return Read(n, out, what);
  }
  bool AtEnd() { return std::fgetc(file_) == EOF; }
  uint64_t Digest() const { return XXH3_64bits_digest(state_); }
  Status Bad(const std::string& problem) const {
    return Status::InvalidArgument(path_ + ": not a valid tenantlog export: " + problem + " (at byte " +
                                   std::to_string(offset_) + ")");
  }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  XXH3_state_t* state_;
  uint64_t size_ = 0;
  uint64_t offset_ = 0;
};

template <typename T>
const T* VerifiedRoot(const std::string& bytes, AlignedBytes* aligned) {
  if (bytes.size() < 8) return nullptr;
  aligned->Assign(bytes);
  flatbuffers::Verifier verifier(aligned->data(), aligned->size());
  if (!verifier.VerifyBuffer<T>(nullptr)) return nullptr;
  return flatbuffers::GetRoot<T>(aligned->data());
}

}  // namespace

// ---- ExportWriter ----

ExportWriter::ExportWriter() : hash_state_(XXH3_createState()) { XXH3_64bits_reset(HashState(hash_state_)); }

ExportWriter::~ExportWriter() {
  if (file_ != nullptr) {
    std::fclose(file_);
    std::remove(temp_path_.c_str());
  }
  XXH3_freeState(HashState(hash_state_));
}

Status ExportWriter::Write(std::string_view bytes) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    return Status::IOError("cannot write " + temp_path_ + ": " + std::strerror(errno));
  }
  XXH3_64bits_update(HashState(hash_state_), bytes.data(), bytes.size());
  bytes_ += bytes.size();
  return Status::OK();
}

Status ExportWriter::WriteFramed(std::string_view bytes) {
  char len[4];
  PutLE32(len, static_cast<uint32_t>(bytes.size()));
  Status s = Write(std::string_view(len, 4));
  return s.ok() ? Write(bytes) : s;
}

Status ExportWriter::Open(const std::string& path, const ExportHeaderFields& header) {
  path_ = path;
  temp_path_ = path + ".partial";
  file_ = std::fopen(temp_path_.c_str(), "wb");
  if (file_ == nullptr) return Status::IOError("cannot create " + temp_path_ + ": " + std::strerror(errno));
  flatbuffers::FlatBufferBuilder b(256);
  auto tenant = b.CreateString(header.tenant);
  fb::ExportHeaderBuilder h(b);
  h.add_format_version(kFormatVersion);
  h.add_tenant(tenant);
  h.add_event_count(header.event_count);
  h.add_head_seq(header.head_seq);
  h.add_exported_us(header.exported_us);
  h.add_source_tenant_id(header.source_tenant_id);
  b.Finish(h.Finish());
  Status s = Write(std::string_view(kMagic, sizeof(kMagic)));
  if (s.ok()) s = WriteFramed(std::string_view(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize()));
  return s;
}

Status ExportWriter::WriteEvent(std::string_view record) { return WriteFramed(record); }

Result<uint64_t> ExportWriter::Finish(uint64_t event_count, uint64_t chain_head) {
  flatbuffers::FlatBufferBuilder b(64);
  fb::ExportTrailerBuilder t(b);
  t.add_event_count(event_count);
  t.add_chain_head(chain_head);
  b.Finish(t.Finish());
  Status s = WriteFramed(std::string_view(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize()));
  if (!s.ok()) return s;
  char checksum[8];
  PutLE64(checksum, XXH3_64bits_digest(HashState(hash_state_)));
  if (std::fwrite(checksum, 1, 8, file_) != 8 || std::fflush(file_) != 0 || ::fsync(fileno(file_)) != 0) {
    return Status::IOError("cannot write " + temp_path_ + ": " + std::strerror(errno));
  }
  bytes_ += 8;
  std::fclose(file_);
  file_ = nullptr;
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    std::remove(temp_path_.c_str());
    return Status::IOError("cannot rename " + temp_path_ + " to " + path_ + ": " + std::strerror(errno));
  }
  return bytes_;
}

// ---- ReadExport ----

Status ReadExport(const std::string& path, ExportSummary* summary,
                  const std::function<Status(std::string_view stored, const EventDecoder& event)>& on_event) {
  Reader in(path);
  Status s = in.Open();
  if (!s.ok()) return s;
  std::string bytes;
  AlignedBytes aligned;
  s = in.Read(sizeof(kMagic), &bytes, "magic");
  if (!s.ok() || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return Status::InvalidArgument(path + ": not a tenantlog export file (no TLEXPv01 magic)");
  }
  s = in.ReadFramed(kMaxHeaderBytes, &bytes, "header");
  if (!s.ok()) return s;
  const fb::ExportHeader* header = VerifiedRoot<fb::ExportHeader>(bytes, &aligned);
  if (header == nullptr) return in.Bad("header fails the FlatBuffers verifier");
  if (header->format_version() != kFormatVersion) {
    return in.Bad("format version " + std::to_string(header->format_version()) + " (this build reads 1)");
  }
  summary->header.tenant = header->tenant() ? header->tenant()->str() : "";
  summary->header.event_count = header->event_count();
  summary->header.head_seq = header->head_seq();
  summary->header.exported_us = header->exported_us();
  summary->header.source_tenant_id = header->source_tenant_id();
  if (!IsValidTenantName(summary->header.tenant)) return in.Bad("header names an invalid tenant");
  if (summary->header.head_seq != summary->header.event_count) {
    return in.Bad("header's head seq and event count differ");
  }

  EventDecoder decoder;
  std::string stored;
  uint64_t chain = 0;
  int64_t last_time = INT64_MIN;
  for (uint64_t seq = 1; seq <= summary->header.event_count; ++seq) {
    s = in.ReadFramed(kMaxRecordBytes, &bytes, "event " + std::to_string(seq));
    if (!s.ok()) return s;
    chain = ChainNext(chain, bytes);
    stored.clear();
    keys::AppendFixed64(&stored, chain);
    stored.append(bytes);
    s = decoder.Parse(stored);
    if (!s.ok()) return in.Bad("event " + std::to_string(seq) + ": " + s.message());
    if (decoder.seq() != seq) return in.Bad("event " + std::to_string(seq) + " records seq " + std::to_string(decoder.seq()));
    if (decoder.time_us() < last_time) return in.Bad("event " + std::to_string(seq) + ": time goes back");
    if (decoder.kind() == EventKind::kRewind && decoder.rewind_target() >= seq) {
      return in.Bad("event " + std::to_string(seq) + ": rewind target is not an earlier seq");
    }
    last_time = decoder.time_us();
    s = on_event(stored, decoder);
    if (!s.ok()) return s;
  }
  s = in.ReadFramed(kMaxHeaderBytes, &bytes, "trailer");
  if (!s.ok()) return s;
  const fb::ExportTrailer* trailer = VerifiedRoot<fb::ExportTrailer>(bytes, &aligned);
  if (trailer == nullptr) return in.Bad("trailer fails the FlatBuffers verifier");
  if (trailer->event_count() != summary->header.event_count) return in.Bad("trailer and header disagree on the event count");
  if (trailer->chain_head() != chain) return in.Bad("chain head mismatch: the events do not hash to the trailer's chain head");
  summary->chain_head = chain;
  const uint64_t digest = in.Digest();
  s = in.Read(8, &bytes, "checksum", /*hash=*/false);
  if (!s.ok()) return s;
  if (GetLE64(bytes.data()) != digest) return in.Bad("checksum mismatch");
  if (!in.AtEnd()) return in.Bad("bytes after the checksum");
  return Status::OK();
}

}  // namespace tenantlog::exchange
