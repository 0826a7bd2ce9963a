// sealdrop-server's configuration: a TOML file (docs/server-config.md) whose every key can be
// overridden on the command line. Unknown keys and out-of-range values are errors: a typo in a
// limit must not silently fall back to a default.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"

namespace sealdrop::server {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";  // "HOST:PORT" (PORT may be 0) or "unix:/path"
  std::string force_listen;  // the force API's listener; empty: no force API
  bool source_proxy_protocol = false;  // Tor's PROXY header (circuit ids) on the source listener
  // Unix sockets (server/http/socket_access.h): the group given them (Debian: "debian-tor", so
  // that tor can connect) and their mode; empty group: the server's own.
  std::string socket_group;
  std::string socket_mode = "0660";
  // The least level logged: "info" (start, stop, power-of-ten counts of what reporters and
  // forces do; never one line per event), "warning" or "error".
  std::string log_level = "info";
  std::string data_dir = "sealdrop-data";
  std::string directory;        // the signed force directory file
  std::string root_public_key;  // the pinned national root key (root.public)
  int threads = 2;              // I/O threads
  int kdf_workers = 1;          // concurrent Argon2id derivations (64 MiB each)
  int kdf_queue = 64;           // derivations waiting (a burst of new reporters queues); more get the form back (503)
  std::uint64_t max_upload_mb = 2048;
  int max_connections = 256;
  // Request bodies' share of max_connections (server/http/upload_slots.h); 0: half of it.
  int max_uploads = 0;
  int uploads_per_circuit = 2;  // behind Tor (source_proxy_protocol)
  int upload_grace_seconds = 5;  // a body read for less than this is never dropped as slow
  int header_timeout_seconds = 10;
  int session_idle_minutes = 60;
  // A reporter's conversation (codename, replies) is forgotten after this many days without
  // activity: no login, follow-up or reply (docs/server.md "Retention").
  int source_retention_days = 365;
  // Storage budgets (docs/server.md "Storage budgets"), in MiB of sealed bytes. Each of the
  // first three must be at least max_upload_mb; force_reserve_mb at most reserve_mb.
  std::uint64_t sender_budget_mb = 4096;          // per circuit and per codename ...
  int sender_budget_window_seconds = 3600;        // ... refilled over this
  std::uint64_t daily_intake_mb = 10240;          // all reporters together, refilled over a day
  std::uint64_t max_stored_mb = 20480;            // reports and follow-ups waiting for forces
  std::uint64_t reserve_mb = 512;                 // free disk reports and follow-ups leave
  std::uint64_t force_reserve_mb = 64;            // free disk the force API's uploads leave
  // The service's own face (server/pages/site_face.h; docs/server.md "The service's face"):
  // plain text, no markup or control characters; shown HTML-escaped.
  std::string service_name = "SealDrop";
  std::string operator_name;  // "" : not shown
  std::string phone_number;   // digits, spaces, + ( ) - only; "" : no phone line shown
  std::string phone_hours;
  // The same in Welsh, for the /cy pages (docs/i18n.md); "" : the value above is shown there.
  std::string service_name_cy;
  std::string operator_name_cy;
  std::string phone_hours_cy;
  std::string exit_url = "https://www.bbc.co.uk/weather";  // the quick exit: an https:// URL
  // This service's onion address ("<56 characters>.onion"): a request naming another Host gets
  // a warning on every page (server/source/onion_check.h). "" : not checked.
  std::string onion_hostname;
};

// Reads `path` over the defaults above.
Result<ServerConfig> LoadServerConfig(const std::string& path);
// Checks ranges and required keys (directory, root_public_key).
Status ValidateServerConfig(const ServerConfig& config);

}  // namespace sealdrop::server
