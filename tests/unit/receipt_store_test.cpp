// SealedStore's import-receipt deletion and the operator's backlog query (docs/force-api.md §1,
// docs/server.md), on a real SQLite file.
#include <gtest/gtest.h>

#include <algorithm>

#include "crypto/keys.h"
#include "server/storage/backlog.h"
#include "server/storage/store.h"
#include "tests/support/process.h"

namespace sealdrop::server {
namespace {

using testing::TempDir;

std::string Put(SealedStore& store, const std::string& force, ItemKind kind,
                const std::string& day = "2026-11-22") {
  auto blob = store.Begin();
  EXPECT_TRUE(blob.ok());
  EXPECT_TRUE(blob->sink().Write(AsBytes("sealed")).ok());
  const std::string id = blob->id();
  ItemRow row;
  row.force = force;
  row.day = day;
  row.size = 131252;
  row.kind = kind;
  EXPECT_TRUE(store.Commit(std::move(*blob), std::move(row)).ok());
  return id;
}

TEST(ReceiptStore, DeletesOnlyTheForcesOwnReportsAndFollowUps) {
  TempDir dir;
  auto store = SealedStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  const std::string report = Put(**store, "MET", ItemKind::kReport);
  const std::string followup = Put(**store, "MET", ItemKind::kFollowUp);
  const std::string kept = Put(**store, "MET", ItemKind::kReport);
  const std::string reply = Put(**store, "MET", ItemKind::kReply);
  const std::string wmi = Put(**store, "WMI", ItemKind::kReport);
  const std::string never(32, '0');
  auto done = (*store)->DeleteReceipted("MET", {report, followup, reply, wmi, never});
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(done->deleted, 2u);
  EXPECT_EQ(done->gone, 3u);  // the reply, WMI's report and an unknown id: all alike
  auto left = testing::ListItemBlobs(dir.path());
  std::sort(left.begin(), left.end());
  std::vector<std::string> expected = {kept, reply, wmi};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(left, expected);
  EXPECT_EQ((*store)->Count().value(), 3u);
  // The same receipt again: nothing left to delete.
  done = (*store)->DeleteReceipted("MET", {report, followup});
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->deleted, 0u);
  EXPECT_EQ(done->gone, 2u);
  EXPECT_EQ((*store)->DeleteReceipted("MET", {"../../etc/passwd"}).error().code,
            ErrorCode::kInvalidArgument);
}

TEST(ReceiptStore, AReadOnlyStoreDeletesNothing) {
  TempDir dir;
  std::string id;
  {
    auto store = SealedStore::Open(dir.path());
    ASSERT_TRUE(store.ok());
    id = Put(**store, "MET", ItemKind::kReport);
  }
  auto ro = SealedStore::OpenReadOnly(dir.path());
  ASSERT_TRUE(ro.ok()) << ro.error().message;
  EXPECT_FALSE((*ro)->DeleteReceipted("MET", {id}).ok());
  EXPECT_EQ((*ro)->Count().value(), 1u);
  EXPECT_EQ(testing::ListItemBlobs(dir.path()).size(), 1u);
  EXPECT_EQ(SealedStore::OpenReadOnly(dir / "nowhere").error().code, ErrorCode::kNotFound);
}

TEST(ReceiptStore, TheBacklogCountsWaitingItemsPerForceWithTheOldestDay) {
  TempDir dir;
  auto store = SealedStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE((*store)->WaitingByForce()->empty());
  Put(**store, "MET", ItemKind::kReport, "2026-11-20");
  Put(**store, "MET", ItemKind::kFollowUp, "2026-11-25");
  Put(**store, "MET", ItemKind::kReply, "2026-11-01");  // waits for a reporter, not the force
  Put(**store, "KEN", ItemKind::kReport, "2026-11-30");
  auto backlog = (*store)->WaitingByForce();
  ASSERT_TRUE(backlog.ok());
  ASSERT_EQ(backlog->size(), 2u);
  EXPECT_EQ((*backlog)[0].force, "KEN");
  EXPECT_EQ((*backlog)[0].waiting, 1u);
  EXPECT_EQ((*backlog)[1].force, "MET");
  EXPECT_EQ((*backlog)[1].waiting, 2u);
  EXPECT_EQ((*backlog)[1].oldest_day, "2026-11-20");
  EXPECT_EQ(FormatBacklog(*backlog, "2026-11-30"),
            "KEN               1 waiting, the oldest 0 day(s) old\n"
            "MET               2 waiting, the oldest 10 day(s) old\n");
  EXPECT_EQ(FormatBacklog({}, "2026-11-30"), "nothing waiting\n");
}

TEST(StorageStatus, StoredBytesRoundUpAndFreeBytesDown) {
  EXPECT_EQ(FormatStorage({.stored_bytes = 1,
                           .max_stored_bytes = 20480ull << 20,
                           .free_bytes = (7000ull << 20) + 5,
                           .reserve_bytes = 512ull << 20}),
            "stored     1 MiB of 20480 MiB (max_stored_mb)\n"
            "disk       7000 MiB free, 512 MiB kept in reserve (reserve_mb)\n");
  EXPECT_EQ(FormatStorage({.stored_bytes = 0,
                           .max_stored_bytes = 1ull << 20,
                           .free_bytes = (1ull << 20) - 1,
                           .reserve_bytes = 0}),
            "stored     0 MiB of 1 MiB (max_stored_mb)\n"
            "disk       0 MiB free, 0 MiB kept in reserve (reserve_mb)\n");
}

TEST(ReceiptStore, AgesAreWholeCalendarDays) {
  EXPECT_EQ(AgeInDays("2026-11-30", "2026-11-30"), 0);
  EXPECT_EQ(AgeInDays("2026-02-28", "2026-03-01"), 1);
  EXPECT_EQ(AgeInDays("2024-02-28", "2024-03-01"), 2);
  EXPECT_EQ(AgeInDays("2025-12-31", "2026-01-01"), 1);
  EXPECT_EQ(AgeInDays("2026-12-01", "2026-11-30"), 0);  // a day ahead of the clock: not negative
}

}  // namespace
}  // namespace sealdrop::server
