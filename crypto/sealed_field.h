// FieldSealer: small secrets the PSD console keeps beside the sealed reports (summaries for
// `list`, triage notes, reply texts) encrypted at rest under a key derived from the force's
// decryption key: XChaCha20-Poly1305 (libsodium crypto_aead_xchacha20poly1305_ietf) with a random
// 24-byte nonce, and associated data naming the row and the column, so a value cannot be moved to
// another row or column unnoticed. Spec: docs/console.md §3.
//
//   store_key = crypto_kdf_derive_from_key(32, id 1, ctx "SDconsto", force decryption secret)
//   sealed    = nonce (24) || AEAD(store_key, nonce, ad, plaintext)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/keys.h"
#include "crypto/secret_buffer.h"

namespace sealdrop {

class FieldSealer {
 public:
  // REQUIRES: force_key is a kForceDecryption key pair.
  explicit FieldSealer(const KeyPair& force_key);
  std::vector<std::uint8_t> Seal(std::string_view ad, std::string_view plaintext) const;
  // kPayloadCorrupt when the value was altered, moved, or sealed under another key.
  Result<std::string> Open(std::string_view ad, std::span<const std::uint8_t> sealed) const;

 private:
  SecretBuffer key_;
};

}  // namespace sealdrop
