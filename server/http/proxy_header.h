// The PROXY protocol v1 header (HAProxy's text form) that Tor sends ahead of each connection when
// the onion service has `HiddenServiceExportCircuitID haproxy`. Tor encodes the client's circuit
// identifier in a fake IPv6 source address in fc00:dead:beef:4dad::/64 (the low 32 bits). The
// server uses it — never an IP address, which it does not have — to rate-limit per circuit.
//
//   "PROXY TCP6 fc00:dead:beef:4dad::0:1a ::1 65535 80\r\n"
//
// Strict: one line of at most 107 bytes ending in CRLF, "PROXY", a family, two addresses and
// two ports; anything else is an error, and the connection is closed. Safe to fuzz.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/result.h"

namespace sealdrop::server {

inline constexpr std::size_t kMaxProxyLineBytes = 107;  // the spec's limit, CRLF included

struct ProxyInfo {
  std::uint32_t circuit_id = 0;
};

// `line` is the whole first line including its CRLF. Fails (kMalformed) unless it is a valid
// v1 header whose source address is in Tor's circuit-id prefix.
Result<ProxyInfo> ParseTorProxyHeader(std::string_view line);

}  // namespace sealdrop::server
