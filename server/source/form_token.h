// FormTokens: stateless, server-signed tokens for forms that may stay open a long time (the
// report form, the follow-up form a logged-out reporter gets back). A reporter may take hours to
// write; the form must not depend on a server session surviving that long, a flood of sessions or
// a restart (docs/server.md "Form tokens").
//
//   token  = base64url( 0x01 ‖ LE64(issued, Unix seconds) ‖ nonce[16] ‖ tag[32] )   76 chars
//   tag    = BLAKE2b-256(key = form key, "SealDrop form token v1" ‖ first 25 bytes)
//   cookie = sd_form=base64url(nonce)   HttpOnly, SameSite=Strict, no Max-Age
//
// A form is accepted when its token's tag verifies, it was issued at most kLifetime ago (and not
// in the future beyond a small skew), and its nonce equals the sd_form cookie's (double submit:
// a cross-site POST carries no SameSite=Strict cookie, so CSRF is no weaker than a session's).
// The nonce also names the submission: UsedKey(nonce) is what the store records when the form's
// report is committed, so that a reload or a double click makes one report.
//
// The form key (32 random bytes) lives in DATA_DIR/form-token.key (0600) so that tokens survive a
// restart. Thread-safety: const methods may be called from any thread.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/secret_buffer.h"

namespace sealdrop::server {

inline constexpr std::size_t kFormNonceBytes = 16;
inline constexpr std::size_t kFormTokenChars = 76;
inline constexpr std::size_t kFormKeyBytes = 32;
using FormNonce = std::array<std::uint8_t, kFormNonceBytes>;
using UsedFormKey = std::array<std::uint8_t, 16>;

struct IssuedForm {
  std::string token;   // the hidden form field
  std::string cookie;  // the Set-Cookie value
};

// Why a form's token was not accepted. Every kind gets the form back, filled in.
enum class FormTokenProblem { kMissing, kExpired, kMismatch };

class FormTokens {
 public:
  static constexpr std::chrono::hours kLifetime{48};
  static constexpr std::chrono::minutes kFutureSkew{5};
  using Clock = std::function<std::int64_t()>;  // Unix seconds

  // Reads DATA_DIR/form-token.key, creating it first (atomically) when missing.
  static Result<FormTokens> LoadOrCreate(const std::string& data_dir, Clock clock);
  // For tests: a given key.
  FormTokens(SecretBuffer key, Clock clock) : key_(std::move(key)), clock_(std::move(clock)) {}

  IssuedForm Issue() const;
  // The nonce of the sd_form cookie in a Cookie header, if present and well-formed.
  static std::optional<FormNonce> CookieNonce(std::string_view cookie_header);
  // Checks `token` against the cookie's nonce (nullopt: no cookie). Returns the nonce.
  Result<FormNonce> Check(std::string_view token, const std::optional<FormNonce>& cookie) const;
  // What the store keeps for a used form: a keyed hash of its nonce (the nonce itself is in the
  // reporter's browser; the key never leaves this process).
  UsedFormKey UsedKey(const FormNonce& nonce) const;

 private:
  std::array<std::uint8_t, 32> Tag(std::span<const std::uint8_t> signed_part) const;

  SecretBuffer key_;
  Clock clock_;
};

// The problem a failed Check() reports (its ErrorCode: kNotFound missing, kExpired, else mismatch).
FormTokenProblem ProblemOf(const Error& error);

}  // namespace sealdrop::server
