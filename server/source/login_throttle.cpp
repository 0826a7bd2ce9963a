#include "server/source/login_throttle.h"

#include <algorithm>

namespace sealdrop::server {

LoginThrottle::LoginThrottle(LoginThrottleLimits limits, Clock clock)
    : limits_(limits), clock_(std::move(clock)), tokens_(limits.burst), last_refill_(clock_()) {}

bool LoginThrottle::TryAttempt(const std::string& session) {
  std::lock_guard lock(mu_);
  const auto now = clock_();
  const std::chrono::duration<double> elapsed = now - last_refill_;
  tokens_ = std::min(limits_.burst, tokens_ + elapsed.count() * limits_.per_second);
  last_refill_ = now;
  const auto it = failures_.find(session);
  if (it != failures_.end() && it->second >= limits_.max_failures_per_session) return false;
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

void LoginThrottle::RecordFailure(const std::string& session) {
  std::lock_guard lock(mu_);
  // Bounded memory: a flood of fresh sessions resets the table rather than growing it. The
  // global bucket still holds, so this loses nothing that matters.
  if (failures_.size() >= limits_.max_tracked_sessions && !failures_.count(session)) {
    failures_.clear();
  }
  ++failures_[session];
}

void LoginThrottle::Forget(const std::string& session) {
  std::lock_guard lock(mu_);
  failures_.erase(session);
}

}  // namespace sealdrop::server
