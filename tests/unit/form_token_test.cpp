// FormTokens (server/source/form_token.h): a form token is accepted with its own cookie for its
// whole lifetime, and refused when forged, altered, from another browser, expired or from the
// future; the used-form key is stable per nonce and keyed.
#include <gtest/gtest.h>

#include <sodium.h>

#include "server/source/form_token.h"

namespace sealdrop::server {
namespace {

struct Clock {
  std::int64_t now = 1'800'000'000;
};

FormTokens Tokens(Clock& clock, std::uint8_t key_byte = 7) {
  SecretBuffer key(kFormKeyBytes);
  for (std::size_t i = 0; i < key.size(); ++i) key.data()[i] = key_byte;
  return FormTokens(std::move(key), [&clock] { return clock.now; });
}

std::optional<FormNonce> NonceOf(const IssuedForm& form) {
  return FormTokens::CookieNonce(form.cookie.substr(0, form.cookie.find(';')));
}

TEST(FormTokens, AcceptsItsOwnTokenForTwoDaysWithItsCookie) {
  Clock clock;
  const FormTokens tokens = Tokens(clock);
  const IssuedForm form = tokens.Issue();
  EXPECT_EQ(form.token.size(), kFormTokenChars);
  EXPECT_NE(form.cookie.find("HttpOnly; SameSite=Strict"), std::string::npos);
  EXPECT_EQ(form.cookie.find("Max-Age"), std::string::npos) << "gone when the browser closes";
  const auto cookie = NonceOf(form);
  ASSERT_TRUE(cookie);
  EXPECT_TRUE(tokens.Check(form.token, cookie));
  clock.now += 24 * 3600;
  EXPECT_TRUE(tokens.Check(form.token, cookie)) << "a day of writing";
  clock.now += 24 * 3600;
  EXPECT_TRUE(tokens.Check(form.token, cookie)) << "the last second of 48 hours";
  clock.now += 1;
  auto expired = tokens.Check(form.token, cookie);
  ASSERT_FALSE(expired);
  EXPECT_EQ(ProblemOf(expired.error()), FormTokenProblem::kExpired);
}

TEST(FormTokens, RefusesAnotherBrowsersCookieOrNone) {
  Clock clock;
  const FormTokens tokens = Tokens(clock);
  const IssuedForm mine = tokens.Issue();
  const IssuedForm theirs = tokens.Issue();
  EXPECT_FALSE(tokens.Check(mine.token, NonceOf(theirs)));
  auto none = tokens.Check(mine.token, std::nullopt);
  ASSERT_FALSE(none);
  EXPECT_EQ(ProblemOf(none.error()), FormTokenProblem::kMismatch);
  EXPECT_EQ(ProblemOf(tokens.Check("", NonceOf(mine)).error()), FormTokenProblem::kMissing);
}

TEST(FormTokens, RefusesAlteredForgedAndFutureTokens) {
  Clock clock;
  const FormTokens tokens = Tokens(clock);
  const IssuedForm form = tokens.Issue();
  const auto cookie = NonceOf(form);
  for (std::size_t i = 0; i < form.token.size(); i += 5) {
    std::string altered = form.token;
    altered[i] = altered[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(tokens.Check(altered, cookie)) << i;
  }
  Clock other_clock;
  const FormTokens other_server = Tokens(other_clock, 9);
  EXPECT_FALSE(other_server.Check(form.token, cookie)) << "another key";
  clock.now += 3600;
  const IssuedForm future = tokens.Issue();
  clock.now -= 3600;
  EXPECT_FALSE(tokens.Check(future.token, NonceOf(future))) << "issued an hour ahead";
}

TEST(FormTokens, CookieParsingTakesOnlyAWellFormedFormCookie) {
  Clock clock;
  const IssuedForm form = Tokens(clock).Issue();
  const std::string pair = form.cookie.substr(0, form.cookie.find(';'));
  EXPECT_TRUE(FormTokens::CookieNonce("sd_session=abc; " + pair));
  EXPECT_FALSE(FormTokens::CookieNonce("sd_session=abc"));
  EXPECT_FALSE(FormTokens::CookieNonce("sd_form=short"));
  EXPECT_FALSE(FormTokens::CookieNonce("sd_form=!!!!!!!!!!!!!!!!!!!!!!"));
}

TEST(FormTokens, UsedKeyIsStablePerNonceAndKeyed) {
  Clock clock;
  const FormTokens a = Tokens(clock, 1);
  const FormTokens b = Tokens(clock, 2);
  const IssuedForm form = a.Issue();
  auto checked = a.Check(form.token, NonceOf(form));
  ASSERT_TRUE(checked);
  const FormNonce nonce = *checked;
  EXPECT_EQ(a.UsedKey(nonce), a.UsedKey(nonce));
  EXPECT_NE(a.UsedKey(nonce), b.UsedKey(nonce));
  EXPECT_NE(a.UsedKey(nonce), a.UsedKey(*NonceOf(a.Issue())));
}

}  // namespace
}  // namespace sealdrop::server
