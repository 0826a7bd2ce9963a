// A SealDrop instance for tests: a root key, key pairs for a few forces, a signed force
// directory valid today, the pinned root public key file and an empty data directory, all in a
// private temp dir. Secret key files (for sealdrop-console) are written on demand: each costs
// one Argon2id MODERATE (256 MiB).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "crypto/keys.h"
#include "tests/support/process.h"

namespace sealdrop::testing {

class TestInstance {
 public:
  explicit TestInstance(std::vector<std::string> forces = {"MET", "WMI", "NATIONAL"});

  // sealdrop-server's argv for this instance, listening on `listen`, with `extra` flags.
  std::vector<std::string> ServerArgv(const std::string& server_bin,
                                      const std::string& listen = "127.0.0.1:0",
                                      const std::vector<std::string>& extra = {}) const;

  // Rewrites directory_file(): every force listed, `serial`, issued and valid from today plus
  // `from_days`, expiring today plus `until_days` (in the past too: for an expired directory).
  void WriteDirectory(long long serial, int from_days, int until_days);

  const std::string& root() const { return dir_.path(); }
  std::string data_dir() const { return dir_ / "data"; }
  std::string directory_file() const { return dir_ / "directory.signed"; }
  std::string root_public_file() const { return dir_ / "root.public"; }
  std::string passphrase_file() const { return dir_ / "passphrase.txt"; }
  // KEYS/CODE.secret for sealdrop-console (written the first time it is asked for).
  std::string SecretKeyFile(const std::string& code);
  // KEYS/CODE-transfer.secret for sealdrop-transfer (written the first time it is asked for).
  std::string TransferKeyFile(const std::string& code);
  const KeyPair& DecryptionKey(const std::string& code) const { return dec_.at(code); }
  const KeyPair& TransferKey(const std::string& code) const { return xfer_.at(code); }

 private:
  TempDir dir_;
  KeyPair root_;
  std::vector<std::string> forces_;
  std::map<std::string, KeyPair> dec_;
  std::map<std::string, KeyPair> xfer_;
};

// Today plus `days` as YYYY-MM-DD (UTC).
std::string DayFromToday(int days);

}  // namespace sealdrop::testing
