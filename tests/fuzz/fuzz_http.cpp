// libFuzzer target: HTTP request handling end to end. A real sealdrop HttpServer with the real
// source site and force API (a real SealedStore in a temporary directory, the vector directory)
// runs in this process on unix sockets; each input is sent as raw bytes over a fresh connection
// (the first byte picks the site: even = source interface, odd = force API), the write side is
// shut, and the whole answer is read. Whatever the bytes, the server must answer or close,
// never crash, and keep serving the next input.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include "crypto/codename.h"
#include "server/forceapi/force_api.h"
#include "server/source/source_site.h"
#include "server/storage/instance_salt.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace sealdrop;
using namespace sealdrop::server;

struct Instance {
  std::string dir;
  std::unique_ptr<SealedStore> store;
  std::unique_ptr<InProcessDeriver> deriver;
  std::unique_ptr<FormTokens> form_tokens;
  SessionStore sessions{std::chrono::minutes(60)};
  LoginThrottle throttle;
  CircuitLimiter circuits;
  WorkerPool kdf_pool{1, 4};
  WorkerPool disk_pool{1, 64};
  std::unique_ptr<SiteContext> site_ctx;
  std::unique_ptr<SourceSite> site;
  std::unique_ptr<RequestAuthenticator> auth;
  std::unique_ptr<ForceApiContext> api_ctx;
  std::unique_ptr<ForceApi> api;
  boost::asio::io_context io{1};
  std::unique_ptr<HttpServer> source_server;
  std::unique_ptr<HttpServer> api_server;
  std::thread thread;

  Instance() {
    char tmpl[] = "/tmp/sealdrop-fuzz-http-XXXXXX";
    if (!mkdtemp(tmpl)) __builtin_trap();
    dir = tmpl;
    auto opened = SealedStore::Open(dir);
    auto salt = LoadOrCreateInstanceSalt(dir);
    if (!opened || !salt) __builtin_trap();
    store = std::move(*opened);
    deriver = std::make_unique<InProcessDeriver>(salt->span());
    form_tokens = std::make_unique<FormTokens>(SecretBuffer(kFormKeyBytes),
                                               [] { return fuzz::kNow; });
    static const LiveDirectory directory(fuzz::VectorDirectory());
    site_ctx.reset(new SiteContext{directory, *store, sessions, kdf_pool, disk_pool, *deriver,
                                   throttle, circuits, *form_tokens, SiteLimits{1u << 20, 4096},
                                   [] { return std::string(fuzz::kToday); }});
    site = std::make_unique<SourceSite>(*site_ctx);
    // Started a second before the fixed clock: the seeds are signed at kNow.
    auth = std::make_unique<RequestAuthenticator>(directory, AuthLimits{},
                                                  [] { return fuzz::kNow; }, fuzz::kNow - 1);
    api_ctx.reset(new ForceApiContext{directory, *store, *auth, disk_pool, *deriver, 1u << 20,
                                      [] { return std::string(fuzz::kToday); }});
    api = std::make_unique<ForceApi>(*api_ctx);
    // The production limits: every server-side wait is 10 s or more, and none of them should
    // ever run its course here, since the client has half-closed before it reads.
    const HttpLimits limits;
    auto s = HttpServer::Listen(io, "unix:" + dir + "/source.sock", *site, limits);
    auto a = HttpServer::Listen(io, "unix:" + dir + "/api.sock", *api, limits);
    if (!s || !a) __builtin_trap();
    source_server = std::move(*s);
    api_server = std::move(*a);
    thread = std::thread([this] { io.run(); });
    thread.detach();  // lives as long as the fuzzing process
  }
};

Instance& TheInstance() {
  static Instance* instance = new Instance();  // never destroyed: the I/O thread keeps running
  return *instance;
}

constexpr std::chrono::seconds kSilenceLimit{8};

void Exchange(const std::string& socket_path, const std::uint8_t* data, std::size_t size) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) __builtin_trap();
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) __builtin_trap();
  std::size_t sent = 0;
  while (sent < size) {
    const ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the server closed early (e.g. 413): fine
    sent += static_cast<std::size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  // The client has half-closed, so the server has nothing to wait for: it must answer and close
  // at once. Silence for kSilenceLimit is a hang (below every server timeout, and below
  // libFuzzer's own -timeout, so that the stack is ours).
  char buf[16 * 1024];
  auto deadline = std::chrono::steady_clock::now() + kSilenceLimit;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) __builtin_trap();
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    // libFuzzer's SIGALRM watchdog interrupts poll(2) every few seconds, whatever SA_RESTART
    // says: that is not silence (it once passed for a hang here).
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) __builtin_trap();
    if (ready == 0) continue;  // the deadline check above decides
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    deadline = std::chrono::steady_clock::now() + kSilenceLimit;
  }
  ::close(fd);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  Instance& in = TheInstance();
  const bool api = data[0] & 1;
  Exchange(in.dir + (api ? "/api.sock" : "/source.sock"), data + 1, size - 1);
  return 0;
}
