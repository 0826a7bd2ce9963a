// WaitingList: the connections that are waiting for a request header (a new connection, or a
// kept-alive one between requests), oldest first. When the connection cap is reached, the
// listener evicts the one that has waited longest to admit the new one. A slowloris client (many
// connections that never finish a header) or a flood of idle connections then cannot lock real
// visitors out: a browser sends its header at once, so its connection stops waiting long before
// it is the oldest; only if it waits while `cap` newer connections arrive is it dropped (and
// through Tor, the onion service's per-circuit stream cap and PoW bound that rate). One more kind
// of connection waits here: an upload refused an upload slot that reads on through its text
// fields to give the form back (upload_slots.h). Nothing else is evicted while it is reading a
// body or writing an answer: slow bodies are upload_slots.h's business.
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace sealdrop::server {

class WaitingList {
 public:
  using Id = std::uint64_t;

  // Registers a waiter; `evict` is called (once, from the evicting thread) to close it.
  Id Add(std::function<void()> evict);
  // The waiter got its header (or closed): it is no longer evictable. No-op after eviction.
  void Remove(Id id);
  // Evicts the oldest waiter; false when nothing is waiting.
  bool EvictOldest();

 private:
  std::mutex mu_;
  Id next_ = 1;
  std::map<Id, std::function<void()>> waiting_;  // ids grow with time: begin() is the oldest
};

}  // namespace sealdrop::server
