// Server-side sessions for the source interface. A session id is 256 random bits, sent only in
// an HttpOnly, SameSite=Strict cookie; each session carries a CSRF token for its forms and, once
// the reporter has logged in with a codename, the derived source identity (held in memory only,
// never written anywhere). Sessions expire after an idle period. The clock is injectable.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "crypto/codename.h"

namespace sealdrop::server {

using Clock = std::function<std::chrono::steady_clock::time_point()>;

struct SessionView {
  std::string id;          // cookie value (base64url of 32 random bytes)
  std::string csrf_token;  // base64url of 32 random bytes
  bool logged_in = false;
};

class SessionStore {
 public:
  explicit SessionStore(std::chrono::seconds idle_expiry, std::size_t max_sessions = 10000,
                        Clock clock = std::chrono::steady_clock::now);

  // The live session for `cookie_value`, refreshed; nullopt when unknown or expired.
  std::optional<SessionView> Find(const std::string& cookie_value);
  // A new anonymous session (the oldest is evicted when full).
  SessionView Create();
  // Constant-time check of a form's token against the session's.
  bool CheckCsrf(const std::string& cookie_value, const std::string& token);
  // Attaches a source identity (after a codename login) and rotates the session id and token;
  // returns the new view.
  std::optional<SessionView> LogIn(const std::string& cookie_value, SourceIdentity identity);
  // Runs `fn` with the session's identity while holding the lock; false when not logged in.
  bool WithIdentity(const std::string& cookie_value,
                    const std::function<void(const SourceIdentity&)>& fn);
  void Destroy(const std::string& cookie_value);
  std::size_t size();

 private:
  struct Entry {
    std::string csrf_token;
    std::chrono::steady_clock::time_point last_used;
    std::unique_ptr<SourceIdentity> identity;
  };
  Entry* Live(const std::string& id);  // REQUIRES: mu_ held
  static std::string RandomToken();

  std::chrono::seconds idle_expiry_;
  std::size_t max_sessions_;
  Clock clock_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> sessions_;
};

// "sd_session=...; Path=/; HttpOnly; SameSite=Strict" (no Max-Age: a browser-session cookie).
std::string SessionCookie(const std::string& id);
// Clears the cookie in the browser (log out).
std::string ExpiredSessionCookie();
// The sd_session value from a Cookie header, if present and well-formed.
std::optional<std::string> SessionIdFromCookieHeader(std::string_view cookie_header);

}  // namespace sealdrop::server
