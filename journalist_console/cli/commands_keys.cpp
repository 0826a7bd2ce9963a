// root-keygen, keygen, fingerprint.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <vector>

#include "common/io.h"
#include "crypto/directory.h"
#include "crypto/keyfile/secret_key_file.h"
#include "crypto/public_key_file.h"
#include "journalist_console/cli/commands.h"
#include "journalist_console/secret_input/passphrase.h"

namespace sealdrop::console {
namespace {

// Writes key files all-or-nothing: refuses if any exists, removes what it wrote on failure.
class KeyFileBatch {
 public:
  Status CheckFree(const std::vector<std::string>& paths) {
    for (const auto& p : paths) {
      if (PathExists(p)) {
        return MakeError(ErrorCode::kAlreadyExists,
                         p + " already exists: refusing to overwrite a key (move it away first)");
      }
    }
    return Status::Ok();
  }
  Status Secret(const std::string& path, const KeyPair& pair, const SecretBuffer& passphrase) {
    return Track(path, WriteSecretKeyFile(path, pair, passphrase));
  }
  Status Public(const std::string& path, const PublicKey& key) {
    return Track(path, WritePublicKeyFile(path, key));
  }
  void Commit() { written_.clear(); }
  ~KeyFileBatch() {
    for (const auto& p : written_) ::unlink(p.c_str());
  }

 private:
  Status Track(const std::string& path, Status st) {
    if (st) written_.push_back(path);
    return st;
  }
  std::vector<std::string> written_;
};

struct RootKeygenOptions {
  std::string out;
  std::string passphrase_file;
};

int RootKeygen(const RootKeygenOptions& o) {
  if (auto st = EnsurePrivateDirectory(o.out); !st) return Report(st.error());
  const std::string secret_path = JoinPath(o.out, "root.secret");
  const std::string public_path = JoinPath(o.out, "root.public");
  KeyFileBatch batch;
  if (auto st = batch.CheckFree({secret_path, public_path}); !st) return Report(st.error());
  auto pass = ReadPassphrase({"Passphrase for the national root key", o.passphrase_file, true});
  if (!pass) return Report(pass.error());
  const KeyPair root = GenerateKeyPair(KeyRole::kRoot);
  if (auto st = batch.Secret(secret_path, root, *pass); !st) return Report(st.error());
  if (auto st = batch.Public(public_path, root.public_key); !st) return Report(st.error());
  batch.Commit();
  std::printf("root key written to %s\nfingerprint %s\n", o.out.c_str(),
              root.public_key.Fingerprint().c_str());
  return 0;
}

struct KeygenOptions {
  std::string force;
  std::string out;
  std::string passphrase_file;
  std::string transfer_passphrase_file;
};

int Keygen(const KeygenOptions& o) {
  if (!IsValidForceCode(o.force)) {
    return Report("bad force code '" + o.force + "': use 2-12 capital letters or digits, e.g. MET");
  }
  if (auto st = EnsurePrivateDirectory(o.out); !st) return Report(st.error());
  const std::string dec_secret = JoinPath(o.out, o.force + ".secret");
  const std::string dec_public = JoinPath(o.out, o.force + ".public");
  const std::string xfer_secret = JoinPath(o.out, o.force + "-transfer.secret");
  const std::string xfer_public = JoinPath(o.out, o.force + "-transfer.public");
  KeyFileBatch batch;
  if (auto st = batch.CheckFree({dec_secret, dec_public, xfer_secret, xfer_public}); !st) {
    return Report(st.error());
  }
  auto dec_pass = ReadPassphrase(
      {"Passphrase for " + o.force + ".secret (decryption key, offline console)",
       o.passphrase_file, true});
  if (!dec_pass) return Report(dec_pass.error());
  const std::string xfer_file =
      o.transfer_passphrase_file.empty() ? o.passphrase_file : o.transfer_passphrase_file;
  auto xfer_pass = ReadPassphrase(
      {"Passphrase for " + o.force + "-transfer.secret (transfer key, online workstation)",
       xfer_file, true});
  if (!xfer_pass) return Report(xfer_pass.error());

  const KeyPair dec = GenerateKeyPair(KeyRole::kForceDecryption);
  const KeyPair xfer = GenerateKeyPair(KeyRole::kForceTransfer);
  if (auto st = batch.Secret(dec_secret, dec, *dec_pass); !st) return Report(st.error());
  if (auto st = batch.Public(dec_public, dec.public_key); !st) return Report(st.error());
  if (auto st = batch.Secret(xfer_secret, xfer, *xfer_pass); !st) return Report(st.error());
  if (auto st = batch.Public(xfer_public, xfer.public_key); !st) return Report(st.error());
  batch.Commit();
  std::printf("keys for %s written to %s\n", o.force.c_str(), o.out.c_str());
  std::printf("decryption key fingerprint %s\n", dec.public_key.Fingerprint().c_str());
  std::printf("transfer key fingerprint   %s\n", xfer.public_key.Fingerprint().c_str());
  return 0;
}

int Fingerprint(const std::string& path) {
  auto key = ReadPublicKeyFile(path, std::nullopt);
  if (!key) return Report(key.error());
  std::printf("%s %s\n", std::string(KeyRoleTag(key->role)).c_str(),
              key->Fingerprint().c_str());
  return 0;
}

}  // namespace

void AddKeyCommands(CLI::App& app, int& exit_code) {
  auto root = std::make_shared<RootKeygenOptions>();
  auto* rk = app.add_subcommand("root-keygen", "Create the national root signing key pair");
  rk->add_option("--out", root->out, "Directory for root.secret and root.public")->required();
  rk->add_option("--passphrase-file", root->passphrase_file,
                 "Read the passphrase from the first line of this file");
  rk->callback([root, &exit_code] { exit_code = RootKeygen(*root); });

  auto force = std::make_shared<KeygenOptions>();
  auto* kg = app.add_subcommand("keygen", "Create a force's decryption and transfer key pairs");
  kg->add_option("--force", force->force, "Force code, e.g. MET")->required();
  kg->add_option("--out", force->out, "Directory for the four key files")->required();
  kg->add_option("--passphrase-file", force->passphrase_file,
                 "Passphrase for both keys (first line of the file)");
  kg->add_option("--transfer-passphrase-file", force->transfer_passphrase_file,
                 "A different passphrase for the transfer key");
  kg->callback([force, &exit_code] { exit_code = Keygen(*force); });

  auto path = std::make_shared<std::string>();
  auto* fp = app.add_subcommand("fingerprint", "Print the fingerprint of a public key file");
  fp->add_option("FILE", *path, "A .public file")->required();
  fp->callback([path, &exit_code] { exit_code = Fingerprint(*path); });
}

}  // namespace sealdrop::console
