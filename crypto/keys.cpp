#include "crypto/keys.h"

#include <sodium.h>

#include <cstring>
#include <vector>

#include "crypto/sodium.h"

namespace sealdrop {
namespace {

constexpr std::string_view kTextPrefix = "sealdrop-";
constexpr std::string_view kChecksumDomain = "SealDrop public key v1";
constexpr std::string_view kFingerprintDomain = "SealDrop fingerprint v1";
constexpr std::size_t kChecksumBytes = 4;

// BLAKE2b-256(domain || 0x00 || tag || 0x00 || key).
std::array<std::uint8_t, 32> DomainHash(std::string_view domain, std::string_view tag,
                                        const PublicKeyBytes& key) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 32);
  const std::uint8_t zero = 0;
  crypto_generichash_update(&st, AsBytes(domain).data(), domain.size());
  crypto_generichash_update(&st, &zero, 1);
  crypto_generichash_update(&st, AsBytes(tag).data(), tag.size());
  crypto_generichash_update(&st, &zero, 1);
  crypto_generichash_update(&st, key.data(), key.size());
  std::array<std::uint8_t, 32> out{};
  crypto_generichash_final(&st, out.data(), out.size());
  return out;
}

std::string_view TrimAscii(std::string_view s) {
  const char* ws = " \t\r\n";
  const auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

std::optional<std::string> DecodeVariant(std::string_view text, int variant) {
  std::vector<std::uint8_t> out(text.size() / 4 * 3 + 3);
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                        variant) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

std::string EncodeVariant(std::span<const std::uint8_t> bytes, int variant) {
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), variant);
  out.resize(std::strlen(out.c_str()));
  return out;
}

}  // namespace

bool IsSigningRole(KeyRole role) {
  return role == KeyRole::kForceTransfer || role == KeyRole::kRoot;
}

std::string_view KeyRoleTag(KeyRole role) {
  switch (role) {
    case KeyRole::kForceDecryption: return "dec";
    case KeyRole::kForceTransfer: return "xfer";
    case KeyRole::kRoot: return "root";
    case KeyRole::kSource: return "src";
  }
  Die("unknown key role");
}

std::optional<KeyRole> KeyRoleFromByte(std::uint8_t byte) {
  if (byte >= 1 && byte <= 4) return static_cast<KeyRole>(byte);
  return std::nullopt;
}

std::string Base64UrlEncode(std::span<const std::uint8_t> bytes) {
  return EncodeVariant(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  auto decoded = DecodeVariant(text, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  // libsodium accepts non-zero unused bits in the last character: insist on canonical form.
  if (!decoded || Base64UrlEncode(AsBytes(*decoded)) != text) return std::nullopt;
  return decoded;
}

std::string Base64Encode(std::span<const std::uint8_t> bytes) {
  return EncodeVariant(bytes, sodium_base64_VARIANT_ORIGINAL);
}

std::optional<std::string> Base64Decode(std::string_view text) {
  auto decoded = DecodeVariant(text, sodium_base64_VARIANT_ORIGINAL);
  if (!decoded || Base64Encode(AsBytes(*decoded)) != text) return std::nullopt;
  return decoded;
}

std::string HexEncode(std::span<const std::uint8_t> bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
  out.pop_back();
  return out;
}

std::optional<std::array<std::uint8_t, 32>> Bytes32FromHex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  std::array<std::uint8_t, 32> out{};
  for (std::size_t i = 0; i < 64; ++i) {
    const char c = hex[i];
    const int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (d < 0) return std::nullopt;
    out[i / 2] = static_cast<std::uint8_t>(out[i / 2] * 16 + d);
  }
  return out;
}

std::string PublicKey::ToText() const {
  EnsureSodium();
  const std::string_view tag = KeyRoleTag(role);
  const auto sum = DomainHash(kChecksumDomain, tag, bytes);
  std::array<std::uint8_t, kPublicKeyBytes + kChecksumBytes> raw{};
  std::memcpy(raw.data(), bytes.data(), kPublicKeyBytes);
  std::memcpy(raw.data() + kPublicKeyBytes, sum.data(), kChecksumBytes);
  std::string out(kTextPrefix);
  out += tag;
  out += '-';
  out += Base64UrlEncode(raw);
  return out;
}

Result<PublicKey> PublicKey::FromText(std::string_view text, std::optional<KeyRole> expected) {
  EnsureSodium();
  text = TrimAscii(text);
  auto bad = [](const char* why) {
    return MakeError(ErrorCode::kInvalidArgument, std::string("not a SealDrop public key: ") + why);
  };
  if (text.substr(0, kTextPrefix.size()) != kTextPrefix) return bad("missing 'sealdrop-' prefix");
  text.remove_prefix(kTextPrefix.size());
  const auto dash = text.find('-');
  if (dash == std::string_view::npos) return bad("missing key type");
  const std::string_view tag = text.substr(0, dash);
  std::optional<KeyRole> role;
  for (std::uint8_t b = 1; b <= 4; ++b) {
    if (KeyRoleTag(static_cast<KeyRole>(b)) == tag) role = static_cast<KeyRole>(b);
  }
  if (!role) return bad("unknown key type");
  if (expected && *expected != *role) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "wrong kind of public key: expected a '" +
                         std::string(KeyRoleTag(*expected)) + "' key, got a '" +
                         std::string(tag) + "' key");
  }
  const auto raw = Base64UrlDecode(text.substr(dash + 1));
  if (!raw || raw->size() != kPublicKeyBytes + kChecksumBytes) return bad("bad encoding");
  PublicKey key{*role, {}};
  std::memcpy(key.bytes.data(), raw->data(), kPublicKeyBytes);
  const auto sum = DomainHash(kChecksumDomain, tag, key.bytes);
  if (sodium_memcmp(sum.data(), raw->data() + kPublicKeyBytes, kChecksumBytes) != 0) {
    return bad("checksum mismatch (mistyped or damaged)");
  }
  return key;
}

std::string PublicKey::Fingerprint() const {
  EnsureSodium();
  const auto digest = DomainHash(kFingerprintDomain, KeyRoleTag(role), bytes);
  const std::string hex = HexEncode(std::span(digest.data(), 10));
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 4) {
    if (i != 0) out += '-';
    out += hex.substr(i, 4);
  }
  return out;
}

KeyPair KeyPairFromSecret(KeyRole role, SecretBuffer secret) {
  EnsureSodium();
  if (secret.size() != kSecretKeyBytes) Die("KeyPairFromSecret: wrong secret size");
  KeyPair pair{PublicKey{role, {}}, std::move(secret)};
  if (IsSigningRole(role)) {
    SecretBuffer expanded(crypto_sign_SECRETKEYBYTES);
    crypto_sign_seed_keypair(pair.public_key.bytes.data(), expanded.data(), pair.secret.data());
  } else {
    crypto_scalarmult_base(pair.public_key.bytes.data(), pair.secret.data());
  }
  return pair;
}

KeyPair GenerateKeyPair(KeyRole role) {
  SecretBuffer secret(kSecretKeyBytes);
  randombytes_buf(secret.data(), secret.size());
  return KeyPairFromSecret(role, std::move(secret));
}

KeyPair X25519KeyPairFromSeed(KeyRole role, std::span<const std::uint8_t> seed) {
  EnsureSodium();
  if (IsSigningRole(role) || seed.size() != crypto_box_SEEDBYTES) Die("X25519KeyPairFromSeed");
  KeyPair pair{PublicKey{role, {}}, SecretBuffer(crypto_box_SECRETKEYBYTES)};
  crypto_box_seed_keypair(pair.public_key.bytes.data(), pair.secret.data(), seed.data());
  return pair;
}

namespace {
std::vector<std::uint8_t> DomainMessage(std::string_view domain,
                                        std::span<const std::uint8_t> message) {
  std::vector<std::uint8_t> m;
  m.reserve(domain.size() + 1 + message.size());
  m.insert(m.end(), domain.begin(), domain.end());
  m.push_back(0);
  m.insert(m.end(), message.begin(), message.end());
  return m;
}
}  // namespace

Signature SignDetached(const KeyPair& signer, std::string_view domain,
                       std::span<const std::uint8_t> message) {
  EnsureSodium();
  if (!IsSigningRole(signer.public_key.role)) Die("SignDetached: not a signing key");
  SecretBuffer expanded(crypto_sign_SECRETKEYBYTES);
  PublicKeyBytes pk{};
  crypto_sign_seed_keypair(pk.data(), expanded.data(), signer.secret.data());
  const auto m = DomainMessage(domain, message);
  Signature sig{};
  crypto_sign_detached(sig.data(), nullptr, m.data(), m.size(), expanded.data());
  return sig;
}

bool VerifyDetached(const PublicKey& signer, std::string_view domain,
                    std::span<const std::uint8_t> message, const Signature& sig) {
  EnsureSodium();
  if (!IsSigningRole(signer.role)) return false;
  const auto m = DomainMessage(domain, message);
  return crypto_sign_verify_detached(sig.data(), m.data(), m.size(), signer.bytes.data()) == 0;
}

}  // namespace sealdrop
