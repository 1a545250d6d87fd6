// libFuzzer target: decoding a stored event value must reject damage with
// an error, never crash or read out of bounds.
#include <cstdint>
#include <string_view>

#include "log/envelope.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tenantlog::EventDecoder decoder;
  const std::string_view value(reinterpret_cast<const char*>(data), size);
  if (decoder.Parse(value).ok()) {
    const tenantlog::Event e = decoder.ToEvent();
    (void)e;
  }
  return 0;
}
