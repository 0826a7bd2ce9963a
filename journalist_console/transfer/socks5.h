// A SOCKS5 client (RFC 1928), just enough for Tor: no authentication, CONNECT by domain name so
// that the proxy resolves it (".onion" names only make sense to Tor; local DNS never sees them).
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <string>

#include "common/result.h"

namespace sealdrop::transfer {

// On `socket`, already connected to the proxy: greets it and asks for a connection to
// host:port. Errors name the proxy's reply (Tor's extended codes included, e.g. "onion service
// needs client authorisation").
Status Socks5Connect(boost::asio::ip::tcp::socket& socket, const std::string& host,
                     std::uint16_t port);

// The sentence for a SOCKS5 reply code.
std::string Socks5ReplyText(std::uint8_t code);

}  // namespace sealdrop::transfer
