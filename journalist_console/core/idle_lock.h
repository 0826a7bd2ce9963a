// The console locks after an idle period (docs/console.md §5.3). A face that keeps an officer
// signed in across several actions (the web face) holds the session here: each action asks for
// it with Use(), which restarts the idle timer; once `idle_limit` has passed with no action, the
// session is ended for good (the force key wiped) and the officer must sign in again.
//
// The clock is injected (a monotonic clock in production, so a changed wall clock neither locks
// nor unlocks anything). Not thread-safe: the face serialises the actions of one session.
#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include "journalist_console/core/officers.h"

namespace sealdrop::console {

inline constexpr std::chrono::minutes kDefaultIdleLock{15};

class IdleLockedSession {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // REQUIRES: idle_limit > 0 (minutes for the console; the web face's --idle-seconds may be
  // shorter). `clock` defaults to std::chrono::steady_clock::now.
  IdleLockedSession(OfficerSession session, std::chrono::seconds idle_limit = kDefaultIdleLock,
                    Clock clock = {});

  // The session, its idle timer restarted; nullptr once it is locked (then for good).
  const OfficerSession* Use();
  // The session as the last Use() left it, without counting as an action or checking the time;
  // nullptr once locked. For the rest of one action that Use() already let through.
  const OfficerSession* Current() const { return session_ ? &*session_ : nullptr; }
  // Whether the session is over, without counting as an action (it locks if the time has come).
  bool Locked();
  // Signing out: the key is wiped now.
  void Lock() { session_.reset(); }

 private:
  bool Expired() const;

  std::optional<OfficerSession> session_;
  std::chrono::seconds idle_limit_;
  Clock clock_;
  std::chrono::steady_clock::time_point last_used_;
};

}  // namespace sealdrop::console
