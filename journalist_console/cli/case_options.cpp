#include "journalist_console/cli/case_options.h"

#include "crypto/keyfile/secret_key_file.h"
#include "journalist_console/secret_input/passphrase.h"

namespace sealdrop::console {

void AddCaseCommandOptions(CLI::App* c, CaseCommandOptions& o) {
  c->add_option("--data", o.data, "Console directory")->required();
  c->add_option("--officer", o.who.officer, "Your officer name on this console")->required();
  c->add_option("--passphrase-file", o.who.passphrase_file,
                "Your passphrase (first line of this file; default: asked on the terminal)");
}

Result<SignedIn> OpenAndSignIn(const CaseCommandOptions& o) {
  auto store = ConsoleStore::Open(o.data);
  if (!store) return store.error();
  auto pass = ReadPassphrase({"Passphrase for officer " + o.who.officer, o.who.passphrase_file, false});
  if (!pass) return pass.error();
  auto session = SignIn(**store, o.who.officer, *pass);
  if (!session) return session.error();
  return SignedIn{std::move(*store), std::move(*session)};
}

Result<KeyPair> UnlockForceKeyFile(const std::string& path, const std::string& passphrase_file) {
  auto pass = ReadPassphrase({"Passphrase for " + path, passphrase_file, false});
  if (!pass) return pass.error();
  return ReadSecretKeyFile(path, *pass, KeyRole::kForceDecryption);
}

Result<SecretBuffer> NewOfficerPassphrase(const std::string& officer, const std::string& file) {
  if (!IsValidOfficerName(officer)) {
    return MakeError(ErrorCode::kInvalidArgument, "bad officer name '" + officer +
                                                      "': use 1-32 of a-z 0-9 . _ -, starting with a letter");
  }
  return ReadPassphrase({"New passphrase for officer " + officer, file, /*is_new=*/true});
}

}  // namespace sealdrop::console
