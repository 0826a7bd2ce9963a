#include "tests/fuzz/fuzz_support.h"

#include "crypto/public_key_file.h"

namespace sealdrop::fuzz {

const ForceDirectory& VectorDirectory() {
  static const ForceDirectory directory = [] {
    auto root = ReadPublicKeyFile(SEALDROP_SOURCE_DIR "/tests/vectors/directory/root.public", KeyRole::kRoot);
    if (!root) __builtin_trap();
    auto verified = ForceDirectory::Load(SEALDROP_SOURCE_DIR "/tests/vectors/directory/directory.signed", *root, kToday);
    if (!verified) __builtin_trap();
    return std::move(*verified);
  }();
  return directory;
}

}  // namespace sealdrop::fuzz
