// Every committed envelope vector gives exactly its labelled outcome (tests/vectors/README.md).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include "crypto/envelope_reader.h"
#include "tests/support/process.h"

namespace sealdrop {
namespace {

const std::string kDir = std::string(SEALDROP_VECTORS_DIR) + "/envelope";

std::vector<KeyPair> RecipientKey() {
  std::string hex = testing::ReadFileOrDie(kDir + "/recipient.key");
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r')) hex.pop_back();
  SecretBuffer secret(kSecretKeyBytes);
  std::size_t len = 0;
  if (sodium_hex2bin(secret.data(), secret.size(), hex.data(), hex.size(), nullptr, &len,
                     nullptr) != 0 ||
      len != kSecretKeyBytes) {
    ADD_FAILURE() << "bad recipient.key";
  }
  std::vector<KeyPair> keys;
  keys.push_back(KeyPairFromSecret(KeyRole::kForceDecryption, std::move(secret)));
  return keys;
}

TEST(EnvelopeVectors, EachGivesItsLabelledOutcome) {
  const auto manifest = nlohmann::json::parse(testing::ReadFileOrDie(kDir + "/manifest.json"));
  const auto keys = RecipientKey();
  ASSERT_GE(manifest.size(), 20u);
  std::set<std::string> outcomes;
  for (const auto& v : manifest) {
    const std::string file = v["file"];
    const std::string expect = v["expect"];
    outcomes.insert(expect);
    const std::string bytes = testing::ReadFileOrDie(kDir + "/" + file);
    auto opened = OpenFromBytes(AsBytes(bytes), keys);
    if (expect == "ok") {
      ASSERT_TRUE(opened.ok()) << file << ": " << opened.error().message;
      EXPECT_EQ(opened->metadata, v["metadata"].get<std::string>()) << file;
      ASSERT_EQ(opened->parts.size(), v["parts"].size()) << file;
      for (std::size_t i = 0; i < opened->parts.size(); ++i) {
        const auto& want = v["parts"][i];
        EXPECT_EQ(opened->parts[i].name, want["name"].get<std::string>()) << file;
        EXPECT_EQ(opened->parts[i].content_type, want["type"].get<std::string>()) << file;
        EXPECT_EQ(opened->contents[i].size(), want["size"].get<std::size_t>()) << file;
        unsigned char h[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(opened->contents[i].data()),
                           opened->contents[i].size());
        EXPECT_EQ(HexEncode(h), want["sha256"].get<std::string>()) << file;
      }
    } else {
      ASSERT_FALSE(opened.ok()) << file << " opened but should fail with " << expect;
      EXPECT_EQ(ErrorCodeName(opened.error().code), expect) << file;
    }
  }
  // The suite covers every rejection the spec names.
  for (const char* must : {"ok", "bad-magic", "unsupported-version", "malformed",
                           "no-matching-key", "header-mac-mismatch", "payload-corrupt",
                           "truncated", "trailing-data"}) {
    EXPECT_TRUE(outcomes.count(must)) << must;
  }
}

}  // namespace
}  // namespace sealdrop
