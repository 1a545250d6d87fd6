// libFuzzer target: the JSON Lines batch of `append --jsonl` must reject any
// malformed input with an error, never crash; and a batch it accepts must
// hold only events the store can take apart from their sizes (a type and a
// key, no payload on a delete), which read back the same once written out
// again by JsonLineFor.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tools/jsonl_batch.h"

namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "jsonl_fuzz: %s\n", what);
  std::abort();
}

bool SameEvent(const tenantlog::DataEvent& a, const tenantlog::DataEvent& b) {
  return a.type == b.type && a.key == b.key && a.op == b.op && a.payload == b.payload &&
         a.time_us == b.time_us;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using tenantlog::tool::ParseJsonLinesBatch;
  const std::string_view content(reinterpret_cast<const char*>(data), size);
  const auto batch = ParseJsonLinesBatch(content, "fuzz");
  if (!batch.ok()) {
    if (!batch.status().IsInvalidArgument()) Fail("an error other than InvalidArgument");
    if (batch.status().message().empty()) Fail("an error without a message");
    return 0;
  }
  if (batch->empty()) Fail("an empty batch accepted");
  std::string again;
  for (const tenantlog::DataEvent& event : batch->events()) {
    if (event.type.empty() || event.key.empty()) Fail("an event without a type or a key");
    if (event.op == tenantlog::Op::kDelete && !event.payload.empty()) Fail("a delete with a payload");
    again += tenantlog::tool::JsonLineFor(event) + "\n";
  }
  const auto reread = ParseJsonLinesBatch(again, "fuzz, written again");
  if (!reread.ok()) Fail(reread.status().message().c_str());
  if (reread->size() != batch->size()) Fail("written again, the batch has another size");
  for (size_t i = 0; i < batch->size(); ++i) {
    if (!SameEvent(batch->events()[i], reread->events()[i])) Fail("written again, an event differs");
  }
  return 0;
}
