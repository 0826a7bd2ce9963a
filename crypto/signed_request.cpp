#include "crypto/signed_request.h"

#include <sodium.h>

#include <cstring>

namespace sealdrop {
namespace {

static_assert(sizeof(crypto_hash_sha256_state) <= 128, "BodyHasher state too small");

bool IsUpperToken(std::string_view s) {
  if (s.empty() || s.size() > 16) return false;
  for (char c : s) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

bool IsCanonicalTarget(std::string_view s) {
  if (s.empty() || s.size() > 1024 || s.front() != '/') return false;
  for (char c : s) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

bool IsCanonicalNonce(std::string_view s) {
  if (s.size() != 22) return false;
  const auto raw = Base64UrlDecode(s);
  return raw && raw->size() == kRequestNonceBytes;
}

bool IsForceCodeText(std::string_view s) {
  if (s.size() < 2 || s.size() > 12 || s.front() < 'A' || s.front() > 'Z') return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

crypto_hash_sha256_state* State(std::array<std::uint8_t, 128>& raw) {
  return reinterpret_cast<crypto_hash_sha256_state*>(raw.data());
}

}  // namespace

Result<std::string> CanonicalRequestText(const SignedRequestFields& f) {
  if (!IsUpperToken(f.method) || !IsCanonicalTarget(f.target) || !IsForceCodeText(f.force) ||
      f.timestamp < 0 || !IsCanonicalNonce(f.nonce)) {
    return MakeError(ErrorCode::kInvalidArgument, "request signature fields are not canonical");
  }
  return f.method + "\n" + f.target + "\n" + f.force + "\n" + std::to_string(f.timestamp) +
         "\n" + f.nonce + "\n" + HexEncode(f.body_sha256);
}

std::string NewRequestNonce() {
  std::uint8_t raw[kRequestNonceBytes];
  randombytes_buf(raw, sizeof raw);
  return Base64UrlEncode(raw);
}

Result<std::string> SignRequest(const KeyPair& transfer, const SignedRequestFields& fields) {
  if (transfer.public_key.role != KeyRole::kForceTransfer) Die("SignRequest: not a transfer key");
  auto text = CanonicalRequestText(fields);
  if (!text) return text.error();
  const Signature sig = SignDetached(transfer, kForceApiSignatureDomain, AsBytes(*text));
  return Base64UrlEncode(sig);
}

Status VerifyRequestSignature(const PublicKey& transfer_key, const SignedRequestFields& fields,
                              std::string_view signature_b64) {
  if (transfer_key.role != KeyRole::kForceTransfer) {
    return MakeError(ErrorCode::kBadSignature, "not a transfer key");
  }
  auto text = CanonicalRequestText(fields);
  if (!text) return text.error();
  const auto raw = Base64UrlDecode(signature_b64);
  if (!raw || raw->size() != kSignatureBytes) {
    return MakeError(ErrorCode::kInvalidArgument, "malformed request signature");
  }
  Signature sig;
  std::memcpy(sig.data(), raw->data(), sig.size());
  if (!VerifyDetached(transfer_key, kForceApiSignatureDomain, AsBytes(*text), sig)) {
    return MakeError(ErrorCode::kBadSignature, "request signature does not verify");
  }
  return Status::Ok();
}

BodyHasher::BodyHasher() { crypto_hash_sha256_init(State(state_)); }

void BodyHasher::Update(std::span<const std::uint8_t> bytes) {
  crypto_hash_sha256_update(State(state_), bytes.data(), bytes.size());
}

BodyDigest BodyHasher::Final() {
  BodyDigest out{};
  crypto_hash_sha256_final(State(state_), out.data());
  return out;
}

BodyDigest Sha256(std::span<const std::uint8_t> bytes) {
  BodyDigest out{};
  crypto_hash_sha256(out.data(), bytes.data(), bytes.size());
  return out;
}

}  // namespace sealdrop
