// Codenames: how a reporter comes back. Spec: docs/codename.md.
//
// A codename is 7 words drawn uniformly from the EFF large word list (7,776 words, 90.5 bits).
// CodenameDeriver turns a codename into a lookup id (what the server indexes) and the source's
// X25519 key pair (what replies are sealed to), with one Argon2id computation salted by the
// instance salt, a server secret.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "crypto/keys.h"
#include "crypto/result.h"
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

struct SourceIdentity {
  std::array<std::uint8_t, kLookupIdBytes> lookup_id;
  KeyPair key_pair;  // role kSource
};

class CodenameDeriver {
 public:
  // REQUIRES: salt.size() == kInstanceSaltBytes.
  explicit CodenameDeriver(std::span<const std::uint8_t> instance_salt);
  // Normalises then derives. Costs one Argon2id (64 MiB, 3 passes).
  // Fails with kInvalidArgument for a malformed codename, kLimitExceeded when out of memory.
  Result<SourceIdentity> Derive(std::string_view typed_codename) const;

 private:
  std::array<std::uint8_t, kInstanceSaltBytes> salt_;
};

}  // namespace sealdrop
