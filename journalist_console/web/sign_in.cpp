#include "journalist_console/web/sign_in.h"

#include <string>

namespace sealdrop::console::web {

Result<OfficerSession> SignIn(ConsoleStore& store, std::string_view officer, const SecretBuffer& passphrase) {
  const std::size_t first = officer.find_first_not_of(' ');
  if (first == std::string_view::npos) return MakeError(ErrorCode::kInvalidArgument, "Enter your officer name");
  officer = officer.substr(first, officer.find_last_not_of(' ') - first + 1);
  if (passphrase.empty()) return MakeError(ErrorCode::kInvalidArgument, "Enter your passphrase");
  // A name that cannot be an officer's is refused like an unknown one.
  if (!IsValidOfficerName(officer)) return MakeError(ErrorCode::kWrongPassphrase, std::string(kSignInRefused));
  auto session = console::SignIn(store, officer, passphrase);
  if (!session) {
    const ErrorCode code = session.error().code;
    // Unknown, removed (kInvalidArgument: in the register as removed, or register and slots
    // disagree) or a wrong passphrase: one answer for all.
    if (code == ErrorCode::kNotFound || code == ErrorCode::kWrongPassphrase || code == ErrorCode::kInvalidArgument) {
      return MakeError(ErrorCode::kWrongPassphrase, std::string(kSignInRefused));
    }
    return session.error();
  }
  if (auto st = store.Audit(session->name(), "sign-in", "", "web"); !st) return st.error();
  return session;
}

}  // namespace sealdrop::console::web
