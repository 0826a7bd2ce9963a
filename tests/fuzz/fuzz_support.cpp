#include "tests/fuzz/fuzz_support.h"

#include "crypto/io.h"
#include "crypto/public_key_file.h"

namespace sealdrop::fuzz {

const ForceDirectory& VectorDirectory() {
  static const ForceDirectory directory = [] {
    auto root = ReadPublicKeyFile(SEALDROP_SOURCE_DIR "/tests/vectors/directory/root.public", KeyRole::kRoot);
    auto text = ReadSmallFile(SEALDROP_SOURCE_DIR "/tests/vectors/directory/directory.signed", 1 << 20);
    if (!root || !text) __builtin_trap();
    auto verified = ForceDirectory::Verify(*text, *root, kToday);
    if (!verified) __builtin_trap();
    return std::move(*verified);
  }();
  return directory;
}

}  // namespace sealdrop::fuzz
