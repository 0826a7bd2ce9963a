#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "common/endian.h"
#include "common/json_depth.h"
#include "crypto/envelope_format.h"
#include "crypto/envelope_reader.h"
#include "crypto/envelope_writer.h"
#include "tests/support/raw_seal.h"

namespace sealdrop {
namespace {

using envelope::kChunkBytes;
using envelope::kSealedChunkBytes;

std::vector<std::uint8_t> Bytes(std::size_t n, std::uint8_t seed = 7) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(seed + i * 31 + (i >> 9));
  return v;
}

struct Fixture {
  std::vector<KeyPair> keys;
  std::vector<PublicKey> pubs;
  explicit Fixture(int n = 1) {
    for (int i = 0; i < n; ++i) {
      keys.push_back(GenerateKeyPair(KeyRole::kForceDecryption));
      pubs.push_back(keys.back().public_key);
    }
  }
};

std::vector<std::uint8_t> Seal(const Fixture& f, std::span<const std::uint8_t> content,
                               const std::string& meta = R"({"kind":"report"})") {
  auto sealed = SealToBytes(f.pubs, meta, {"note.txt", "text/plain"}, content);
  EXPECT_TRUE(sealed.ok());
  return std::move(sealed).value();
}

ErrorCode OpenError(std::span<const std::uint8_t> sealed, std::span<const KeyPair> keys) {
  auto r = OpenFromBytes(sealed, keys);
  EXPECT_FALSE(r.ok());
  return r.ok() ? ErrorCode::kInvalidArgument : r.error().code;
}

TEST(SealedEnvelope, RoundTripsContentOfManySizes) {
  Fixture f;
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, kChunkBytes - 40, kChunkBytes,
                        kChunkBytes + 1, 3 * kChunkBytes + 17, std::size_t{1} << 20}) {
    const auto content = Bytes(n);
    const auto sealed = Seal(f, content);
    auto opened = OpenFromBytes(sealed, f.keys);
    ASSERT_TRUE(opened.ok()) << n << ": " << opened.error().message;
    EXPECT_EQ(opened->metadata, R"({"kind":"report"})");
    ASSERT_EQ(opened->parts.size(), 1u);
    EXPECT_EQ(opened->parts[0].name, "note.txt");
    EXPECT_EQ(opened->parts[0].content_type, "text/plain");
    EXPECT_EQ(opened->contents[0], std::string(content.begin(), content.end())) << n;
  }
}

TEST(SealedEnvelope, CarriesSeveralPartsInOrder) {
  Fixture f;
  MemorySink sink;
  auto w = SealedEnvelopeWriter::Begin(sink, f.pubs, R"({"kind":"report","force":"MET"})");
  ASSERT_TRUE(w.ok());
  const auto a = Bytes(100000, 1), b = Bytes(0), c = Bytes(70000, 3);
  ASSERT_TRUE(w->BeginPart({"a.jpg", "image/jpeg"}).ok());
  ASSERT_TRUE(w->Write(std::span(a).first(5)).ok());
  ASSERT_TRUE(w->Write(std::span(a).subspan(5)).ok());
  ASSERT_TRUE(w->BeginPart({"empty", ""}).ok());
  ASSERT_TRUE(w->BeginPart({"ünïcødé name.pdf", "application/pdf"}).ok());
  ASSERT_TRUE(w->Write(c).ok());
  ASSERT_TRUE(w->Finish().ok());
  auto opened = OpenFromBytes(sink.bytes(), f.keys);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  ASSERT_EQ(opened->parts.size(), 3u);
  EXPECT_EQ(opened->parts[2].name, "ünïcødé name.pdf");
  EXPECT_EQ(opened->contents[0], std::string(a.begin(), a.end()));
  EXPECT_EQ(opened->contents[1], "");
  EXPECT_EQ(opened->contents[2], std::string(c.begin(), c.end()));
  EXPECT_NE(opened->metadata.find("MET"), std::string::npos);
}

TEST(SealedEnvelope, EveryContentUnder64KiBHasTheSameSize) {
  Fixture f;
  const std::size_t expected = Seal(f, {}).size();
  for (std::size_t n : {std::size_t{1}, std::size_t{100}, std::size_t{5000},
                        std::size_t{40000}, std::size_t{65535}}) {
    EXPECT_EQ(Seal(f, Bytes(n)).size(), expected) << n;
  }
  // A long metadata record counts as content too.
  const std::string meta = R"({"kind":"report","text":")" + std::string(60000, 'x') + "\"}";
  EXPECT_EQ(Seal(f, {}, meta).size(), expected);
  EXPECT_EQ(expected, envelope::SealedSize(envelope::kFloorBytes, 1));
}

TEST(SealedEnvelope, SizeRevealsOnlyACoarseBucket) {
  Fixture f;
  // Contents a little apart land in the same bucket, and the size is what the spec predicts.
  const auto a = Seal(f, Bytes(3'000'000));
  EXPECT_EQ(a.size(), Seal(f, Bytes(3'010'000)).size());
  // Records: META 5+17, PART 5+38, 46 DATA headers of 5, END 5.
  const std::uint64_t logical = 3'000'000 + 22 + 43 + 46 * 5 + 5;
  EXPECT_EQ(a.size(), envelope::SealedSize(envelope::PaddedStreamBytes(logical), 1));
  // Across 1 MB to 2 MB in 10 kB steps, a hundred sizes fall into few buckets.
  std::set<std::uint64_t> buckets;
  for (std::uint64_t n = 1'000'000; n < 2'000'000; n += 10'000) {
    buckets.insert(envelope::PaddedStreamBytes(n));
  }
  EXPECT_LE(buckets.size(), 17u);
}

TEST(SealedEnvelope, EachRecipientCanOpenIt) {
  Fixture f(3);
  const auto content = Bytes(1000);
  const auto sealed = Seal(f, content);
  for (std::size_t i = 0; i < 3; ++i) {
    std::vector<KeyPair> one;
    one.push_back(KeyPairFromSecret(KeyRole::kForceDecryption,
                                    SecretBuffer::CopyOf(f.keys[i].secret.span())));
    auto opened = OpenFromBytes(sealed, one);
    ASSERT_TRUE(opened.ok()) << i;
    EXPECT_EQ(opened->contents[0], std::string(content.begin(), content.end()));
  }
}

TEST(SealedEnvelope, ReaderTriesAllOfItsKeys) {
  Fixture sealed_to(1);
  const auto sealed = Seal(sealed_to, Bytes(10));
  std::vector<KeyPair> ring;
  ring.push_back(GenerateKeyPair(KeyRole::kForceDecryption));
  ring.push_back(KeyPairFromSecret(KeyRole::kForceDecryption,
                                   SecretBuffer::CopyOf(sealed_to.keys[0].secret.span())));
  MemorySource src(sealed);
  auto reader = SealedEnvelopeReader::Open(src, ring);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(reader->key_index(), 1u);
}

TEST(SealedEnvelope, NoKeyIdentifiersInTheClear) {
  Fixture f;
  const auto sealed = Seal(f, Bytes(10));
  const std::string text(sealed.begin(), sealed.end());
  const std::string pk(f.pubs[0].bytes.begin(), f.pubs[0].bytes.end());
  EXPECT_EQ(text.find(pk), std::string::npos);
  EXPECT_EQ(text.find("report"), std::string::npos);
  EXPECT_EQ(text.find("note.txt"), std::string::npos);
}

TEST(EnvelopeReader, RejectsBadMagic) {
  Fixture f;
  auto sealed = Seal(f, Bytes(10));
  sealed[0] ^= 0x20;
  EXPECT_EQ(OpenError(sealed, f.keys), ErrorCode::kBadMagic);
  const std::vector<std::uint8_t> empty;
  EXPECT_EQ(OpenError(empty, f.keys), ErrorCode::kBadMagic);
}

TEST(EnvelopeReader, RejectsUnknownVersion) {
  Fixture f;
  auto sealed = Seal(f, Bytes(10));
  sealed[8] = 2;
  EXPECT_EQ(OpenError(sealed, f.keys), ErrorCode::kUnsupportedVersion);
}

TEST(EnvelopeReader, RejectsBadRecipientCount) {
  Fixture f;
  auto sealed = Seal(f, Bytes(10));
  sealed[9] = 0;
  EXPECT_EQ(OpenError(sealed, f.keys), ErrorCode::kMalformed);
  sealed[9] = 17;
  EXPECT_EQ(OpenError(sealed, f.keys), ErrorCode::kMalformed);
}

TEST(EnvelopeReader, RejectsWhenNoKeyMatches) {
  Fixture f, other;
  const auto sealed = Seal(f, Bytes(10));
  EXPECT_EQ(OpenError(sealed, other.keys), ErrorCode::kNoMatchingKey);
  // A damaged stanza looks the same as a stanza for someone else.
  auto damaged = sealed;
  damaged[10 + 40] ^= 1;
  EXPECT_EQ(OpenError(damaged, f.keys), ErrorCode::kNoMatchingKey);
}

TEST(EnvelopeReader, RejectsHeaderMacFailure) {
  Fixture f(2);
  const auto sealed = Seal(f, Bytes(10));
  auto bad_mac = sealed;
  bad_mac[10 + 2 * envelope::kStanzaBytes] ^= 1;
  EXPECT_EQ(OpenError(bad_mac, f.keys), ErrorCode::kHeaderMacMismatch);
  // Altering the second stanza: the first still opens, and the MAC catches the change.
  auto bad_stanza = sealed;
  bad_stanza[10 + envelope::kStanzaBytes + 5] ^= 1;
  std::vector<KeyPair> first;
  first.push_back(KeyPairFromSecret(KeyRole::kForceDecryption,
                                    SecretBuffer::CopyOf(f.keys[0].secret.span())));
  EXPECT_EQ(OpenError(bad_stanza, first), ErrorCode::kHeaderMacMismatch);
}

TEST(EnvelopeReader, RejectsPayloadFailure) {
  Fixture f;
  const auto sealed = Seal(f, Bytes(200000));
  const std::size_t payload_at = envelope::SealedSize(0, 1);
  for (std::size_t offset : {payload_at - 3, payload_at + 10, payload_at + kSealedChunkBytes + 3,
                             sealed.size() - 1}) {
    auto bad = sealed;
    bad[offset] ^= 0x40;
    EXPECT_EQ(OpenError(bad, f.keys), ErrorCode::kPayloadCorrupt) << offset;
  }
  // Swapping two chunks breaks the stream order.
  auto swapped = sealed;
  std::swap_ranges(swapped.begin() + static_cast<long>(payload_at),
                   swapped.begin() + static_cast<long>(payload_at + kSealedChunkBytes),
                   swapped.begin() + static_cast<long>(payload_at + kSealedChunkBytes));
  EXPECT_EQ(OpenError(swapped, f.keys), ErrorCode::kPayloadCorrupt);
}

TEST(EnvelopeReader, RejectsTruncation) {
  Fixture f;
  const auto sealed = Seal(f, Bytes(200000));
  const std::size_t payload_at = envelope::SealedSize(0, 1);
  for (std::size_t keep : {std::size_t{4}, std::size_t{9}, std::size_t{60}, payload_at,
                           payload_at + 100, payload_at + kSealedChunkBytes,
                           sealed.size() - kSealedChunkBytes, sealed.size() - 1}) {
    const std::vector<std::uint8_t> cut(sealed.begin(), sealed.begin() + static_cast<long>(keep));
    EXPECT_EQ(OpenError(cut, f.keys), ErrorCode::kTruncated) << keep;
  }
}

TEST(EnvelopeReader, RejectsTrailingData) {
  Fixture f;
  auto sealed = Seal(f, Bytes(10));
  sealed.push_back(0);
  EXPECT_EQ(OpenError(sealed, f.keys), ErrorCode::kTrailingData);
}

TEST(EnvelopeReader, StreamsDataBeforeTheEndButReportsEndOnlyWhenComplete) {
  Fixture f;
  const auto sealed = Seal(f, Bytes(300000));
  const std::vector<std::uint8_t> cut(sealed.begin(),
                                      sealed.end() - static_cast<long>(kSealedChunkBytes));
  MemorySource src(cut);
  auto reader = SealedEnvelopeReader::Open(src, f.keys);
  ASSERT_TRUE(reader.ok());
  std::size_t data = 0;
  for (;;) {
    auto ev = reader->Next();
    if (!ev.ok()) {
      EXPECT_EQ(ev.error().code, ErrorCode::kTruncated);
      break;
    }
    ASSERT_NE(ev->kind, SealedEnvelopeReader::Event::Kind::kEnd);
    if (ev->kind == SealedEnvelopeReader::Event::Kind::kData) data += ev->data.size();
  }
  EXPECT_GT(data, 0u);
}

TEST(EnvelopeWriter, LayoutDependsOnlyOnThePartsNotOnHowTheyWereWritten) {
  Fixture f;
  const auto content = Bytes(200000);
  MemorySink whole, bytewise;
  for (auto* sink : {&whole, &bytewise}) {
    auto w = SealedEnvelopeWriter::Begin(*sink, f.pubs, R"({"kind":"report"})");
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->BeginPart({"a", ""}).ok());
    if (sink == &whole) {
      ASSERT_TRUE(w->Write(content).ok());
    } else {
      for (std::size_t i = 0; i < 60000; ++i) ASSERT_TRUE(w->Write(std::span(&content[i], 1)).ok());
      ASSERT_TRUE(w->Write(std::span(content).subspan(60000)).ok());
    }
    ASSERT_TRUE(w->Finish().ok());
  }
  EXPECT_EQ(whole.bytes().size(), bytewise.bytes().size());
  auto a = OpenFromBytes(whole.bytes(), f.keys);
  auto b = OpenFromBytes(bytewise.bytes(), f.keys);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->contents, b->contents);
  // Thousands of one-byte writes of a short report still give the one short-report size.
  MemorySink tiny;
  auto w = SealedEnvelopeWriter::Begin(tiny, f.pubs, "{}");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->BeginPart({"a", ""}).ok());
  for (int i = 0; i < 20000; ++i) ASSERT_TRUE(w->Write(std::span(&content[0], 1)).ok());
  ASSERT_TRUE(w->Finish().ok());
  EXPECT_EQ(tiny.bytes().size(), envelope::SealedSize(envelope::kFloorBytes, 1));
}

TEST(EnvelopeWriter, StoresMetadataInCanonicalForm) {
  Fixture f;
  auto sealed = SealToBytes(f.pubs, "{ \"z\": 1,\n \"a\": \"x\" }", {"p", ""}, {});
  ASSERT_TRUE(sealed.ok());
  auto opened = OpenFromBytes(*sealed, f.keys);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->metadata, R"({"a":"x","z":1})");
}

TEST(EnvelopeReader, RefusesDeeplyNestedMetadataWithoutCrashing) {
  Fixture f;
  const std::string deep = "{\"a\":" + std::string(200000, '[') + std::string(200000, ']') + "}";
  std::vector<std::uint8_t> plain = {1};
  plain.resize(plain.size() + 4);
  StoreLittleEndian(plain.data() + 1, static_cast<std::uint32_t>(deep.size()));
  plain.insert(plain.end(), deep.begin(), deep.end());
  plain.insert(plain.end(), {4, 0, 0, 0, 0});
  EXPECT_EQ(OpenError(testing::RawSeal(f.pubs[0], plain), f.keys), ErrorCode::kMalformed);
  MemorySink sink;
  EXPECT_FALSE(SealedEnvelopeWriter::Begin(sink, f.pubs, deep).ok());
}

TEST(JsonDepth, CountsOnlyBracketsOutsideStrings) {
  EXPECT_TRUE(JsonDepthWithin(R"({"a":[1,{"b":[]}]})", 4));
  EXPECT_FALSE(JsonDepthWithin(R"({"a":[1,{"b":[]}]})", 3));
  EXPECT_TRUE(JsonDepthWithin(R"({"a":"[[[[[[[[\"[[[["})", 1));
  EXPECT_FALSE(JsonDepthWithin(std::string(33, '['), 32));
}

TEST(EnvelopeWriter, RejectsBadArguments) {
  Fixture f;
  MemorySink sink;
  EXPECT_FALSE(SealedEnvelopeWriter::Begin(sink, {}, "{}").ok());
  EXPECT_FALSE(SealedEnvelopeWriter::Begin(sink, f.pubs, "[1,2]").ok());
  EXPECT_FALSE(SealedEnvelopeWriter::Begin(sink, f.pubs, "{not json").ok());
  const PublicKey signing = GenerateKeyPair(KeyRole::kRoot).public_key;
  EXPECT_FALSE(SealedEnvelopeWriter::Begin(sink, std::span(&signing, 1), "{}").ok());
  std::vector<PublicKey> many(17, f.pubs[0]);
  EXPECT_FALSE(SealedEnvelopeWriter::Begin(sink, many, "{}").ok());
  auto w = SealedEnvelopeWriter::Begin(sink, f.pubs, "{}");
  ASSERT_TRUE(w.ok());
  EXPECT_FALSE(w->BeginPart({std::string(5000, 'a'), ""}).ok());
  EXPECT_FALSE(w->BeginPart({"\xff\xfe", ""}).ok());
}

TEST(EnvelopeWriter, PropagatesSinkFailure) {
  class FailingSink : public ByteSink {
   public:
    Status Write(std::span<const std::uint8_t>) override {
      return MakeError(ErrorCode::kIo, "disk full");
    }
  } sink;
  Fixture f;
  auto w = SealedEnvelopeWriter::Begin(sink, f.pubs, "{}");
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace sealdrop
