#include "server/storage/secret_file.h"

#include <sodium.h>

#include <filesystem>

#include "common/io.h"

namespace sealdrop::server {

Result<SecretBuffer> LoadOrCreateSecretFile(const std::string& data_dir, const std::string& name,
                                            std::size_t bytes) {
  const std::string path = data_dir + "/" + name;
  if (!PathExists(path)) {
    std::error_code ec;
    std::filesystem::create_directories(data_dir, ec);
    if (ec) return MakeError(ErrorCode::kIo, "cannot create the data directory: " + ec.message());
    SecretBuffer fresh(bytes);
    randombytes_buf(fresh.data(), fresh.size());
    if (auto st = WriteFileAtomically(path, fresh.view(), 0600, /*overwrite=*/false); !st) {
      // Another process made it first: read theirs.
      if (st.error().code != ErrorCode::kAlreadyExists) return st.error();
    }
  }
  auto text = ReadSmallFile(path, bytes + 1);
  if (!text) return text.error();
  if (text->size() != bytes) {
    sodium_memzero(text->data(), text->size());
    return MakeError(ErrorCode::kMalformed,
                     path + " is not a " + std::to_string(bytes) + "-byte secret");
  }
  SecretBuffer secret = SecretBuffer::CopyOf(*text);
  sodium_memzero(text->data(), text->size());
  return secret;
}

}  // namespace sealdrop::server
