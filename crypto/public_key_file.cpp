#include "crypto/public_key_file.h"

#include "common/io.h"

namespace sealdrop {

Status WritePublicKeyFile(const std::string& path, const PublicKey& key) {
  return WriteFileAtomically(path, key.ToText() + "\n", 0644, /*overwrite=*/false);
}

Result<PublicKey> ReadPublicKeyFile(const std::string& path, std::optional<KeyRole> expected) {
  auto text = ReadSmallFile(path, 4096);
  if (!text) return text.error();
  return PublicKey::FromText(*text, expected);
}

}  // namespace sealdrop
