#include "journalist_console/web/serve.h"

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <csignal>
#include <cstdio>
#include <filesystem>

#include "journalist_console/web/console_app.h"

namespace sealdrop::console::web {
namespace {

constexpr std::chrono::seconds kSweepEvery{1};

int Fail(const std::string& message) {
  std::fprintf(stderr, "sealdrop-console: %s\n", message.c_str());
  return 1;
}

// Locks idle sessions even when no request comes: the key does not wait in memory for one.
void SweepLoop(boost::asio::steady_timer& timer, ConsoleApp& app) {
  timer.expires_after(kSweepEvery);
  timer.async_wait([&timer, &app](const boost::system::error_code& ec) {
    if (ec) return;
    app.Sweep();
    SweepLoop(timer, app);
  });
}

}  // namespace

int Serve(const ServeOptions& o) {
  if (auto st = CheckLoopbackAddress(o.listen); !st) {
    std::fprintf(stderr, "sealdrop-console: %s\n", st.error().message.c_str());
    return 2;
  }
  if (o.idle.count() <= 0) {
    std::fprintf(stderr, "sealdrop-console: the idle period must be at least one second\n");
    return 2;
  }
  auto store = ConsoleStore::Open(o.data);
  if (!store) return Fail(store.error().message);
  if (!o.media.empty() && !std::filesystem::is_directory(o.media)) {
    return Fail("--media " + o.media + " is not a directory (the removable media's mount point)");
  }
  ConsoleApp app(**store, WebConfig{.idle = o.idle, .media = o.media},
                 [] { return std::chrono::steady_clock::now(); });
  boost::asio::io_context io(1);
  auto listener = HttpListener::Listen(io, o.listen, [&app](Request& r) { return app.Handle(r); }, {});
  if (!listener) return Fail(listener.error().message);
  app.SetListenAddress((*listener)->address());
  boost::asio::steady_timer sweep(io);
  SweepLoop(sweep, app);
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    (*listener)->Stop();
    sweep.cancel();
    io.stop();
  });
  std::printf("listening %s\n", (*listener)->address().c_str());
  std::fflush(stdout);
  io.run();
  return 0;  // the sessions (keys, search indexes) are wiped as `app` goes
}

}  // namespace sealdrop::console::web
