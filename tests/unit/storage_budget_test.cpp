// StorageBudget with an injected clock, free space and stored total: each limit refuses at its
// edge, nothing is charged by a refusal, an upload that ends uncommitted gives its bytes back,
// a committed one counts as stored until the index says otherwise, and buckets refill.
#include "server/source/storage_budget.h"

#include <gtest/gtest.h>

#include "tests/support/process.h"

namespace sealdrop::server {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t kMiB = 1 << 20;

struct Fixture {
  std::chrono::steady_clock::time_point now{};
  std::uint64_t free = 1000 * kMiB;
  std::uint64_t stored = 0;
  int stored_reads = 0;
  StorageBudget budget;

  explicit Fixture(StorageBudgetLimits limits)
      : budget(
            limits,
            [this]() -> Result<std::uint64_t> {
              ++stored_reads;
              return stored;
            },
            [this]() -> Result<std::uint64_t> { return free; }, [this] { return now; }) {}
};

StorageBudgetLimits Small() {
  return {.sender_bytes = 10 * kMiB,
          .sender_window = 100s,
          .daily_intake_bytes = 50 * kMiB,
          .max_stored_bytes = 30 * kMiB,
          .reserve_bytes = 100 * kMiB};
}

std::vector<SenderKey> One(std::uint32_t circuit) { return {CircuitSender(circuit)}; }

const std::vector<SenderKey> kCircuit1 = One(1);
const std::vector<SenderKey> kCircuit2 = One(2);

TEST(StorageBudget, ASenderIsRefusedPastItsBucketAndOthersAreNot) {
  Fixture f(Small());
  auto r = f.budget.Open(kCircuit1);
  EXPECT_FALSE(r.Charge(6 * kMiB));
  EXPECT_EQ(r.Charge(5 * kMiB), BudgetLimit::kSender);
  EXPECT_EQ(r.charged(), 6 * kMiB) << "a refused charge spends nothing";
  EXPECT_FALSE(r.Charge(4 * kMiB));
  r.Commit();
  EXPECT_EQ(f.budget.Check(kCircuit1, 1), BudgetLimit::kSender);
  EXPECT_FALSE(f.budget.Check(kCircuit2, 10 * kMiB)) << "another circuit has its own budget";
  // Every key of an upload must have room: a circuit and a codename.
  const std::vector<SenderKey> both{CircuitSender(2), CircuitSender(1)};
  EXPECT_EQ(f.budget.Check(both, 1), BudgetLimit::kSender);
}

TEST(StorageBudget, ASendersBucketRefillsOverItsWindow) {
  Fixture f(Small());
  {
    auto r = f.budget.Open(kCircuit1);
    ASSERT_FALSE(r.Charge(10 * kMiB));
    r.Commit();
  }
  EXPECT_EQ(f.budget.Check(kCircuit1, kMiB), BudgetLimit::kSender);
  f.now += 50s;  // half the window: half the bucket
  EXPECT_FALSE(f.budget.Check(kCircuit1, 5 * kMiB));
  EXPECT_EQ(f.budget.Check(kCircuit1, 6 * kMiB), BudgetLimit::kSender);
  f.now += 1000s;  // never more than full
  EXPECT_FALSE(f.budget.Check(kCircuit1, 10 * kMiB));
  EXPECT_EQ(f.budget.Check(kCircuit1, 10 * kMiB + 1), BudgetLimit::kSender);
}

TEST(StorageBudget, AnUploadThatIsNotCommittedGivesItsBytesBack) {
  Fixture f(Small());
  {
    auto r = f.budget.Open(kCircuit1);
    ASSERT_FALSE(r.Charge(9 * kMiB));
    EXPECT_EQ(f.budget.Snapshot().pending_bytes, 9 * kMiB);
    EXPECT_EQ(f.budget.Check(kCircuit1, 2 * kMiB), BudgetLimit::kSender) << "in flight counts";
  }  // dropped: refused, cut off or failed
  EXPECT_EQ(f.budget.Snapshot().pending_bytes, 0u);
  EXPECT_EQ(f.budget.Snapshot().stored_bytes, 0u);
  EXPECT_FALSE(f.budget.Check(kCircuit1, 10 * kMiB));
}

TEST(StorageBudget, TheServerWideIntakeBoundsManyCircuitsAndRefillsOverADay) {
  Fixture f(Small());
  for (std::uint32_t c = 0; c < 5; ++c) {
    auto r = f.budget.Open(One(c));
    ASSERT_FALSE(r.Charge(10 * kMiB)) << c;
    r.Commit();
    f.stored = 0;  // forces pull and receipt at once: only the intake limit is left
    f.now += StorageBudget::kStoredRefresh;
  }
  EXPECT_EQ(f.budget.Check(One(9), kMiB), BudgetLimit::kIntake);
  EXPECT_EQ(f.budget.Check({}, kMiB), BudgetLimit::kIntake) << "without a circuit too";
  f.now += 12h;
  EXPECT_FALSE(f.budget.Check(One(9), 10 * kMiB));
}

TEST(StorageBudget, StoredBytesAreCappedAndAReceiptMakesRoomAtOnce) {
  Fixture f(Small());
  for (std::uint32_t c = 0; c < 3; ++c) {
    auto r = f.budget.Open(One(c));
    ASSERT_FALSE(r.Charge(10 * kMiB)) << c;
    r.Commit();
  }
  f.stored = 30 * kMiB;  // what the index holds now
  EXPECT_EQ(f.budget.Snapshot().stored_bytes, 30 * kMiB);
  EXPECT_EQ(f.budget.Check(One(7), 1), BudgetLimit::kStored);
  // A force's receipt deletes 10 MiB: the next refusal reads the index again, and finds room.
  f.stored = 20 * kMiB;
  EXPECT_FALSE(f.budget.Check(One(7), 10 * kMiB));
}

TEST(StorageBudget, TheStoredTotalIsReadAtMostEveryRefreshInterval) {
  Fixture f(Small());
  EXPECT_FALSE(f.budget.Check(kCircuit1, 1));
  const int first = f.stored_reads;
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(f.budget.Check(kCircuit1, 1));
  EXPECT_EQ(f.stored_reads, first);
  f.now += StorageBudget::kStoredRefresh;
  EXPECT_FALSE(f.budget.Check(kCircuit1, 1));
  EXPECT_EQ(f.stored_reads, first + 1);
}

TEST(StorageBudget, TheDiskReserveIsKeptAndAnUnreadableDiskCountsAsFull) {
  Fixture f(Small());
  f.free = 105 * kMiB;
  EXPECT_FALSE(f.budget.Check(kCircuit1, 5 * kMiB));
  EXPECT_EQ(f.budget.Check(kCircuit1, 5 * kMiB + 1), BudgetLimit::kDisk);
  f.free = 50 * kMiB;  // under the reserve already
  EXPECT_EQ(f.budget.Check(kCircuit1, 0), BudgetLimit::kDisk);
  StorageBudget broken(Small(), [] { return Result<std::uint64_t>(std::uint64_t{0}); },
                       [] { return Result<std::uint64_t>(MakeError(ErrorCode::kIo, "statvfs")); });
  EXPECT_EQ(broken.Check(kCircuit1, 1), BudgetLimit::kDisk);
}

TEST(StorageBudget, ForgettingSendersPastTheCapOnlyMakesTheBudgetMoreLenient) {
  StorageBudgetLimits limits = Small();
  limits.max_senders = 2;
  limits.daily_intake_bytes = 1000 * kMiB;
  limits.max_stored_bytes = 1000 * kMiB;
  Fixture f(limits);
  for (std::uint32_t c = 0; c < 5; ++c) {
    auto r = f.budget.Open(One(c));
    ASSERT_FALSE(r.Charge(kMiB)) << c;
    r.Commit();
  }
  // Circuit 1 spent a MiB, but it was forgotten when the map was full: a fresh, full bucket.
  EXPECT_FALSE(f.budget.Check(kCircuit1, 10 * kMiB));
  // An upload whose sender is forgotten meanwhile gives back into nothing: no harm done.
  auto late = f.budget.Open(One(100));
  ASSERT_FALSE(late.Charge(kMiB));
  for (std::uint32_t c = 200; c < 204; ++c) EXPECT_FALSE(f.budget.Check(One(c), 1));
}

TEST(StorageBudget, CircuitAndCodenameKeysNeverCollide) {
  std::array<std::uint8_t, 32> lookup{};
  EXPECT_NE(CircuitSender(0), CodenameSender(lookup));
  EXPECT_NE(CircuitSender(1), CircuitSender(256));
  EXPECT_EQ(CircuitSender(1).size(), 5u);
}

TEST(DiskSpace, ReadsTheFreeSpaceOfARealDirectory) {
  testing::TempDir dir;
  auto disk = DiskSpace::Open(dir.path());
  ASSERT_TRUE(disk.ok()) << disk.error().message;
  auto free = disk->FreeBytes();
  ASSERT_TRUE(free.ok());
  EXPECT_GT(*free, 0u);
  EXPECT_TRUE(LeavesReserve([&] { return disk->FreeBytes(); }, 0, 0));
  EXPECT_FALSE(LeavesReserve([&] { return disk->FreeBytes(); }, 0, *free + (1ull << 40)));
  EXPECT_FALSE(DiskSpace::Open(dir / "missing").ok());
}

}  // namespace
}  // namespace sealdrop::server
