#include <gtest/gtest.h>

#include "crypto/keyfile/secret_key_file.h"
#include "tests/support/process.h"

namespace sealdrop {
namespace {

// Weak limits keep most tests fast; the default (MODERATE) path is exercised once below and by
// every CLI test.
constexpr KdfLimits kFast{1, 8};

SecretBuffer Pass(std::string_view p) { return SecretBuffer::CopyOf(p); }

TEST(SecretKeyFile, RoundTripsWithDefaultLimits) {
  const KeyPair pair = GenerateKeyPair(KeyRole::kForceDecryption);
  const std::string file = EncodeSecretKeyFile(pair, Pass("correct horse battery")).value();
  EXPECT_EQ(file.size(), kSecretKeyFileBytes);
  auto back = DecodeSecretKeyFile(file, Pass("correct horse battery"), KeyRole::kForceDecryption);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->public_key, pair.public_key);
  EXPECT_TRUE(back->secret.Equals(pair.secret));
}

TEST(SecretKeyFile, RoundTripsEverySecretRole) {
  for (auto role : {KeyRole::kForceDecryption, KeyRole::kForceTransfer, KeyRole::kRoot}) {
    const KeyPair pair = GenerateKeyPair(role);
    auto back = DecodeSecretKeyFile(EncodeSecretKeyFile(pair, Pass("pw"), kFast).value(), Pass("pw"),
                                    role, kFast);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->public_key, pair.public_key);
  }
}

TEST(SecretKeyFile, RejectsAWrongPassphrase) {
  const std::string file =
      EncodeSecretKeyFile(GenerateKeyPair(KeyRole::kRoot), Pass("right"), kFast).value();
  auto r = DecodeSecretKeyFile(file, Pass("wrong"), std::nullopt, kFast);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kWrongPassphrase);
  EXPECT_NE(r.error().message.find("wrong passphrase"), std::string::npos);
}

TEST(SecretKeyFile, RejectsTheWrongRole) {
  const std::string file =
      EncodeSecretKeyFile(GenerateKeyPair(KeyRole::kForceTransfer), Pass("pw"), kFast).value();
  auto r = DecodeSecretKeyFile(file, Pass("pw"), KeyRole::kForceDecryption, kFast);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(SecretKeyFile, RejectsDamage) {
  const std::string good =
      EncodeSecretKeyFile(GenerateKeyPair(KeyRole::kRoot), Pass("pw"), kFast).value();
  auto code_of = [](const std::string& f) {
    auto r = DecodeSecretKeyFile(f, Pass("pw"), std::nullopt, kFast);
    return r.ok() ? ErrorCode::kInvalidArgument : r.error().code;
  };
  std::string magic = good;
  magic[0] = 'X';
  EXPECT_EQ(code_of(magic), ErrorCode::kBadMagic);
  std::string version = good;
  version[8] = 9;
  EXPECT_EQ(code_of(version), ErrorCode::kUnsupportedVersion);
  EXPECT_EQ(code_of(good.substr(0, 60)), ErrorCode::kMalformed);
  EXPECT_EQ(code_of(good + "x"), ErrorCode::kMalformed);
  std::string role = good;
  role[9] = 4;  // a source key is never stored
  EXPECT_EQ(code_of(role), ErrorCode::kMalformed);
  // The header is authenticated: changing the role byte between valid roles fails decryption.
  std::string swapped = good;
  swapped[9] = 2;
  EXPECT_EQ(code_of(swapped), ErrorCode::kWrongPassphrase);
  std::string body = good;
  body[70] ^= 1;
  EXPECT_EQ(code_of(body), ErrorCode::kWrongPassphrase);
}

TEST(SecretKeyFile, RefusesKdfParametersOutsideTheAllowedRange) {
  const KeyPair pair = GenerateKeyPair(KeyRole::kRoot);
  auto weak = DecodeSecretKeyFile(EncodeSecretKeyFile(pair, Pass("pw"), kFast).value(), Pass("pw"),
                                  std::nullopt);  // default minimum: MODERATE
  ASSERT_FALSE(weak.ok());
  EXPECT_EQ(weak.error().code, ErrorCode::kMalformed);
  std::string huge = EncodeSecretKeyFile(pair, Pass("pw"), kFast).value();
  huge[19] = 0x7f;  // memlimit of ~2 TiB: refused before any allocation
  auto r = DecodeSecretKeyFile(huge, Pass("pw"), std::nullopt, kFast);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kMalformed);
}

TEST(SecretKeyFile, OpensTheCommittedVectors) {
  const std::string dir = std::string(SEALDROP_VECTORS_DIR) + "/keys/";
  std::string pass = testing::ReadFileOrDie(dir + "passphrase.txt");
  pass.resize(pass.find('\n'));
  for (const auto& [name, role] : {std::pair{"MET", KeyRole::kForceDecryption},
                                   std::pair{"MET-transfer", KeyRole::kForceTransfer}}) {
    auto pair = DecodeSecretKeyFile(testing::ReadFileOrDie(dir + name + ".secret"), Pass(pass),
                                    role);
    ASSERT_TRUE(pair.ok()) << name << ": " << pair.error().message;
    EXPECT_EQ(pair->public_key.ToText() + "\n", testing::ReadFileOrDie(dir + name + ".public"));
  }
}

TEST(SecretKeyFile, TwoEncodingsOfOneKeyDiffer) {
  const KeyPair pair = GenerateKeyPair(KeyRole::kRoot);
  EXPECT_NE(EncodeSecretKeyFile(pair, Pass("pw"), kFast).value(),
            EncodeSecretKeyFile(pair, Pass("pw"), kFast).value());
}

}  // namespace
}  // namespace sealdrop
