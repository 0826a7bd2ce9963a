// Key slots: one force decryption key, wrapped once per officer under that officer's own
// passphrase (as LUKS keeps one volume key in several slots). Spec: docs/console.md §5.
//
// The file names each slot's officer and role in clear, so the console can list its officers
// without a key; everything else needs a passphrase. Each slot is an Argon2id-derived key
// wrapping the 32-byte secret with XChaCha20-Poly1305, its associated data binding the slot's
// officer and role and the file's public key, so a slot cannot be renamed or moved to another
// key. A MAC over the whole file, under a key derived from the force secret, catches any other
// change (a slot's role edited, a slot added) by someone who does not hold the force key.
// Roles are enforced by the console: an officer who holds the force key can rewrite this file.
//
// Part of sealdrop_keyfile: the server never links it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/keyfile/secret_key_file.h"
#include "crypto/keys.h"
#include "crypto/secret_buffer.h"

namespace sealdrop {

// What an officer may do on the console. The byte is the one stored in a slot.
enum class OfficerRole : std::uint8_t { kAssessor = 1, kSupervisor = 2 };
std::string_view OfficerRoleName(OfficerRole role);  // "assessor" | "supervisor"
std::optional<OfficerRole> OfficerRoleFromName(std::string_view name);

inline constexpr std::size_t kKeySlotsHeaderBytes = 48;
inline constexpr std::size_t kKeySlotBytes = 132;
inline constexpr std::size_t kKeySlotsMacBytes = 32;
inline constexpr std::size_t kMaxKeySlots = 32;
inline constexpr std::size_t kMaxOfficerNameBytes = 32;

// 1-32 of a-z 0-9 . _ -, starting with a letter: safe in a terminal, a file and the audit.
bool IsValidOfficerName(std::string_view name);

struct KeySlot {
  std::string officer;
  OfficerRole role = OfficerRole::kAssessor;
  KdfLimits limits{};
  std::array<std::uint8_t, 16> salt{};
  std::array<std::uint8_t, 24> nonce{};
  std::array<std::uint8_t, 48> wrapped{};  // the secret (32) then the Poly1305 tag (16)
};

struct KeySlots {
  PublicKey key{};               // the wrapped key's public half (role: force decryption)
  std::uint32_t generation = 0;  // one more at every write: a restored older copy is told apart
  std::vector<KeySlot> slots;
  std::array<std::uint8_t, kKeySlotsMacBytes> mac{};

  const KeySlot* Find(std::string_view officer) const;
};

// Parses a file's structure; checks no passphrase and no MAC (that needs the key).
// Errors: kBadMagic, kUnsupportedVersion, kMalformed (length, counts, a bad name or role, a name
// twice, KDF limits below `minimum` or above 64 passes / 1 GiB).
Result<KeySlots> DecodeKeySlots(std::string_view file, KdfLimits minimum = DefaultKdfLimits());

// Unwraps `officer`'s slot with `passphrase`, then checks that the secret gives the file's public
// key and that the file's MAC holds. Errors: kNotFound (no such officer), kWrongPassphrase,
// kLimitExceeded (no memory for Argon2id), kHeaderMacMismatch (the file was changed).
Result<KeyPair> OpenKeySlot(const KeySlots& slots, std::string_view officer,
                            const SecretBuffer& passphrase);

// A new slot wrapping `key` (a force decryption pair) for `officer` under `passphrase`.
// kLimitExceeded when Argon2id cannot get its memory; kInvalidArgument for a bad name.
Result<KeySlot> WrapKeySlot(const KeyPair& key, std::string_view officer, OfficerRole role,
                            const SecretBuffer& passphrase, KdfLimits limits = DefaultKdfLimits());

// The file's bytes, MAC computed under `key`. REQUIRES: slots.key == key.public_key, 1 to 32
// slots with distinct valid names.
std::string EncodeKeySlots(const KeySlots& slots, const KeyPair& key);

}  // namespace sealdrop
