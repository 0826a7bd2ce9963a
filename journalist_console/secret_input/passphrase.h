// Passphrases for secret key files: from a file (scripts) or typed at the terminal without echo.
#pragma once

#include <string>

#include "common/result.h"
#include "crypto/secret_buffer.h"

namespace sealdrop::console {

inline constexpr std::size_t kMinNewPassphraseChars = 10;

struct PassphraseRequest {
  std::string prompt;  // e.g. "Passphrase for MET.secret"
  std::string file;    // --passphrase-file value; empty = ask on the terminal
  bool is_new = false; // ask twice and enforce the minimum length
};

// The first line of `file` (without its line ending), or what is typed on /dev/tty.
// Fails with a clear message when there is neither a file nor a terminal.
Result<SecretBuffer> ReadPassphrase(const PassphraseRequest& request);

}  // namespace sealdrop::console
