#include "server/runtime/run_until_signalled.h"

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <csignal>
#include <functional>
#include <thread>
#include <vector>

#include "server/log.h"

namespace sealdrop::server {

void RunUntilSignalled(boost::asio::io_context& io, HttpServer& server, HttpServer* api, int threads) {
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  boost::asio::steady_timer drain_deadline(io);
  signals.async_wait([&](const boost::system::error_code&, int) {
    log::Info("stopping: draining connections");
    server.Stop();
    if (api) api->Stop();
    drain_deadline.expires_after(std::chrono::seconds(10));
    drain_deadline.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) {
        log::Warn("drain deadline passed: closing remaining connections");
        io.stop();
      }
    });
  });
  // When the listener and every session are gone, only the timers keep run() busy: poll.
  boost::asio::steady_timer idle_check(io);
  std::function<void()> check;
  check = [&] {
    idle_check.expires_after(std::chrono::milliseconds(100));
    idle_check.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      if (drain_deadline.expiry() != boost::asio::steady_timer::time_point{} &&
          server.active_connections() == 0 && (!api || api->active_connections() == 0)) {
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
}

}  // namespace sealdrop::server
