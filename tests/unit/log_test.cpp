// The server log's flood guard: a repeatable warning is written the 1st, 10th, 100th, ... time.
#include <gtest/gtest.h>

#include <vector>

#include "server/log.h"

namespace sealdrop::server {
namespace {

TEST(Log, ARepeatedWarningIsWrittenAtPowersOfTenOnly) {
  log::SetMinimumLevel(log::Level::kError);  // keep the test's own output quiet
  std::vector<int> written;
  for (int i = 1; i <= 1000; ++i) {
    if (log::WarnRepeated("test: repeated event")) written.push_back(i);
  }
  EXPECT_EQ(written, (std::vector<int>{1, 10, 100, 1000}));
  // Another event keeps its own count.
  EXPECT_TRUE(log::WarnRepeated("test: another event"));
  EXPECT_FALSE(log::WarnRepeated("test: another event"));
  log::SetMinimumLevel(log::Level::kInfo);
}

}  // namespace
}  // namespace sealdrop::server
