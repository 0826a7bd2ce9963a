#include "crypto/sealed_field.h"

#include <sodium.h>

namespace sealdrop {

FieldSealer::FieldSealer(const KeyPair& force_key) : key_(crypto_kdf_KEYBYTES) {
  if (force_key.public_key.role != KeyRole::kForceDecryption ||
      force_key.secret.size() != crypto_kdf_KEYBYTES) {
    Die("FieldSealer: needs a force decryption key");
  }
  if (crypto_kdf_derive_from_key(key_.data(), key_.size(), 1, "SDconsto",
                                 force_key.secret.data()) != 0) {
    Die("FieldSealer: key derivation failed");
  }
}

std::vector<std::uint8_t> FieldSealer::Seal(std::string_view ad, std::string_view plaintext) const {
  std::vector<std::uint8_t> out(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + plaintext.size() +
                                crypto_aead_xchacha20poly1305_ietf_ABYTES);
  randombytes_buf(out.data(), crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      out.data() + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &written,
      reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
      reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr, out.data(),
      key_.data());
  return out;
}

Result<std::string> FieldSealer::Open(std::string_view ad,
                                      std::span<const std::uint8_t> sealed) const {
  constexpr std::size_t kN = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  constexpr std::size_t kA = crypto_aead_xchacha20poly1305_ietf_ABYTES;
  if (sealed.size() < kN + kA) return MakeError(ErrorCode::kPayloadCorrupt, "stored value damaged");
  std::string out(sealed.size() - kN - kA, '\0');
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &written, nullptr, sealed.data() + kN,
          sealed.size() - kN, reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
          sealed.data(), key_.data()) != 0) {
    return MakeError(ErrorCode::kPayloadCorrupt, "stored value damaged or sealed under another key");
  }
  return out;
}

}  // namespace sealdrop
