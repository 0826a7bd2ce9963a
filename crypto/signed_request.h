// Signed force API requests: how a force's transfer workstation proves each request is its own.
// Spec: docs/force-api.md §3.
//
// The signature is Ed25519 (SignDetached, domain "SealDrop force API request v1") by the force's
// transfer key — whose public half is in the signed directory — over a canonical text made of
// the method, the request target, the force code, a timestamp, a nonce and the SHA-256 of the
// body. Freshness (timestamp window, nonce never seen) is the verifier's policy, not this codec's.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/keys.h"

namespace sealdrop {

inline constexpr std::string_view kForceApiSignatureDomain = "SealDrop force API request v1";
inline constexpr std::size_t kRequestNonceBytes = 16;

using BodyDigest = std::array<std::uint8_t, 32>;

struct SignedRequestFields {
  std::string method;   // "GET", "POST"
  std::string target;   // the request target as sent, e.g. "/api/v1/items"
  std::string force;    // the force code
  std::int64_t timestamp = 0;  // seconds since the Unix epoch
  std::string nonce;    // base64url of 16 random bytes (22 characters)
  BodyDigest body_sha256{};
};

// The exact bytes that are signed (docs/force-api.md §3). Fails with kInvalidArgument when a
// field is not in its canonical form (so a verifier never signs-checks ambiguous text).
Result<std::string> CanonicalRequestText(const SignedRequestFields& fields);

// A fresh nonce: base64url of 16 random bytes.
std::string NewRequestNonce();

// base64url of the 64-byte signature. REQUIRES: transfer.public_key.role == kForceTransfer.
Result<std::string> SignRequest(const KeyPair& transfer, const SignedRequestFields& fields);

// kBadSignature unless `signature_b64` is a valid signature of `fields` by `transfer_key`;
// kInvalidArgument for a non-canonical field or signature encoding.
Status VerifyRequestSignature(const PublicKey& transfer_key, const SignedRequestFields& fields,
                              std::string_view signature_b64);

// SHA-256 over a body that arrives in pieces.
class BodyHasher {
 public:
  BodyHasher();
  void Update(std::span<const std::uint8_t> bytes);
  BodyDigest Final();

 private:
  alignas(64) std::array<std::uint8_t, 128> state_{};  // crypto_hash_sha256_state (104 bytes)
};

BodyDigest Sha256(std::span<const std::uint8_t> bytes);

}  // namespace sealdrop
