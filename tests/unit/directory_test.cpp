#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "crypto/directory.h"
#include "tests/support/process.h"

namespace sealdrop {
namespace {

using nlohmann::json;

class ForceDirectoryTest : public ::testing::Test {
 protected:
  KeyPair root = GenerateKeyPair(KeyRole::kRoot);
  KeyPair met_dec = GenerateKeyPair(KeyRole::kForceDecryption);
  KeyPair met_dec2 = GenerateKeyPair(KeyRole::kForceDecryption);
  KeyPair met_xfer = GenerateKeyPair(KeyRole::kForceTransfer);
  KeyPair nat_dec = GenerateKeyPair(KeyRole::kForceDecryption);
  KeyPair nat_xfer = GenerateKeyPair(KeyRole::kForceTransfer);

  json Body() const {
    return {{"version", 1},
            {"serial", 3},
            {"issued", "2026-11-01"},
            {"expires", "2027-05-01"},
            {"forces",
             {{{"code", "MET"},
               {"name", "Metropolitan Police Service"},
               {"decryption_keys", {met_dec.public_key.ToText(), met_dec2.public_key.ToText()}},
               {"transfer_key", met_xfer.public_key.ToText()},
               {"valid_from", "2026-11-01"},
               {"valid_until", "2027-05-01"}},
              {{"code", "NATIONAL"},
               {"name", "I don't know which force"},
               {"decryption_keys", {nat_dec.public_key.ToText()}},
               {"transfer_key", nat_xfer.public_key.ToText()},
               {"valid_from", "2026-12-01"},
               {"valid_until", "2027-05-01"}}}}};
  }

  std::string Signed(const json& body) const {
    auto s = ForceDirectory::Sign(body.dump(), root, "2026-11-22");
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? *s : "";
  }

  ErrorCode VerifyError(const std::string& text, const std::string& today = "2026-11-22") const {
    auto d = ForceDirectory::Verify(text, root.public_key, today);
    EXPECT_FALSE(d.ok());
    return d.ok() ? ErrorCode::kInvalidArgument : d.error().code;
  }
};

TEST_F(ForceDirectoryTest, SignsAndVerifies) {
  auto dir = ForceDirectory::Verify(Signed(Body()), root.public_key, "2026-11-22");
  ASSERT_TRUE(dir.ok()) << dir.error().message;
  EXPECT_EQ(dir->serial(), 3);
  ASSERT_EQ(dir->forces().size(), 2u);
  auto met = dir->Find("MET");
  ASSERT_TRUE(met.ok());
  EXPECT_EQ((*met)->name, "Metropolitan Police Service");
  ASSERT_EQ((*met)->decryption_keys.size(), 2u);
  EXPECT_EQ((*met)->decryption_keys[1], met_dec2.public_key);
  EXPECT_EQ((*met)->transfer_key, met_xfer.public_key);
}

TEST_F(ForceDirectoryTest, FindRefusesUnknownForcesAndKeysOutsideTheirValidity) {
  auto dir = ForceDirectory::Verify(Signed(Body()), root.public_key, "2026-11-22");
  ASSERT_TRUE(dir.ok());
  auto unknown = dir->Find("XYZ");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  auto not_yet = dir->Find("NATIONAL");  // valid from 2026-12-01
  ASSERT_FALSE(not_yet.ok());
  EXPECT_EQ(not_yet.error().code, ErrorCode::kExpired);
}

TEST_F(ForceDirectoryTest, RefusesAnUnsignedDirectory) {
  EXPECT_EQ(VerifyError(Body().dump(2) + "\n"), ErrorCode::kBadMagic);
  std::string text = Signed(Body());
  const auto sig_at = text.find("signature ");
  const auto sig_end = text.find('\n', sig_at);
  EXPECT_EQ(VerifyError(text.substr(0, sig_at) + text.substr(sig_end + 1)),
            ErrorCode::kBadSignature);
}

TEST_F(ForceDirectoryTest, RefusesATamperedDirectory) {
  const std::string text = Signed(Body());
  std::string swapped_key = text;
  const std::string nat = nat_dec.public_key.ToText();
  const std::string met = met_dec.public_key.ToText();
  swapped_key.replace(swapped_key.find(met), met.size(), nat);
  EXPECT_EQ(VerifyError(swapped_key), ErrorCode::kBadSignature);
  std::string renamed = text;
  renamed.replace(renamed.find("Metropolitan"), 1, "N");
  EXPECT_EQ(VerifyError(renamed), ErrorCode::kBadSignature);
  EXPECT_EQ(VerifyError(text + " "), ErrorCode::kBadSignature);
  std::string bad_sig = text;
  bad_sig[bad_sig.find("signature ") + 12] ^= 1;
  EXPECT_NE(VerifyError(bad_sig), ErrorCode::kInvalidArgument);
}

TEST_F(ForceDirectoryTest, RefusesADirectorySignedByAnotherRoot) {
  const KeyPair impostor = GenerateKeyPair(KeyRole::kRoot);
  auto forged = ForceDirectory::Sign(Body().dump(), impostor, "2026-11-22");
  ASSERT_TRUE(forged.ok());
  EXPECT_EQ(VerifyError(*forged), ErrorCode::kBadSignature);
  // Even claiming to be signed by the pinned root does not help.
  std::string claimed = *forged;
  claimed.replace(claimed.find(impostor.public_key.ToText()),
                  impostor.public_key.ToText().size(), root.public_key.ToText());
  EXPECT_EQ(VerifyError(claimed), ErrorCode::kBadSignature);
}

TEST_F(ForceDirectoryTest, RefusesExpiredAndNotYetValidDirectories) {
  const std::string text = Signed(Body());
  EXPECT_EQ(VerifyError(text, "2027-05-02"), ErrorCode::kExpired);
  EXPECT_EQ(VerifyError(text, "2026-10-31"), ErrorCode::kExpired);
  EXPECT_TRUE(ForceDirectory::Verify(text, root.public_key, "2027-05-01").ok());
  EXPECT_FALSE(ForceDirectory::Sign(Body().dump(), root, "2027-06-01").ok());
}

TEST_F(ForceDirectoryTest, RefusesAnUnknownVersion) {
  std::string text = Signed(Body());
  text.replace(0, std::string("sealdrop-directory v1").size(), "sealdrop-directory v2");
  EXPECT_EQ(VerifyError(text), ErrorCode::kUnsupportedVersion);
}

TEST_F(ForceDirectoryTest, SignRefusesMalformedBodies) {
  auto expect_refused = [&](json body, const char* why) {
    auto s = ForceDirectory::Sign(body.dump(), root, "2026-11-22");
    EXPECT_FALSE(s.ok()) << why;
    if (!s.ok()) {
      EXPECT_EQ(s.error().code, ErrorCode::kMalformed) << why;
    }
  };
  json b = Body();
  b["forces"][1]["code"] = "MET";
  expect_refused(b, "duplicate code");
  b = Body();
  b["forces"][0]["code"] = "met";
  expect_refused(b, "lower-case code");
  b = Body();
  b["forces"][0]["decryption_keys"][0] = met_xfer.public_key.ToText();
  expect_refused(b, "transfer key as decryption key");
  b = Body();
  b["forces"][0]["decryption_keys"] = json::array();
  expect_refused(b, "no decryption keys");
  b = Body();
  b["forces"][0]["decryption_keys"][1] = met_dec.public_key.ToText();
  expect_refused(b, "same key twice");
  b = Body();
  b["version"] = 2;
  expect_refused(b, "version");
  b = Body();
  b["expires"] = "2026-13-01";
  expect_refused(b, "bad day");
  b = Body();
  b["extra"] = true;
  expect_refused(b, "unknown field");
  b = Body();
  b["forces"][0].erase("transfer_key");
  expect_refused(b, "missing transfer key");
  b = Body();
  b["forces"][0]["valid_until"] = "2026-01-01";
  expect_refused(b, "validity backwards");
  b = Body();
  b["forces"][0]["transfer_key"] = " " + met_xfer.public_key.ToText();
  expect_refused(b, "key text with white space");
  b = Body();
  b["issued"] = "2027-02-29";
  expect_refused(b, "no such day");
  EXPECT_FALSE(ForceDirectory::Sign("{not json", root, "2026-11-22").ok());
}

TEST_F(ForceDirectoryTest, VerifyRefusesANonCanonicalBody) {
  // Re-sign a body with extra white space by hand: the signature is fine, the form is not.
  const std::string body = Body().dump(4) + "\n";
  const Signature sig = SignDetached(root, "SealDrop force directory v1", AsBytes(body));
  const std::string text = "sealdrop-directory v1\nroot " + root.public_key.ToText() +
                           "\nsignature " + Base64Encode(sig) + "\n\n" + body;
  EXPECT_EQ(VerifyError(text), ErrorCode::kMalformed);
}

TEST_F(ForceDirectoryTest, RefusesARootLineThatIsNotExact) {
  std::string text = Signed(Body());
  const std::string root_text = root.public_key.ToText();
  text.replace(text.find(root_text), root_text.size(), root_text + " ");
  EXPECT_EQ(VerifyError(text), ErrorCode::kBadSignature);
}

TEST(Day, AcceptsOnlyRealCalendarDays) {
  EXPECT_TRUE(IsValidDay("2026-11-22"));
  EXPECT_TRUE(IsValidDay("2028-02-29"));
  EXPECT_TRUE(IsValidDay("2000-02-29"));
  for (const char* bad : {"2027-02-29", "2100-02-29", "2026-04-31", "2026-00-10", "2026-13-01",
                          "0000-01-01", "2026-1-01", "2026/11/22", "2026-11-22 ", ""}) {
    EXPECT_FALSE(IsValidDay(bad)) << bad;
  }
}

TEST(DirectoryVector, VerifiesTheCommittedSignedDirectory) {
  const std::string dir = std::string(SEALDROP_VECTORS_DIR) + "/directory/";
  auto root = PublicKey::FromText(testing::ReadFileOrDie(dir + "root.public"), KeyRole::kRoot);
  ASSERT_TRUE(root.ok());
  const std::string text = testing::ReadFileOrDie(dir + "directory.signed");
  auto d = ForceDirectory::Verify(text, *root, "2026-11-22");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->serial(), 7);
  auto met = d->Find("MET");
  ASSERT_TRUE(met.ok());
  const std::string met_public = testing::ReadFileOrDie(
      std::string(SEALDROP_VECTORS_DIR) + "/keys/MET.public");
  EXPECT_EQ((*met)->decryption_keys[0].ToText() + "\n", met_public);
  EXPECT_EQ(ForceDirectory::Verify(text, *root, "2027-11-23").error().code, ErrorCode::kExpired);
}

TEST(ForceCode, AcceptsOnlyShortUpperCaseCodes) {
  EXPECT_TRUE(IsValidForceCode("MET"));
  EXPECT_TRUE(IsValidForceCode("NATIONAL"));
  EXPECT_TRUE(IsValidForceCode("PSNI"));
  EXPECT_FALSE(IsValidForceCode("M"));
  EXPECT_FALSE(IsValidForceCode("met"));
  EXPECT_FALSE(IsValidForceCode("1ABC"));
  EXPECT_FALSE(IsValidForceCode("ABCDEFGHIJKLM"));
  EXPECT_FALSE(IsValidForceCode("ME T"));
}

}  // namespace
}  // namespace sealdrop
