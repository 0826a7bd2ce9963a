#include "server/source/conversation_record.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "common/clock.h"
#include "crypto/secret_buffer.h"

namespace sealdrop::server {
namespace {

constexpr std::uint8_t kMagic[4] = {'S', 'D', 'C', 'R'};
constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kHeaderBytes = 6;
constexpr std::size_t kEntryBytes = 19;
constexpr std::size_t kCapacities[] = {8, 16, 32, 64};
constexpr std::string_view kEpoch = "2000-01-01";

std::size_t CapacityFor(std::size_t count) {
  for (std::size_t c : kCapacities) {
    if (count <= c) return c;
  }
  return kCapacities[3];
}

Error Malformed(const char* what) {
  return Error{ErrorCode::kMalformed, std::string("conversation record: ") + what};
}

}  // namespace

void AppendRecordEntry(std::vector<RecordEntry>& entries, RecordEntry entry) {
  if (entries.size() >= kRecordMaxEntries) {
    auto oldest = std::find_if(entries.begin(), entries.end(),
                               [](const RecordEntry& e) { return e.kind == RecordKind::kFollowUp; });
    entries.erase(oldest == entries.end() ? entries.begin() : oldest);
  }
  entries.push_back(std::move(entry));
}

std::vector<std::uint8_t> EncodeRecord(const std::vector<RecordEntry>& entries) {
  const std::size_t capacity = CapacityFor(entries.size());
  std::vector<std::uint8_t> out(kHeaderBytes + kEntryBytes * capacity, 0);
  std::memcpy(out.data(), kMagic, 4);
  out[4] = kVersion;
  out[5] = static_cast<std::uint8_t>(entries.size());
  std::uint8_t* p = out.data() + kHeaderBytes;
  for (const RecordEntry& e : entries) {
    p[0] = static_cast<std::uint8_t>(e.kind);
    std::size_t written = 0;
    sodium_hex2bin(p + 1, 16, e.item_id.data(), e.item_id.size(), nullptr, &written, nullptr);
    const auto day = static_cast<std::uint16_t>(DaysBetween(kEpoch, e.day));
    p[17] = static_cast<std::uint8_t>(day >> 8);
    p[18] = static_cast<std::uint8_t>(day & 0xff);
    p += kEntryBytes;
  }
  return out;
}

Result<std::vector<RecordEntry>> DecodeRecord(std::span<const std::uint8_t> in) {
  if (in.size() < kHeaderBytes || std::memcmp(in.data(), kMagic, 4) != 0) {
    return Error{ErrorCode::kBadMagic, "not a conversation record"};
  }
  if (in[4] != kVersion) return Error{ErrorCode::kUnsupportedVersion, "conversation record: version"};
  const std::size_t count = in[5];
  const std::size_t capacity = (in.size() - kHeaderBytes) / kEntryBytes;
  if ((in.size() - kHeaderBytes) % kEntryBytes != 0 ||
      std::find(std::begin(kCapacities), std::end(kCapacities), capacity) == std::end(kCapacities)) {
    return Malformed("length");
  }
  if (count > capacity || CapacityFor(count) != capacity) return Malformed("count");
  std::vector<RecordEntry> entries;
  const std::uint8_t* p = in.data() + kHeaderBytes;
  for (std::size_t i = 0; i < count; ++i, p += kEntryBytes) {
    if (p[0] != 1 && p[0] != 2) return Malformed("kind");
    char hex[33];
    sodium_bin2hex(hex, sizeof hex, p + 1, 16);
    const int day = (p[17] << 8) | p[18];
    entries.push_back({static_cast<RecordKind>(p[0]), std::string(hex, 32), AddDays(kEpoch, day)});
  }
  const std::uint8_t* end = in.data() + in.size();
  if (std::any_of(p, end, [](std::uint8_t b) { return b != 0; })) return Malformed("padding");
  return entries;
}

std::vector<std::uint8_t> SealRecord(const std::vector<RecordEntry>& entries, const PublicKey& source) {
  const std::vector<std::uint8_t> plain = EncodeRecord(entries);
  std::vector<std::uint8_t> sealed(plain.size() + crypto_box_SEALBYTES);
  crypto_box_seal(sealed.data(), plain.data(), plain.size(), source.bytes.data());
  return sealed;
}

Result<std::vector<RecordEntry>> OpenRecord(std::span<const std::uint8_t> sealed, const KeyPair& source) {
  if (sealed.size() < crypto_box_SEALBYTES) {
    return Error{ErrorCode::kPayloadCorrupt, "conversation record: not sealed to this codename"};
  }
  SecretBuffer plain(sealed.size() - crypto_box_SEALBYTES);
  if (crypto_box_seal_open(plain.data(), sealed.data(), sealed.size(), source.public_key.bytes.data(),
                           source.secret.data()) != 0) {
    return Error{ErrorCode::kPayloadCorrupt, "conversation record: not sealed to this codename"};
  }
  return DecodeRecord(plain.span());
}

}  // namespace sealdrop::server
