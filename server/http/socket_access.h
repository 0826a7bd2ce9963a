// Who may connect to the server's unix sockets. Tor runs as its own user (Debian: debian-tor)
// and needs write permission on the socket to connect; nobody else should have it. The server
// makes its files with umask 077, so a socket starts as srwx------; SetSocketAccess then gives
// it `mode` and, when `group` is set, that group (the server must run with it: the packaged unit
// makes debian-tor its primary group, Group=debian-tor). A socket tor cannot open would leave the onion
// service down with nothing but tor's own log to say so: a failure here stops the start.
#pragma once

#include <string>

#include "common/result.h"

namespace sealdrop::server {

struct SocketAccess {
  std::string group;  // empty: keep the server's own group
  unsigned mode = 0660;
};

// Parses "0600", "0660" or "0666" (read-write for owner, group, everyone; nothing else makes
// sense for a socket).
Result<unsigned> ParseSocketMode(const std::string& text);

// Applies `access` to `address` when it is "unix:PATH"; TCP addresses are left alone.
Status SetSocketAccess(const std::string& address, const SocketAccess& access);

}  // namespace sealdrop::server
