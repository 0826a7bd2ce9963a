// sealdrop-server: the source interface and the force API, each behind its own Tor onion service.
// Holds no force secret key and links no code that could read one.
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <sys/stat.h>

#include <thread>
#include <variant>

#include "common/clock.h"
#include "crypto/public_key_file.h"
#include "server/config/command_line.h"
#include "server/config/live_directory.h"
#include "server/forceapi/force_api.h"
#include "server/i18n/catalogue.h"
#include "server/http/http_server.h"
#include "server/http/socket_access.h"
#include "server/kdf/kdf_helpers.h"
#include "server/log.h"
#include "server/ops/health.h"
#include "server/ops/status.h"
#include "server/pages/site_face.h"
#include "server/runtime/daily_pass.h"
#include "server/runtime/directory_watch.h"
#include "server/runtime/run_until_signalled.h"
#include "server/sandbox/core_dumps.h"
#include "server/sandbox/seccomp_filter.h"
#include "server/source/source_site.h"
#include "server/storage/instance_salt.h"
#include "server/util/disk_space.h"

using namespace sealdrop;
using namespace sealdrop::server;

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "sealdrop-server: %s\n", message.c_str());
  return 1;
}

StorageBudgetLimits BudgetLimits(const ServerConfig& c) {
  return {.sender_bytes = c.sender_budget_mb << 20,
          .sender_window = std::chrono::seconds(c.sender_budget_window_seconds),
          .daily_intake_bytes = c.daily_intake_mb << 20,
          .max_stored_bytes = c.max_stored_mb << 20,
          .reserve_bytes = c.reserve_mb << 20};
}

}  // namespace

int main(int argc, char** argv) {
  if (auto st = sandbox::DisableCoreDumps(); !st) return Fail(st.error().message);
  // Everything the server makes is its own alone (the data files are 0600 anyway); its sockets
  // are opened up to tor's group afterwards, by SetSocketAccess.
  ::umask(077);

  auto parsed = ParseCommandLine(argc, argv);
  if (const int* exit_code = std::get_if<int>(&parsed)) return *exit_code;
  const CommandLine& line = std::get<CommandLine>(parsed);
  const ServerConfig& config = line.config;
  if (line.command == ServerCommand::kStatus) return PrintStatus(line.status_data_dir, config);
  if (line.command == ServerCommand::kHealth) return RunHealth(config);
  log::SetMinimumLevel(config.log_level == "error"     ? log::Level::kError
                       : config.log_level == "warning" ? log::Level::kWarn
                                                       : log::Level::kInfo);

  auto root = ReadPublicKeyFile(config.root_public_key, KeyRole::kRoot);
  if (!root) return Fail(root.error().message);
  auto live_directory = LiveDirectory::Open(config.directory, *root, TodayUtc);
  if (!live_directory) {
    return Fail("the force directory was refused: " + live_directory.error().message);
  }
  LiveDirectory& force_directory = **live_directory;
  WarnIfExpiring(force_directory);
  auto store = SealedStore::Open(config.data_dir);
  if (!store) return Fail(store.error().message);
  // The derivation helpers are forked now, before any thread exists; they alone keep the
  // instance secret, and this process wipes its copy (server/kdf/kdf_helpers.h).
  std::unique_ptr<HelperDeriver> helpers;
  {
    auto salt = LoadOrCreateInstanceSalt(config.data_dir);
    if (!salt) return Fail(salt.error().message);
    auto spawned = HelperDeriver::Spawn(salt->span(), static_cast<std::size_t>(config.kdf_workers));
    if (!spawned) return Fail(spawned.error().message);
    helpers = std::move(*spawned);
  }
  const SourceDeriver& deriver = *helpers;

  SessionStore sessions(std::chrono::minutes(config.session_idle_minutes));
  LoginThrottle throttle;
  CircuitLimiter circuits;
  WorkerPool kdf_pool(static_cast<std::size_t>(config.kdf_workers),
                      static_cast<std::size_t>(config.kdf_queue));
  // Finishing uploads: never refused for lack of queue room (each connection has at most one).
  WorkerPool disk_pool(1, static_cast<std::size_t>(config.max_connections));
  auto form_tokens = FormTokens::LoadOrCreate(
      config.data_dir, [] { return static_cast<std::int64_t>(std::time(nullptr)); });
  if (!form_tokens) return Fail(form_tokens.error().message);
  // Opened now: after the system-call filter only fstatvfs on this descriptor is possible.
  auto disk = DiskSpace::Open(config.data_dir);
  if (!disk) return Fail(disk.error().message);
  const FreeBytesReader free_bytes = [&disk] { return disk->FreeBytes(); };
  StorageBudget budget(BudgetLimits(config), [&store] { return (*store)->StoredBytes(); },
                       free_bytes);
  SiteContext ctx{force_directory, **store, sessions, kdf_pool, disk_pool, deriver, throttle,
                  circuits, *form_tokens, SiteLimits{config.max_upload_mb << 20, 4096}};
  ctx.storage_budget = &budget;
  ctx.onion_hostname = config.onion_hostname;
  ctx.behind_tor = config.source_proxy_protocol;
  // Before any page is rendered or thread started (site_face.h).
  SetSiteFace({.service_name = config.service_name,
               .operator_name = config.operator_name,
               .phone_number = config.phone_number,
               .phone_hours = config.phone_hours,
               .service_name_cy = config.service_name_cy,
               .operator_name_cy = config.operator_name_cy,
               .phone_hours_cy = config.phone_hours_cy,
               .exit_url = config.exit_url,
               .retention_days = config.source_retention_days,
               .session_idle_minutes = config.session_idle_minutes});
  LoadCatalogues();  // the translations' locales, built before the sandbox (docs/i18n.md)
  SourceSite site(ctx);

  HttpLimits limits;
  limits.max_connections = static_cast<std::size_t>(config.max_connections);
  limits.header_timeout = std::chrono::seconds(config.header_timeout_seconds);
  limits.max_uploads = static_cast<std::size_t>(config.max_uploads);
  limits.uploads_per_circuit = static_cast<std::size_t>(config.uploads_per_circuit);
  limits.upload_grace = std::chrono::seconds(config.upload_grace_seconds);
  boost::asio::io_context io(config.threads);
  HttpLimits source_limits = limits;
  source_limits.require_proxy_header = config.source_proxy_protocol;
  auto server = HttpServer::Listen(io, config.listen, site, source_limits);
  if (!server) return Fail(server.error().message);
  const SocketAccess socket_access{config.socket_group, ParseSocketMode(config.socket_mode).value()};
  if (auto st = SetSocketAccess(config.listen, socket_access); !st) return Fail(st.error().message);
  const auto wall_clock = [] { return static_cast<std::int64_t>(std::time(nullptr)); };
  // Requests signed at or before the second we started in are refused (request_auth.h: nonces
  // do not survive a restart). The force API waits for that second to pass, so that no request
  // signed once it answers is refused for it.
  const std::int64_t started_at = wall_clock();
  if (!config.force_listen.empty()) {
    const auto into_second = std::chrono::system_clock::now().time_since_epoch() % std::chrono::seconds(1);
    // + 20 ms: time() may read a coarse clock that turns a tick later.
    std::this_thread::sleep_for(std::chrono::seconds(1) - into_second + std::chrono::milliseconds(20));
  }
  RequestAuthenticator auth(force_directory, AuthLimits{}, wall_clock, started_at);
  // One envelope of the largest report, with room for Padmé's padding and chunk overhead.
  ForceApiContext api_ctx{force_directory, **store, auth, disk_pool, deriver,
                          (config.max_upload_mb << 20) + (config.max_upload_mb << 18) + (8u << 20)};
  api_ctx.free_bytes = free_bytes;
  api_ctx.reserve_bytes = config.force_reserve_mb << 20;
  ForceApi api(api_ctx);
  std::unique_ptr<HttpServer> api_server;
  if (!config.force_listen.empty()) {
    auto listening = HttpServer::Listen(io, config.force_listen, api, limits);
    if (!listening) return Fail("force API: " + listening.error().message);
    if (auto st = SetSocketAccess(config.force_listen, socket_access); !st) {
      return Fail("force API: " + st.error().message);
    }
    api_server = std::move(*listening);
  }
  DirectoryWatch directory_watch(io, force_directory);
  // Start-up is over: from here on, only the calls serving needs (docs/server.md "System-call
  // filter"). Before "listening", so a server that answers is always confined.
  if (auto st = sandbox::InstallSyscallFilter(sandbox::SyscallProfile::kNetworkServer); !st) {
    return Fail(st.error().message);
  }
  // The lines a supervisor or test reads to find the server; "listening" comes last.
  if (api_server) std::printf("force-api %s\n", api_server->address().c_str());
  std::printf("listening %s\n", (*server)->address().c_str());
  std::fflush(stdout);
  log::Info("started");
  DailyPass daily_pass(io, **store, disk_pool, config.source_retention_days);
  RunUntilSignalled(io, **server, api_server.get(), config.threads);
  daily_pass.Stop();
  directory_watch.Stop();
  log::Info("stopped");
  return 0;
}
