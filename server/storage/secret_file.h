// A small secret the server makes once and keeps in its data directory (the instance salt, the
// form-token key): created atomically and durably (0600) when missing, never replaced, and read
// into wiping memory. A file of the wrong size is an error: it is never repaired or overwritten.
#pragma once

#include <cstddef>
#include <string>

#include "common/result.h"
#include "crypto/secret_buffer.h"

namespace sealdrop::server {

Result<SecretBuffer> LoadOrCreateSecretFile(const std::string& data_dir, const std::string& name,
                                            std::size_t bytes);

}  // namespace sealdrop::server
