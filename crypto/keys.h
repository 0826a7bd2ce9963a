// Key roles, public keys and their text encoding, fingerprints, key generation and signatures.
// Spec: docs/keys.md.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/bytes.h"  // AsBytes, used with every key and codec API
#include "common/result.h"
#include "crypto/secret_buffer.h"

namespace sealdrop {

inline constexpr std::size_t kPublicKeyBytes = 32;
inline constexpr std::size_t kSecretKeyBytes = 32;  // X25519 scalar or Ed25519 seed
inline constexpr std::size_t kSignatureBytes = 64;

enum class KeyRole : std::uint8_t {
  kForceDecryption = 1,  // X25519; secret only on the offline PSD console
  kForceTransfer = 2,    // Ed25519; authenticates a force's online transfer workstation
  kRoot = 3,             // Ed25519; offline national root, signs the force directory
  kSource = 4,           // X25519; derived from a reporter's codename, never stored
};

bool IsSigningRole(KeyRole role);
// "dec", "xfer", "root", "src": the tag used in text encodings.
std::string_view KeyRoleTag(KeyRole role);
std::optional<KeyRole> KeyRoleFromByte(std::uint8_t byte);

using PublicKeyBytes = std::array<std::uint8_t, kPublicKeyBytes>;
using Signature = std::array<std::uint8_t, kSignatureBytes>;

struct PublicKey {
  KeyRole role;
  PublicKeyBytes bytes;

  // "sealdrop-<tag>-<base64url(key || checksum)>", see docs/keys.md.
  std::string ToText() const;
  // Parses a text key. Surrounding ASCII white space is ignored. Rejects a wrong role (when
  // `expected` is given), a bad checksum and any non-canonical encoding.
  static Result<PublicKey> FromText(std::string_view text,
                                    std::optional<KeyRole> expected = std::nullopt);
  // Short human-comparable digest, e.g. "7f3a-91c0-5b2e-d4a8-0c19" (80 bits).
  std::string Fingerprint() const;

  bool operator==(const PublicKey& other) const = default;
};

struct KeyPair {
  PublicKey public_key;
  SecretBuffer secret;  // kSecretKeyBytes: X25519 scalar, or Ed25519 seed
};

// Fresh random key pair for `role`.
KeyPair GenerateKeyPair(KeyRole role);
// Rebuilds the pair from its secret half (REQUIRES: secret.size() == kSecretKeyBytes).
KeyPair KeyPairFromSecret(KeyRole role, SecretBuffer secret);
// X25519 pair from a 32-byte seed (used by codename derivation).
KeyPair X25519KeyPairFromSeed(KeyRole role, std::span<const std::uint8_t> seed);

// Ed25519 signature over `domain || 0x00 || message`. REQUIRES: IsSigningRole(signer role).
Signature SignDetached(const KeyPair& signer, std::string_view domain,
                       std::span<const std::uint8_t> message);
[[nodiscard]] bool VerifyDetached(const PublicKey& signer, std::string_view domain,
                                  std::span<const std::uint8_t> message, const Signature& sig);

// Base64url without padding (RFC 4648 §5), strict: non-canonical input is rejected.
std::string Base64UrlEncode(std::span<const std::uint8_t> bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);
std::string Base64Encode(std::span<const std::uint8_t> bytes);  // standard alphabet, padded
std::optional<std::string> Base64Decode(std::string_view text);
std::string HexEncode(std::span<const std::uint8_t> bytes);
// Exactly 64 lower-case hex digits → 32 bytes (ids, digests, lookup ids); anything else: nullopt.
std::optional<std::array<std::uint8_t, 32>> Bytes32FromHex(std::string_view hex);

}  // namespace sealdrop
