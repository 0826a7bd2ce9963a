#include "crypto/keyfile/key_slots.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "common/endian.h"
#include "crypto/sodium.h"

namespace sealdrop {
namespace {

constexpr std::string_view kMagic = "SDKSLOTS";
constexpr std::uint8_t kVersion = 1;
constexpr char kMacContext[crypto_kdf_CONTEXTBYTES + 1] = "SDkslots";
constexpr std::uint64_t kMacSubkeyId = 1;
// Bytes of a slot before its salt, nonce and wrapped key: role, name length, name, reserved, KDF.
constexpr std::size_t kSlotSaltAt = 44;
constexpr std::size_t kSlotNonceAt = 60;
constexpr std::size_t kSlotWrappedAt = 84;
static_assert(kSlotWrappedAt + 48 == kKeySlotBytes);

struct OfficerRoleNameEntry {
  OfficerRole role;
  std::string_view name;
};
constexpr OfficerRoleNameEntry kRoleNames[] = {
    {OfficerRole::kAssessor, "assessor"},
    {OfficerRole::kSupervisor, "supervisor"},
};

std::optional<OfficerRole> OfficerRoleFromByte(std::uint8_t b) {
  for (const auto& e : kRoleNames) {
    if (static_cast<std::uint8_t>(e.role) == b) return e.role;
  }
  return std::nullopt;
}

// Header bytes 0-47 of `slots`.
void EncodeHeader(const KeySlots& slots, std::uint8_t* out) {
  std::memset(out, 0, kKeySlotsHeaderBytes);
  std::memcpy(out, kMagic.data(), kMagic.size());
  out[8] = kVersion;
  out[9] = static_cast<std::uint8_t>(slots.key.role);
  out[10] = static_cast<std::uint8_t>(slots.slots.size());
  StoreLittleEndian<std::uint32_t>(out + 12, slots.generation);
  std::memcpy(out + 16, slots.key.bytes.data(), kPublicKeyBytes);
}

// Slot bytes 0-83: role, name, KDF parameters, salt and nonce (all but the wrapped key).
void EncodeSlotHead(const KeySlot& slot, std::uint8_t* out) {
  std::memset(out, 0, kSlotWrappedAt);
  out[0] = static_cast<std::uint8_t>(slot.role);
  out[1] = static_cast<std::uint8_t>(slot.officer.size());
  std::memcpy(out + 2, slot.officer.data(), slot.officer.size());
  StoreLittleEndian<std::uint32_t>(out + 36, slot.limits.opslimit);
  StoreLittleEndian<std::uint32_t>(out + 40, slot.limits.memlimit_kib);
  std::memcpy(out + kSlotSaltAt, slot.salt.data(), slot.salt.size());
  std::memcpy(out + kSlotNonceAt, slot.nonce.data(), slot.nonce.size());
}

// A slot's associated data: magic, version and key role (header 0-9), the public key
// (header 16-47) and the slot's own head. Not the count or generation, which change when other
// slots do.
std::vector<std::uint8_t> SlotAd(const PublicKey& key, const KeySlot& slot) {
  std::vector<std::uint8_t> ad(10 + kPublicKeyBytes + kSlotWrappedAt);
  std::memcpy(ad.data(), kMagic.data(), kMagic.size());
  ad[8] = kVersion;
  ad[9] = static_cast<std::uint8_t>(key.role);
  std::memcpy(ad.data() + 10, key.bytes.data(), kPublicKeyBytes);
  EncodeSlotHead(slot, ad.data() + 10 + kPublicKeyBytes);
  return ad;
}

std::string EncodeBody(const KeySlots& slots) {
  std::string out(kKeySlotsHeaderBytes + slots.slots.size() * kKeySlotBytes, '\0');
  auto* p = reinterpret_cast<std::uint8_t*>(out.data());
  EncodeHeader(slots, p);
  p += kKeySlotsHeaderBytes;
  for (const auto& slot : slots.slots) {
    EncodeSlotHead(slot, p);
    std::memcpy(p + kSlotWrappedAt, slot.wrapped.data(), slot.wrapped.size());
    p += kKeySlotBytes;
  }
  return out;
}

std::array<std::uint8_t, kKeySlotsMacBytes> BodyMac(std::string_view body, const KeyPair& key) {
  SecretBuffer mac_key(crypto_auth_KEYBYTES);
  crypto_kdf_derive_from_key(mac_key.data(), mac_key.size(), kMacSubkeyId, kMacContext,
                             key.secret.data());
  std::array<std::uint8_t, kKeySlotsMacBytes> mac{};
  crypto_auth(mac.data(), reinterpret_cast<const std::uint8_t*>(body.data()), body.size(),
              mac_key.data());
  return mac;
}

Error Malformed(const std::string& what) {
  return MakeError(ErrorCode::kMalformed, "key slots file: " + what + " (damaged?)");
}

}  // namespace

std::string_view OfficerRoleName(OfficerRole role) {
  for (const auto& e : kRoleNames) {
    if (e.role == role) return e.name;
  }
  Die("OfficerRoleName: unknown role");
}

std::optional<OfficerRole> OfficerRoleFromName(std::string_view name) {
  for (const auto& e : kRoleNames) {
    if (e.name == name) return e.role;
  }
  return std::nullopt;
}

bool IsValidOfficerName(std::string_view name) {
  if (name.empty() || name.size() > kMaxOfficerNameBytes) return false;
  if (name[0] < 'a' || name[0] > 'z') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

const KeySlot* KeySlots::Find(std::string_view officer) const {
  for (const auto& s : slots) {
    if (s.officer == officer) return &s;
  }
  return nullptr;
}

Result<KeySlots> DecodeKeySlots(std::string_view file, KdfLimits minimum) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(file.data());
  if (file.size() < kMagic.size() || file.substr(0, kMagic.size()) != kMagic) {
    return MakeError(ErrorCode::kBadMagic, "not a SealDrop key slots file");
  }
  if (file.size() < 9 || p[8] != kVersion) {
    return MakeError(ErrorCode::kUnsupportedVersion, "unsupported key slots file version");
  }
  if (file.size() < kKeySlotsHeaderBytes) return Malformed("too short");
  const std::size_t count = p[10];
  if (count < 1 || count > kMaxKeySlots) return Malformed("bad slot count");
  if (file.size() != kKeySlotsHeaderBytes + count * kKeySlotBytes + kKeySlotsMacBytes) {
    return Malformed("wrong length");
  }
  if (p[9] != static_cast<std::uint8_t>(KeyRole::kForceDecryption) || p[11] != 0) {
    return Malformed("bad header");
  }
  KeySlots out;
  out.key.role = KeyRole::kForceDecryption;
  out.generation = LoadLittleEndian<std::uint32_t>(p + 12);
  std::memcpy(out.key.bytes.data(), p + 16, kPublicKeyBytes);
  std::set<std::string> names;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint8_t* s = p + kKeySlotsHeaderBytes + i * kKeySlotBytes;
    KeySlot slot;
    const auto role = OfficerRoleFromByte(s[0]);
    const std::size_t len = s[1];
    if (!role || len < 1 || len > kMaxOfficerNameBytes) return Malformed("bad slot head");
    slot.role = *role;
    slot.officer.assign(reinterpret_cast<const char*>(s + 2), len);
    const bool padded = std::all_of(s + 2 + len, s + 36, [](std::uint8_t b) { return b == 0; });
    if (!padded || !IsValidOfficerName(slot.officer) || !names.insert(slot.officer).second) {
      return Malformed("bad or repeated officer name");
    }
    slot.limits = {LoadLittleEndian<std::uint32_t>(s + 36), LoadLittleEndian<std::uint32_t>(s + 40)};
    if (!KdfLimitsAcceptable(slot.limits, minimum)) return Malformed("unacceptable KDF parameters");
    std::memcpy(slot.salt.data(), s + kSlotSaltAt, slot.salt.size());
    std::memcpy(slot.nonce.data(), s + kSlotNonceAt, slot.nonce.size());
    std::memcpy(slot.wrapped.data(), s + kSlotWrappedAt, slot.wrapped.size());
    out.slots.push_back(std::move(slot));
  }
  std::memcpy(out.mac.data(), p + file.size() - kKeySlotsMacBytes, kKeySlotsMacBytes);
  return out;
}

Result<KeyPair> OpenKeySlot(const KeySlots& slots, std::string_view officer,
                            const SecretBuffer& passphrase) {
  EnsureSodium();
  const KeySlot* slot = slots.Find(officer);
  if (!slot) {
    return MakeError(ErrorCode::kNotFound,
                     "no officer '" + std::string(officer) + "' on this console");
  }
  SecretBuffer wrap_key(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  if (!DerivePassphraseKey(wrap_key, passphrase, slot->salt.data(), slot->limits)) {
    return MakeError(ErrorCode::kLimitExceeded, "not enough memory to unlock the key");
  }
  const auto ad = SlotAd(slots.key, *slot);
  SecretBuffer secret(kSecretKeyBytes);
  unsigned long long len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(secret.data(), &len, nullptr,
                                                 slot->wrapped.data(), slot->wrapped.size(),
                                                 ad.data(), ad.size(), slot->nonce.data(),
                                                 wrap_key.data()) != 0) {
    return MakeError(ErrorCode::kWrongPassphrase, "wrong passphrase for officer '" +
                                                      std::string(officer) + "'");
  }
  KeyPair key = KeyPairFromSecret(KeyRole::kForceDecryption, std::move(secret));
  const std::string body = EncodeBody(slots);
  const auto mac = BodyMac(body, key);
  if (!(key.public_key == slots.key) ||
      sodium_memcmp(mac.data(), slots.mac.data(), mac.size()) != 0) {
    return MakeError(ErrorCode::kHeaderMacMismatch,
                     "the key slots file was changed by someone without the key: refusing it");
  }
  return key;
}

Result<KeySlot> WrapKeySlot(const KeyPair& key, std::string_view officer, OfficerRole role,
                            const SecretBuffer& passphrase, KdfLimits limits) {
  EnsureSodium();
  if (key.public_key.role != KeyRole::kForceDecryption || key.secret.size() != kSecretKeyBytes) {
    Die("WrapKeySlot: not a force decryption key");
  }
  if (!IsValidOfficerName(officer)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "bad officer name: use 1-32 of a-z 0-9 . _ -, starting with a letter");
  }
  KeySlot slot;
  slot.officer = std::string(officer);
  slot.role = role;
  slot.limits = limits;
  randombytes_buf(slot.salt.data(), slot.salt.size());
  randombytes_buf(slot.nonce.data(), slot.nonce.size());
  SecretBuffer wrap_key(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  if (!DerivePassphraseKey(wrap_key, passphrase, slot.salt.data(), limits)) {
    return MakeError(ErrorCode::kLimitExceeded, "not enough memory to protect the key");
  }
  const auto ad = SlotAd(key.public_key, slot);
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(slot.wrapped.data(), &len, key.secret.data(),
                                             key.secret.size(), ad.data(), ad.size(), nullptr,
                                             slot.nonce.data(), wrap_key.data());
  return slot;
}

std::string EncodeKeySlots(const KeySlots& slots, const KeyPair& key) {
  if (!(slots.key == key.public_key) || slots.slots.empty() || slots.slots.size() > kMaxKeySlots) {
    Die("EncodeKeySlots: bad slots");
  }
  std::string out = EncodeBody(slots);
  const auto mac = BodyMac(out, key);
  out.append(reinterpret_cast<const char*>(mac.data()), mac.size());
  return out;
}

}  // namespace sealdrop
