// LoginThrottle and WorkerPool: the bounds on codename guessing work, and the fair derivation queue.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>

#include "server/source/login_throttle.h"
#include "server/util/worker_pool.h"

namespace sealdrop::server {
namespace {

using namespace std::chrono_literals;

TEST(LoginThrottle, HasNoServerWideLimit) {
  // Issue 13: one attacker's attempts (here a thousand sessions) never refuse anyone else.
  LoginThrottle t;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(t.TryAttempt("attacker" + std::to_string(i)));
    t.RecordFailure("attacker" + std::to_string(i));
  }
  EXPECT_TRUE(t.TryAttempt("honest"));
}

TEST(LoginThrottle, RefusesASessionAfterItsFailuresUntilForgotten) {
  LoginThrottle t({.max_failures_per_session = 3, .max_tracked_sessions = 100});
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

TEST(WorkerPool, ACircuitHasAtMostOneJobWaitingAndOthersStillGetIn) {
  WorkerPool pool(1, 3);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> started;
  std::atomic<int> done{0};
  ASSERT_TRUE(pool.TrySubmitFor(1, [&] {
    started.set_value();
    gate.wait();
    ++done;
  }));
  started.get_future().wait();  // circuit 1's job runs: circuit 1 may queue its next one
  EXPECT_TRUE(pool.TrySubmitFor(1, [&] { ++done; }));
  EXPECT_FALSE(pool.TrySubmitFor(1, [&] { ++done; })) << "a second waiting job of one circuit";
  EXPECT_TRUE(pool.TrySubmitFor(2, [&] { ++done; })) << "another circuit is not held back";
  EXPECT_TRUE(pool.TrySubmitFor(std::nullopt, [&] { ++done; })) << "no circuit: plain FIFO";
  EXPECT_FALSE(pool.TrySubmitFor(3, [&] { ++done; })) << "the queue is full";
  release.set_value();
  while (done.load() < 4) std::this_thread::yield();
  // Once circuit 1's job has left the queue, it may ask again.
  std::promise<void> again;
  ASSERT_TRUE(pool.TrySubmitFor(1, [&] { again.set_value(); }));
  again.get_future().wait();
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
