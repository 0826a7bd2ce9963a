#include "server/config/server_config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <set>

#include "common/io.h"
#include "common/display_text.h"
#include "common/utf8.h"
#include "server/http/socket_access.h"
#include "server/source/onion_check.h"

namespace sealdrop::server {
namespace {

constexpr std::size_t kMaxConfigBytes = 64 * 1024;
constexpr long long kMaxBudgetMb = 1ll << 30;               // 1 EiB: no real disk is larger
constexpr long long kMaxBudgetWindowSeconds = 7 * 24 * 3600;  // a week
constexpr auto kMaxBudget = static_cast<std::uint64_t>(kMaxBudgetMb);

template <class T>
Status ReadInt(const toml::table& t, const char* key, T& out, long long lo, long long hi) {
  const toml::node* n = t.get(key);
  if (!n) return Status::Ok();
  const auto v = n->value<long long>();
  if (!n->is_integer() || !v || *v < lo || *v > hi) {
    return MakeError(ErrorCode::kInvalidArgument, std::string("config: ") + key +
                                                      " must be a whole number from " +
                                                      std::to_string(lo) + " to " +
                                                      std::to_string(hi));
  }
  out = static_cast<T>(*v);
  return Status::Ok();
}

Status ReadString(const toml::table& t, const char* key, std::string& out) {
  const toml::node* n = t.get(key);
  if (!n) return Status::Ok();
  if (!n->is_string()) {
    return MakeError(ErrorCode::kInvalidArgument, std::string("config: ") + key + " must be a string");
  }
  out = *n->value<std::string>();
  return Status::Ok();
}

}  // namespace

Result<ServerConfig> LoadServerConfig(const std::string& path) {
  auto text = ReadSmallFile(path, kMaxConfigBytes);
  if (!text) return text.error();
  toml::table t;
  try {
    t = toml::parse(*text, path);
  } catch (const toml::parse_error& e) {
    return MakeError(ErrorCode::kMalformed,
                     "config: " + std::string(e.description()) + " at line " +
                         std::to_string(e.source().begin.line));
  }
  static const std::set<std::string> kKnown = {
      "listen", "force_listen", "source_proxy_protocol", "socket_group", "socket_mode", "log_level",
      "data_dir", "directory", "root_public_key", "threads", "kdf_workers", "kdf_queue",
      "max_upload_mb",
      "max_connections", "max_uploads", "uploads_per_circuit", "upload_grace_seconds",
      "header_timeout_seconds", "session_idle_minutes", "source_retention_days",
      "sender_budget_mb", "sender_budget_window_seconds", "daily_intake_mb", "max_stored_mb",
      "reserve_mb", "force_reserve_mb", "service_name", "operator_name", "phone_number",
      "phone_hours", "exit_url", "onion_hostname", "service_name_cy", "operator_name_cy",
      "phone_hours_cy"};
  for (const auto& [key, value] : t) {
    if (!kKnown.count(std::string(key.str()))) {
      return MakeError(ErrorCode::kInvalidArgument, "config: unknown key " + std::string(key.str()));
    }
  }
  ServerConfig c;
  Status st;
  if (!(st = ReadString(t, "listen", c.listen))) return st.error();
  if (!(st = ReadString(t, "force_listen", c.force_listen))) return st.error();
  if (!(st = ReadString(t, "socket_group", c.socket_group))) return st.error();
  if (!(st = ReadString(t, "socket_mode", c.socket_mode))) return st.error();
  if (!(st = ReadString(t, "log_level", c.log_level))) return st.error();
  if (const toml::node* n = t.get("source_proxy_protocol")) {
    if (!n->is_boolean()) {
      return MakeError(ErrorCode::kInvalidArgument, "config: source_proxy_protocol must be true or false");
    }
    c.source_proxy_protocol = *n->value<bool>();
  }
  if (!(st = ReadString(t, "data_dir", c.data_dir))) return st.error();
  if (!(st = ReadString(t, "directory", c.directory))) return st.error();
  if (!(st = ReadString(t, "root_public_key", c.root_public_key))) return st.error();
  if (!(st = ReadInt(t, "threads", c.threads, 1, 64))) return st.error();
  if (!(st = ReadInt(t, "kdf_workers", c.kdf_workers, 1, 16))) return st.error();
  if (!(st = ReadInt(t, "kdf_queue", c.kdf_queue, 0, 10000))) return st.error();
  if (!(st = ReadInt(t, "max_upload_mb", c.max_upload_mb, 1, 1 << 20))) return st.error();
  if (!(st = ReadInt(t, "max_connections", c.max_connections, 1, 100000))) return st.error();
  if (!(st = ReadInt(t, "max_uploads", c.max_uploads, 0, 100000))) return st.error();
  if (!(st = ReadInt(t, "uploads_per_circuit", c.uploads_per_circuit, 1, 100))) return st.error();
  if (!(st = ReadInt(t, "upload_grace_seconds", c.upload_grace_seconds, 1, 300))) return st.error();
  if (!(st = ReadInt(t, "header_timeout_seconds", c.header_timeout_seconds, 1, 300))) {
    return st.error();
  }
  if (!(st = ReadInt(t, "session_idle_minutes", c.session_idle_minutes, 1, 24 * 60))) {
    return st.error();
  }
  if (!(st = ReadInt(t, "source_retention_days", c.source_retention_days, 30, 3650))) {
    return st.error();
  }
  if (!(st = ReadInt(t, "sender_budget_mb", c.sender_budget_mb, 1, kMaxBudgetMb))) return st.error();
  if (!(st = ReadInt(t, "sender_budget_window_seconds", c.sender_budget_window_seconds, 1,
                     kMaxBudgetWindowSeconds))) {
    return st.error();
  }
  if (!(st = ReadInt(t, "daily_intake_mb", c.daily_intake_mb, 1, kMaxBudgetMb))) return st.error();
  if (!(st = ReadInt(t, "max_stored_mb", c.max_stored_mb, 1, kMaxBudgetMb))) return st.error();
  if (!(st = ReadInt(t, "reserve_mb", c.reserve_mb, 0, kMaxBudgetMb))) return st.error();
  if (!(st = ReadInt(t, "force_reserve_mb", c.force_reserve_mb, 0, kMaxBudgetMb))) return st.error();
  for (auto [key, field] : {std::pair{"service_name", &c.service_name},
                            std::pair{"operator_name", &c.operator_name},
                            std::pair{"phone_number", &c.phone_number},
                            std::pair{"phone_hours", &c.phone_hours},
                            std::pair{"service_name_cy", &c.service_name_cy},
                            std::pair{"operator_name_cy", &c.operator_name_cy},
                            std::pair{"phone_hours_cy", &c.phone_hours_cy},
                            std::pair{"exit_url", &c.exit_url},
                            std::pair{"onion_hostname", &c.onion_hostname}}) {
    if (!(st = ReadString(t, key, *field))) return st.error();
  }
  return c;
}

namespace {

// The face's texts go on every page: plain text only. Mustache escapes what is left (& ' ");
// markup and control characters are refused so that a mistake shows at start, not on a page.
Status CheckFaceText(const char* key, const std::string& value, std::size_t max_chars,
                     bool required) {
  auto bad = [&](const std::string& why) {
    return MakeError(ErrorCode::kInvalidArgument, std::string("config: ") + key + " " + why);
  };
  if (required && value.empty()) return bad("must not be empty");
  // DisplaySafeText changes exactly the characters that could hide or reorder text.
  if (!IsValidUtf8(value) || DisplaySafeText(value) != value) {
    return bad("must be UTF-8 text without control or direction characters");
  }
  const auto chars = std::count_if(value.begin(), value.end(), [](unsigned char ch) {
    return (ch & 0xC0) != 0x80;  // not a continuation byte: one character
  });
  if (static_cast<std::size_t>(chars) > max_chars) {
    return bad("must be at most " + std::to_string(max_chars) + " characters");
  }
  for (const char c : value) {
    const auto ch = static_cast<unsigned char>(c);
    if (ch < 0x20 || ch == 0x7f) return bad("must not contain control characters");
    if (ch == '<' || ch == '>') return bad("must be plain text, without < or >");
  }
  return Status::Ok();
}

Status CheckFace(const ServerConfig& c) {
  Status st;
  if (!(st = CheckFaceText("service_name", c.service_name, 120, true))) return st;
  if (!(st = CheckFaceText("operator_name", c.operator_name, 120, false))) return st;
  if (!(st = CheckFaceText("phone_hours", c.phone_hours, 120, false))) return st;
  if (!(st = CheckFaceText("service_name_cy", c.service_name_cy, 120, false))) return st;
  if (!(st = CheckFaceText("operator_name_cy", c.operator_name_cy, 120, false))) return st;
  if (!(st = CheckFaceText("phone_hours_cy", c.phone_hours_cy, 120, false))) return st;
  if (c.phone_number.size() > 30 ||
      c.phone_number.find_first_not_of("0123456789 +()-") != std::string::npos) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "config: phone_number must be at most 30 digits, spaces and + ( ) -");
  }
  // The exit link opens a neutral site: https only, and only characters that need no escaping
  // in an attribute.
  constexpr std::string_view kHttps = "https://";
  if (c.exit_url.size() <= kHttps.size() || c.exit_url.size() > 200 ||
      !c.exit_url.starts_with(kHttps) ||
      c.exit_url.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "0123456789-._~:/?#[]@!$&()*+,;=%") != std::string::npos) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "config: exit_url must be an https:// address of at most 200 characters, "
                     "without spaces or quotes");
  }
  if (!c.onion_hostname.empty() && !IsOnionHostname(c.onion_hostname)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "config: onion_hostname must be this service's v3 onion address: 56 "
                     "lower-case letters and digits 2-7, then .onion");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateServerConfig(const ServerConfig& c) {
  if (auto st = CheckFace(c); !st) return st;
  if (c.directory.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "no signed force directory: set `directory` or pass --directory");
  }
  if (c.root_public_key.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "no pinned root key: set `root_public_key` or pass --root-pub");
  }
  if (c.data_dir.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty data_dir");
  if (c.log_level != "info" && c.log_level != "warning" && c.log_level != "error") {
    return MakeError(ErrorCode::kInvalidArgument,
                     "config: log_level must be \"info\", \"warning\" or \"error\"");
  }
  if (auto mode = ParseSocketMode(c.socket_mode); !mode) {
    return MakeError(ErrorCode::kInvalidArgument, "config: " + mode.error().message);
  }
  if (c.threads < 1 || c.threads > 64 || c.kdf_workers < 1 || c.kdf_workers > 16 ||
      c.kdf_queue < 0 || c.max_upload_mb < 1 || c.max_connections < 1 ||
      c.header_timeout_seconds < 1 || c.session_idle_minutes < 1 || c.source_retention_days < 30 ||
      c.source_retention_days > 3650 || c.max_uploads < 0 || c.max_uploads > c.max_connections ||
      c.uploads_per_circuit < 1 || c.uploads_per_circuit > 100 || c.upload_grace_seconds < 1 ||
      c.upload_grace_seconds > 300) {
    return MakeError(ErrorCode::kInvalidArgument, "a limit is out of range");
  }
  if (c.sender_budget_mb < 1 || c.sender_budget_mb > kMaxBudget ||
      c.sender_budget_window_seconds < 1 ||
      c.sender_budget_window_seconds > kMaxBudgetWindowSeconds || c.daily_intake_mb < 1 ||
      c.daily_intake_mb > kMaxBudget || c.max_stored_mb < 1 || c.max_stored_mb > kMaxBudget ||
      c.reserve_mb > kMaxBudget || c.force_reserve_mb > kMaxBudget) {
    return MakeError(ErrorCode::kInvalidArgument, "a storage budget is out of range");
  }
  // A budget smaller than one upload would refuse the largest report for ever.
  if (c.sender_budget_mb < c.max_upload_mb || c.daily_intake_mb < c.max_upload_mb ||
      c.max_stored_mb < c.max_upload_mb) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "sender_budget_mb, daily_intake_mb and max_stored_mb must each be at least "
                     "max_upload_mb");
  }
  // Replies must still land when reports are refused for the disk.
  if (c.force_reserve_mb > c.reserve_mb) {
    return MakeError(ErrorCode::kInvalidArgument, "force_reserve_mb must be at most reserve_mb");
  }
  return Status::Ok();
}

}  // namespace sealdrop::server
