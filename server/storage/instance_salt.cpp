#include "server/storage/instance_salt.h"

#include <sodium.h>

#include <filesystem>

#include "common/io.h"
#include "crypto/codename.h"

namespace sealdrop::server {

Result<SecretBuffer> LoadOrCreateInstanceSalt(const std::string& data_dir) {
  const std::string path = data_dir + "/instance.salt";
  if (!PathExists(path)) {
    std::error_code ec;
    std::filesystem::create_directories(data_dir, ec);
    if (ec) return MakeError(ErrorCode::kIo, "cannot create the data directory: " + ec.message());
    SecretBuffer fresh(kInstanceSaltBytes);
    randombytes_buf(fresh.data(), fresh.size());
    if (auto st = WriteFileAtomically(path, fresh.view(), 0600, /*overwrite=*/false); !st) {
      if (st.error().code != ErrorCode::kAlreadyExists) return st.error();
    }
  }
  auto text = ReadSmallFile(path, 64);
  if (!text) return text.error();
  if (text->size() != kInstanceSaltBytes) {
    return MakeError(ErrorCode::kMalformed, path + " is not a 16-byte instance salt");
  }
  SecretBuffer salt = SecretBuffer::CopyOf(*text);
  sodium_memzero(text->data(), text->size());
  return salt;
}

}  // namespace sealdrop::server
