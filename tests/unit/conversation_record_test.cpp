// The reporter's record (server/source/conversation_record.h, docs/server.md "The reporter's
// record"): the vector of the spec, the four padded sizes, sealing to the source key only,
// every malformed plaintext refused, and a full record making room by its oldest follow-up.
#include <gtest/gtest.h>

#include <sodium.h>

#include "crypto/keys.h"
#include "server/source/conversation_record.h"

namespace sealdrop::server {
namespace {

std::vector<std::uint8_t> FromHex(std::string_view hex) {
  std::vector<std::uint8_t> out(hex.size() / 2);
  std::size_t n = 0;
  EXPECT_EQ(sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &n, nullptr), 0);
  out.resize(n);
  return out;
}

const std::vector<RecordEntry> kTwo = {
    {RecordKind::kReport, "00112233445566778899aabbccddeeff", "2026-11-30"},
    {RecordKind::kFollowUp, "ffeeddccbbaa99887766554433221100", "2026-12-01"},
};

// docs/server.md "The reporter's record", vector 1: 158 bytes (capacity 8).
constexpr std::string_view kTwoHex =
    "5344435201020100112233445566778899aabbccddeeff266602ffeeddccbbaa998877665544332211002667";

TEST(ConversationRecord, EncodesTheSpecVector) {
  std::vector<std::uint8_t> expected = FromHex(kTwoHex);
  expected.resize(6 + 19 * 8, 0);
  EXPECT_EQ(EncodeRecord(kTwo), expected);
  auto decoded = DecodeRecord(expected);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, kTwo);
}

TEST(ConversationRecord, PadsToOneOfFourSizes) {
  std::vector<RecordEntry> entries;
  std::vector<std::size_t> sizes;
  for (std::size_t n = 0; n <= kRecordMaxEntries; ++n) {
    const std::size_t size = EncodeRecord(entries).size();
    if (sizes.empty() || sizes.back() != size) sizes.push_back(size);
    char id[33];
    std::snprintf(id, sizeof id, "%032zx", n);
    entries.push_back({RecordKind::kFollowUp, id, "2026-11-30"});
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{6 + 19 * 8, 6 + 19 * 16, 6 + 19 * 32, 6 + 19 * 64}));
}

TEST(ConversationRecord, OpensOnlyWithTheSourceKey) {
  const KeyPair source = GenerateKeyPair(KeyRole::kSource);
  const KeyPair other = GenerateKeyPair(KeyRole::kSource);
  std::vector<std::uint8_t> sealed = SealRecord(kTwo, source.public_key);
  EXPECT_EQ(sealed.size(), 6 + 19 * 8 + crypto_box_SEALBYTES);
  auto opened = OpenRecord(sealed, source);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(*opened, kTwo);
  EXPECT_EQ(OpenRecord(sealed, other).error().code, ErrorCode::kPayloadCorrupt);
  sealed[60] ^= 1;
  EXPECT_EQ(OpenRecord(sealed, source).error().code, ErrorCode::kPayloadCorrupt);
  EXPECT_EQ(OpenRecord(std::span(sealed).first(20), source).error().code, ErrorCode::kPayloadCorrupt);
  // Sealing twice gives two different records (a fresh ephemeral key each time).
  EXPECT_NE(SealRecord(kTwo, source.public_key), SealRecord(kTwo, source.public_key));
}

TEST(ConversationRecord, RefusesEveryMalformedPlaintext) {
  const std::vector<std::uint8_t> good = EncodeRecord(kTwo);
  auto with = [&](std::size_t at, std::uint8_t value) {
    std::vector<std::uint8_t> bad = good;
    bad[at] = value;
    return DecodeRecord(bad);
  };
  EXPECT_EQ(with(0, 'X').error().code, ErrorCode::kBadMagic);
  EXPECT_EQ(with(4, 2).error().code, ErrorCode::kUnsupportedVersion);
  EXPECT_EQ(with(5, 9).error().code, ErrorCode::kMalformed) << "count above the capacity";
  EXPECT_EQ(with(6, 3).error().code, ErrorCode::kMalformed) << "kind";
  EXPECT_EQ(with(good.size() - 1, 1).error().code, ErrorCode::kMalformed) << "padding";
  std::vector<std::uint8_t> shorter(good.begin(), good.end() - 1);
  EXPECT_EQ(DecodeRecord(shorter).error().code, ErrorCode::kMalformed) << "length";
  std::vector<std::uint8_t> wider = good;
  wider.resize(6 + 19 * 16, 0);
  EXPECT_EQ(DecodeRecord(wider).error().code, ErrorCode::kMalformed) << "2 entries in 16 places";
  EXPECT_EQ(DecodeRecord(std::vector<std::uint8_t>{'S', 'D'}).error().code, ErrorCode::kBadMagic);
}

TEST(ConversationRecord, AFullRecordDropsItsOldestFollowUpAndKeepsTheReport) {
  std::vector<RecordEntry> entries = {{RecordKind::kReport, std::string(32, 'a'), "2026-01-01"}};
  for (std::size_t i = 1; i <= kRecordMaxEntries; ++i) {
    char id[33];
    std::snprintf(id, sizeof id, "%032zx", i);
    AppendRecordEntry(entries, {RecordKind::kFollowUp, id, "2026-01-02"});
  }
  ASSERT_EQ(entries.size(), kRecordMaxEntries);
  EXPECT_EQ(entries.front().kind, RecordKind::kReport);
  EXPECT_EQ(entries[1].item_id, std::string(31, '0') + "2") << "follow-up 1 made room";
  EXPECT_EQ(entries.back().item_id, std::string(30, '0') + "40");
  auto round = DecodeRecord(EncodeRecord(entries));
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(*round, entries);
}

}  // namespace
}  // namespace sealdrop::server
