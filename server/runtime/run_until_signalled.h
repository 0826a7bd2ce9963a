// The server's I/O threads, run until SIGINT or SIGTERM; then the listeners close and open
// connections drain for up to 10 s before the rest are closed.
#pragma once

#include <boost/asio/io_context.hpp>

#include "server/http/http_server.h"

namespace sealdrop::server {

// Runs `io` on `threads` threads (this one included) until a stop signal has been handled and
// every connection of `server` and `api` (may be null) has ended, or the drain deadline passed.
void RunUntilSignalled(boost::asio::io_context& io, HttpServer& server, HttpServer* api, int threads);

}  // namespace sealdrop::server
