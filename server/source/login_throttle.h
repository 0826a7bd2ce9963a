// LoginThrottle: bounds codename guessing. Two limits, both cheap to check before any Argon2id
// work is queued:
//   - a global token bucket (burst, then a steady rate) on login attempts, so no flood can buy
//     more derivations than the bucket allows, whatever the number of sessions;
//   - a per-session count of failed attempts: past it the session is refused until it expires.
// Issue 5 adds the same limits per Tor circuit. The clock is injectable.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sealdrop::server {

struct LoginThrottleLimits {
  double burst = 30;            // attempts allowed at once
  double per_second = 2;        // steady rate after the burst
  int max_failures_per_session = 10;
  std::size_t max_tracked_sessions = 10000;
};

class LoginThrottle {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  explicit LoginThrottle(LoginThrottleLimits limits = {},
                         Clock clock = std::chrono::steady_clock::now);

  // True if an attempt from `session` may go ahead now (and counts it against the bucket).
  bool TryAttempt(const std::string& session);
  void RecordFailure(const std::string& session);
  void Forget(const std::string& session);

 private:
  LoginThrottleLimits limits_;
  Clock clock_;
  std::mutex mu_;
  double tokens_;
  std::chrono::steady_clock::time_point last_refill_;
  std::unordered_map<std::string, int> failures_;
};

}  // namespace sealdrop::server
