#include "server/http/upload_slots.h"

#include <algorithm>

namespace sealdrop::server {

std::shared_ptr<UploadSlots> UploadSlots::Create(UploadLimits limits, Clock clock) {
  return std::shared_ptr<UploadSlots>(new UploadSlots(limits, std::move(clock)));
}

std::map<UploadSlots::Id, UploadSlots::Body>::iterator UploadSlots::Slowest(
    std::chrono::steady_clock::time_point now) {
  auto slowest = bodies_.end();
  double slowest_rate = 0;
  for (auto it = bodies_.begin(); it != bodies_.end(); ++it) {
    const Body& body = it->second;
    if (!body.reading_since) continue;  // still being prepared by its route: not the client's doing
    // Judged over at least the grace period: a new body is safe once it has sent floor × grace
    // bytes (a browser sends its first kilobytes with the request head), a new trickle is not.
    // No body is protected merely for being new: a crowd reconnecting as fast as it is dropped
    // would otherwise keep every slot new.
    const std::chrono::duration<double> read_for = now - *body.reading_since;
    const double over = std::max(read_for.count(), std::chrono::duration<double>(limits_.grace).count());
    const double rate = static_cast<double>(body.bytes) / over;
    if (rate >= static_cast<double>(limits_.floor_bytes_per_second)) continue;
    if (slowest == bodies_.end() || rate < slowest_rate) {
      slowest = it;
      slowest_rate = rate;
    }
  }
  return slowest;
}

UploadSlots::Admitted UploadSlots::Admit(std::optional<std::uint32_t> circuit,
                                         std::function<void()> drop) {
  std::function<void()> dropped;
  Id id = 0;
  {
    std::lock_guard lock(mu_);
    if (circuit) {
      const auto same = std::count_if(bodies_.begin(), bodies_.end(),
                                      [&](const auto& kv) { return kv.second.circuit == circuit; });
      if (static_cast<std::size_t>(same) >= limits_.per_circuit) {
        return {Admission::kCircuitFull, std::nullopt};
      }
    }
    if (bodies_.size() >= limits_.slots) {
      const auto victim = Slowest(clock_());
      if (victim == bodies_.end()) return {Admission::kFull, std::nullopt};
      dropped = std::move(victim->second.drop);
      bodies_.erase(victim);
    }
    id = next_++;
    bodies_.emplace(id, Body{circuit, std::nullopt, 0, std::move(drop)});
  }
  if (dropped) dropped();  // outside the lock: it posts to the victim's own strand
  return {Admission::kAdmitted, Ticket(shared_from_this(), id)};
}

std::size_t UploadSlots::in_use() {
  std::lock_guard lock(mu_);
  return bodies_.size();
}

void UploadSlots::Release(Id id) {
  std::function<void()> drop;  // destroyed outside the lock: it may hold the last session ref
  std::lock_guard lock(mu_);
  if (auto it = bodies_.find(id); it != bodies_.end()) {
    drop = std::move(it->second.drop);
    bodies_.erase(it);
  }
}

void UploadSlots::Reading(Id id) {
  std::lock_guard lock(mu_);
  if (auto it = bodies_.find(id); it != bodies_.end() && !it->second.reading_since) {
    it->second.reading_since = clock_();
  }
}

void UploadSlots::Progress(Id id, std::uint64_t bytes) {
  std::lock_guard lock(mu_);
  if (auto it = bodies_.find(id); it != bodies_.end()) it->second.bytes = bytes;
}

}  // namespace sealdrop::server
