#include "server/http/proxy_header.h"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <string>
#include <vector>

namespace sealdrop::server {
namespace {

Error Bad(const char* what) { return MakeError(ErrorCode::kMalformed, std::string("PROXY header: ") + what); }

bool ParsePort(std::string_view s) {
  if (s.empty() || s.size() > 5 || (s.size() > 1 && s.front() == '0')) return false;
  unsigned v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size() && v <= 65535;
}

}  // namespace

Result<ProxyInfo> ParseTorProxyHeader(std::string_view line) {
  if (line.size() > kMaxProxyLineBytes) return Bad("too long");
  if (line.size() < 2 || line.substr(line.size() - 2) != "\r\n") return Bad("no CRLF");
  line.remove_suffix(2);
  std::vector<std::string_view> fields;
  while (!line.empty()) {
    const auto sp = line.find(' ');
    fields.push_back(line.substr(0, sp));
    if (sp == std::string_view::npos) break;
    line.remove_prefix(sp + 1);
    if (line.empty()) return Bad("trailing space");
  }
  if (fields.size() != 6 || fields[0] != "PROXY") return Bad("not a v1 header");
  if (fields[1] != "TCP6") return Bad("not a Tor circuit (family)");
  std::array<unsigned char, 16> src{}, dst{};
  const std::string s(fields[2]), d(fields[3]);
  if (inet_pton(AF_INET6, s.c_str(), src.data()) != 1 || inet_pton(AF_INET6, d.c_str(), dst.data()) != 1) {
    return Bad("bad address");
  }
  if (!ParsePort(fields[4]) || !ParsePort(fields[5])) return Bad("bad port");
  static constexpr std::array<unsigned char, 8> kTorPrefix = {0xfc, 0x00, 0xde, 0xad,
                                                               0xbe, 0xef, 0x4d, 0xad};
  for (std::size_t i = 0; i < 8; ++i) {
    if (src[i] != kTorPrefix[i]) return Bad("not a Tor circuit (prefix)");
  }
  if (src[8] != 0 || src[9] != 0 || src[10] != 0 || src[11] != 0) return Bad("not a Tor circuit id");
  ProxyInfo info;
  info.circuit_id = (static_cast<std::uint32_t>(src[12]) << 24) | (static_cast<std::uint32_t>(src[13]) << 16) |
                    (static_cast<std::uint32_t>(src[14]) << 8) | static_cast<std::uint32_t>(src[15]);
  return info;
}

}  // namespace sealdrop::server
