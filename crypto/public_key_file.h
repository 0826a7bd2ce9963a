// Public key files: one text-encoded key (docs/keys.md) and a newline.
#pragma once

#include <optional>
#include <string>

#include "common/result.h"
#include "crypto/keys.h"

namespace sealdrop {

// Written 0644, never over an existing file.
Status WritePublicKeyFile(const std::string& path, const PublicKey& key);
Result<PublicKey> ReadPublicKeyFile(const std::string& path, std::optional<KeyRole> expected);

}  // namespace sealdrop
