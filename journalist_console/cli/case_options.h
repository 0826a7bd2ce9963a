// The options every case command of the command-line face takes, and how it unlocks the force key
// with them (the passphrase from a file or the terminal).
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "common/result.h"
#include "crypto/keys.h"
#include "journalist_console/core/store/console_store.h"

namespace sealdrop::console {

struct KeyOptions {
  std::string key;              // --key; empty: the one recorded at import
  std::string passphrase_file;  // --passphrase-file; empty: ask on the terminal
};

// What every case command takes: the console directory and the force key.
struct CaseCommandOptions {
  std::string data;
  KeyOptions key;
};
// Registers --data (required), --key and --passphrase-file on `command`.
void AddCaseCommandOptions(CLI::App* command, CaseCommandOptions& options);

// Unlocks the force decryption key (Argon2id; the secret is wiped when the KeyPair goes).
Result<KeyPair> UnlockForceKey(ConsoleStore& store, const KeyOptions& options);

}  // namespace sealdrop::console
