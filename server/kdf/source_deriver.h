// SourceDeriver: how the server turns a codename into a reporter's lookup id and source key, and
// a phone intake's auth value into a lookup id (docs/codename.md §4). Two implementations:
//   InProcessDeriver  the derivation in this process (tests, fuzzing);
//   HelperDeriver     (kdf_helpers.h) separate helper processes that alone hold the instance
//                     secret and pay Argon2id's 64 MiB — what sealdrop-server runs.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "common/result.h"
#include "crypto/codename.h"

namespace sealdrop::server {

class SourceDeriver {
 public:
  virtual ~SourceDeriver() = default;
  // Normalises and derives (one Argon2id). kInvalidArgument for a malformed codename;
  // kLimitExceeded or kIo when the derivation could not be done now.
  virtual Result<SourceIdentity> Derive(std::string_view typed_codename) const = 0;
  // The lookup id of an auth value (cheap). kIo when it could not be done now.
  virtual Result<std::array<std::uint8_t, kLookupIdBytes>> LookupId(
      const std::array<std::uint8_t, kSourceAuthBytes>& auth) const = 0;
};

class InProcessDeriver final : public SourceDeriver {
 public:
  explicit InProcessDeriver(std::span<const std::uint8_t> instance_secret) : deriver_(instance_secret) {}
  Result<SourceIdentity> Derive(std::string_view typed_codename) const override {
    return deriver_.Derive(typed_codename);
  }
  Result<std::array<std::uint8_t, kLookupIdBytes>> LookupId(
      const std::array<std::uint8_t, kSourceAuthBytes>& auth) const override {
    return deriver_.LookupId(auth);
  }

 private:
  CodenameDeriver deriver_;
};

}  // namespace sealdrop::server
