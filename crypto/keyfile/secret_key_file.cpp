#include "crypto/keyfile/secret_key_file.h"

#include <sodium.h>

#include <cstring>

#include "common/endian.h"
#include "common/io.h"
#include "crypto/sodium.h"

namespace sealdrop {
namespace {

constexpr std::string_view kMagic = "SDSECKEY";
constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kSaltAt = 20;
constexpr std::size_t kNonceAt = 36;
constexpr std::size_t kCipherAt = 60;
constexpr std::size_t kCipherBytes = kSecretKeyBytes + crypto_aead_xchacha20poly1305_ietf_ABYTES;
static_assert(kCipherAt + kCipherBytes == kSecretKeyFileBytes);
constexpr std::uint32_t kMaxOps = 64;
constexpr std::uint32_t kMaxMemKib = 1u << 20;  // 1 GiB

}  // namespace

bool DerivePassphraseKey(SecretBuffer& key, const SecretBuffer& passphrase,
                         const std::uint8_t* salt, KdfLimits limits) {
  EnsureSodium();
  return crypto_pwhash(key.data(), key.size(), reinterpret_cast<const char*>(passphrase.data()),
                       passphrase.size(), salt, limits.opslimit,
                       std::size_t{limits.memlimit_kib} * 1024,
                       crypto_pwhash_ALG_ARGON2ID13) == 0;
}

bool KdfLimitsAcceptable(KdfLimits limits, KdfLimits minimum) {
  return limits.opslimit >= minimum.opslimit && limits.memlimit_kib >= minimum.memlimit_kib &&
         limits.opslimit <= kMaxOps && limits.memlimit_kib <= kMaxMemKib;
}

KdfLimits DefaultKdfLimits() {
  return {static_cast<std::uint32_t>(crypto_pwhash_argon2id_OPSLIMIT_MODERATE),
          static_cast<std::uint32_t>(crypto_pwhash_argon2id_MEMLIMIT_MODERATE / 1024)};
}

Result<std::string> EncodeSecretKeyFile(const KeyPair& pair, const SecretBuffer& passphrase,
                                KdfLimits limits) {
  EnsureSodium();
  if (pair.secret.size() != kSecretKeyBytes) Die("EncodeSecretKeyFile: bad secret size");
  std::uint8_t out[kSecretKeyFileBytes] = {};
  std::memcpy(out, kMagic.data(), kMagic.size());
  out[8] = kVersion;
  out[9] = static_cast<std::uint8_t>(pair.public_key.role);
  StoreLittleEndian<std::uint32_t>(out + 12, limits.opslimit);
  StoreLittleEndian<std::uint32_t>(out + 16, limits.memlimit_kib);
  randombytes_buf(out + kSaltAt, crypto_pwhash_SALTBYTES);
  randombytes_buf(out + kNonceAt, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  SecretBuffer key(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  if (!DerivePassphraseKey(key, passphrase, out + kSaltAt, limits)) {
    return MakeError(ErrorCode::kLimitExceeded, "not enough memory to protect the key");
  }
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out + kCipherAt, &clen, pair.secret.data(),
                                             pair.secret.size(), out, kCipherAt, nullptr,
                                             out + kNonceAt, key.data());
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

Result<KeyPair> DecodeSecretKeyFile(std::string_view file, const SecretBuffer& passphrase,
                                    std::optional<KeyRole> expected, KdfLimits minimum) {
  EnsureSodium();
  const auto* p = reinterpret_cast<const std::uint8_t*>(file.data());
  if (file.size() < kMagic.size() || file.substr(0, kMagic.size()) != kMagic) {
    return MakeError(ErrorCode::kBadMagic, "not a SealDrop secret key file");
  }
  if (file.size() < 9 || p[8] != kVersion) {
    return MakeError(ErrorCode::kUnsupportedVersion, "unsupported secret key file version");
  }
  if (file.size() != kSecretKeyFileBytes) {
    return MakeError(ErrorCode::kMalformed, "secret key file has the wrong length (damaged?)");
  }
  const auto role = KeyRoleFromByte(p[9]);
  if (!role || *role == KeyRole::kSource || p[10] != 0 || p[11] != 0) {
    return MakeError(ErrorCode::kMalformed, "secret key file has a bad header");
  }
  if (expected && *role != *expected) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "wrong kind of secret key: expected a '" +
                         std::string(KeyRoleTag(*expected)) + "' key, this file holds a '" +
                         std::string(KeyRoleTag(*role)) + "' key");
  }
  const KdfLimits limits{LoadLittleEndian<std::uint32_t>(p + 12), LoadLittleEndian<std::uint32_t>(p + 16)};
  if (!KdfLimitsAcceptable(limits, minimum)) {
    return MakeError(ErrorCode::kMalformed, "secret key file has unacceptable KDF parameters");
  }
  SecretBuffer key(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  if (!DerivePassphraseKey(key, passphrase, p + kSaltAt, limits)) {
    return MakeError(ErrorCode::kLimitExceeded, "not enough memory to unlock the key");
  }
  SecretBuffer secret(kSecretKeyBytes);
  unsigned long long mlen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(secret.data(), &mlen, nullptr, p + kCipherAt,
                                                 kCipherBytes, p, kCipherAt, p + kNonceAt,
                                                 key.data()) != 0) {
    return MakeError(ErrorCode::kWrongPassphrase,
                     "wrong passphrase for this key file (or the file is damaged)");
  }
  return KeyPairFromSecret(*role, std::move(secret));
}

Status WriteSecretKeyFile(const std::string& path, const KeyPair& pair,
                          const SecretBuffer& passphrase) {
  auto bytes = EncodeSecretKeyFile(pair, passphrase);
  if (!bytes) return bytes.error();
  return WriteFileAtomically(path, *bytes, 0600, /*overwrite=*/false);
}

Result<KeyPair> ReadSecretKeyFile(const std::string& path, const SecretBuffer& passphrase,
                                  std::optional<KeyRole> expected) {
  auto bytes = ReadSmallFile(path, 4096);
  if (!bytes) return bytes.error();
  return DecodeSecretKeyFile(*bytes, passphrase, expected);
}

}  // namespace sealdrop
