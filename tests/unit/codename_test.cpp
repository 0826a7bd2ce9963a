#include <gtest/gtest.h>
#include <sodium.h>

#include <cmath>
#include <cstring>
#include <set>
#include <sstream>

#include "crypto/codename.h"
#include "crypto/envelope_reader.h"
#include "crypto/envelope_writer.h"

namespace sealdrop {
namespace {

std::vector<std::string> Split(std::string_view s) {
  std::istringstream in{std::string(s)};
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

TEST(CodenameWordlist, IsTheEffLargeListInOrder) {
  const auto words = CodenameWordlist();
  ASSERT_EQ(words.size(), 7776u);
  EXPECT_EQ(words.front(), "abacus");
  EXPECT_EQ(words[1], "abdomen");
  EXPECT_EQ(words.back(), "zoom");
  std::set<std::string_view> unique(words.begin(), words.end());
  EXPECT_EQ(unique.size(), 7776u);
  EXPECT_TRUE(std::is_sorted(words.begin(), words.end()));
  // The exact list, order included: codenames depend on it.
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 32);
  for (auto w : words) {
    crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(w.data()), w.size());
    crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>("\n"), 1);
  }
  unsigned char digest[32];
  crypto_generichash_final(&st, digest, sizeof digest);
  EXPECT_EQ(HexEncode(digest), "323606b363ebdedff9f562cb84c50df1a21cbd4b597ff4566df92bb9f2cefdfd");
}

TEST(Codename, HasSevenListWordsAndAtLeast90Bits) {
  EXPECT_GE(7 * std::log2(7776.0), 90.0);
  const SecretBuffer name = GenerateCodename();
  const auto words = Split(name.view());
  ASSERT_EQ(words.size(), 7u);
  for (const auto& w : words) EXPECT_TRUE(CodenameWordIndex(w).has_value()) << w;
  EXPECT_EQ(name.view().find("  "), std::string_view::npos);
}

TEST(Codename, DrawsEachWordUniformlyFromTheWholeList) {
  std::vector<std::uint32_t> uppers;
  std::uint32_t next = 0;
  const UniformRandom counting = [&](std::uint32_t upper) {
    uppers.push_back(upper);
    return next++ % upper;
  };
  const SecretBuffer first = GenerateCodename(counting);
  EXPECT_EQ(first.view(), "abacus abdomen abdominal abide abiding ability ablaze");
  for (auto u : uppers) EXPECT_EQ(u, 7776u);  // never a truncated range: no modulo bias
  next = 7776 - 1;
  EXPECT_EQ(Split(GenerateCodename(counting).view()).front(), "zoom");
}

TEST(Codename, SystemRandomnessCoversTheList) {
  // 2,000 codenames = 14,000 draws: each of the 7,776 words has probability < 0.2 of being
  // missed, so seeing at least 6,000 distinct words is certain in practice if draws are uniform.
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    for (auto& w : Split(GenerateCodename().view())) seen.insert(w);
  }
  EXPECT_GT(seen.size(), 6000u);
}

TEST(Codename, NormalisesCaseAndWhiteSpace) {
  auto n = NormalizeCodename("  Abacus\tABDOMEN  abdominal\n abide abiding   ability ablaze \r\n");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->view(), "abacus abdomen abdominal abide abiding ability ablaze");
  auto hyphen = NormalizeCodename("yo-yo t-shirt drop-down felt-tip zoom zoom zoom");
  ASSERT_TRUE(hyphen.ok());
  EXPECT_EQ(hyphen->view(), "yo-yo t-shirt drop-down felt-tip zoom zoom zoom");
}

TEST(Codename, RejectsAnythingButSevenListWords) {
  for (const char* bad : {"", "abacus", "abacus abdomen abdominal abide abiding ability",
                          "abacus abdomen abdominal abide abiding ability ablaze zoom",
                          "abacus abdomen abdominal abide abiding ability notaword",
                          "abacus-abdomen abdominal abide abiding ability ablaze zoom",
                          "abacus abdomen abdominal abide abiding ability ablaze\xc2\xa0",
                          "abacüs abdomen abdominal abide abiding ability ablaze"}) {
    auto n = NormalizeCodename(bad);
    ASSERT_FALSE(n.ok()) << bad;
    EXPECT_EQ(n.error().message, "that is not a valid codename");
  }
  EXPECT_FALSE(NormalizeCodename(std::string(600, 'a')).ok());
}

class CodenameDerivation : public ::testing::Test {
 protected:
  std::array<std::uint8_t, kInstanceSaltBytes> salt_a{1, 2, 3};
  std::array<std::uint8_t, kInstanceSaltBytes> salt_b{9, 9, 9};
};

TEST_F(CodenameDerivation, IsDeterministicAndIgnoresFormatting) {
  CodenameDeriver d(salt_a);
  auto x = d.Derive("abacus abdomen abdominal abide abiding ability ablaze");
  auto y = d.Derive("ABACUS  abdomen abdominal abide abiding ability ablaze\n");
  ASSERT_TRUE(x.ok() && y.ok());
  EXPECT_EQ(x->lookup_id, y->lookup_id);
  EXPECT_EQ(x->key_pair.public_key, y->key_pair.public_key);
  EXPECT_EQ(x->key_pair.public_key.role, KeyRole::kSource);
  // The lookup id reveals nothing of the key.
  EXPECT_NE(0, std::memcmp(x->lookup_id.data(), x->key_pair.public_key.bytes.data(), 32));
}

TEST_F(CodenameDerivation, TheLookupIdNeedsTheInstanceSecretTheKeyOnlyTheCodename) {
  auto a = CodenameDeriver(salt_a).Derive("abacus abdomen abdominal abide abiding ability ablaze");
  auto b = CodenameDeriver(salt_b).Derive("abacus abdomen abdominal abide abiding ability ablaze");
  auto c = CodenameDeriver(salt_a).Derive("abacus abdomen abdominal abide abiding ability zoom");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_NE(a->lookup_id, b->lookup_id);
  EXPECT_NE(a->lookup_id, c->lookup_id);
  EXPECT_NE(a->key_pair.public_key, c->key_pair.public_key);
  // The key pair is what a phone intake machine derives without the server's secret.
  EXPECT_EQ(a->key_pair.public_key, b->key_pair.public_key);
}

TEST_F(CodenameDerivation, AnIntakeMachineAndTheServerAgreeThroughTheAuthValue) {
  // sealdrop-intake stretches the codename; the server keys the auth value with its secret.
  auto secrets = StretchCodename("abacus abdomen abdominal abide abiding ability ablaze");
  ASSERT_TRUE(secrets.ok());
  auto server = CodenameDeriver(salt_a).Derive("Abacus abdomen abdominal abide abiding ability ablaze");
  ASSERT_TRUE(server.ok());
  EXPECT_EQ(LookupIdFromAuth(salt_a, secrets->auth), server->lookup_id);
  EXPECT_EQ(secrets->key_pair.public_key, server->key_pair.public_key);
  EXPECT_NE(LookupIdFromAuth(salt_b, secrets->auth), server->lookup_id);
  // The auth value is neither the lookup id nor the key.
  EXPECT_NE(0, std::memcmp(secrets->auth.data(), server->lookup_id.data(), 32));
  EXPECT_NE(0, std::memcmp(secrets->auth.data(), server->key_pair.public_key.bytes.data(), 32));
  EXPECT_FALSE(StretchCodename("abacus abdomen").ok());
}

TEST_F(CodenameDerivation, MatchesTheSpecVector) {
  // docs/codename.md, vector 1: salt 00 01 .. 0f.
  std::array<std::uint8_t, kInstanceSaltBytes> salt{};
  for (std::size_t i = 0; i < salt.size(); ++i) salt[i] = static_cast<std::uint8_t>(i);
  auto id = CodenameDeriver(salt).Derive("abacus abdomen abdominal abide abiding ability ablaze");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(HexEncode(id->lookup_id), std::string("57edbf4dc60f6cb705e73696d12157354930ec73753e9983ef46aae8b3c5d410"));
  EXPECT_EQ(id->key_pair.public_key.ToText(), std::string("sealdrop-src-8ttYaB9qjd4fyiCyAGNc1anKtA-tMSl3y11T-22NlD7ByEcg"));
  auto secrets = StretchCodename("abacus abdomen abdominal abide abiding ability ablaze");
  ASSERT_TRUE(secrets.ok());
  EXPECT_EQ(HexEncode(secrets->auth), std::string("e434a2288d4a46289109013e1d47886775a2d794ed01811a083521f8b96baf25"));
}

TEST_F(CodenameDerivation, RejectsABadCodenameWithOneGenericError) {
  auto r = CodenameDeriver(salt_a).Derive("not a codename at all really no");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "that is not a valid codename");
}

TEST_F(CodenameDerivation, DerivedKeyOpensWhatWasSealedToIt) {
  auto id = CodenameDeriver(salt_a).Derive("zoom zoom zoom zoom zoom zoom zoom");
  ASSERT_TRUE(id.ok());
  auto sealed = SealToBytes(std::span(&id->key_pair.public_key, 1), R"({"kind":"reply"})",
                            {"reply.txt", "text/plain"}, AsBytes(std::string("hello")));
  ASSERT_TRUE(sealed.ok());
  auto again = CodenameDeriver(salt_a).Derive("Zoom zoom zoom zoom zoom zoom zoom");
  ASSERT_TRUE(again.ok());
  std::vector<KeyPair> keys;
  keys.push_back(std::move(again->key_pair));
  auto opened = OpenFromBytes(*sealed, keys);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->contents[0], "hello");
}

}  // namespace
}  // namespace sealdrop
