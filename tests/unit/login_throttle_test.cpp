// LoginThrottle and WorkerPool: the two bounds on codename guessing work.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>

#include "server/source/login_throttle.h"
#include "server/util/worker_pool.h"

namespace sealdrop::server {
namespace {

using namespace std::chrono_literals;

struct FakeClock {
  std::chrono::steady_clock::time_point now{};
  LoginThrottle::Clock fn() {
    return [this] { return now; };
  }
};

TEST(LoginThrottle, AllowsABurstThenTheSteadyRate) {
  FakeClock clock;
  LoginThrottle t({/*burst=*/5, /*per_second=*/1, /*max_failures=*/100, 100}, clock.fn());
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(t.TryAttempt("s" + std::to_string(i)));
  EXPECT_FALSE(t.TryAttempt("s9"));
  clock.now += 1s;
  EXPECT_TRUE(t.TryAttempt("s9"));
  EXPECT_FALSE(t.TryAttempt("s9"));
  clock.now += 1h;  // refills to the burst, not beyond
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(t.TryAttempt("x"));
  EXPECT_FALSE(t.TryAttempt("x"));
}

TEST(LoginThrottle, RefusesASessionAfterItsFailuresUntilForgotten) {
  FakeClock clock;
  LoginThrottle t({1000, 1000, /*max_failures=*/3, 100}, clock.fn());
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(t.TryAttempt("a"));
    t.RecordFailure("a");
  }
  EXPECT_FALSE(t.TryAttempt("a"));
  EXPECT_TRUE(t.TryAttempt("b"));  // other sessions are not affected
  t.Forget("a");
  EXPECT_TRUE(t.TryAttempt("a"));
}

TEST(WorkerPool, RunsJobsAndRefusesWhenTheQueueIsFull) {
  WorkerPool pool(1, 2);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> started;
  std::atomic<int> done{0};
  ASSERT_TRUE(pool.TrySubmit([&] {
    started.set_value();
    gate.wait();
    ++done;
  }));
  started.get_future().wait();  // the worker is busy; the queue is empty
  EXPECT_TRUE(pool.TrySubmit([&] { ++done; }));
  EXPECT_TRUE(pool.TrySubmit([&] { ++done; }));
  EXPECT_FALSE(pool.TrySubmit([&] { ++done; })) << "a third waiting job must be refused";
  EXPECT_EQ(pool.queued(), 2u);
  release.set_value();
  while (done.load() < 3) std::this_thread::yield();
  EXPECT_EQ(done.load(), 3);
}

TEST(WorkerPool, RunsWhatIsQueuedBeforeItStops) {
  std::atomic<int> done{0};
  {
    WorkerPool pool(2, 100);
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(pool.TrySubmit([&] { ++done; }));
  }
  EXPECT_EQ(done.load(), 50);
}

}  // namespace
}  // namespace sealdrop::server
