#include "common/result.h"

namespace sealdrop {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid-argument";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kBadMagic: return "bad-magic";
    case ErrorCode::kUnsupportedVersion: return "unsupported-version";
    case ErrorCode::kMalformed: return "malformed";
    case ErrorCode::kNoMatchingKey: return "no-matching-key";
    case ErrorCode::kHeaderMacMismatch: return "header-mac-mismatch";
    case ErrorCode::kPayloadCorrupt: return "payload-corrupt";
    case ErrorCode::kTruncated: return "truncated";
    case ErrorCode::kTrailingData: return "trailing-data";
    case ErrorCode::kWrongPassphrase: return "wrong-passphrase";
    case ErrorCode::kBadSignature: return "bad-signature";
    case ErrorCode::kExpired: return "expired";
    case ErrorCode::kNotFound: return "not-found";
    case ErrorCode::kAlreadyExists: return "already-exists";
    case ErrorCode::kLimitExceeded: return "limit-exceeded";
  }
  return "unknown";
}

}  // namespace sealdrop
