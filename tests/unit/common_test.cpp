// common/: the clock helpers and the little-endian codec. Linked against sealdrop_common alone,
// which also proves common/ needs nothing above it.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>

#include "common/clock.h"
#include "common/endian.h"

namespace sealdrop {
namespace {

TEST(LittleEndian, StoresLeastSignificantByteFirst) {
  std::array<std::uint8_t, 8> b{};
  StoreLittleEndian<std::uint64_t>(b.data(), 0x0102030405060708ull);
  EXPECT_EQ(b, (std::array<std::uint8_t, 8>{8, 7, 6, 5, 4, 3, 2, 1}));
  std::array<std::uint8_t, 4> w{};
  StoreLittleEndian<std::uint32_t>(w.data(), 0xA1B2C3D4u);
  EXPECT_EQ(w, (std::array<std::uint8_t, 4>{0xD4, 0xC3, 0xB2, 0xA1}));
}

TEST(LittleEndian, LoadsWhatItStores) {
  for (std::uint64_t v :
       {0ull, 1ull, 0xFFull, 0x100ull, 0xFFFFFFFFFFFFFFFFull, 0x8000000000000001ull}) {
    std::array<std::uint8_t, 8> b{};
    StoreLittleEndian(b.data(), v);
    EXPECT_EQ(LoadLittleEndian<std::uint64_t>(b.data()), v);
  }
  const std::array<std::uint8_t, 4> w{0xD4, 0xC3, 0xB2, 0xA1};
  EXPECT_EQ(LoadLittleEndian<std::uint32_t>(w.data()), 0xA1B2C3D4u);
  EXPECT_EQ(LoadLittleEndian<std::uint16_t>(w.data()), 0xC3D4u);
}

TEST(Clock, FormatsDaysAndTimestamps) {
  EXPECT_TRUE(IsValidDay(TodayUtc()));
  EXPECT_TRUE(IsValidDay(DayFromTodayUtc(-1)));
  EXPECT_TRUE(IsValidDay(DayFromTodayUtc(365)));
  const std::string now = NowUtcTimestamp();
  ASSERT_EQ(now.size(), 20u);
  EXPECT_TRUE(IsValidDay(now.substr(0, 10)));
  EXPECT_EQ(now[10], 'T');
  EXPECT_EQ(now[19], 'Z');
}

TEST(Clock, AddsDaysAcrossMonthsYearsAndLeapDays) {
  EXPECT_EQ(AddDays("2027-01-15", 0), "2027-01-15");
  EXPECT_EQ(AddDays("2027-01-31", 1), "2027-02-01");
  EXPECT_EQ(AddDays("2027-12-31", 1), "2028-01-01");
  EXPECT_EQ(AddDays("2028-02-28", 1), "2028-02-29");
  EXPECT_EQ(AddDays("2027-02-28", 1), "2027-03-01");
  EXPECT_EQ(AddDays("2027-03-01", -1), "2027-02-28");
  EXPECT_EQ(AddDays("2026-11-30", 365), "2027-11-30");
}

TEST(Clock, RefusesWhatIsNotACalendarDay) {
  for (const char* bad : {"", "2027-1-15", "2027-02-29", "1999-12-31", "2027-13-01", "2027-00-10",
                          "2027-01-32", "2027/01/15", "20270115xx"}) {
    EXPECT_FALSE(IsValidDay(bad)) << bad;
  }
  EXPECT_TRUE(IsValidDay("2028-02-29"));
  EXPECT_TRUE(IsValidDay("2000-02-29"));
}

}  // namespace
}  // namespace sealdrop
