// Tor's PROXY header (circuit ids) and the per-circuit limiter.
#include <gtest/gtest.h>

#include <random>

#include "server/http/proxy_header.h"
#include "server/source/circuit_limiter.h"

namespace sealdrop::server {
namespace {

TEST(TorProxyHeader, ReadsTheCircuitIdTorSends) {
  auto p = ParseTorProxyHeader("PROXY TCP6 fc00:dead:beef:4dad::0:1a ::1 65535 80\r\n");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->circuit_id, 0x1au);
  p = ParseTorProxyHeader("PROXY TCP6 fc00:dead:beef:4dad::ffff:ffff ::1 65535 80\r\n");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->circuit_id, 0xffffffffu);
  p = ParseTorProxyHeader("PROXY TCP6 fc00:dead:beef:4dad:0:0:1234:5678 ::1 1 1\r\n");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->circuit_id, 0x12345678u);
}

TEST(TorProxyHeader, RefusesAnythingElse) {
  for (const char* bad : {
           "",
           "\r\n",
           "PROXY TCP6 fc00:dead:beef:4dad::1 ::1 65535 80",          // no CRLF
           "PROXY TCP6 fc00:dead:beef:4dad::1 ::1 65535 80\n",        // LF only
           "PROXY TCP4 10.0.0.1 10.0.0.2 1234 80\r\n",                // a real address family
           "PROXY UNKNOWN\r\n",
           "PROXY TCP6 2001:db8::1 ::1 65535 80\r\n",                 // not Tor's prefix
           "PROXY TCP6 fc00:dead:beef:4dad:1::1 ::1 65535 80\r\n",    // bits beyond the id
           "PROXY TCP6 fc00:dead:beef:4dad::1 ::1 65536 80\r\n",      // port out of range
           "PROXY TCP6 fc00:dead:beef:4dad::1 ::1 080 80\r\n",        // leading zero
           "PROXY TCP6 fc00:dead:beef:4dad::1 ::1 65535\r\n",         // a field missing
           "PROXY TCP6 fc00:dead:beef:4dad::1 ::1 65535 80 x\r\n",    // a field too many
           "PROXY  TCP6 fc00:dead:beef:4dad::1 ::1 65535 80\r\n",     // double space
           "PROXY TCP6 fc00:dead:beef:4dad::1 ::1 65535 80 \r\n",     // trailing space
           "proxy TCP6 fc00:dead:beef:4dad::1 ::1 65535 80\r\n",
           "GET / HTTP/1.1\r\n",
       }) {
    EXPECT_FALSE(ParseTorProxyHeader(bad).ok()) << bad;
  }
  const std::string long_line = "PROXY TCP6 fc00:dead:beef:4dad::1 ::1 65535 80" + std::string(100, ' ') + "\r\n";
  EXPECT_FALSE(ParseTorProxyHeader(long_line).ok());
}

TEST(TorProxyHeader, SurvivesRandomBytes) {
  std::mt19937 rng(7);
  const std::string good = "PROXY TCP6 fc00:dead:beef:4dad::0:1a ::1 65535 80\r\n";
  for (int i = 0; i < 20000; ++i) {
    std::string s = good;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      s[rng() % s.size()] = static_cast<char>(rng() & 0xff);
    }
    (void)ParseTorProxyHeader(s);  // any result, never a crash (ASan/UBSan watch)
  }
}

TEST(CircuitLimiter, EachCircuitHasItsOwnBucketsPerAction) {
  std::chrono::steady_clock::time_point now{};
  CircuitLimiter limiter({.report = {2, 1.0}, .login = {3, 1.0}}, [&] { return now; });
  EXPECT_TRUE(limiter.TryTake(1, CircuitAction::kReport));
  EXPECT_TRUE(limiter.TryTake(1, CircuitAction::kReport));
  EXPECT_FALSE(limiter.TryTake(1, CircuitAction::kReport));
  EXPECT_TRUE(limiter.TryTake(1, CircuitAction::kLogin)) << "actions are separate";
  EXPECT_TRUE(limiter.TryTake(2, CircuitAction::kReport)) << "circuits are separate";
  now += std::chrono::seconds(1);
  EXPECT_TRUE(limiter.TryTake(1, CircuitAction::kReport));
  EXPECT_FALSE(limiter.TryTake(1, CircuitAction::kReport));
}

TEST(CircuitLimiter, NewSessionsHaveTheirOwnBucket) {
  std::chrono::steady_clock::time_point now{};
  CircuitLimiter limiter({.report = {1, 1.0}, .login = {1, 1.0}, .session = {3, 0.5}},
                         [&] { return now; });
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.TryTake(1, CircuitAction::kSession)) << i;
  EXPECT_FALSE(limiter.TryTake(1, CircuitAction::kSession));
  EXPECT_TRUE(limiter.TryTake(1, CircuitAction::kReport)) << "actions are separate";
  EXPECT_TRUE(limiter.TryTake(1, CircuitAction::kLogin));
  now += std::chrono::seconds(1);
  EXPECT_FALSE(limiter.TryTake(1, CircuitAction::kSession)) << "half a token after one second";
  now += std::chrono::seconds(1);
  EXPECT_TRUE(limiter.TryTake(1, CircuitAction::kSession));
}

TEST(CircuitLimiter, MemoryIsBounded) {
  std::chrono::steady_clock::time_point now{};
  CircuitLimiter limiter({.report = {1, 0.001}, .login = {1, 0.001}, .max_circuits = 10},
                         [&] { return now; });
  for (std::uint32_t c = 0; c < 1000; ++c) EXPECT_TRUE(limiter.TryTake(c, CircuitAction::kLogin));
  // Forgetting is lenient, never wrong in the other direction, and never unbounded.
  EXPECT_FALSE(limiter.TryTake(999, CircuitAction::kLogin));
}

}  // namespace
}  // namespace sealdrop::server
