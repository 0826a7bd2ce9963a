// The one place the web face turns a sign-in form into a signed-in officer: the officer's name
// and their own passphrase unwrap the force key from their key slot, through the same core call
// as the command line's --officer (console::SignIn, core/officers.h). The "sign-in" audit entry
// names them; every later entry of the session names them too (the pages pass the session's
// officer to the core actions).
#pragma once

#include <string_view>

#include "common/result.h"
#include "crypto/secret_buffer.h"
#include "journalist_console/core/officers.h"
#include "journalist_console/core/store/console_store.h"

namespace sealdrop::console::web {

// The one message for every refused sign-in (no such officer, a removed one, a wrong
// passphrase): the page does not tell which names exist.
inline constexpr std::string_view kSignInRefused =
    "The officer name or passphrase is not right. Check them and try again.";

// kInvalidArgument with a message for the form when the name or passphrase is missing;
// kWrongPassphrase with kSignInRefused when the officer may not sign in with this passphrase;
// other errors (the key slots file changed, the store unreadable) as they come.
Result<OfficerSession> SignIn(ConsoleStore& store, std::string_view officer, const SecretBuffer& passphrase);

}  // namespace sealdrop::console::web
