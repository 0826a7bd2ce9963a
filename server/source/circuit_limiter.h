// CircuitLimiter: per-Tor-circuit rate limits (the circuit id comes from Tor's PROXY header; the
// server never has an IP address). A token bucket per circuit and action: a burst, then a steady
// rate. A new circuit costs an attacker a few seconds of Tor work, so these limits make floods
// slower and more expensive rather than impossible; the bounded KDF pool and global throttle
// remain the hard caps. Memory is bounded: past `max_circuits`, idle (full) buckets are dropped,
// then all. The clock is injectable. Thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>

namespace sealdrop::server {

// kSession: a new session (opening the report or login form without a live session cookie). The
// session store is bounded and evicts its oldest entries; without this limit a few circuits could
// open sessions fast enough to push out a slow writer's, whose report would then be refused.
enum class CircuitAction { kReport = 0, kLogin = 1, kSession = 2 };

struct CircuitRate {
  double burst;
  double per_second;
};

struct CircuitLimits {
  CircuitRate report{5, 1.0 / 120};  // five reports at once, then one every two minutes
  CircuitRate login{10, 1.0 / 30};   // ten codename attempts, then one every 30 seconds
  CircuitRate session{20, 1.0 / 10};  // twenty new sessions, then one every ten seconds
  std::size_t max_circuits = 100000;
};

class CircuitLimiter {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  explicit CircuitLimiter(CircuitLimits limits = {}, Clock clock = std::chrono::steady_clock::now);
  // True (and a token is spent) when `circuit` may do `action` now.
  bool TryTake(std::uint32_t circuit, CircuitAction action);

 private:
  static constexpr std::size_t kActions = 3;
  struct Bucket {
    std::array<double, kActions> tokens;
    std::chrono::steady_clock::time_point last;
  };
  void Refill(Bucket& b, std::chrono::steady_clock::time_point now) const;
  bool IsFull(const Bucket& b) const;

  std::array<CircuitRate, kActions> rates_;  // indexed by CircuitAction
  std::size_t max_circuits_;
  Clock clock_;
  std::mutex mu_;
  std::unordered_map<std::uint32_t, Bucket> buckets_;
};

}  // namespace sealdrop::server
