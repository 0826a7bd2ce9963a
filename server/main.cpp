// sealdrop-server: the source interface and the force API, each behind its own Tor onion service.
// Holds no force secret key and links no code that could read one.
#include <CLI/CLI.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <sys/stat.h>

#include <thread>
#include <vector>

#include "common/io.h"
#include "common/clock.h"
#include "common/version.h"
#include "crypto/directory.h"
#include "crypto/public_key_file.h"
#include "server/config/live_directory.h"
#include "server/config/server_config.h"
#include "server/forceapi/force_api.h"
#include "server/http/http_server.h"
#include "server/http/socket_access.h"
#include "server/log.h"
#include "server/ops/health.h"
#include "server/pages/site_face.h"
#include "server/source/source_site.h"
#include "server/kdf/kdf_helpers.h"
#include "server/i18n/catalogue.h"
#include "server/sandbox/core_dumps.h"
#include "server/sandbox/seccomp_filter.h"
#include "server/storage/backlog.h"
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

// Runs the I/O threads until SIGINT/SIGTERM, then drains connections for up to 10 s.
// One retention pass (docs/server.md "Retention"): counts only, at powers of ten.
void ForgetInactiveSources(SealedStore& store, const std::string& before_day) {
  auto done = store.ForgetInactiveSources(before_day);
  if (!done) {
    log::Error("retention pass failed: nothing was deleted");
    return;
  }
  log::Count(log::Level::kInfo, "retention: conversations forgotten", done->sources);
}

// What the operator must hear about the directory's expiry (docs/operations.md "Renewing the
// force directory"): every day from 30 days before, and every day after.
void WarnIfExpiring(const LiveDirectory& directory) {
  const int left = directory.DaysLeft();
  if (left < 0) {
    log::Error("the force directory has expired: new reports and follow-ups are refused until a "
               "renewed one is installed");
  } else if (left <= 30) {
    log::Warn("the force directory expires within 30 days: renew it");
  }
}

void ReloadDirectory(LiveDirectory& directory) {
  auto outcome = directory.Reload();
  if (!outcome) {
    // Through the log, so that the journal keeps the line at its level (a raw stderr line would
    // be dropped by the unit's LogLevelMax); the reasons are the verifier's kinds of error.
    switch (outcome.error().code) {
      case ErrorCode::kInvalidArgument:
        log::Error("a new force directory was refused (an older serial than the current one: a "
                   "rollback); the current one stays");
        break;
      case ErrorCode::kBadSignature:
        log::Error("a new force directory was refused (not signed by the pinned root key); the "
                   "current one stays");
        break;
      case ErrorCode::kExpired:
        log::Error("a new force directory was refused (not valid yet: check the clock); the "
                   "current one stays");
        break;
      case ErrorCode::kIo:
      case ErrorCode::kNotFound:
        log::Error("a new force directory was refused (the file cannot be read); the current one "
                   "stays");
        break;
      default:
        log::Error("a new force directory was refused (not a signed force directory, or "
                   "damaged); the current one stays");
    }
  } else if (*outcome == LiveDirectory::Outcome::kRenewed) {
    log::Warn("a renewed force directory is now in use");
  }
  if (outcome && *outcome != LiveDirectory::Outcome::kSame) WarnIfExpiring(directory);
}

void RunUntilSignalled(boost::asio::io_context& io, HttpServer& server, HttpServer* api,
                       int threads) {
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

// `sealdrop-server status`: what waits for each force's console, then the stored bytes and the
// free disk against the budgets of `config`. Reads the index only, so it runs beside a live
// server.
int PrintStatus(const std::string& data_dir, const ServerConfig& config) {
  auto store = SealedStore::OpenReadOnly(data_dir);
  if (!store) return Fail(store.error().message);
  auto backlog = (*store)->WaitingByForce();
  if (!backlog) return Fail(backlog.error().message);
  auto stored = (*store)->StoredBytes();
  if (!stored) return Fail(stored.error().message);
  auto disk = DiskSpace::Open(data_dir);
  if (!disk) return Fail(disk.error().message);
  auto free = disk->FreeBytes();
  if (!free) return Fail(free.error().message);
  const std::string out =
      FormatBacklog(*backlog, TodayUtc()) +
      FormatStorage({.stored_bytes = *stored,
                     .max_stored_bytes = config.max_stored_mb << 20,
                     .free_bytes = *free,
                     .reserve_bytes = config.reserve_mb << 20});
  std::fputs(out.c_str(), stdout);
  return std::fflush(stdout) == 0 ? 0 : Fail("cannot write the status");
}

}  // namespace

int main(int argc, char** argv) {
  if (auto st = sandbox::DisableCoreDumps(); !st) return Fail(st.error().message);
  // Everything the server makes is its own alone (the data files are 0600 anyway); its sockets
  // are opened up to tor's group afterwards, by SetSocketAccess.
  ::umask(077);

  CLI::App app{"SealDrop server: the source interface behind a Tor onion service"};
  app.name("sealdrop-server");
  app.set_version_flag("--version", std::string("sealdrop-server ") + kVersion);
  std::string config_path;
  app.add_option("--config", config_path, "TOML configuration file (docs/server-config.md)");
  // Flags override the file; they are applied after it is read.
  std::optional<std::string> listen, force_listen, data_dir, directory, root_pub;
  std::optional<int> threads, kdf_workers, kdf_queue, max_connections, header_timeout,
      session_idle, max_uploads, uploads_per_circuit, upload_grace;
  std::optional<std::uint64_t> max_upload_mb;
  bool proxy_protocol = false;
  app.add_option("--listen", listen, "127.0.0.1:PORT (0 picks one) or unix:/path/to/socket");
  app.add_option("--force-listen", force_listen,
                 "The force API: 127.0.0.1:PORT or unix:/path (behind the force onion service)");
  std::optional<std::string> socket_group, socket_mode, log_level;
  app.add_option("--log-level", log_level, "Least level logged: info, warning or error");
  app.add_option("--socket-group", socket_group,
                 "Group given the unix sockets (debian-tor, so that tor can connect)");
  app.add_option("--socket-mode", socket_mode, "Mode of the unix sockets: 0600, 0660 or 0666");
  app.add_flag("--source-proxy-protocol", proxy_protocol,
               "Expect Tor's PROXY header (HiddenServiceExportCircuitID haproxy) on --listen");
  app.add_option("--data", data_dir, "Data directory (index, sealed blobs, instance salt)");
  app.add_option("--directory", directory, "Signed force directory file");
  app.add_option("--root-pub", root_pub, "Pinned national root public key (root.public)");
  app.add_option("--threads", threads, "I/O threads")->check(CLI::Range(1, 64));
  app.add_option("--kdf-workers", kdf_workers, "Concurrent codename derivations")
      ->check(CLI::Range(1, 16));
  app.add_option("--kdf-queue", kdf_queue, "Derivations allowed to wait (then 503)")
      ->check(CLI::Range(0, 10000));
  app.add_option("--max-upload-mb", max_upload_mb, "Largest report, all files together (MiB)")
      ->check(CLI::Range(1, 1 << 20));
  app.add_option("--max-connections", max_connections, "Concurrent connection cap")
      ->check(CLI::Range(1, 100000));
  app.add_option("--max-uploads", max_uploads,
                 "Request bodies read at once, a share of the connection cap (0: half of it)")
      ->check(CLI::Range(0, 100000));
  app.add_option("--uploads-per-circuit", uploads_per_circuit,
                 "Request bodies read at once from one Tor circuit")
      ->check(CLI::Range(1, 100));
  app.add_option("--upload-grace-seconds", upload_grace,
                 "Seconds a body is read before it may be dropped as the slowest")
      ->check(CLI::Range(1, 300));
  app.add_option("--header-timeout", header_timeout, "Seconds allowed for a request's headers")
      ->check(CLI::Range(1, 300));
  app.add_option("--session-idle-minutes", session_idle, "Idle minutes before a session ends")
      ->check(CLI::Range(1, 24 * 60));
  std::optional<std::uint64_t> sender_budget_mb, daily_intake_mb, max_stored_mb, reserve_mb,
      force_reserve_mb;
  std::optional<int> sender_budget_window;
  constexpr std::uint64_t kMaxMb = 1ull << 30;
  app.add_option("--sender-budget-mb", sender_budget_mb,
                 "Sealed MiB one circuit (and one codename's follow-ups) may store per window")
      ->check(CLI::Range(std::uint64_t{1}, kMaxMb));
  app.add_option("--sender-budget-window", sender_budget_window,
                 "Seconds over which a sender's budget refills")
      ->check(CLI::Range(1, 7 * 24 * 3600));
  app.add_option("--daily-intake-mb", daily_intake_mb,
                 "Sealed MiB all reporters together may store per day")
      ->check(CLI::Range(std::uint64_t{1}, kMaxMb));
  app.add_option("--max-stored-mb", max_stored_mb,
                 "Most MiB of reports and follow-ups waiting for forces")
      ->check(CLI::Range(std::uint64_t{1}, kMaxMb));
  app.add_option("--reserve-mb", reserve_mb,
                 "Free disk (MiB) that reports and follow-ups always leave")
      ->check(CLI::Range(std::uint64_t{0}, kMaxMb));
  app.add_option("--force-reserve-mb", force_reserve_mb,
                 "Free disk (MiB) that the force API's uploads always leave")
      ->check(CLI::Range(std::uint64_t{0}, kMaxMb));
  std::optional<int> retention_days;
  app.add_option("--retention-days", retention_days,
                 "Days without activity after which a reporter's codename and replies are deleted")
      ->check(CLI::Range(30, 3650));
  auto* status = app.add_subcommand(
      "status", "Print, per force, how many items wait for its console and the oldest's age in days");
  std::string status_data, status_config;
  status->add_option("--data", status_data, "Data directory (read only)");
  status->add_option("--config", status_config, "TOML configuration file naming the data directory");
  auto* health = app.add_subcommand(
      "health", "Check the running server for monitoring: up, directory days left, backlog, disk "
                "(exit 0 ok, 1 critical, 3 warning)");
  std::string health_config;
  health->add_option("--config", health_config, "The server's TOML configuration file");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }

  if (status->parsed()) {
    if (!status_config.empty()) config_path = status_config;
    // The budgets shown are the configuration's when there is one, else the defaults.
    ServerConfig shown;
    if (!config_path.empty()) {
      auto loaded = LoadServerConfig(config_path);
      if (!loaded) return Fail(loaded.error().message);
      shown = *loaded;
    }
    if (max_stored_mb) shown.max_stored_mb = *max_stored_mb;
    if (reserve_mb) shown.reserve_mb = *reserve_mb;
    if (!status_data.empty()) return PrintStatus(status_data, shown);
    if (data_dir) return PrintStatus(*data_dir, shown);
    if (config_path.empty()) {
      std::fprintf(stderr, "sealdrop-server: status needs --data DIR or --config FILE\n");
      return 2;
    }
    return PrintStatus(shown.data_dir, shown);
  }

  if (health->parsed() && !health_config.empty()) config_path = health_config;
  ServerConfig config;
  if (!config_path.empty()) {
    auto loaded = LoadServerConfig(config_path);
    if (!loaded) return Fail(loaded.error().message);
    config = *loaded;
  }
  if (listen) config.listen = *listen;
  if (force_listen) config.force_listen = *force_listen;
  if (socket_group) config.socket_group = *socket_group;
  if (socket_mode) config.socket_mode = *socket_mode;
  if (log_level) config.log_level = *log_level;
  if (proxy_protocol) config.source_proxy_protocol = true;
  if (data_dir) config.data_dir = *data_dir;
  if (directory) config.directory = *directory;
  if (root_pub) config.root_public_key = *root_pub;
  if (threads) config.threads = *threads;
  if (kdf_workers) config.kdf_workers = *kdf_workers;
  if (kdf_queue) config.kdf_queue = *kdf_queue;
  if (max_upload_mb) config.max_upload_mb = *max_upload_mb;
  if (max_connections) config.max_connections = *max_connections;
  if (header_timeout) config.header_timeout_seconds = *header_timeout;
  if (max_uploads) config.max_uploads = *max_uploads;
  if (uploads_per_circuit) config.uploads_per_circuit = *uploads_per_circuit;
  if (upload_grace) config.upload_grace_seconds = *upload_grace;
  if (session_idle) config.session_idle_minutes = *session_idle;
  if (retention_days) config.source_retention_days = *retention_days;
  if (sender_budget_mb) config.sender_budget_mb = *sender_budget_mb;
  if (sender_budget_window) config.sender_budget_window_seconds = *sender_budget_window;
  if (daily_intake_mb) config.daily_intake_mb = *daily_intake_mb;
  if (max_stored_mb) config.max_stored_mb = *max_stored_mb;
  if (reserve_mb) config.reserve_mb = *reserve_mb;
  if (force_reserve_mb) config.force_reserve_mb = *force_reserve_mb;
  if (auto st = ValidateServerConfig(config); !st) return Fail(st.error().message);
  if (health->parsed()) return RunHealth(config);
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
  // A renewed directory is taken without a restart: on SIGHUP, and when the file or the day has
  // changed (checked each minute).
  boost::asio::signal_set hangup(io, SIGHUP);
  std::function<void()> on_hangup = [&] {
    hangup.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      ReloadDirectory(force_directory);
      on_hangup();
    });
  };
  on_hangup();
  boost::asio::steady_timer directory_timer(io);
  std::function<void()> directory_check = [&] {
    directory_timer.expires_after(std::chrono::minutes(1));
    directory_timer.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      if (force_directory.Stale()) ReloadDirectory(force_directory);
      directory_check();
    });
  };
  directory_check();
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
  // Retention and spare blob files: at start, then once a day, on the disk pool (never on an
  // I/O thread).
  boost::asio::steady_timer retention_timer(io);
  std::function<void()> retention;
  retention = [&] {
    const bool queued = disk_pool.TrySubmit([&store, days = config.source_retention_days] {
      ForgetInactiveSources(**store, AddDays(TodayUtc(), -days));
      // Spare blob files are made here, at a time no upload chose (blob_files.h).
      if (auto st = (*store)->ReplenishSpares(); !st) log::Error("making spare blob files failed");
    });
    if (!queued) log::Warn("retention pass skipped: disk pool busy");
    retention_timer.expires_after(std::chrono::hours(24));
    retention_timer.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) retention();
    });
  };
  retention();
  RunUntilSignalled(io, **server, api_server.get(), config.threads);
  retention_timer.cancel();
  directory_timer.cancel();
  hangup.cancel();
  log::Info("stopped");
  return 0;
}
