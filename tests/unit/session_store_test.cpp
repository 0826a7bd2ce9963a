#include <gtest/gtest.h>

#include "server/source/session_store.h"

namespace sealdrop::server {
namespace {

class FakeClock {
 public:
  std::chrono::steady_clock::time_point now{};
  Clock fn() {
    return [this] { return now; };
  }
};

SourceIdentity SomeIdentity() {
  return SourceIdentity{{7}, GenerateKeyPair(KeyRole::kSource)};
}

TEST(SessionStore, CreatesUnguessableSessionsWithCsrfTokens) {
  SessionStore store(std::chrono::minutes(30));
  const SessionView a = store.Create();
  const SessionView b = store.Create();
  EXPECT_EQ(a.id.size(), 43u);
  EXPECT_NE(a.id, b.id);
  EXPECT_NE(a.csrf_token, b.csrf_token);
  EXPECT_NE(a.id, a.csrf_token);
  EXPECT_TRUE(store.CheckCsrf(a.id, a.csrf_token));
  EXPECT_FALSE(store.CheckCsrf(a.id, b.csrf_token));
  EXPECT_FALSE(store.CheckCsrf(a.id, ""));
  EXPECT_FALSE(store.CheckCsrf("unknown", a.csrf_token));
}

TEST(SessionStore, ExpiresIdleSessions) {
  FakeClock clock;
  SessionStore store(std::chrono::minutes(30), 100, clock.fn());
  const SessionView s = store.Create();
  clock.now += std::chrono::minutes(29);
  EXPECT_TRUE(store.Find(s.id).has_value());  // and refreshed
  clock.now += std::chrono::minutes(29);
  EXPECT_TRUE(store.Find(s.id).has_value());
  clock.now += std::chrono::minutes(31);
  EXPECT_FALSE(store.Find(s.id).has_value());
  EXPECT_FALSE(store.CheckCsrf(s.id, s.csrf_token));
}

TEST(SessionStore, LoginRotatesTheSessionIdAndToken) {
  SessionStore store(std::chrono::minutes(30));
  const SessionView anon = store.Create();
  auto in = store.LogIn(anon.id, SomeIdentity());
  ASSERT_TRUE(in.has_value());
  EXPECT_TRUE(in->logged_in);
  EXPECT_NE(in->id, anon.id);
  EXPECT_NE(in->csrf_token, anon.csrf_token);
  EXPECT_FALSE(store.Find(anon.id).has_value());
  bool saw = false;
  EXPECT_TRUE(store.WithIdentity(in->id, [&](const SourceIdentity& id) {
    saw = id.lookup_id[0] == 7;
  }));
  EXPECT_TRUE(saw);
  store.Destroy(in->id);
  EXPECT_FALSE(store.WithIdentity(in->id, [](const SourceIdentity&) {}));
}

TEST(SessionStore, StaysBoundedUnderAFlood) {
  FakeClock clock;
  SessionStore store(std::chrono::minutes(30), 50, clock.fn());
  const SessionView first = store.Create();
  for (int i = 0; i < 500; ++i) {
    clock.now += std::chrono::seconds(1);
    store.Create();
  }
  EXPECT_LE(store.size(), 50u);
  EXPECT_FALSE(store.Find(first.id).has_value());  // the least recently used went first
}

TEST(SessionCookie, IsHttpOnlyAndSameSiteStrict) {
  const std::string c = SessionCookie("abc");
  EXPECT_NE(c.find("HttpOnly"), std::string::npos);
  EXPECT_NE(c.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(c.find("Path=/"), std::string::npos);
}

TEST(SessionCookie, ParsesOnlyWellFormedSessionIds) {
  SessionStore store(std::chrono::minutes(1));
  const std::string id = store.Create().id;
  EXPECT_EQ(SessionIdFromCookieHeader("a=b; sd_session=" + id + "; c=d").value(), id);
  EXPECT_EQ(SessionIdFromCookieHeader("sd_session=" + id).value(), id);
  EXPECT_FALSE(SessionIdFromCookieHeader("sd_session=short").has_value());
  EXPECT_FALSE(SessionIdFromCookieHeader("sd_session=" + std::string(43, '!')).has_value());
  EXPECT_FALSE(SessionIdFromCookieHeader("other=" + id).has_value());
  EXPECT_FALSE(SessionIdFromCookieHeader("").has_value());
}

}  // namespace
}  // namespace sealdrop::server
