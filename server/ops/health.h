// `sealdrop-server health`: what an operator's monitoring needs, in lines a script can read and
// an exit status it can act on (docs/operations.md "Monitoring"). No ids, no times of day:
//
//   up: yes                                     (the source listener answered GET / with 200)
//   directory: serial 7, expires 2027-11-22, 357 days left
//   waiting: MET 3, the oldest 2 day(s) old     (one line per force with items waiting)
//   stored: 12 MiB of 20480 MiB
//   disk: 81234 MiB free, reserve 512 MiB
//   health: ok | warning: WHY | critical: WHY
//
// Exit 0 ok, 1 critical (not answering, directory expired or unreadable, disk under the
// reserve, index unreadable), 3 warning (directory expires within 30 days, an item waiting 7
// days or more: a force has stopped collecting). Run it as the server's user: it reads the
// index read-only beside the running server and connects to the server's own socket.
#pragma once

#include "server/config/server_config.h"

namespace sealdrop::server {

inline constexpr int kDirectoryWarningDays = 30;
inline constexpr int kWaitingWarningDays = 7;

// Prints the report on stdout; returns the exit status above.
int RunHealth(const ServerConfig& config);

}  // namespace sealdrop::server
