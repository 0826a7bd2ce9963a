// sealdrop-server: the source interface (and, later, the force API) behind Tor.
#include <CLI/CLI.hpp>
#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdio>
#include <thread>
#include <vector>

#include "server/http/http_server.h"
#include "server/log.h"
#include "server/source/source_site.h"

using namespace sealdrop::server;

int main(int argc, char** argv) {
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);

  CLI::App app{"SealDrop server: the source interface behind a Tor onion service"};
  app.name("sealdrop-server");
  std::string listen = "127.0.0.1:8080";
  int threads = 2;
  HttpLimits limits;
  std::size_t max_connections = limits.max_connections;
  app.add_option("--listen", listen, "127.0.0.1:PORT (0 picks one) or unix:/path/to/socket");
  app.add_option("--threads", threads, "I/O threads")->check(CLI::Range(1, 64));
  app.add_option("--max-connections", max_connections, "Concurrent connection cap");
  int header_timeout = static_cast<int>(limits.header_timeout.count());
  app.add_option("--header-timeout", header_timeout, "Seconds allowed for a request's headers")
      ->check(CLI::Range(1, 300));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  limits.max_connections = max_connections;
  limits.header_timeout = std::chrono::seconds(header_timeout);

  boost::asio::io_context io(threads);
  SourceSite site;
  auto server = HttpServer::Listen(io, listen, site, limits);
  if (!server) {
    std::fprintf(stderr, "sealdrop-server: %s\n", server.error().message.c_str());
    return 1;
  }
  // The one line a supervisor or test reads to find the server.
  std::printf("listening %s\n", (*server)->address().c_str());
  std::fflush(stdout);
  log::Info("started");

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  boost::asio::steady_timer drain_deadline(io);
  signals.async_wait([&](const boost::system::error_code&, int) {
    log::Info("stopping: draining connections");
    (*server)->Stop();
    drain_deadline.expires_after(std::chrono::seconds(10));
    drain_deadline.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) {
        log::Warn("drain deadline passed: closing remaining connections");
        io.stop();
      }
    });
  });
  // When the listener and every session are gone, only the timer keeps run() busy: poll for it.
  boost::asio::steady_timer idle_check(io);
  std::function<void()> check;
  check = [&] {
    idle_check.expires_after(std::chrono::milliseconds(100));
    idle_check.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      if (drain_deadline.expiry() != boost::asio::steady_timer::time_point{} &&
          (*server)->active_connections() == 0) {
        io.stop();
        return;
      }
      check();
    });
  };
  check();

  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
  log::Info("stopped");
  return 0;
}
