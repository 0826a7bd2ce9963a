// `sealdrop-console serve`: the web face on 127.0.0.1 or a unix socket until SIGINT or SIGTERM.
#pragma once

#include <chrono>
#include <string>

namespace sealdrop::console::web {

struct ServeOptions {
  std::string data;      // console directory
  std::string listen;    // "127.0.0.1:PORT" or "unix:/PATH"
  std::chrono::seconds idle{15 * 60};
  std::string media;     // the removable media's mount point; empty: the media pages say how
};

// Returns the process exit status: 0 after a clean stop, 1 on failure, 2 for a refused address
// (one line on stderr each time). Prints "listening ADDRESS" on stdout once it accepts.
int Serve(const ServeOptions& options);

}  // namespace sealdrop::console::web
