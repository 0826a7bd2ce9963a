// Signed force API requests (docs/force-api.md §3): the canonical text, the vector, and that
// every field is covered.
#include <gtest/gtest.h>

#include "crypto/keyfile/secret_key_file.h"
#include "crypto/signed_request.h"
#include "tests/support/process.h"

namespace sealdrop {
namespace {

SignedRequestFields Vector() {
  return {"GET", "/api/v1/items", "MET", 1763800000, "AAAAAAAAAAAAAAAAAAAAAA", Sha256({})};
}

TEST(SignedRequest, TheCanonicalTextIsTheSpecsVector) {
  auto text = CanonicalRequestText(Vector());
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text,
            "GET\n/api/v1/items\nMET\n1763800000\nAAAAAAAAAAAAAAAAAAAAAA\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(SignedRequest, TheVectorKeySignsAndEveryFieldIsCovered) {
  const std::string dir = std::string(SEALDROP_VECTORS_DIR) + "/keys";
  std::string pass = testing::ReadFileOrDie(dir + "/passphrase.txt");
  pass = pass.substr(0, pass.find('\n'));
  auto key = ReadSecretKeyFile(dir + "/MET-transfer.secret", SecretBuffer::CopyOf(pass),
                               KeyRole::kForceTransfer);
  ASSERT_TRUE(key.ok()) << key.error().message;
  auto sig = SignRequest(*key, Vector());
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(sig->size(), 86u);
  EXPECT_TRUE(VerifyRequestSignature(key->public_key, Vector(), *sig).ok());

  std::vector<SignedRequestFields> changed(7, Vector());
  changed[0].method = "POST";
  changed[1].target = "/api/v1/items/x";
  changed[2].force = "WMI";
  changed[3].timestamp += 1;
  changed[4].nonce = "AAAAAAAAAAAAAAAAAAAAAQ";
  changed[5].body_sha256[0] ^= 1;
  changed[6].target = "/api/v1/items?";
  for (const auto& f : changed) {
    const Status st = VerifyRequestSignature(key->public_key, f, *sig);
    EXPECT_FALSE(st.ok());
    if (!st.ok()) {
      EXPECT_EQ(st.error().code, ErrorCode::kBadSignature);
    }
  }
  // Another transfer key, and a key of another role, never verify.
  const KeyPair other = GenerateKeyPair(KeyRole::kForceTransfer);
  EXPECT_FALSE(VerifyRequestSignature(other.public_key, Vector(), *sig).ok());
  const KeyPair root = GenerateKeyPair(KeyRole::kRoot);
  EXPECT_FALSE(VerifyRequestSignature(root.public_key, Vector(), *sig).ok());
}

TEST(SignedRequest, NonCanonicalFieldsAreRefusedBeforeAnySignatureCheck) {
  const KeyPair key = GenerateKeyPair(KeyRole::kForceTransfer);
  std::vector<SignedRequestFields> bad(8, Vector());
  bad[0].method = "get";
  bad[1].target = "api/v1/items";
  bad[2].target = "/api/v1/items with space";
  bad[3].force = "met";
  bad[4].timestamp = -1;
  bad[5].nonce = "AAAA";
  bad[6].nonce = "AAAAAAAAAAAAAAAAAAAAA=";
  bad[7].target = "/api/\nv1";
  for (const auto& f : bad) {
    EXPECT_FALSE(CanonicalRequestText(f).ok());
    EXPECT_FALSE(SignRequest(key, f).ok());
  }
  auto sig = SignRequest(key, Vector());
  ASSERT_TRUE(sig.ok());
  for (const std::string& s : {std::string(""), std::string("!!"), sig->substr(1), *sig + "A"}) {
    EXPECT_EQ(VerifyRequestSignature(key.public_key, Vector(), s).error().code,
              ErrorCode::kInvalidArgument);
  }
}

TEST(SignedRequest, NoncesAreFreshAndBodyHashesStream) {
  EXPECT_NE(NewRequestNonce(), NewRequestNonce());
  EXPECT_EQ(NewRequestNonce().size(), 22u);
  BodyHasher h;
  h.Update(AsBytes("hello "));
  h.Update(AsBytes("world"));
  EXPECT_EQ(h.Final(), Sha256(AsBytes("hello world")));
}

}  // namespace
}  // namespace sealdrop
