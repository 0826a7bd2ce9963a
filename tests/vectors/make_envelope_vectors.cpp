// Writes the envelope test vectors (tests/vectors/envelope/) and their manifest.
// Not part of the test run: the committed vectors are fixed files, and the tests check that the
// reader gives each its labelled outcome. Run by hand after a format change (there should be
// none in v1):  build/<preset>/tests/make_envelope_vectors tests/vectors/envelope
//
// Most vectors come from the real writer, some then damaged; the "malformed-*" ones are built by
// a raw sealer below, with a valid header and valid chunks around a bad plaintext layout.
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "common/endian.h"
#include "crypto/envelope_format.h"
#include "crypto/envelope_writer.h"
#include "tests/support/raw_seal.h"

using namespace sealdrop;
using namespace sealdrop::envelope;
using Bytes = std::vector<std::uint8_t>;

namespace {

std::string out_dir;
nlohmann::json manifest = nlohmann::json::array();

std::string Sha256(std::span<const std::uint8_t> b) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, b.data(), b.size());
  return HexEncode(h);
}

void Save(const std::string& name, const Bytes& bytes, const std::string& expect,
          const std::string& note, nlohmann::json extra = nlohmann::json::object()) {
  std::ofstream f(out_dir + "/" + name, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<long>(bytes.size()));
  extra["file"] = name;
  extra["expect"] = expect;
  extra["note"] = note;
  manifest.push_back(extra);
}

Bytes Pattern(std::size_t n, unsigned seed) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>((i * 131 + seed) >> 3);
  return b;
}

using testing::RawSeal;

void Record(Bytes& b, RecordType t, const std::string& body) {
  b.push_back(static_cast<std::uint8_t>(t));
  b.resize(b.size() + 4);
  StoreLittleEndian(b.data() + b.size() - 4, static_cast<std::uint32_t>(body.size()));
  b.insert(b.end(), body.begin(), body.end());
}

Bytes Pad(Bytes b, std::size_t total) {
  b.resize(total, 0);
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || sodium_init() < 0) {
    std::fprintf(stderr, "usage: make_envelope_vectors OUT_DIR\n");
    return 2;
  }
  out_dir = argv[1];
  const KeyPair me = GenerateKeyPair(KeyRole::kForceDecryption);
  const KeyPair other = GenerateKeyPair(KeyRole::kForceDecryption);
  const KeyPair other2 = GenerateKeyPair(KeyRole::kForceDecryption);
  std::ofstream(out_dir + "/recipient.key") << HexEncode(me.secret.span()) << "\n";

  const std::string meta = R"({"category":"abuse-of-position","force":"MET","kind":"report"})";
  auto seal_parts = [&](std::vector<PublicKey> to, const std::vector<std::pair<PartInfo, Bytes>>&
                                                       parts) {
    MemorySink sink;
    auto w = SealedEnvelopeWriter::Begin(sink, to, meta);
    for (const auto& [info, data] : parts) {
      (void)w->BeginPart(info);
      if (!data.empty()) (void)w->Write(data);
    }
    (void)w->Finish();
    return sink.bytes();
  };
  auto describe = [&](const std::vector<std::pair<PartInfo, Bytes>>& parts) {
    nlohmann::json j = {{"metadata", meta}, {"parts", nlohmann::json::array()}};
    for (const auto& [info, data] : parts) {
      j["parts"].push_back({{"name", info.name},
                            {"type", info.content_type},
                            {"size", data.size()},
                            {"sha256", Sha256(data)}});
    }
    return j;
  };

  const std::vector<std::pair<PartInfo, Bytes>> none;
  const std::vector<std::pair<PartInfo, Bytes>> small = {
      {{"note.txt", "text/plain"}, Bytes{'h', 'e', 'l', 'l', 'o', '\n'}}};
  const std::vector<std::pair<PartInfo, Bytes>> multi = {
      {{"photo.jpg", "image/jpeg"}, Pattern(150000, 1)},
      {{"empty.bin", ""}, {}},
      {{"statement – ünïcødé.pdf", "application/pdf"}, Pattern(70001, 2)}};

  Save("ok-metadata-only.sealed", seal_parts({me.public_key}, none), "ok",
       "metadata and no parts", describe(none));
  const Bytes ok_small = seal_parts({me.public_key}, small);
  Save("ok-one-part.sealed", ok_small, "ok", "one short part: 2 chunks (the floor)",
       describe(small));
  const Bytes ok_multi = seal_parts({me.public_key}, multi);
  Save("ok-three-parts.sealed", ok_multi, "ok", "three parts crossing chunk boundaries",
       describe(multi));
  Save("ok-second-of-three-recipients.sealed",
       seal_parts({other.public_key, me.public_key, other2.public_key}, small), "ok",
       "our key is the second stanza", describe(small));

  Bytes b = ok_small;
  b[3] = 'x';
  Save("bad-magic.sealed", b, "bad-magic", "magic altered");
  b = ok_small;
  b[8] = 2;
  Save("bad-version.sealed", b, "unsupported-version", "version byte 2");
  b = ok_small;
  b[9] = 0;
  Save("bad-recipient-count.sealed", b, "malformed", "zero recipients");
  Save("no-matching-key.sealed", seal_parts({other.public_key, other2.public_key}, small),
       "no-matching-key", "sealed to two other keys");
  b = seal_parts({me.public_key, other.public_key}, small);
  b[kPreambleBytes + kStanzaBytes + 7] ^= 0x01;
  Save("header-mac-stanza-altered.sealed", b, "header-mac-mismatch",
       "second stanza altered after sealing");
  b = ok_small;
  b[kPreambleBytes + kStanzaBytes] ^= 0x80;
  Save("header-mac-altered.sealed", b, "header-mac-mismatch", "MAC byte altered");
  const std::size_t payload_at = SealedSize(0, 1);
  b = ok_small;
  b[payload_at + 100] ^= 0x01;
  Save("payload-altered.sealed", b, "payload-corrupt", "first chunk altered");
  b = ok_multi;
  std::swap_ranges(b.begin() + static_cast<long>(payload_at),
                   b.begin() + static_cast<long>(payload_at + kSealedChunkBytes),
                   b.begin() + static_cast<long>(payload_at + kSealedChunkBytes));
  Save("payload-chunks-swapped.sealed", b, "payload-corrupt", "chunks 1 and 2 swapped");
  Save("truncated-header.sealed", Bytes(ok_small.begin(), ok_small.begin() + 50), "truncated",
       "cut inside the stanza");
  Save("truncated-at-chunk-boundary.sealed",
       Bytes(ok_small.begin(), ok_small.end() - static_cast<long>(kSealedChunkBytes)),
       "truncated", "final chunk removed");
  Save("truncated-mid-chunk.sealed", Bytes(ok_small.begin(), ok_small.end() - 1000), "truncated",
       "cut inside the final chunk");
  b = ok_small;
  b.push_back(0);
  Save("trailing-data.sealed", b, "trailing-data", "one byte after the final chunk");

  Bytes p;
  Record(p, RecordType::kMeta, meta);
  Record(p, RecordType::kPart, R"({"name":"a","type":""})");
  Record(p, RecordType::kData, "abc");
  Record(p, RecordType::kEnd, "");
  Bytes nonzero = Pad(p, kFloorBytes);
  nonzero[kFloorBytes - 1] = 1;
  Save("malformed-nonzero-padding.sealed", RawSeal(me.public_key, nonzero), "malformed",
       "padding byte not zero");
  Save("malformed-padding-too-long.sealed", RawSeal(me.public_key, Pad(p, 3 * kChunkBytes)),
       "malformed", "one chunk more padding than the canonical length");
  Bytes no_end;
  Record(no_end, RecordType::kMeta, meta);
  Save("malformed-no-end-record.sealed", RawSeal(me.public_key, Pad(no_end, kFloorBytes)),
       "malformed", "no END record: the zero padding then reads as a record of type 0");
  Bytes overrun;
  Record(overrun, RecordType::kMeta, meta);
  Record(overrun, RecordType::kPart, R"({"name":"a","type":""})");
  Record(overrun, RecordType::kData, std::string(kChunkBytes, 'd'));
  overrun.push_back(static_cast<std::uint8_t>(RecordType::kData));
  const std::uint32_t claim = kChunkBytes;  // more than is left before the end of the stream
  overrun.resize(overrun.size() + 4);
  StoreLittleEndian(overrun.data() + overrun.size() - 4, claim);
  overrun.resize(kFloorBytes, 'd');
  Save("malformed-record-runs-past-the-end.sealed", RawSeal(me.public_key, Pad(overrun, kFloorBytes)),
       "malformed", "a data record claims more bytes than the stream has left");
  Bytes short_then_data;
  Record(short_then_data, RecordType::kMeta, meta);
  Record(short_then_data, RecordType::kPart, R"({"name":"a","type":""})");
  Record(short_then_data, RecordType::kData, "abc");
  Record(short_then_data, RecordType::kData, "def");
  Record(short_then_data, RecordType::kEnd, "");
  Save("malformed-short-data-record-not-last.sealed",
       RawSeal(me.public_key, Pad(short_then_data, kFloorBytes)), "malformed",
       "a data record shorter than 65536 bytes followed by another data record");
  Bytes spaced_meta;
  Record(spaced_meta, RecordType::kMeta, "{ \"kind\": \"report\" }");
  Record(spaced_meta, RecordType::kEnd, "");
  Save("malformed-metadata-not-canonical.sealed",
       RawSeal(me.public_key, Pad(spaced_meta, kFloorBytes)), "malformed",
       "metadata JSON with spaces (not the compact canonical form)");
  Bytes first_part;
  Record(first_part, RecordType::kPart, R"({"name":"a","type":""})");
  Record(first_part, RecordType::kEnd, "");
  Save("malformed-first-record-not-metadata.sealed",
       RawSeal(me.public_key, Pad(first_part, kFloorBytes)), "malformed",
       "first record is a part");
  Bytes orphan;
  Record(orphan, RecordType::kMeta, meta);
  Record(orphan, RecordType::kData, "abc");
  Record(orphan, RecordType::kEnd, "");
  Save("malformed-data-outside-part.sealed", RawSeal(me.public_key, Pad(orphan, kFloorBytes)),
       "malformed", "data record before any part");
  Bytes bad_meta;
  Record(bad_meta, RecordType::kMeta, "[1,2,3]");
  Record(bad_meta, RecordType::kEnd, "");
  Save("malformed-metadata-not-object.sealed",
       RawSeal(me.public_key, Pad(bad_meta, kFloorBytes)), "malformed",
       "metadata is a JSON array");

  std::ofstream(out_dir + "/manifest.json") << manifest.dump(2) << "\n";
  std::printf("wrote %zu vectors to %s\n", manifest.size(), out_dir.c_str());
  return 0;
}
