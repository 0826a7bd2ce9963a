// The instance salt (docs/codename.md §4): 16 random bytes made once per SealDrop instance, kept
// in DATA_DIR/instance.salt (0600), secret. Losing it makes every codename unusable; the
// operator's backup must include it.
#pragma once

#include <string>

#include "common/result.h"
#include "crypto/secret_buffer.h"

namespace sealdrop::server {

// Reads the salt, creating it first (atomically, durably) if the file does not exist. A file of
// the wrong size is an error, never replaced.
Result<SecretBuffer> LoadOrCreateInstanceSalt(const std::string& data_dir);

}  // namespace sealdrop::server
