#include "server/storage/instance_salt.h"

#include "crypto/codename.h"
#include "server/storage/secret_file.h"

namespace sealdrop::server {

Result<SecretBuffer> LoadOrCreateInstanceSalt(const std::string& data_dir) {
  auto salt = LoadOrCreateSecretFile(data_dir, "instance.salt", kInstanceSaltBytes);
  if (!salt && salt.error().code == ErrorCode::kMalformed) {
    return MakeError(ErrorCode::kMalformed,
                     data_dir + "/instance.salt is not a 16-byte instance salt");
  }
  return salt;
}

}  // namespace sealdrop::server
