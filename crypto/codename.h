// Codenames: how a reporter comes back. Spec: docs/codename.md.
//
// A codename is 7 words drawn uniformly from the EFF large word list (7,776 words, 90.5 bits).
// Derivation is split so that a phone intake machine can make a codename without the server's
// secret: StretchCodename (one Argon2id, public salt) gives the source's X25519 key pair (what
// replies are sealed to) and an auth value; only the server turns the auth value into the
// lookup id (what it indexes) with its secret instance key. CodenameDeriver does both.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/keys.h"
#include "crypto/secret_buffer.h"

namespace sealdrop {

inline constexpr std::size_t kCodenameWords = 7;
inline constexpr std::size_t kWordlistSize = 7776;
inline constexpr std::size_t kInstanceSaltBytes = 16;
inline constexpr std::size_t kLookupIdBytes = 32;
// Argon2id parameters for codename derivation (fixed by the spec: changing them changes every
// reporter's lookup id and key).
inline constexpr unsigned long long kCodenameOpsLimit = 3;
inline constexpr std::size_t kCodenameMemLimit = 64u << 20;

// The word list, in the order of the EFF file (index = dice roll order).
std::span<const std::string_view> CodenameWordlist();
// Index of `word` in the list, if it is one.
std::optional<std::size_t> CodenameWordIndex(std::string_view word);

// Returns a value uniform in [0, upper). Injectable for tests; the default is
// libsodium's randombytes_uniform (rejection sampling, no modulo bias).
using UniformRandom = std::function<std::uint32_t(std::uint32_t upper)>;
UniformRandom SystemUniformRandom();

// A fresh codename: 7 words separated by single spaces, in secure memory.
SecretBuffer GenerateCodename(const UniformRandom& random = SystemUniformRandom());

// Canonical form: ASCII letters lowercased, words split on runs of ASCII white space, joined by
// one space. Fails (kInvalidArgument, one generic message) unless it is exactly 7 list words.
Result<SecretBuffer> NormalizeCodename(std::string_view typed);

inline constexpr std::size_t kSourceAuthBytes = 32;

// What a codename gives anyone who knows it, without the server's secret.
struct SourceSecrets {
  std::array<std::uint8_t, kSourceAuthBytes> auth;  // sent to the server, never stored there
  KeyPair key_pair;                                 // role kSource
};
// Normalises then stretches (one Argon2id, 64 MiB, 3 passes, fixed public salt).
// Fails with kInvalidArgument for a malformed codename, kLimitExceeded when out of memory.
Result<SourceSecrets> StretchCodename(std::string_view typed_codename);

// The lookup id of an auth value: BLAKE2b-256 keyed with the instance secret.
// REQUIRES: instance_secret.size() == kInstanceSaltBytes.
std::array<std::uint8_t, kLookupIdBytes> LookupIdFromAuth(
    std::span<const std::uint8_t> instance_secret,
    const std::array<std::uint8_t, kSourceAuthBytes>& auth);

struct SourceIdentity {
  std::array<std::uint8_t, kLookupIdBytes> lookup_id;
  KeyPair key_pair;  // role kSource
};

class CodenameDeriver {
 public:
  // REQUIRES: salt.size() == kInstanceSaltBytes.
  explicit CodenameDeriver(std::span<const std::uint8_t> instance_salt);
  ~CodenameDeriver();  // wipes its copy of the secret
  CodenameDeriver(const CodenameDeriver&) = delete;
  CodenameDeriver& operator=(const CodenameDeriver&) = delete;
  // StretchCodename then LookupIdFromAuth. Costs one Argon2id (64 MiB, 3 passes).
  // Fails with kInvalidArgument for a malformed codename, kLimitExceeded when out of memory.
  Result<SourceIdentity> Derive(std::string_view typed_codename) const;
  // The lookup id of an auth value made elsewhere (a phone intake machine). Cheap.
  std::array<std::uint8_t, kLookupIdBytes> LookupId(
      const std::array<std::uint8_t, kSourceAuthBytes>& auth) const {
    return LookupIdFromAuth(salt_, auth);
  }

 private:
  std::array<std::uint8_t, kInstanceSaltBytes> salt_;
};

}  // namespace sealdrop
