// Errors as values at module boundaries (the LevelDB Status idea, typed).
//
// Error carries a machine-checkable code and one human sentence. The sentence must never contain
// secrets, plaintext, codenames, filenames of reports or exact sizes: it may be printed or logged.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

namespace sealdrop {

enum class ErrorCode {
  kInvalidArgument,   // caller passed something malformed (bad key text, bad code, ...)
  kIo,                // the operating system refused a read, write, fsync or rename
  kBadMagic,          // not a SealDrop object of the expected kind
  kUnsupportedVersion,
  kMalformed,         // structurally invalid encoding
  kNoMatchingKey,     // none of our keys opens any recipient stanza
  kHeaderMacMismatch,
  kPayloadCorrupt,    // an authenticated chunk failed to decrypt
  kTruncated,
  kTrailingData,
  kWrongPassphrase,
  kBadSignature,
  kExpired,
  kNotFound,
  kAlreadyExists,
  kLimitExceeded,
};

const char* ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string message;
};

// Aborts with a message: for broken invariants (programming errors), never for bad input.
[[noreturn]] inline void Die(const char* what) {
  std::fprintf(stderr, "sealdrop: fatal invariant broken: %s\n", what);
  std::abort();
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}        // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok()
  T& value() & {
    if (!ok()) Die("Result::value() on an error");
    return std::get<0>(v_);
  }
  const T& value() const& {
    if (!ok()) Die("Result::value() on an error");
    return std::get<0>(v_);
  }
  T&& value() && {
    if (!ok()) Die("Result::value() on an error");
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

  // REQUIRES: !ok()
  const Error& error() const {
    if (ok()) Die("Result::error() on a value");
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  static Status Ok() { return Status(); }
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  // REQUIRES: !ok()
  const Error& error() const {
    if (ok_) Die("Status::error() on success");
    return error_;
  }

 private:
  Error error_{ErrorCode::kInvalidArgument, {}};
  bool ok_ = true;
};

inline Error MakeError(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

}  // namespace sealdrop
