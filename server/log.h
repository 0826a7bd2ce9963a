// The server's only way to log. Events are fixed strings chosen at compile time; the only value
// that may accompany one is a coarse count. There is deliberately no way to log a request path,
// an address, a header, a size, a codename or any content.
#pragma once

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

// For a warning anyone can repeat at will (floods, refusals): logged the 1st, 10th, 100th, ...
// time only, with that count, so that a flood can neither flood the log nor block the server on
// a full log pipe. Each event (literal) keeps its own count. True when this call logged.
bool CountRepeated(Level level, const char* event);
template <std::size_t N>
inline bool WarnRepeated(const char (&event)[N]) { return CountRepeated(Level::kWarn, event); }
// For what reporters and forces do (a report, a login, a reply): the journal time-stamps every
// line, so one line per event would record when each happened. Counted like WarnRepeated.
template <std::size_t N>
inline bool InfoCounted(const char (&event)[N]) { return CountRepeated(Level::kInfo, event); }

void SetMinimumLevel(Level level);

}  // namespace sealdrop::server::log
