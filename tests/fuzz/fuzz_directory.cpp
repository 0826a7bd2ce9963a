// libFuzzer target: the signed force directory parser and verifier (crypto/directory). The
// pinned root is the committed test vector's (tests/vectors/directory/root.public), so the
// committed directory is a valid seed and mutations of it reach the signature and body checks.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/directory.h"
#include "crypto/public_key_file.h"

namespace {

const sealdrop::PublicKey& Root() {
  static const sealdrop::PublicKey root = [] {
    auto key = sealdrop::ReadPublicKeyFile(SEALDROP_SOURCE_DIR "/tests/vectors/directory/root.public",
                                           sealdrop::KeyRole::kRoot);
    if (!key) __builtin_trap();
    return *key;
  }();
  return root;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // A fixed day inside the vector's validity, so that the outcome depends on the input alone.
  auto directory = sealdrop::ForceDirectory::Verify(text, Root(), "2027-01-15");
  if (directory) {
    for (const auto& f : directory->forces()) (void)directory->Find(f.code);
  }
  return 0;
}
