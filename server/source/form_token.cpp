#include "server/source/form_token.h"

#include <sodium.h>

#include <cstring>

#include "common/endian.h"
#include "crypto/keys.h"
#include "crypto/sodium.h"
#include "server/storage/secret_file.h"

namespace sealdrop::server {
namespace {

constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kSignedBytes = 1 + 8 + kFormNonceBytes;  // version, issued, nonce
constexpr std::size_t kTokenBytes = kSignedBytes + 32;
constexpr std::string_view kTagContext = "SealDrop form token v1";
constexpr std::string_view kUsedContext = "SealDrop used form v1";
constexpr std::string_view kCookieName = "sd_form";
constexpr std::size_t kNonceChars = 22;  // base64url of 16 bytes

Error Problem(ErrorCode code, const char* what) { return MakeError(code, what); }

}  // namespace

Result<FormTokens> FormTokens::LoadOrCreate(const std::string& data_dir, Clock clock) {
  auto key = LoadOrCreateSecretFile(data_dir, "form-token.key", kFormKeyBytes);
  if (!key) return key.error();
  return FormTokens(std::move(*key), std::move(clock));
}

std::array<std::uint8_t, 32> FormTokens::Tag(std::span<const std::uint8_t> signed_part) const {
  std::array<std::uint8_t, 32> tag{};
  crypto_generichash_state st;
  crypto_generichash_init(&st, key_.data(), key_.size(), tag.size());
  crypto_generichash_update(&st, reinterpret_cast<const std::uint8_t*>(kTagContext.data()),
                            kTagContext.size());
  crypto_generichash_update(&st, signed_part.data(), signed_part.size());
  crypto_generichash_final(&st, tag.data(), tag.size());
  return tag;
}

IssuedForm FormTokens::Issue() const {
  EnsureSodium();
  std::array<std::uint8_t, kTokenBytes> raw{};
  raw[0] = kVersion;
  StoreLittleEndian(raw.data() + 1, static_cast<std::uint64_t>(clock_()));
  randombytes_buf(raw.data() + 9, kFormNonceBytes);
  const auto tag = Tag(std::span(raw.data(), kSignedBytes));
  std::memcpy(raw.data() + kSignedBytes, tag.data(), tag.size());
  IssuedForm form;
  form.token = Base64UrlEncode(raw);
  form.cookie = std::string(kCookieName) + "=" +
                Base64UrlEncode(std::span(raw.data() + 9, kFormNonceBytes)) +
                "; Path=/; HttpOnly; SameSite=Strict";
  return form;
}

std::optional<FormNonce> FormTokens::CookieNonce(std::string_view header) {
  while (!header.empty()) {
    const auto semi = header.find(';');
    std::string_view pair = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() != kCookieName.size() + 1 + kNonceChars ||
        pair.substr(0, kCookieName.size()) != kCookieName || pair[kCookieName.size()] != '=') {
      continue;
    }
    auto bytes = Base64UrlDecode(pair.substr(kCookieName.size() + 1));
    if (!bytes || bytes->size() != kFormNonceBytes) return std::nullopt;
    FormNonce nonce{};
    std::memcpy(nonce.data(), bytes->data(), nonce.size());
    return nonce;
  }
  return std::nullopt;
}

Result<FormNonce> FormTokens::Check(std::string_view token,
                                    const std::optional<FormNonce>& cookie) const {
  if (token.size() != kFormTokenChars) return Problem(ErrorCode::kNotFound, "no form token");
  auto raw = Base64UrlDecode(token);
  if (!raw || raw->size() != kTokenBytes || static_cast<std::uint8_t>((*raw)[0]) != kVersion) {
    return Problem(ErrorCode::kMalformed, "malformed form token");
  }
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(raw->data());
  const auto tag = Tag(std::span(bytes, kSignedBytes));
  if (crypto_verify_32(tag.data(), bytes + kSignedBytes) != 0) {
    return Problem(ErrorCode::kBadSignature, "form token not made here");
  }
  FormNonce nonce{};
  std::memcpy(nonce.data(), bytes + 9, nonce.size());
  if (!cookie || sodium_memcmp(cookie->data(), nonce.data(), nonce.size()) != 0) {
    return Problem(ErrorCode::kBadSignature, "form token does not match the browser's cookie");
  }
  const auto issued = static_cast<std::int64_t>(LoadLittleEndian<std::uint64_t>(bytes + 1));
  const std::int64_t now = clock_();
  const auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(kLifetime).count();
  const auto skew = std::chrono::duration_cast<std::chrono::seconds>(kFutureSkew).count();
  if (issued > now + skew || now - issued > lifetime) {
    return Problem(ErrorCode::kExpired, "form token expired");
  }
  return nonce;
}

UsedFormKey FormTokens::UsedKey(const FormNonce& nonce) const {
  UsedFormKey out{};
  crypto_generichash_state st;
  crypto_generichash_init(&st, key_.data(), key_.size(), out.size());
  crypto_generichash_update(&st, reinterpret_cast<const std::uint8_t*>(kUsedContext.data()),
                            kUsedContext.size());
  crypto_generichash_update(&st, nonce.data(), nonce.size());
  crypto_generichash_final(&st, out.data(), out.size());
  return out;
}

FormTokenProblem ProblemOf(const Error& error) {
  switch (error.code) {
    case ErrorCode::kNotFound: return FormTokenProblem::kMissing;
    case ErrorCode::kExpired: return FormTokenProblem::kExpired;
    default: return FormTokenProblem::kMismatch;
  }
}

}  // namespace sealdrop::server
