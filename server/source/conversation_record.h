// A reporter's record of their own conversation: which report and follow-ups they sent and on
// which day, so that the inbox can say of each whether it still waits for the force or has been
// collected. Kept in the index beside the codename's lookup id, sealed to the source key
// (crypto_box_seal), so that only someone who logs in with the codename can read it: a seized
// disk does not link a report or a follow-up to its conversation. Padded to one of four sizes,
// so the sealed length tells only roughly how many messages there were.
// Spec with a vector: docs/server.md "The reporter's record".
//
//   plaintext = "SDCR" || version (1) || count (1) || count entries || zero padding
//   entry     = kind (1: 1 report, 2 follow-up) || item id (16) || day (2, big-endian days
//               since 2000-01-01)
//   capacity  = 8, 16, 32 or 64 entries (the smallest that holds count); length 6 + 19 * capacity
//   sealed    = crypto_box_seal(plaintext, source public key)
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "crypto/keys.h"

namespace sealdrop::server {

enum class RecordKind : std::uint8_t { kReport = 1, kFollowUp = 2 };

struct RecordEntry {
  RecordKind kind = RecordKind::kReport;
  std::string item_id;  // 32 lower-case hex digits (the store's id)
  std::string day;      // "YYYY-MM-DD"

  bool operator==(const RecordEntry&) const = default;
};

inline constexpr std::size_t kRecordMaxEntries = 64;

// Adds `entry`; when the record is full, the oldest follow-up makes room (the report stays).
void AppendRecordEntry(std::vector<RecordEntry>& entries, RecordEntry entry);

// The padded plaintext. REQUIRES: at most kRecordMaxEntries entries, each with a valid item id
// and a day from 2000-01-01 to 2179.
std::vector<std::uint8_t> EncodeRecord(const std::vector<RecordEntry>& entries);
// kBadMagic, kUnsupportedVersion or kMalformed (a wrong length, count, kind, day or padding).
Result<std::vector<RecordEntry>> DecodeRecord(std::span<const std::uint8_t> plaintext);

std::vector<std::uint8_t> SealRecord(const std::vector<RecordEntry>& entries, const PublicKey& source);
// kPayloadCorrupt when `sealed` was not sealed to `source` or was altered; then as DecodeRecord.
Result<std::vector<RecordEntry>> OpenRecord(std::span<const std::uint8_t> sealed, const KeyPair& source);

}  // namespace sealdrop::server
