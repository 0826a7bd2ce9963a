// libFuzzer target: Tor's PROXY v1 header line parser (server/http/proxy_header).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/http/proxy_header.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  auto parsed = sealdrop::server::ParseTorProxyHeader(line);
  if (parsed.ok()) {
    // A parsed header is a bounded line.
    if (size > sealdrop::server::kMaxProxyLineBytes) __builtin_trap();
  }
  return 0;
}
