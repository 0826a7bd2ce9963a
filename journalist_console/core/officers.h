// Officers: one account per PSD officer, each with their own passphrase. The force decryption key
// is kept once per officer in DIR/keyslots (crypto/keyfile/key_slots.h), wrapped under that
// officer's Argon2id-derived key; the store's register (ConsoleStore::Officers) records who was
// added and removed, by whom and when. Spec: docs/console.md §5.
//
// Signing in unwraps the officer's slot and checks the register: an officer removed from the
// register is refused even by a slot restored from an old copy of the file. A supervisor adds and
// removes officers and reads the audit; an assessor does neither. Both faces (command line, web)
// call these functions; they print nothing and read no terminal.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/keyfile/key_slots.h"
#include "crypto/keys.h"
#include "crypto/secret_buffer.h"
#include "journalist_console/core/store/console_store.h"

namespace sealdrop::console {

struct Officer {
  std::string name;
  OfficerRole role = OfficerRole::kAssessor;
};

// An officer signed in: their name and role, and the force key, which is wiped when the session
// goes. Movable, not copyable.
class OfficerSession {
 public:
  OfficerSession(Officer officer, KeyPair key) : officer_(std::move(officer)), key_(std::move(key)) {}
  const std::string& name() const { return officer_.name; }
  OfficerRole role() const { return officer_.role; }
  const KeyPair& key() const { return key_; }
  // kInvalidArgument "only a supervisor can WHAT" for an assessor.
  Status RequireSupervisor(std::string_view what) const;

 private:
  Officer officer_;
  KeyPair key_;
};

std::string KeySlotsPath(const ConsoleStore& store);  // DIR/keyslots

// The officers who may sign in, from the key slots file (no key needed). An empty list when the
// console has none yet.
Result<std::vector<Officer>> ListOfficers(const ConsoleStore& store);

// Signs `officer` in with their passphrase. Errors: kNotFound (no officers yet, or no such
// officer), kWrongPassphrase, kHeaderMacMismatch (the slots file was changed), kInvalidArgument
// (removed in the register, or the register and the file disagree on the role).
Result<OfficerSession> SignIn(const ConsoleStore& store, std::string_view officer,
                              const SecretBuffer& passphrase);

// Whether `officer` may still act: in the register and not removed. A face that keeps a session
// across actions (the web face) asks before each one, so a removal ends a session already open.
Result<bool> StillAnOfficer(const ConsoleStore& store, std::string_view officer);

// Makes the first supervisor of a console that has no officers yet (a new console, or one from
// before officers, which was opened by its single key file): `key` in slot 1 under `passphrase`.
// kAlreadyExists if the console has officers.
Status InitOfficers(ConsoleStore& store, const KeyPair& key, std::string_view officer,
                    const SecretBuffer& passphrase);

// Supervisor only. Adds `officer` with `role` under their own `passphrase` (the supervisor's
// session unwraps the key; the new slot wraps it again).
Status AddOfficer(ConsoleStore& store, const OfficerSession& by, std::string_view officer,
                  OfficerRole role, const SecretBuffer& passphrase);
// Supervisor only. Deletes `officer`'s slot and marks them removed: their passphrase then
// unlocks nothing. A supervisor cannot remove themselves (the console would need another one).
Status RemoveOfficer(ConsoleStore& store, const OfficerSession& by, std::string_view officer);
// Any officer: their own slot wrapped again under `new_passphrase`.
Status ChangePassphrase(ConsoleStore& store, const OfficerSession& self,
                        const SecretBuffer& new_passphrase);

}  // namespace sealdrop::console
