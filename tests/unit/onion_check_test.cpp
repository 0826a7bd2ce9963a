// When a request counts as not through the onion (server/source/onion_check.h).
#include <gtest/gtest.h>

#include "server/source/onion_check.h"

namespace sealdrop::server {
namespace {

constexpr char kOnion[] = "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion";

TEST(OnionCheck, Tor2webHeaderAlwaysCounts) {
  EXPECT_FALSE(CameThroughOnion("x.onion", true, {}));
  EXPECT_FALSE(CameThroughOnion(kOnion, true, {.onion_hostname = kOnion}));
}

TEST(OnionCheck, WithoutAnOnionToCompareAnyHostIsAccepted) {
  for (const char* host : {"x", "127.0.0.1", "127.0.0.1:8080", "", "example.org"}) {
    EXPECT_TRUE(CameThroughOnion(host, false, {})) << host;
  }
}

TEST(OnionCheck, BehindTorTheHostMustBeAnOnion) {
  const OnionExpectation tor{.behind_tor = true};
  EXPECT_TRUE(CameThroughOnion("x.onion", false, tor));
  EXPECT_TRUE(CameThroughOnion("X.ONION:80", false, tor));
  EXPECT_TRUE(CameThroughOnion("x.onion.", false, tor));
  EXPECT_FALSE(CameThroughOnion(".onion", false, tor));
  EXPECT_FALSE(CameThroughOnion("x.onion.example.org", false, tor));
  EXPECT_FALSE(CameThroughOnion("127.0.0.1", false, tor));
  EXPECT_FALSE(CameThroughOnion("", false, tor));
}

TEST(OnionCheck, WithItsHostnameOnlyThatNameIsAccepted) {
  const OnionExpectation mine{.onion_hostname = kOnion, .behind_tor = true};
  EXPECT_TRUE(CameThroughOnion(kOnion, false, mine));
  EXPECT_TRUE(CameThroughOnion(std::string(kOnion) + ":80", false, mine));
  EXPECT_FALSE(CameThroughOnion("other.onion", false, mine));
  EXPECT_FALSE(CameThroughOnion("[::1]:80", false, mine));
}

TEST(OnionCheck, RecognisesAV3OnionAddress) {
  EXPECT_TRUE(IsOnionHostname(kOnion));
  EXPECT_FALSE(IsOnionHostname("x.onion"));
  EXPECT_FALSE(IsOnionHostname("abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvw1.onion"));
  EXPECT_FALSE(IsOnionHostname("abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onio"));
}

}  // namespace
}  // namespace sealdrop::server
