#include <gtest/gtest.h>

#include "journalist_console/core/idle_lock.h"

namespace sealdrop::console {
namespace {

using std::chrono::minutes;

// A clock the test moves by hand: no sleeping, no timing assertions.
struct ManualClock {
  std::chrono::steady_clock::time_point now{};
  IdleLockedSession::Clock fn() {
    return [this] { return now; };
  }
};

OfficerSession Alice() {
  return OfficerSession({"alice", OfficerRole::kSupervisor}, GenerateKeyPair(KeyRole::kForceDecryption));
}

TEST(IdleLock, EachActionRestartsTheIdleTimer) {
  ManualClock clock;
  IdleLockedSession s(Alice(), minutes(15), clock.fn());
  for (int i = 0; i < 10; ++i) {
    clock.now += minutes(14);
    const OfficerSession* session = s.Use();
    ASSERT_NE(session, nullptr) << "after " << i + 1 << " actions 14 minutes apart";
    EXPECT_EQ(session->name(), "alice");
  }
}

TEST(IdleLock, LocksForGoodAfterTheIdleLimit) {
  ManualClock clock;
  IdleLockedSession s(Alice(), minutes(15), clock.fn());
  clock.now += minutes(10);
  EXPECT_FALSE(s.Locked());  // looking does not count as an action...
  clock.now += minutes(5);
  EXPECT_TRUE(s.Locked());  // ...so 15 minutes after the last one, it is locked
  EXPECT_EQ(s.Use(), nullptr);
  clock.now -= minutes(30);  // a clock going back does not bring the key back
  EXPECT_EQ(s.Use(), nullptr);
}

TEST(IdleLock, SigningOutLocksAtOnce) {
  ManualClock clock;
  IdleLockedSession s(Alice(), minutes(15), clock.fn());
  ASSERT_NE(s.Use(), nullptr);
  s.Lock();
  EXPECT_TRUE(s.Locked());
  EXPECT_EQ(s.Use(), nullptr);
}

}  // namespace
}  // namespace sealdrop::console
