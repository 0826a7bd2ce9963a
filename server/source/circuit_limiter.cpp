#include "server/source/circuit_limiter.h"

#include <algorithm>

namespace sealdrop::server {

CircuitLimiter::CircuitLimiter(CircuitLimits limits, Clock clock)
    : rates_{limits.report, limits.login, limits.session},
      max_circuits_(limits.max_circuits),
      clock_(std::move(clock)) {}

void CircuitLimiter::Refill(Bucket& b, std::chrono::steady_clock::time_point now) const {
  const double seconds = std::chrono::duration<double>(now - b.last).count();
  for (std::size_t i = 0; i < kActions; ++i) {
    b.tokens[i] = std::min(rates_[i].burst, b.tokens[i] + seconds * rates_[i].per_second);
  }
  b.last = now;
}

bool CircuitLimiter::IsFull(const Bucket& b) const {
  for (std::size_t i = 0; i < kActions; ++i) {
    if (b.tokens[i] < rates_[i].burst) return false;
  }
  return true;
}

bool CircuitLimiter::TryTake(std::uint32_t circuit, CircuitAction action) {
  std::lock_guard lock(mu_);
  const auto now = clock_();
  auto it = buckets_.find(circuit);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_circuits_) {
      // Drop the buckets that are full again (their circuits have been quiet), then if need be
      // everything: forgetting can only make the limiter more lenient, never use unbounded memory.
      for (auto& [id, bucket] : buckets_) Refill(bucket, now);
      std::erase_if(buckets_, [&](const auto& kv) { return IsFull(kv.second); });
      if (buckets_.size() >= max_circuits_) buckets_.clear();
    }
    Bucket fresh{{}, now};
    for (std::size_t i = 0; i < kActions; ++i) fresh.tokens[i] = rates_[i].burst;
    it = buckets_.emplace(circuit, fresh).first;
  }
  Bucket& b = it->second;
  Refill(b, now);
  double& tokens = b.tokens[static_cast<std::size_t>(action)];
  if (tokens < 1) return false;
  tokens -= 1;
  return true;
}

}  // namespace sealdrop::server
