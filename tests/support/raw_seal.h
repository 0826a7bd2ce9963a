// Seals a hand-made plaintext stream with valid envelope v1 crypto, for tests and vectors that
// need a well-encrypted envelope around a malformed record layout (docs/envelope.md).
#pragma once

#include <cstdint>
#include <vector>

#include "crypto/keys.h"

namespace sealdrop::testing {

// `plaintext` is padded with zeros to a whole number of chunks (at least the floor); every chunk
// but the last is tagged MESSAGE, the last FINAL.
std::vector<std::uint8_t> RawSeal(const PublicKey& to, std::vector<std::uint8_t> plaintext);

}  // namespace sealdrop::testing
