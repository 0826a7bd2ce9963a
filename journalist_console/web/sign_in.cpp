#include "journalist_console/web/sign_in.h"

#include "common/utf8.h"
#include "journalist_console/core/case_actions.h"

namespace sealdrop::console::web {

Result<SignedIn> SignIn(ConsoleStore& store, const SignInConfig& config, std::string_view officer,
                        const SecretBuffer& passphrase) {
  const std::size_t first = officer.find_first_not_of(' ');
  if (first == std::string_view::npos) return MakeError(ErrorCode::kInvalidArgument, "Enter your name");
  officer = officer.substr(first, officer.find_last_not_of(' ') - first + 1);
  bool printable = IsValidUtf8(officer) && officer.size() <= 64;
  for (const char c : officer) printable = printable && static_cast<unsigned char>(c) >= 0x20 && c != 0x7f;
  if (!printable) {
    return MakeError(ErrorCode::kInvalidArgument, "Your name must be at most 64 printable characters");
  }
  if (passphrase.empty()) return MakeError(ErrorCode::kInvalidArgument, "Enter the passphrase");
  auto key = UnlockForceKeyWith(store, config.key_path, passphrase);
  if (!key) return key.error();
  store.SetActor(std::string(officer));
  const Status audited = store.Audit("sign-in", "", "web");
  store.SetActor("");
  if (!audited) return audited.error();
  return SignedIn{.officer = std::string(officer), .key = std::move(*key)};
}

}  // namespace sealdrop::console::web
