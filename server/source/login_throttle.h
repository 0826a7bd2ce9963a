// LoginThrottle: a per-session count of failed codename attempts; past it the session is refused
// until it expires. Cheap to check before any Argon2id work is queued.
//
// There is no server-wide guess limit (issue 13): a codename has 90 bits, so a global limit buys
// no safety, and it let one attacker rotating Tor circuits get every honest returning reporter a
// 429. Guessing is bounded instead per circuit (CircuitLimiter) and by the derivation pool, whose
// queue is fair across circuits (WorkerPool::TrySubmitFor): an honest login waits its turn.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sealdrop::server {

struct LoginThrottleLimits {
  int max_failures_per_session = 10;
  std::size_t max_tracked_sessions = 10000;
};

class LoginThrottle {
 public:
  explicit LoginThrottle(LoginThrottleLimits limits = {}) : limits_(limits) {}

  // True if an attempt from `session` may go ahead now.
  bool TryAttempt(const std::string& session);
  void RecordFailure(const std::string& session);
  void Forget(const std::string& session);

 private:
  LoginThrottleLimits limits_;
  std::mutex mu_;
  std::unordered_map<std::string, int> failures_;
};

}  // namespace sealdrop::server
