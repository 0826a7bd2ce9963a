#include "server/source/login_throttle.h"

namespace sealdrop::server {

bool LoginThrottle::TryAttempt(const std::string& session) {
  std::lock_guard lock(mu_);
  const auto it = failures_.find(session);
  return it == failures_.end() || it->second < limits_.max_failures_per_session;
}

void LoginThrottle::RecordFailure(const std::string& session) {
  std::lock_guard lock(mu_);
  // Bounded memory: a flood of fresh sessions resets the table rather than growing it. Sessions
  // are themselves limited per circuit, and a reset gives a guesser ten more tries against 2^90.
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
