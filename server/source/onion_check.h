// Did a request reach the source interface through this service's onion address, the way Tor
// Browser sends it? A reporter who came another way (a Tor2web gateway, a proxy under another
// name) is exposed to whoever runs it, and every page then says so (source_site.cpp).
//
// Two signs, either enough:
//  - an X-Tor2web header: Tor2web gateways announce themselves with it;
//  - a Host that is not the onion. Checked only when the server knows its onion: with
//    onion_hostname configured, Host must be that name; else with source_proxy_protocol (every
//    connection comes from Tor), Host must end in ".onion". Without either there is nothing to
//    compare with (a development server, the tests on 127.0.0.1), and only the header counts.
// A port and one trailing dot on Host are ignored; names compare without regard to case.
#pragma once

#include <string_view>

namespace sealdrop::server {

struct OnionExpectation {
  std::string_view onion_hostname = {};  // "" : not configured
  bool behind_tor = false;          // source_proxy_protocol
};

bool CameThroughOnion(std::string_view host, bool has_tor2web_header,
                      const OnionExpectation& expected);

// True for "<56 base32 characters>.onion" (a v3 onion address), lower case.
bool IsOnionHostname(std::string_view name);

}  // namespace sealdrop::server
