// The signed force directory: which forces exist and which keys seal to them. Spec:
// docs/directory.md. Every tool that seals verifies it against a pinned root public key.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"  // the directory speaks in UTC days: TodayUtc, IsValidDay
#include "common/force_code.h"
#include "common/result.h"
#include "crypto/keys.h"

namespace sealdrop {

struct ForceEntry {
  std::string code;  // e.g. "MET"; ^[A-Z][A-Z0-9]{1,11}$
  std::string name;  // e.g. "Metropolitan Police Service"
  std::vector<PublicKey> decryption_keys;  // 1..16, role kForceDecryption
  PublicKey transfer_key;                  // role kForceTransfer
  std::string valid_from;                  // YYYY-MM-DD, inclusive
  std::string valid_until;                 // YYYY-MM-DD, inclusive
};

class ForceDirectory {
 public:
  // Verifies `signed_text` (the whole file) against `pinned_root` and checks it is in force on
  // `today`. Errors: kBadMagic (not a directory), kUnsupportedVersion, kBadSignature (unsigned,
  // tampered, or signed by another root), kMalformed (body), kExpired.
  // With `expiry` kAccept a directory past its expiry day is returned all the same (to renew it,
  // or for a server that keeps serving pages while refusing reports): see expired(). One not
  // yet issued is refused either way (a wrong clock).
  enum class Expiry { kRefuse, kAccept };
  static Result<ForceDirectory> Verify(std::string_view signed_text, const PublicKey& pinned_root,
                                       std::string_view today, Expiry expiry = Expiry::kRefuse);
  // Reads the signed directory file at `path` (at most 1 MiB) and verifies it as above.
  static Result<ForceDirectory> Load(const std::string& path, const PublicKey& pinned_root,
                                     std::string_view today, Expiry expiry = Expiry::kRefuse);

  // Signs a directory body (JSON, docs/directory.md) with the root key. The body is checked and
  // re-encoded canonically first; returns the whole signed file.
  static Result<std::string> Sign(std::string_view body_json, const KeyPair& root,
                                  std::string_view today);

  const std::vector<ForceEntry>& forces() const { return forces_; }
  long long serial() const { return serial_; }
  const std::string& issued() const { return issued_; }
  const std::string& expires() const { return expires_; }
  // Past its expiry day on the `today` it was verified for (only with Expiry::kAccept).
  bool expired() const { return expires_ < today_; }
  // The day it was verified for: Find() answers for that day.
  const std::string& today() const { return today_; }

  // The force with `code`, if it is listed and its keys are valid on the directory's `today`.
  Result<const ForceEntry*> Find(std::string_view code) const;

 private:
  std::vector<ForceEntry> forces_;
  long long serial_ = 0;
  std::string issued_;
  std::string expires_;
  std::string today_;
};

}  // namespace sealdrop
