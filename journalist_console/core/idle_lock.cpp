#include "journalist_console/core/idle_lock.h"

namespace sealdrop::console {

IdleLockedSession::IdleLockedSession(OfficerSession session, std::chrono::seconds idle_limit,
                                     Clock clock)
    : session_(std::move(session)),
      idle_limit_(idle_limit),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })) {
  if (idle_limit_ <= std::chrono::seconds::zero()) Die("IdleLockedSession: idle limit must be > 0");
  last_used_ = clock_();
}

bool IdleLockedSession::Expired() const { return clock_() - last_used_ >= idle_limit_; }

bool IdleLockedSession::Locked() {
  if (session_ && Expired()) Lock();
  return !session_;
}

const OfficerSession* IdleLockedSession::Use() {
  if (Locked()) return nullptr;
  last_used_ = clock_();
  return &*session_;
}

}  // namespace sealdrop::console
