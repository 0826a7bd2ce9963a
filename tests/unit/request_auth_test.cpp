// server/forceapi/request_auth.h: the restart rule. Nonces live in memory, so a request signed at
// or before the second the process started is refused (an earlier process may have accepted it);
// one signed a second later is not. (Signatures are checked in Finish(), not here: Begin() sees
// only well-formed headers.)
#include "server/forceapi/request_auth.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/public_key_file.h"

namespace sealdrop::server {
namespace {

constexpr std::int64_t kNow = 1800014400;  // 2027-01-15T12:00:00Z, a day the vector directory is valid

const LiveDirectory& Directory() {
  static const LiveDirectory directory([] {
    const std::string dir = std::string(SEALDROP_VECTORS_DIR) + "/directory";
    auto root = ReadPublicKeyFile(dir + "/root.public", KeyRole::kRoot);
    EXPECT_TRUE(root.ok());
    auto loaded = ForceDirectory::Load(dir + "/directory.signed", *root, "2027-01-15");
    EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.error().message);
    return std::move(*loaded);
  }());
  return directory;
}

Request SignedHead(std::int64_t timestamp) {
  Request req;
  req.method(http::verb::get);
  req.target("/api/v1/items");
  req.set("X-SealDrop-Force", "MET");
  req.set("X-SealDrop-Timestamp", std::to_string(timestamp));
  req.set("X-SealDrop-Nonce", NewRequestNonce());
  req.set("X-SealDrop-Signature", std::string(86, 'A'));
  return req;
}

TEST(RequestAuthenticator, RefusesWhatWasSignedAtOrBeforeTheStartSecond) {
  const std::int64_t started_at = kNow - 10;
  RequestAuthenticator auth(Directory(), AuthLimits{}, [] { return kNow; }, started_at);
  for (const std::int64_t ts : {started_at - 200, started_at - 1, started_at}) {
    auto r = auth.Begin(SignedHead(ts));
    ASSERT_FALSE(r.ok()) << ts;
    EXPECT_EQ(r.error().code, ErrorCode::kExpired);
    EXPECT_NE(r.error().message.find("before the server started"), std::string::npos);
  }
  for (const std::int64_t ts : {started_at + 1, kNow, kNow + 60}) {
    auto r = auth.Begin(SignedHead(ts));
    EXPECT_TRUE(r.ok()) << ts << ": " << (r.ok() ? "" : r.error().message);
  }
}

TEST(RequestAuthenticator, TheFreshnessWindowStillAppliesLongAfterTheStart) {
  RequestAuthenticator auth(Directory(), AuthLimits{}, [] { return kNow; }, kNow - 86400);
  auto stale = auth.Begin(SignedHead(kNow - 301));
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kExpired);
  EXPECT_NE(stale.error().message.find("window"), std::string::npos);
  EXPECT_TRUE(auth.Begin(SignedHead(kNow - 300)).ok());
}

}  // namespace
}  // namespace sealdrop::server
