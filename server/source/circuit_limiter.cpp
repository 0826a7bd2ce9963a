#include "server/source/circuit_limiter.h"

#include <algorithm>

namespace sealdrop::server {

CircuitLimiter::CircuitLimiter(CircuitLimits limits, Clock clock)
    : limits_(limits), clock_(std::move(clock)) {}

void CircuitLimiter::Refill(Bucket& b, std::chrono::steady_clock::time_point now) const {
  const double seconds = std::chrono::duration<double>(now - b.last).count();
  const CircuitRate rates[3] = {limits_.report, limits_.login, limits_.session};
  for (int i = 0; i < 3; ++i) {
    b.tokens[i] = std::min(rates[i].burst, b.tokens[i] + seconds * rates[i].per_second);
  }
  b.last = now;
}

bool CircuitLimiter::TryTake(std::uint32_t circuit, CircuitAction action) {
  std::lock_guard lock(mu_);
  const auto now = clock_();
  auto it = buckets_.find(circuit);
  if (it == buckets_.end()) {
    if (buckets_.size() >= limits_.max_circuits) {
      // Drop the buckets that are full again (their circuits have been quiet), then if need be
      // everything: forgetting can only make the limiter more lenient, never use unbounded memory.
      for (auto& [id, bucket] : buckets_) Refill(bucket, now);
      std::erase_if(buckets_, [&](const auto& kv) {
        return kv.second.tokens[0] >= limits_.report.burst &&
               kv.second.tokens[1] >= limits_.login.burst &&
               kv.second.tokens[2] >= limits_.session.burst;
      });
      if (buckets_.size() >= limits_.max_circuits) buckets_.clear();
    }
    it = buckets_.emplace(circuit, Bucket{{limits_.report.burst, limits_.login.burst, limits_.session.burst}, now}).first;
  }
  Bucket& b = it->second;
  Refill(b, now);
  const auto i = static_cast<std::size_t>(action);
  if (b.tokens[i] < 1) return false;
  b.tokens[i] -= 1;
  return true;
}

}  // namespace sealdrop::server
