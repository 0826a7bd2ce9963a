#include <gtest/gtest.h>

#include "crypto/envelope_format.h"

namespace sealdrop::envelope {
namespace {

TEST(Padme, NeverShrinksAndCostsAtMostTwelvePercent) {
  for (std::uint64_t len = 1; len < (std::uint64_t{1} << 40); len = len * 3 / 2 + 1) {
    const std::uint64_t p = Padme(len);
    EXPECT_GE(p, len);
    EXPECT_LE(static_cast<double>(p - len), 0.12 * static_cast<double>(len) + 1.0) << len;
  }
}

TEST(Padme, MatchesThePaperOnKnownValues) {
  EXPECT_EQ(Padme(0), 0u);
  EXPECT_EQ(Padme(1), 1u);
  EXPECT_EQ(Padme(9), 10u);     // E=3, S=2: 1 low bit cleared
  EXPECT_EQ(Padme(1000), 1024u);
  EXPECT_EQ(Padme(1025), 1088u);  // E=10, S=4: 6 low bits cleared
  EXPECT_EQ(Padme(std::uint64_t{1} << 30), std::uint64_t{1} << 30);
  EXPECT_EQ(Padme((std::uint64_t{1} << 30) + 1), (std::uint64_t{1} << 30) + (1u << 25));
}

TEST(Padme, IsMonotonic) {
  std::uint64_t last = 0;
  for (std::uint64_t len = 0; len < 200000; ++len) {
    const std::uint64_t p = Padme(len);
    EXPECT_GE(p, last);
    last = p;
  }
}

TEST(PaddedStreamBytes, HasAFloorAndWholeChunks) {
  EXPECT_EQ(PaddedStreamBytes(0), kFloorBytes);
  EXPECT_EQ(PaddedStreamBytes(kFloorBytes), kFloorBytes);
  EXPECT_EQ(PaddedStreamBytes(kFloorBytes + 1), kFloorBytes + kChunkBytes);
  for (std::uint64_t len : {std::uint64_t{5}, std::uint64_t{1} << 20, std::uint64_t{123456789}}) {
    EXPECT_EQ(PaddedStreamBytes(len) % kChunkBytes, 0u);
    EXPECT_GE(PaddedStreamBytes(len), len);
  }
}

}  // namespace
}  // namespace sealdrop::envelope
