#include "server/source/onion_check.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace sealdrop::server {
namespace {

constexpr std::string_view kOnion = ".onion";

std::string HostName(std::string_view host) {
  // An IPv6 literal keeps its colons; elsewhere a colon starts the port.
  if (!host.empty() && host.front() != '[') host = host.substr(0, host.find(':'));
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  std::string name(host);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}

}  // namespace

bool CameThroughOnion(std::string_view host, bool has_tor2web_header,
                      const OnionExpectation& expected) {
  if (has_tor2web_header) return false;
  const std::string name = HostName(host);
  if (!expected.onion_hostname.empty()) return name == HostName(expected.onion_hostname);
  if (expected.behind_tor) return name.size() > kOnion.size() && name.ends_with(kOnion);
  return true;
}

bool IsOnionHostname(std::string_view name) {
  constexpr std::size_t kLabel = 56;
  if (name.size() != kLabel + kOnion.size() || !name.ends_with(kOnion)) return false;
  return std::all_of(name.begin(), name.begin() + kLabel, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7');
  });
}

}  // namespace sealdrop::server
