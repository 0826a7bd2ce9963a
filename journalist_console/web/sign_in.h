// The one place the web face turns a sign-in form into an unlocked force key.
//
// Today the console has one force key and its passphrase (the same as the command line's
// --key/--passphrase-file); the officer's name is asked for already and is the actor of every
// audit entry the session writes ("sign-in" first; ConsoleStore::SetActor). When officers have accounts and key slots (issue 16), this
// function becomes: find the officer's slot by name, unwrap the force key with their
// passphrase; nothing else in web/ changes.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/keys.h"
#include "crypto/secret_buffer.h"
#include "journalist_console/core/store/console_store.h"

namespace sealdrop::console::web {

struct SignInConfig {
  std::string key_path;  // serve --key; "" for the key recorded at the first import
};

struct SignedIn {
  std::string officer;
  KeyPair key;
};

// kInvalidArgument for a missing or unprintable name (at most 64 characters);
// kWrongPassphrase when the passphrase does not open the key.
Result<SignedIn> SignIn(ConsoleStore& store, const SignInConfig& config, std::string_view officer,
                        const SecretBuffer& passphrase);

}  // namespace sealdrop::console::web
