#include "journalist_console/cli/case_options.h"

#include "journalist_console/core/case_actions.h"
#include "journalist_console/secret_input/passphrase.h"

namespace sealdrop::console {

void AddCaseCommandOptions(CLI::App* c, CaseCommandOptions& o) {
  c->add_option("--data", o.data, "Console directory")->required();
  c->add_option("--key", o.key.key, "CODE.secret (default: the key of the first import)");
  c->add_option("--passphrase-file", o.key.passphrase_file, "Passphrase for the key");
}

Result<KeyPair> UnlockForceKey(ConsoleStore& store, const KeyOptions& o) {
  std::string prompt = o.key;
  if (prompt.empty()) {
    auto recorded = store.GetMeta("key_path");
    if (!recorded) return recorded.error();
    if (!*recorded) return MakeError(ErrorCode::kInvalidArgument, "give the force key with --key CODE.secret");
    prompt = **recorded;
  }
  auto pass = ReadPassphrase({"Passphrase for " + prompt, o.passphrase_file, false});
  if (!pass) return pass.error();
  return UnlockForceKeyWith(store, prompt, *pass);
}

}  // namespace sealdrop::console
