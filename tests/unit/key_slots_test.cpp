#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "crypto/keyfile/key_slots.h"
#include "crypto/public_key_file.h"

namespace sealdrop {
namespace {

// Weak limits keep these fast; the console writes every slot with the default (MODERATE) ones,
// which the vectors below and the CLI tests use.
constexpr KdfLimits kFast{1, 8};

SecretBuffer Pass(std::string_view p) { return SecretBuffer::CopyOf(p); }

struct TwoOfficers {
  KeyPair key = GenerateKeyPair(KeyRole::kForceDecryption);
  std::string file;
  TwoOfficers() {
    KeySlots slots;
    slots.key = key.public_key;
    slots.generation = 1;
    slots.slots.push_back(WrapKeySlot(key, "alice", OfficerRole::kSupervisor, Pass("alice pw"), kFast).value());
    slots.slots.push_back(WrapKeySlot(key, "bob", OfficerRole::kAssessor, Pass("bob pw"), kFast).value());
    file = EncodeKeySlots(slots, key);
  }
};

ErrorCode OpenCode(const std::string& file, std::string_view officer, std::string_view pass) {
  auto slots = DecodeKeySlots(file, kFast);
  if (!slots) return slots.error().code;
  auto key = OpenKeySlot(*slots, officer, Pass(pass));
  return key ? ErrorCode::kInvalidArgument : key.error().code;  // kInvalidArgument: "opened"
}

TEST(KeySlots, EachOfficerUnwrapsTheSameKeyWithTheirOwnPassphrase) {
  TwoOfficers t;
  EXPECT_EQ(t.file.size(), kKeySlotsHeaderBytes + 2 * kKeySlotBytes + kKeySlotsMacBytes);
  auto slots = DecodeKeySlots(t.file, kFast).value();
  EXPECT_EQ(slots.generation, 1u);
  ASSERT_EQ(slots.slots.size(), 2u);
  EXPECT_EQ(slots.slots[1].officer, "bob");
  EXPECT_EQ(slots.slots[1].role, OfficerRole::kAssessor);
  for (const auto& [who, pw] : {std::pair{"alice", "alice pw"}, std::pair{"bob", "bob pw"}}) {
    auto key = OpenKeySlot(slots, who, Pass(pw));
    ASSERT_TRUE(key.ok()) << key.error().message;
    EXPECT_EQ(key->public_key, t.key.public_key);
    EXPECT_TRUE(key->secret.Equals(t.key.secret));
  }
  EXPECT_EQ(OpenCode(t.file, "alice", "bob pw"), ErrorCode::kWrongPassphrase);
  EXPECT_EQ(OpenCode(t.file, "carol", "alice pw"), ErrorCode::kNotFound);
}

TEST(KeySlots, ARemovedOfficersPassphraseUnlocksNothing) {
  TwoOfficers t;
  auto slots = DecodeKeySlots(t.file, kFast).value();
  slots.slots.pop_back();  // bob removed
  ++slots.generation;
  const std::string after = EncodeKeySlots(slots, t.key);
  EXPECT_EQ(OpenCode(after, "bob", "bob pw"), ErrorCode::kNotFound);
  // Bob's passphrase opens no slot that is left, under any name.
  const KeySlots left = DecodeKeySlots(after, kFast).value();
  for (const auto& s : left.slots) {
    EXPECT_EQ(OpenCode(after, s.officer, "bob pw"), ErrorCode::kWrongPassphrase) << s.officer;
  }
  EXPECT_EQ(OpenCode(after, "alice", "alice pw"), ErrorCode::kInvalidArgument);  // opened
}

TEST(KeySlots, AChangeBySomeoneWithoutTheKeyIsRefused) {
  TwoOfficers t;
  const std::size_t bob = kKeySlotsHeaderBytes + kKeySlotBytes;
  // Bob's role raised: his own slot no longer opens; alice's finds the file's MAC broken.
  std::string promoted = t.file;
  promoted[bob] = 2;
  EXPECT_EQ(OpenCode(promoted, "bob", "bob pw"), ErrorCode::kWrongPassphrase);
  EXPECT_EQ(OpenCode(promoted, "alice", "alice pw"), ErrorCode::kHeaderMacMismatch);
  // The generation rolled back, or the MAC itself touched.
  std::string older = t.file;
  older[12] = 0;
  EXPECT_EQ(OpenCode(older, "alice", "alice pw"), ErrorCode::kHeaderMacMismatch);
  std::string mac = t.file;
  mac.back() ^= 1;
  EXPECT_EQ(OpenCode(mac, "alice", "alice pw"), ErrorCode::kHeaderMacMismatch);
  // Alice's slot moved under another key's public half.
  std::string other = t.file;
  other[20] ^= 1;
  EXPECT_EQ(OpenCode(other, "alice", "alice pw"), ErrorCode::kWrongPassphrase);
}

TEST(KeySlots, RejectsMalformedFiles) {
  TwoOfficers t;
  const auto code = [](const std::string& f) {
    auto r = DecodeKeySlots(f, kFast);
    return r ? ErrorCode::kInvalidArgument : r.error().code;
  };
  std::string magic = t.file;
  magic[0] = 'X';
  EXPECT_EQ(code(magic), ErrorCode::kBadMagic);
  std::string version = t.file;
  version[8] = 2;
  EXPECT_EQ(code(version), ErrorCode::kUnsupportedVersion);
  EXPECT_EQ(code(t.file.substr(0, t.file.size() - 1)), ErrorCode::kMalformed);
  EXPECT_EQ(code(t.file + "x"), ErrorCode::kMalformed);
  std::string count = t.file;
  count[10] = 0;
  EXPECT_EQ(code(count), ErrorCode::kMalformed);
  std::string role = t.file;
  role[9] = 2;  // a transfer key is never kept in slots
  EXPECT_EQ(code(role), ErrorCode::kMalformed);
  const std::size_t bob = kKeySlotsHeaderBytes + kKeySlotBytes;
  std::string officer_role = t.file;
  officer_role[bob] = 3;
  EXPECT_EQ(code(officer_role), ErrorCode::kMalformed);
  std::string twice = t.file;  // bob renamed "ali" + ... : make his name "alice"
  twice[bob + 1] = 5;
  twice.replace(bob + 2, 5, "alice");
  EXPECT_EQ(code(twice), ErrorCode::kMalformed);
  std::string upper = t.file;
  upper[bob + 2] = 'B';
  EXPECT_EQ(code(upper), ErrorCode::kMalformed);
  std::string padding = t.file;
  padding[bob + 20] = 'x';
  EXPECT_EQ(code(padding), ErrorCode::kMalformed);
  std::string weak = t.file;
  weak[bob + 36] = 0;  // opslimit 0
  EXPECT_EQ(code(weak), ErrorCode::kMalformed);
  std::string huge = t.file;
  huge[bob + 43] = 0x7f;  // memory far above 1 GiB
  EXPECT_EQ(code(huge), ErrorCode::kMalformed);
}

TEST(KeySlots, NamesAndRoles) {
  for (const char* ok : {"alice", "a", "j.smith-2", "pc_4471", "abcdefghijklmnopqrstuvwxyz012345"}) {
    EXPECT_TRUE(IsValidOfficerName(ok)) << ok;
  }
  for (const char* bad : {"", "Alice", "1alice", "al ice", "al\x1b", "abcdefghijklmnopqrstuvwxyz0123456"}) {
    EXPECT_FALSE(IsValidOfficerName(bad)) << bad;
  }
  EXPECT_EQ(OfficerRoleFromName("supervisor"), OfficerRole::kSupervisor);
  EXPECT_EQ(OfficerRoleName(OfficerRole::kAssessor), "assessor");
  EXPECT_FALSE(OfficerRoleFromName("admin"));
  const KeyPair key = GenerateKeyPair(KeyRole::kForceDecryption);
  EXPECT_FALSE(WrapKeySlot(key, "Bad Name", OfficerRole::kAssessor, Pass("pw"), kFast).ok());
}

// tests/vectors/keyslots (docs/console.md §5.2): MET's vector key in two slots, default limits.
TEST(KeySlots, Vectors) {
  const std::string dir = std::string(SEALDROP_VECTORS_DIR);
  const auto read = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  const auto first_line = [&](const std::string& path) {
    std::string text = read(path);
    return text.substr(0, text.find('\n'));
  };
  const std::string file = read(dir + "/keyslots/MET.keyslots");
  auto slots = DecodeKeySlots(file);
  ASSERT_TRUE(slots.ok()) << slots.error().message;
  ASSERT_EQ(slots->slots.size(), 2u);
  EXPECT_EQ(slots->slots[0].officer, "alice");
  EXPECT_EQ(slots->slots[0].role, OfficerRole::kSupervisor);
  EXPECT_EQ(slots->slots[1].officer, "bob");
  EXPECT_EQ(slots->slots[1].role, OfficerRole::kAssessor);
  const auto met = ReadPublicKeyFile(dir + "/keys/MET.public", KeyRole::kForceDecryption).value();
  EXPECT_EQ(slots->key, met);
  for (const char* who : {"alice", "bob"}) {
    auto key = OpenKeySlot(*slots, who, Pass(first_line(dir + "/keyslots/" + who + ".txt")));
    ASSERT_TRUE(key.ok()) << who << ": " << key.error().message;
    EXPECT_EQ(key->public_key, met);
  }
  auto wrong = OpenKeySlot(*slots, "bob", Pass(first_line(dir + "/keyslots/alice.txt")));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kWrongPassphrase);
}

}  // namespace
}  // namespace sealdrop
