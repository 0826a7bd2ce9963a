// The server's only way to log. Events are fixed strings chosen at compile time; the only value
// that may accompany one is a coarse count. There is deliberately no way to log a request path,
// an address, a header, a size, a codename or any content.
#pragma once

#include <atomic>
#include <cstddef>

namespace sealdrop::server::log {

enum class Level { kDebug, kInfo, kWarn, kError };

// `event` must be a string literal (checked by the template below).
void Event(Level level, const char* event);
// A count rounded down to its power of ten (0, 1, 10, 100, ...), never exact.
void Count(Level level, const char* event, std::size_t count);

template <std::size_t N>
inline void Info(const char (&event)[N]) { Event(Level::kInfo, event); }
template <std::size_t N>
inline void Warn(const char (&event)[N]) { Event(Level::kWarn, event); }
template <std::size_t N>
inline void Error(const char (&event)[N]) { Event(Level::kError, event); }

// For a warning anyone can repeat at will (connection floods): logged the 1st, 10th, 100th, ...
// time only, with that count, so that a flood can neither flood the log nor block the server on
// a full log pipe. `seen` is the event's own counter (a function-local static at the caller).
template <std::size_t N>
inline void WarnRepeated(const char (&event)[N], std::atomic<std::size_t>& seen) {
  std::size_t n = ++seen;
  while (n % 10 == 0) n /= 10;
  if (n == 1) Count(Level::kWarn, event, seen.load());
}

void SetMinimumLevel(Level level);

}  // namespace sealdrop::server::log
