#include "server/source/session_store.h"

#include <sodium.h>

#include <algorithm>

#include "crypto/keys.h"

namespace sealdrop::server {
namespace {

constexpr std::string_view kCookieName = "sd_session";
constexpr std::size_t kTokenChars = 43;  // base64url of 32 bytes

}  // namespace

SessionStore::SessionStore(std::chrono::seconds idle_expiry, std::size_t max_sessions,
                           Clock clock)
    : idle_expiry_(idle_expiry), max_sessions_(max_sessions), clock_(std::move(clock)) {}

std::string SessionStore::RandomToken() {
  std::uint8_t raw[32];
  randombytes_buf(raw, sizeof raw);
  return Base64UrlEncode(raw);
}

SessionStore::Entry* SessionStore::Live(const std::string& id) {
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return nullptr;
  if (clock_() - it->second.last_used > idle_expiry_) {
    sessions_.erase(it);
    return nullptr;
  }
  it->second.last_used = clock_();
  return &it->second;
}

std::optional<SessionView> SessionStore::Find(const std::string& cookie_value) {
  std::lock_guard lock(mu_);
  Entry* e = Live(cookie_value);
  if (!e) return std::nullopt;
  return SessionView{cookie_value, e->csrf_token, e->identity != nullptr};
}

SessionView SessionStore::Create() {
  std::lock_guard lock(mu_);
  if (sessions_.size() >= max_sessions_) {
    // Evict expired sessions first, then the least recently used.
    const auto now = clock_();
    std::erase_if(sessions_, [&](const auto& kv) { return now - kv.second.last_used > idle_expiry_; });
    if (sessions_.size() >= max_sessions_) {
      const auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](auto& a, auto& b) {
        return a.second.last_used < b.second.last_used;
      });
      sessions_.erase(oldest);
    }
  }
  const std::string id = RandomToken();
  Entry e{RandomToken(), clock_(), nullptr};
  SessionView view{id, e.csrf_token, false};
  sessions_.emplace(id, std::move(e));
  return view;
}

bool SessionStore::CheckCsrf(const std::string& cookie_value, const std::string& token) {
  std::lock_guard lock(mu_);
  Entry* e = Live(cookie_value);
  if (!e || token.size() != e->csrf_token.size()) return false;
  return sodium_memcmp(token.data(), e->csrf_token.data(), token.size()) == 0;
}

std::optional<SessionView> SessionStore::LogIn(const std::string& cookie_value,
                                               SourceIdentity identity) {
  std::lock_guard lock(mu_);
  Entry* e = Live(cookie_value);
  if (!e) return std::nullopt;
  sessions_.erase(cookie_value);  // a new id after login: no session fixation
  const std::string id = RandomToken();
  Entry fresh{RandomToken(), clock_(), std::make_unique<SourceIdentity>(std::move(identity))};
  SessionView view{id, fresh.csrf_token, true};
  sessions_.emplace(id, std::move(fresh));
  return view;
}

bool SessionStore::WithIdentity(const std::string& cookie_value,
                                const std::function<void(const SourceIdentity&)>& fn) {
  std::lock_guard lock(mu_);
  Entry* e = Live(cookie_value);
  if (!e || !e->identity) return false;
  fn(*e->identity);
  return true;
}

void SessionStore::Destroy(const std::string& cookie_value) {
  std::lock_guard lock(mu_);
  sessions_.erase(cookie_value);
}

std::size_t SessionStore::size() {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

std::string SessionCookie(const std::string& id) {
  return std::string(kCookieName) + "=" + id + "; Path=/; HttpOnly; SameSite=Strict";
}

std::string ExpiredSessionCookie() {
  return std::string(kCookieName) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict";
}

std::optional<std::string> SessionIdFromCookieHeader(std::string_view header) {
  while (!header.empty()) {
    const auto semi = header.find(';');
    std::string_view pair = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.substr(0, kCookieName.size() + 1) != std::string(kCookieName) + "=") continue;
    const std::string_view value = pair.substr(kCookieName.size() + 1);
    if (value.size() != kTokenChars) return std::nullopt;
    if (!Base64UrlDecode(value)) return std::nullopt;
    return std::string(value);
  }
  return std::nullopt;
}

}  // namespace sealdrop::server
