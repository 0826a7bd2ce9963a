// LiveDirectory: the day a directory answers for moves with the clock, expiry is counted in
// days, and a file past its expiry still loads (the server serves pages and refuses reports).
#include <gtest/gtest.h>

#include <string>

#include "crypto/public_key_file.h"
#include "server/config/live_directory.h"
#include "tests/support/process.h"

namespace sealdrop::server {
namespace {

const std::string kDir = std::string(SEALDROP_VECTORS_DIR) + "/directory";  // serial 7, expires 2027-11-22

PublicKey Root() {
  auto root = ReadPublicKeyFile(kDir + "/root.public", KeyRole::kRoot);
  EXPECT_TRUE(root.ok());
  return *root;
}

TEST(LiveDirectory, FollowsTheDayAndCountsTheDaysLeft) {
  std::string today = "2027-11-01";
  auto live = LiveDirectory::Open(kDir + "/directory.signed", Root(), [&] { return today; });
  ASSERT_TRUE(live.ok()) << live.error().message;
  EXPECT_EQ((*live)->DaysLeft(), 21);
  EXPECT_FALSE((*live)->Stale());
  today = "2027-11-22";  // the last day
  EXPECT_TRUE((*live)->Stale()) << "a new day must be re-verified";
  EXPECT_EQ((*live)->Reload().value(), LiveDirectory::Outcome::kRefreshed);
  EXPECT_EQ((*live)->Current()->today(), "2027-11-22");
  EXPECT_EQ((*live)->DaysLeft(), 0);
  EXPECT_FALSE((*live)->Current()->expired());
  today = "2027-11-23";
  EXPECT_EQ((*live)->Reload().value(), LiveDirectory::Outcome::kRefreshed);
  EXPECT_TRUE((*live)->Current()->expired());
  EXPECT_EQ((*live)->DaysLeft(), -1);
  EXPECT_FALSE((*live)->Current()->Find("MET").ok()) << "an expired directory's keys are not used";
  EXPECT_EQ((*live)->Reload().value(), LiveDirectory::Outcome::kSame);
}

TEST(LiveDirectory, AFileNotYetValidOrNotSignedByThePinnedRootIsRefusedAtOpen) {
  EXPECT_FALSE(LiveDirectory::Open(kDir + "/directory.signed", Root(), [] { return std::string("2026-01-01"); }).ok());
  testing::TempDir dir;
  testing::WriteFileOrDie(dir / "d.signed", "not a directory\n");
  EXPECT_FALSE(LiveDirectory::Open(dir / "d.signed", Root(), [] { return std::string("2027-01-15"); }).ok());
}

}  // namespace
}  // namespace sealdrop::server
