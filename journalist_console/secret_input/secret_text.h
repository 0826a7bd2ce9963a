// Secret text an officer types or pipes in (a triage note, a reply): read from standard input into
// a wiping buffer, never from the command line (shell history, `ps`) or a plaintext file.
#pragma once

#include <string>

#include "common/result.h"
#include "crypto/secret_buffer.h"

namespace sealdrop::console {

struct SecretTextRequest {
  std::string what;       // "the note", "the reply": named in prompts and errors
  std::size_t max_bytes;  // more is refused (kLimitExceeded), nothing kept
};

// Everything on standard input up to its end. On a terminal a line first says how to finish
// (Ctrl-D). Refuses text that is empty (white space only), not UTF-8, or holds a NUL byte.
Result<SecretBuffer> ReadSecretText(const SecretTextRequest& request);

// Overwrites a std::string that held secret text (a copy the sealing code needed) with zeros
// before it is freed. Best effort: copies the string made while growing are not reached.
void WipeString(std::string& text);

}  // namespace sealdrop::console
