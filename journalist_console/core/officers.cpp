#include "journalist_console/core/officers.h"

#include <algorithm>
#include <charconv>

#include "common/clock.h"
#include "common/io.h"

namespace sealdrop::console {
namespace {

constexpr std::size_t kMaxKeySlotsFileBytes =
    kKeySlotsHeaderBytes + kMaxKeySlots * kKeySlotBytes + kKeySlotsMacBytes;

Result<std::optional<KeySlots>> ReadSlots(const ConsoleStore& store) {
  const std::string path = KeySlotsPath(store);
  if (!PathExists(path)) return std::optional<KeySlots>{};
  auto bytes = ReadSmallFile(path, kMaxKeySlotsFileBytes);
  if (!bytes) return bytes.error();
  auto slots = DecodeKeySlots(*bytes);
  if (!slots) return Error{slots.error().code, path + ": " + slots.error().message};
  return std::optional<KeySlots>(std::move(*slots));
}

Result<KeySlots> RequireSlots(const ConsoleStore& store) {
  auto slots = ReadSlots(store);
  if (!slots) return slots.error();
  if (!*slots) {
    return MakeError(ErrorCode::kNotFound,
                     "this console has no officers yet: a supervisor makes the first with "
                     "`sealdrop-console officer init`");
  }
  return std::move(**slots);
}

constexpr const char* kGenerationMeta = "keyslots_generation";

// The whole file replaced at once (written, fsynced, renamed): a crash leaves the old or the new.
// Then the store records its generation, so that an older copy put back is refused; a crash
// between the two leaves the file one ahead, which SignIn accepts.
Status WriteSlots(ConsoleStore& store, KeySlots& slots, const KeyPair& key) {
  ++slots.generation;
  if (auto st = WriteFileAtomically(KeySlotsPath(store), EncodeKeySlots(slots, key), 0600,
                                    /*overwrite=*/true);
      !st) {
    return st;
  }
  return store.SetMeta(kGenerationMeta, std::to_string(slots.generation));
}

// REQUIRES: the file's MAC was checked (its generation is the key holders').
Status CheckGeneration(const ConsoleStore& store, const KeySlots& slots) {
  auto recorded = store.GetMeta(kGenerationMeta);
  if (!recorded) return recorded.error();
  if (!*recorded) return Status::Ok();  // a console whose file was never rewritten by a sign-in
  std::uint64_t last = 0;
  const std::string& text = **recorded;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), last);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return MakeError(ErrorCode::kMalformed, "console database: a bad key slots generation");
  }
  if (slots.generation < last) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the key slots file is older than this console's record of it (generation " +
                         std::to_string(slots.generation) + ", last written " + text +
                         "): an old copy was put back; refusing it");
  }
  return Status::Ok();
}

Status RecordAdded(ConsoleStore& store, std::string_view officer, OfficerRole role,
                   const std::string& by) {
  return store.AddOfficer({.name = std::string(officer),
                           .role = std::string(OfficerRoleName(role)),
                           .added_day = TodayUtc(),
                           .added_by = by,
                           .removed_day = ""});
}

}  // namespace

Status OfficerSession::RequireSupervisor(std::string_view what) const {
  if (role() == OfficerRole::kSupervisor) return Status::Ok();
  return MakeError(ErrorCode::kInvalidArgument,
                   "only a supervisor can " + std::string(what) + " (" + name() + " is an assessor)");
}

std::string KeySlotsPath(const ConsoleStore& store) { return store.dir() + "/keyslots"; }

Result<std::vector<Officer>> ListOfficers(const ConsoleStore& store) {
  auto slots = ReadSlots(store);
  if (!slots) return slots.error();
  std::vector<Officer> out;
  if (*slots) {
    for (const auto& s : (*slots)->slots) out.push_back({s.officer, s.role});
  }
  return out;
}

Result<bool> StillAnOfficer(const ConsoleStore& store, std::string_view officer) {
  auto rows = store.Officers();
  if (!rows) return rows.error();
  return std::any_of(rows->begin(), rows->end(),
                     [&](const OfficerRow& r) { return r.name == officer && r.removed_day.empty(); });
}

Result<OfficerSession> SignIn(const ConsoleStore& store, std::string_view officer,
                              const SecretBuffer& passphrase) {
  auto slots = RequireSlots(store);
  if (!slots) return slots.error();
  auto key = OpenKeySlot(*slots, officer, passphrase);
  if (!key) return key.error();
  auto rows = store.Officers();
  if (!rows) return rows.error();
  const auto row = std::find_if(rows->begin(), rows->end(),
                                [&](const OfficerRow& r) { return r.name == officer; });
  const OfficerRole role = slots->Find(officer)->role;
  if (row == rows->end() || !row->removed_day.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "officer '" + std::string(officer) + "' was removed from this console");
  }
  if (row->role != OfficerRoleName(role)) {
    return MakeError(ErrorCode::kInvalidArgument, "the key slots file and the console's register "
                                                  "disagree about officer '" +
                                                      std::string(officer) + "': refusing them");
  }
  if (auto st = CheckGeneration(store, *slots); !st) return st.error();
  return OfficerSession({std::string(officer), role}, std::move(*key));
}

Status InitOfficers(ConsoleStore& store, const KeyPair& key, std::string_view officer,
                    const SecretBuffer& passphrase) {
  if (key.public_key.role != KeyRole::kForceDecryption) {
    return MakeError(ErrorCode::kInvalidArgument, "the console needs the force decryption key");
  }
  auto existing = ReadSlots(store);
  if (!existing) return existing.error();
  if (*existing) {
    return MakeError(ErrorCode::kAlreadyExists,
                     "this console has officers already: a supervisor adds more with "
                     "`sealdrop-console officer add`");
  }
  auto slot = WrapKeySlot(key, officer, OfficerRole::kSupervisor, passphrase);
  if (!slot) return slot.error();
  KeySlots slots;
  slots.key = key.public_key;
  slots.slots.push_back(std::move(*slot));
  if (auto st = WriteSlots(store, slots, key); !st) return st;
  if (auto st = RecordAdded(store, officer, OfficerRole::kSupervisor, std::string(officer)); !st) {
    return st;
  }
  // A console from before officers named its key file; the key now lives only in the slots.
  if (auto st = store.SetMeta("key_path", ""); !st) return st;
  return store.Audit(std::string(officer), "officer-init", "", "supervisor " + std::string(officer));
}

Status AddOfficer(ConsoleStore& store, const OfficerSession& by, std::string_view officer,
                  OfficerRole role, const SecretBuffer& passphrase) {
  if (auto st = by.RequireSupervisor("add officers"); !st) return st;
  auto slots = RequireSlots(store);
  if (!slots) return slots.error();
  if (slots->Find(officer)) {
    return MakeError(ErrorCode::kAlreadyExists, "officer '" + std::string(officer) +
                                                    "' exists already (remove them first)");
  }
  if (slots->slots.size() >= kMaxKeySlots) {
    return MakeError(ErrorCode::kLimitExceeded, "a console holds at most 32 officers");
  }
  auto slot = WrapKeySlot(by.key(), officer, role, passphrase);
  if (!slot) return slot.error();
  slots->slots.push_back(std::move(*slot));
  if (auto st = WriteSlots(store, *slots, by.key()); !st) return st;
  if (auto st = RecordAdded(store, officer, role, by.name()); !st) return st;
  return store.Audit(by.name(), "officer-add", "",
                     std::string(OfficerRoleName(role)) + " " + std::string(officer));
}

Status RemoveOfficer(ConsoleStore& store, const OfficerSession& by, std::string_view officer) {
  if (auto st = by.RequireSupervisor("remove officers"); !st) return st;
  if (officer == by.name()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "a supervisor cannot remove themselves: another supervisor must");
  }
  auto slots = RequireSlots(store);
  if (!slots) return slots.error();
  const auto it = std::find_if(slots->slots.begin(), slots->slots.end(),
                               [&](const KeySlot& s) { return s.officer == officer; });
  if (it == slots->slots.end()) {
    return MakeError(ErrorCode::kNotFound, "no officer '" + std::string(officer) + "' on this console");
  }
  slots->slots.erase(it);
  if (auto st = WriteSlots(store, *slots, by.key()); !st) return st;
  if (auto st = store.MarkOfficerRemoved(std::string(officer), TodayUtc()); !st) return st;
  return store.Audit(by.name(), "officer-remove", "", std::string(officer));
}

Status ChangePassphrase(ConsoleStore& store, const OfficerSession& self,
                        const SecretBuffer& new_passphrase) {
  auto slots = RequireSlots(store);
  if (!slots) return slots.error();
  auto slot = WrapKeySlot(self.key(), self.name(), self.role(), new_passphrase);
  if (!slot) return slot.error();
  for (auto& s : slots->slots) {
    if (s.officer == self.name()) s = std::move(*slot);
  }
  if (auto st = WriteSlots(store, *slots, self.key()); !st) return st;
  return store.Audit(self.name(), "officer-passwd", "", self.name());
}

}  // namespace sealdrop::console
