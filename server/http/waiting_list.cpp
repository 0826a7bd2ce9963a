#include "server/http/waiting_list.h"

#include <utility>

namespace sealdrop::server {

WaitingList::Id WaitingList::Add(std::function<void()> evict) {
  std::lock_guard lock(mu_);
  const Id id = next_++;
  waiting_.emplace(id, std::move(evict));
  return id;
}

void WaitingList::Remove(Id id) {
  std::lock_guard lock(mu_);
  waiting_.erase(id);
}

bool WaitingList::EvictOldest() {
  std::function<void()> evict;
  {
    std::lock_guard lock(mu_);
    if (waiting_.empty()) return false;
    auto oldest = waiting_.begin();
    evict = std::move(oldest->second);
    waiting_.erase(oldest);
  }
  evict();  // outside the lock: it posts to the connection's own executor
  return true;
}

}  // namespace sealdrop::server
