// The options every console command of the command-line face takes (the console directory and
// the officer signing in), and the sign-in with them: the passphrase from a file or the terminal.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "common/result.h"
#include "journalist_console/core/officers.h"
#include "journalist_console/core/store/console_store.h"

namespace sealdrop::console {

struct SignInOptions {
  std::string officer;          // --officer NAME
  std::string passphrase_file;  // --passphrase-file; empty: ask on the terminal
};

struct CaseCommandOptions {
  std::string data;
  SignInOptions who;
};
// Registers --data, --officer (both required) and --passphrase-file on `command`.
void AddCaseCommandOptions(CLI::App* command, CaseCommandOptions& options);

// The console at options.data, opened, and the officer signed in on it.
struct SignedIn {
  std::unique_ptr<ConsoleStore> store;
  OfficerSession session;
};
Result<SignedIn> OpenAndSignIn(const CaseCommandOptions& options);

// A force decryption key file (CODE.secret) opened with its passphrase (file or terminal): how a
// console gets its key once, for its first supervisor.
Result<KeyPair> UnlockForceKeyFile(const std::string& path, const std::string& passphrase_file);
// A new passphrase for `officer` (asked twice on a terminal; at least 10 characters).
Result<SecretBuffer> NewOfficerPassphrase(const std::string& officer, const std::string& file);

}  // namespace sealdrop::console
