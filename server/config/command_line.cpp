#include "server/config/command_line.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <functional>
#include <vector>

#include "common/version.h"

namespace sealdrop::server {
namespace {

// A flag's value, kept until the file is read: flags override the file.
using Override = std::function<void(ServerConfig&)>;

class Overrides {
 public:
  explicit Overrides(CLI::App& app) : app_(app) {}

  template <class T>
  CLI::Option* Add(const std::string& flag, T ServerConfig::*key, const std::string& help) {
    return app_.add_option_function<T>(
        flag, [this, key](const T& value) { list_.push_back([key, value](ServerConfig& c) { c.*key = value; }); },
        help);
  }
  void AddFlag(const std::string& flag, bool ServerConfig::*key, const std::string& help) {
    app_.add_flag_function(
        flag, [this, key](std::int64_t) { list_.push_back([key](ServerConfig& c) { c.*key = true; }); },
        help);
  }
  void ApplyTo(ServerConfig& config) const {
    for (const auto& apply : list_) apply(config);
  }

 private:
  CLI::App& app_;
  std::vector<Override> list_;
};

void AddServingFlags(Overrides& o) {
  using C = ServerConfig;
  o.Add("--listen", &C::listen, "127.0.0.1:PORT (0 picks one) or unix:/path/to/socket");
  o.Add("--force-listen", &C::force_listen,
        "The force API: 127.0.0.1:PORT or unix:/path (behind the force onion service)");
  o.Add("--log-level", &C::log_level, "Least level logged: info, warning or error");
  o.Add("--socket-group", &C::socket_group,
        "Group given the unix sockets (debian-tor, so that tor can connect)");
  o.Add("--socket-mode", &C::socket_mode, "Mode of the unix sockets: 0600, 0660 or 0666");
  o.AddFlag("--source-proxy-protocol", &C::source_proxy_protocol,
            "Expect Tor's PROXY header (HiddenServiceExportCircuitID haproxy) on --listen");
  o.Add("--data", &C::data_dir, "Data directory (index, sealed blobs, instance salt)");
  o.Add("--directory", &C::directory, "Signed force directory file");
  o.Add("--root-pub", &C::root_public_key, "Pinned national root public key (root.public)");
  o.Add("--threads", &C::threads, "I/O threads")->check(CLI::Range(1, 64));
  o.Add("--kdf-workers", &C::kdf_workers, "Concurrent codename derivations")->check(CLI::Range(1, 16));
  o.Add("--kdf-queue", &C::kdf_queue, "Derivations allowed to wait (then 503)")
      ->check(CLI::Range(0, 10000));
  o.Add("--max-upload-mb", &C::max_upload_mb, "Largest report, all files together (MiB)")
      ->check(CLI::Range(1, 1 << 20));
  o.Add("--max-connections", &C::max_connections, "Concurrent connection cap")
      ->check(CLI::Range(1, 100000));
  o.Add("--max-uploads", &C::max_uploads,
        "Request bodies read at once, a share of the connection cap (0: half of it)")
      ->check(CLI::Range(0, 100000));
  o.Add("--uploads-per-circuit", &C::uploads_per_circuit,
        "Request bodies read at once from one Tor circuit")
      ->check(CLI::Range(1, 100));
  o.Add("--upload-grace-seconds", &C::upload_grace_seconds,
        "Seconds a body is read before it may be dropped as the slowest")
      ->check(CLI::Range(1, 300));
  o.Add("--header-timeout", &C::header_timeout_seconds, "Seconds allowed for a request's headers")
      ->check(CLI::Range(1, 300));
  o.Add("--session-idle-minutes", &C::session_idle_minutes, "Idle minutes before a session ends")
      ->check(CLI::Range(1, 24 * 60));
  constexpr std::uint64_t kMaxMb = 1ull << 30;
  o.Add("--sender-budget-mb", &C::sender_budget_mb,
        "Sealed MiB one circuit (and one codename's follow-ups) may store per window")
      ->check(CLI::Range(std::uint64_t{1}, kMaxMb));
  o.Add("--sender-budget-window", &C::sender_budget_window_seconds,
        "Seconds over which a sender's budget refills")
      ->check(CLI::Range(1, 7 * 24 * 3600));
  o.Add("--daily-intake-mb", &C::daily_intake_mb, "Sealed MiB all reporters together may store per day")
      ->check(CLI::Range(std::uint64_t{1}, kMaxMb));
  o.Add("--max-stored-mb", &C::max_stored_mb, "Most MiB of reports and follow-ups waiting for forces")
      ->check(CLI::Range(std::uint64_t{1}, kMaxMb));
  o.Add("--reserve-mb", &C::reserve_mb, "Free disk (MiB) that reports and follow-ups always leave")
      ->check(CLI::Range(std::uint64_t{0}, kMaxMb));
  o.Add("--force-reserve-mb", &C::force_reserve_mb,
        "Free disk (MiB) that the force API's uploads always leave")
      ->check(CLI::Range(std::uint64_t{0}, kMaxMb));
  o.Add("--retention-days", &C::source_retention_days,
        "Days without activity after which a reporter's codename and replies are deleted")
      ->check(CLI::Range(30, 3650));
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "sealdrop-server: %s\n", message.c_str());
  return 1;
}

}  // namespace

std::variant<CommandLine, int> ParseCommandLine(int argc, char** argv) {
  CLI::App app{"SealDrop server: the source interface behind a Tor onion service"};
  app.name("sealdrop-server");
  app.set_version_flag("--version", std::string("sealdrop-server ") + kVersion);
  std::string config_path;
  app.add_option("--config", config_path, "TOML configuration file (docs/server-config.md)");
  Overrides overrides(app);
  AddServingFlags(overrides);
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

  CommandLine line;
  if (status->parsed()) line.command = ServerCommand::kStatus;
  if (health->parsed()) line.command = ServerCommand::kHealth;
  if (!status_config.empty()) config_path = status_config;
  if (!health_config.empty()) config_path = health_config;
  if (!config_path.empty()) {
    auto loaded = LoadServerConfig(config_path);
    if (!loaded) return Fail(loaded.error().message);
    line.config = *loaded;
  }
  overrides.ApplyTo(line.config);
  if (line.command == ServerCommand::kStatus) {
    // Read only, beside a live server: the budgets shown are the configuration's (or the
    // defaults), the directory the one named last.
    if (!status_data.empty()) {
      line.status_data_dir = status_data;
    } else if (app.count("--data") > 0 || !config_path.empty()) {
      line.status_data_dir = line.config.data_dir;
    } else {
      std::fprintf(stderr, "sealdrop-server: status needs --data DIR or --config FILE\n");
      return 2;
    }
    return line;
  }
  if (auto st = ValidateServerConfig(line.config); !st) return Fail(st.error().message);
  return line;
}

}  // namespace sealdrop::server
