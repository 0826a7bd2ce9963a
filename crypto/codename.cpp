#include "crypto/codename.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "crypto/sodium.h"

namespace sealdrop {

// Generated at build time from crypto/data/wordlist_en_eff.txt (see crypto/CMakeLists.txt).
extern const std::string_view kEffWordlist[kWordlistSize];

namespace {

constexpr char kAuthContext[] = "SDsrcath";
constexpr char kSourceKeyContext[] = "SDsrckey";
constexpr std::uint64_t kAuthId = 1;
constexpr std::uint64_t kSourceKeyId = 2;
// The Argon2id salt: public and fixed (docs/codename.md §4 says why that is enough).
constexpr std::uint8_t kStretchSalt[16] = {'S', 'e', 'a', 'l', 'D', 'r', 'o', 'p',
                                           ' ', 's', 'o', 'u', 'r', 'c', 'e', '1'};

Error BadCodename() {
  return MakeError(ErrorCode::kInvalidArgument, "that is not a valid codename");
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

}  // namespace

std::span<const std::string_view> CodenameWordlist() { return {kEffWordlist, kWordlistSize}; }

std::optional<std::size_t> CodenameWordIndex(std::string_view word) {
  // The EFF list is in byte order (a test checks), so binary search finds the dice index.
  const auto* end = kEffWordlist + kWordlistSize;
  const auto* it = std::lower_bound(kEffWordlist, end, word);
  if (it == end || *it != word) return std::nullopt;
  return static_cast<std::size_t>(it - kEffWordlist);
}

UniformRandom SystemUniformRandom() {
  return [](std::uint32_t upper) {
    EnsureSodium();
    return randombytes_uniform(upper);
  };
}

SecretBuffer GenerateCodename(const UniformRandom& random) {
  std::size_t total = kCodenameWords - 1;
  std::array<std::size_t, kCodenameWords> picks{};
  for (auto& p : picks) {
    p = random(static_cast<std::uint32_t>(kWordlistSize));
    if (p >= kWordlistSize) Die("UniformRandom out of range");
    total += kEffWordlist[p].size();
  }
  SecretBuffer out(total);
  std::size_t at = 0;
  for (std::size_t i = 0; i < picks.size(); ++i) {
    if (i != 0) out.data()[at++] = ' ';
    const auto w = kEffWordlist[picks[i]];
    std::memcpy(out.data() + at, w.data(), w.size());
    at += w.size();
  }
  return out;
}

Result<SecretBuffer> NormalizeCodename(std::string_view typed) {
  if (typed.size() > 512) return BadCodename();
  SecretBuffer scratch(typed.size() + 1);
  std::size_t len = 0;
  std::size_t words = 0;
  std::size_t i = 0;
  while (i < typed.size()) {
    while (i < typed.size() && IsSpace(typed[i])) ++i;
    if (i == typed.size()) break;
    if (words > 0) scratch.data()[len++] = ' ';
    const std::size_t word_at = len;
    while (i < typed.size() && !IsSpace(typed[i])) {
      char c = typed[i++];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      scratch.data()[len++] = static_cast<std::uint8_t>(c);
    }
    const std::string_view word(reinterpret_cast<const char*>(scratch.data()) + word_at,
                                len - word_at);
    if (!CodenameWordIndex(word)) return BadCodename();
    ++words;
  }
  if (words != kCodenameWords) return BadCodename();
  return SecretBuffer::CopyOf(std::span<const std::uint8_t>(scratch.data(), len));
}

CodenameDeriver::CodenameDeriver(std::span<const std::uint8_t> instance_salt) {
  if (instance_salt.size() != kInstanceSaltBytes) Die("CodenameDeriver: bad salt size");
  std::memcpy(salt_.data(), instance_salt.data(), kInstanceSaltBytes);
}

CodenameDeriver::~CodenameDeriver() { sodium_memzero(salt_.data(), salt_.size()); }

Result<SourceSecrets> StretchCodename(std::string_view typed_codename) {
  EnsureSodium();
  auto canonical = NormalizeCodename(typed_codename);
  if (!canonical) return canonical.error();
  SecretBuffer master(crypto_kdf_KEYBYTES);
  static_assert(sizeof(kStretchSalt) == crypto_pwhash_SALTBYTES);
  if (crypto_pwhash(master.data(), master.size(),
                    reinterpret_cast<const char*>(canonical->data()), canonical->size(),
                    kStretchSalt, kCodenameOpsLimit, kCodenameMemLimit,
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return MakeError(ErrorCode::kLimitExceeded, "not enough memory to derive a codename key");
  }
  SourceSecrets out{{}, KeyPair{PublicKey{KeyRole::kSource, {}}, SecretBuffer()}};
  crypto_kdf_derive_from_key(out.auth.data(), out.auth.size(), kAuthId, kAuthContext,
                             master.data());
  SecretBuffer seed(crypto_box_SEEDBYTES);
  crypto_kdf_derive_from_key(seed.data(), seed.size(), kSourceKeyId, kSourceKeyContext,
                             master.data());
  out.key_pair = X25519KeyPairFromSeed(KeyRole::kSource, seed.span());
  return out;
}

std::array<std::uint8_t, kLookupIdBytes> LookupIdFromAuth(
    std::span<const std::uint8_t> instance_secret,
    const std::array<std::uint8_t, kSourceAuthBytes>& auth) {
  EnsureSodium();
  static_assert(kInstanceSaltBytes >= crypto_generichash_KEYBYTES_MIN);
  if (instance_secret.size() != kInstanceSaltBytes) Die("LookupIdFromAuth: bad secret size");
  std::array<std::uint8_t, kLookupIdBytes> lookup{};
  crypto_generichash(lookup.data(), lookup.size(), auth.data(), auth.size(),
                     instance_secret.data(), instance_secret.size());
  return lookup;
}

Result<SourceIdentity> CodenameDeriver::Derive(std::string_view typed_codename) const {
  auto secrets = StretchCodename(typed_codename);
  if (!secrets) return secrets.error();
  return SourceIdentity{LookupIdFromAuth(salt_, secrets->auth), std::move(secrets->key_pair)};
}

}  // namespace sealdrop
