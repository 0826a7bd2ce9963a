// Passphrase-protected secret key files. Spec: docs/keys.md.
//
// This is a separate library target (sealdrop_keyfile): the server never links it, so the
// process that parses network input has no code that can read a force secret key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/keys.h"
#include "crypto/secret_buffer.h"

namespace sealdrop {

inline constexpr std::size_t kSecretKeyFileBytes = 108;

struct KdfLimits {
  std::uint32_t opslimit;
  std::uint32_t memlimit_kib;
};
// libsodium's MODERATE Argon2id limits: 3 passes over 256 MiB. What every file is written with.
KdfLimits DefaultKdfLimits();
// Within [minimum, 64 passes / 1 GiB]: what a reader accepts from a file.
bool KdfLimitsAcceptable(KdfLimits limits, KdfLimits minimum);
// Argon2id v1.3 of `passphrase` with a 16-byte `salt` into `key` (its whole size); false when
// there is not enough memory. Shared by every passphrase-protected file (this one, key slots).
[[nodiscard]] bool DerivePassphraseKey(SecretBuffer& key, const SecretBuffer& passphrase,
                                       const std::uint8_t* salt, KdfLimits limits);

// Encrypts `pair`'s secret under `passphrase`. Returns the file's bytes, or kLimitExceeded when
// there is not enough memory for Argon2id.
Result<std::string> EncodeSecretKeyFile(const KeyPair& pair, const SecretBuffer& passphrase,
                                KdfLimits limits = DefaultKdfLimits());

// Decrypts a key file. `expected` (when given) must match the file's role.
// `minimum` refuses files whose KDF is weaker; files asking for more than 64 passes or 1 GiB are
// refused too, so a hostile file cannot make us allocate or compute without bound.
// Errors: kBadMagic, kUnsupportedVersion, kMalformed, kInvalidArgument (wrong role),
// kWrongPassphrase, kLimitExceeded (out of memory for the KDF).
Result<KeyPair> DecodeSecretKeyFile(std::string_view file, const SecretBuffer& passphrase,
                                    std::optional<KeyRole> expected,
                                    KdfLimits minimum = DefaultKdfLimits());

// File helpers: the file is written 0600 and never over an existing one.
Status WriteSecretKeyFile(const std::string& path, const KeyPair& pair,
                          const SecretBuffer& passphrase);
Result<KeyPair> ReadSecretKeyFile(const std::string& path, const SecretBuffer& passphrase,
                                  std::optional<KeyRole> expected);

}  // namespace sealdrop
