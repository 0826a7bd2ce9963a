#include "journalist_console/sanitize/metadata_strip.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/io.h"

namespace sealdrop::console {
namespace {

using Bytes = std::vector<std::uint8_t>;
using namespace std::string_view_literals;

Bytes B(std::string_view s) { return Bytes(s.begin(), s.end()); }

Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes all;
  for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
  return all;
}

bool Contains(const Bytes& hay, std::string_view needle) {
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

// A JPEG segment: FF code, big-endian length (including itself), payload.
Bytes Segment(std::uint8_t code, const Bytes& payload) {
  const std::size_t len = payload.size() + 2;
  return Cat(
      {{0xFF, code, static_cast<std::uint8_t>(len >> 8), static_cast<std::uint8_t>(len)}, payload});
}

Result<StripReport> Strip(const Bytes& input, Bytes& output) {
  MemorySource source(input);
  MemorySink sink;
  auto report = StripMetadata(source, sink);
  output = sink.bytes();
  return report;
}

// The pieces of a small baseline JPEG, so tests can say which must survive.
struct JpegParts {
  Bytes soi{0xFF, 0xD8};
  Bytes app0 = Segment(0xE0, Cat({B("JFIF\0"sv), {1, 1, 0, 0, 1, 0, 1, 0, 0}}));
  Bytes exif = Segment(0xE1, Cat({B("Exif\0\0"sv), B("MM\0*GPS-SECRET-LOCATION serial 12345"sv)}));
  Bytes com = Segment(0xFE, B("Taken by Jane Reporter"));
  Bytes dqt = Segment(0xDB, Cat({{0x00}, Bytes(64, 1)}));
  Bytes sof0 = Segment(0xC0, {8, 0, 16, 0, 16, 1, 1, 0x11, 0});
  Bytes dht = Segment(0xC4, Cat({{0x00}, Bytes(16, 0), {}}));
  Bytes sos = Segment(0xDA, {1, 1, 0x00, 0, 63, 0});
  // Entropy-coded data with 0xFF00 stuffing and an RST marker inside.
  Bytes scan{0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0x00, 0x78};
  Bytes eoi{0xFF, 0xD9};
  Bytes trailing = B("TRAILER-SECRET phone depth map");

  Bytes Input() const {
    return Cat({soi, app0, exif, com, dqt, sof0, dht, sos, scan, eoi, trailing});
  }
  Bytes Expected() const { return Cat({soi, app0, dqt, sof0, dht, sos, scan, eoi}); }
};

TEST(MetadataStrip, RemovesExifFromJpeg) {
  const JpegParts jpeg;
  Bytes out;
  auto report = Strip(jpeg.Input(), out);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->outcome, StripOutcome::kStripped);
  EXPECT_EQ(report->file_type, "JPEG");
  EXPECT_FALSE(Contains(out, "GPS-SECRET-LOCATION"));
  EXPECT_FALSE(Contains(out, "Jane Reporter"));
  EXPECT_FALSE(Contains(out, "TRAILER-SECRET"));
  EXPECT_EQ(out, jpeg.Expected());  // every kept byte identical and in order
  EXPECT_EQ(report->removed,
            (std::vector<std::string>{"EXIF (APP1) " + std::to_string(jpeg.exif.size()) + " bytes",
                                      "comment (COM) 26 bytes",
                                      "data after the end of the image 30 bytes"}));
  EXPECT_TRUE(report->warning.empty());
}

TEST(MetadataStrip, JpegWithoutMetadataIsCopiedExactly) {
  const JpegParts jpeg;
  Bytes out;
  auto report = Strip(jpeg.Expected(), out);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->outcome, StripOutcome::kNothingToStrip);
  EXPECT_TRUE(report->removed.empty());
  EXPECT_EQ(out, jpeg.Expected());
}

TEST(MetadataStrip, KeepsIccAndAdobeButDropsXmpIptcAndOtherAppSegments) {
  const JpegParts jpeg;
  const Bytes icc = Segment(0xE2, Cat({B("ICC_PROFILE\0"sv), {1, 1}, Bytes(40, 7)}));
  const Bytes adobe = Segment(0xEE, Cat({B("Adobe"), {0, 100, 0, 0, 0, 0, 1}}));
  const Bytes xmp = Segment(0xE1, B("http://ns.adobe.com/xap/1.0/\0<dc:creator>XMP-AUTHOR</>"sv));
  const Bytes mpf = Segment(0xE2, B("MPF\0MM\0*offsets"sv));
  const Bytes iptc = Segment(0xED, B("Photoshop 3.0\08BIM IPTC-BYLINE"sv));
  const Bytes ducky = Segment(0xEC, B("Ducky DUCKY-NOTE"));
  const Bytes app5 = Segment(0xE5, B("VENDOR-SERIAL-99"));
  const Bytes input = Cat({jpeg.soi, jpeg.app0, icc, xmp, mpf, iptc, ducky, app5, adobe, jpeg.dqt,
                           jpeg.sof0, jpeg.dht, jpeg.sos, jpeg.scan, jpeg.eoi});
  Bytes out;
  auto report = Strip(input, out);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(out, Cat({jpeg.soi, jpeg.app0, icc, adobe, jpeg.dqt, jpeg.sof0, jpeg.dht, jpeg.sos,
                      jpeg.scan, jpeg.eoi}));
  for (auto secret : {"XMP-AUTHOR", "IPTC-BYLINE", "DUCKY-NOTE", "VENDOR-SERIAL", "offsets"}) {
    EXPECT_FALSE(Contains(out, secret)) << secret;
  }
  ASSERT_EQ(report->removed.size(), 5u);
  EXPECT_EQ(report->removed[0].rfind("XMP (APP1) ", 0), 0u);
  EXPECT_EQ(report->removed[1].rfind("multi-picture index (APP2) ", 0), 0u);
  EXPECT_EQ(report->removed[2].rfind("IPTC/Photoshop (APP13) ", 0), 0u);
  EXPECT_EQ(report->removed[3].rfind("picture info (APP12) ", 0), 0u);
  EXPECT_EQ(report->removed[4].rfind("APP5 segment ", 0), 0u);
}

TEST(MetadataStrip, CopiesEveryScanOfAProgressiveJpegAndDropsFillBytes) {
  const JpegParts jpeg;
  const Bytes sof2 = Segment(0xC2, {8, 0, 16, 0, 16, 1, 1, 0x11, 0});
  const Bytes scan2{0xAA, 0xFF, 0x00, 0xFF, 0xD7, 0xBB};
  const Bytes fill{0xFF, 0xFF};  // fill bytes before a marker are legal and carry nothing
  const Bytes input = Cat({jpeg.soi, jpeg.dqt, sof2, jpeg.dht, jpeg.sos, jpeg.scan, fill, jpeg.dht,
                           jpeg.sos, scan2, fill, jpeg.exif, jpeg.eoi});
  Bytes out;
  auto report = Strip(input, out);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(out, Cat({jpeg.soi, jpeg.dqt, sof2, jpeg.dht, jpeg.sos, jpeg.scan, jpeg.dht, jpeg.sos,
                      scan2, jpeg.eoi}));
}

// Hands out at most one byte per Read, to exercise every buffer boundary.
class TrickleSource final : public ByteSource {
 public:
  explicit TrickleSource(Bytes bytes) : bytes_(std::move(bytes)) {}
  Result<std::size_t> Read(std::span<std::uint8_t> out) override {
    if (pos_ == bytes_.size() || out.empty()) return std::size_t{0};
    out[0] = bytes_[pos_++];
    return std::size_t{1};
  }

 private:
  Bytes bytes_;
  std::size_t pos_ = 0;
};

TEST(MetadataStrip, GivesTheSameOutputWhateverTheReadSizes) {
  JpegParts jpeg;
  jpeg.exif = Segment(0xE1, Cat({B("Exif\0\0"sv), Bytes(65000, 0x45)}));  // larger than one read
  jpeg.scan.clear();
  for (std::size_t i = 0; i < 200000; ++i) {
    jpeg.scan.push_back(static_cast<std::uint8_t>(i * 7));
    if (jpeg.scan.back() == 0xFF) jpeg.scan.push_back(0x00);
  }
  TrickleSource source(jpeg.Input());
  MemorySink sink;
  auto report = StripMetadata(source, sink);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(sink.bytes(), jpeg.Expected());
  EXPECT_EQ(report->removed.front(), "EXIF (APP1) 65,010 bytes");
}

TEST(MetadataStrip, RejectsEveryTruncationOfAJpeg) {
  const JpegParts jpeg;
  const Bytes whole = Cat({jpeg.soi, jpeg.app0, jpeg.exif, jpeg.com, jpeg.dqt, jpeg.sof0, jpeg.dht,
                           jpeg.sos, jpeg.scan, jpeg.eoi});
  for (std::size_t n = 3; n < whole.size(); ++n) {
    Bytes out;
    auto report = Strip(Bytes(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(n)), out);
    ASSERT_FALSE(report.ok()) << "prefix of " << n << " bytes";
    EXPECT_EQ(report.error().code, ErrorCode::kMalformed);
    EXPECT_EQ(report.error().message.find('\n'), std::string::npos);
  }
}

TEST(MetadataStrip, RejectsMalformedJpegs) {
  const JpegParts jpeg;
  const std::vector<std::pair<const char*, Bytes>> cases = {
      {"length 0", Cat({jpeg.soi, {0xFF, 0xE1, 0x00, 0x00}, jpeg.eoi})},
      {"length 1", Cat({jpeg.soi, {0xFF, 0xDB, 0x00, 0x01}, jpeg.eoi})},
      {"length past the end", Cat({jpeg.soi, {0xFF, 0xE1, 0xFF, 0xFF, 'E', 'x'}, jpeg.eoi})},
      {"stray byte", Cat({jpeg.soi, jpeg.app0, {0x00}, jpeg.dqt, jpeg.eoi})},
      {"second SOI", Cat({jpeg.soi, jpeg.app0, jpeg.soi, jpeg.eoi})},
      {"reserved marker", Cat({jpeg.soi, Segment(0x02, {1, 2}), jpeg.eoi})},
      {"stuffing outside a scan", Cat({jpeg.soi, {0xFF, 0x00}, jpeg.eoi})},
      {"no EOI after a scan", Cat({jpeg.soi, jpeg.sos, jpeg.scan})},
      {"no EOI", Cat({jpeg.soi, jpeg.app0})},
      {"only fill", Cat({jpeg.soi, {0xFF, 0xFF, 0xFF}})},
  };
  for (const auto& [name, input] : cases) {
    Bytes out;
    auto report = Strip(input, out);
    ASSERT_FALSE(report.ok()) << name;
    EXPECT_EQ(report.error().code, ErrorCode::kMalformed) << name;
  }
}

// ---- PNG ----

std::uint32_t Crc32(const Bytes& bytes) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (std::uint8_t b : bytes) {
    crc ^= b;
    for (int k = 0; k < 8; ++k) crc = (crc & 1u) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
  }
  return crc ^ 0xFFFFFFFFu;
}

Bytes Be32(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
          static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

Bytes Chunk(std::string_view type, const Bytes& data) {
  const Bytes type_and_data = Cat({B(type), data});
  return Cat(
      {Be32(static_cast<std::uint32_t>(data.size())), type_and_data, Be32(Crc32(type_and_data))});
}

TEST(MetadataStrip, PngChunkCrcHelperMatchesTheStandardCheckValue) {
  EXPECT_EQ(Crc32(B("123456789")), 0xCBF43926u);
}

struct PngParts {
  Bytes signature = B("\x89PNG\r\n\x1a\n"sv);
  Bytes ihdr = Chunk("IHDR", {0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0});
  Bytes text = Chunk("tEXt", B("Author\0Secret Name"sv));
  Bytes time = Chunk("tIME", {0x07, 0xE8, 1, 2, 3, 4, 5});
  Bytes iccp = Chunk("iCCP", B("icc\0\0compressed-profile"sv));
  Bytes idat = Chunk("IDAT", {0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01});
  Bytes iend = Chunk("IEND", {});
};

TEST(MetadataStrip, RemovesTextChunksFromPng) {
  const PngParts png;
  const Bytes ztxt = Chunk("zTXt", B("Comment\0\0ZSECRET"sv));
  const Bytes itxt = Chunk("iTXt", B("Author\0\0\0en\0\0ISECRET"sv));
  const Bytes exif = Chunk("eXIf", B("MM\0*GPS-SECRET-LOCATION"sv));
  const Bytes input = Cat({png.signature, png.ihdr, png.text, png.iccp, ztxt, png.idat, itxt, exif,
                           png.time, png.iend, B("AFTER-IEND")});
  Bytes out;
  auto report = Strip(input, out);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->outcome, StripOutcome::kStripped);
  EXPECT_EQ(report->file_type, "PNG");
  EXPECT_EQ(out, Cat({png.signature, png.ihdr, png.iccp, png.idat, png.iend}));
  for (auto secret : {"Secret Name", "ZSECRET", "ISECRET", "GPS-SECRET", "AFTER-IEND"}) {
    EXPECT_FALSE(Contains(out, secret)) << secret;
  }
  EXPECT_EQ(report->removed,
            (std::vector<std::string>{"PNG tEXt chunk 30 bytes", "PNG zTXt chunk 28 bytes",
                                      "PNG iTXt chunk 32 bytes", "PNG eXIf chunk 35 bytes",
                                      "PNG tIME chunk 19 bytes",
                                      "data after the end of the image 10 bytes"}));
}

TEST(MetadataStrip, PngWithoutMetadataIsCopiedExactly) {
  const PngParts png;
  const Bytes input = Cat({png.signature, png.ihdr, png.iccp, png.idat, png.iend});
  Bytes out;
  auto report = Strip(input, out);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->outcome, StripOutcome::kNothingToStrip);
  EXPECT_EQ(out, input);
}

TEST(MetadataStrip, RejectsEveryTruncationOfAPng) {
  const PngParts png;
  const Bytes whole = Cat({png.signature, png.ihdr, png.text, png.idat, png.iend});
  for (std::size_t n = 8; n < whole.size(); ++n) {
    Bytes out;
    auto report = Strip(Bytes(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(n)), out);
    ASSERT_FALSE(report.ok()) << "prefix of " << n << " bytes";
    EXPECT_EQ(report.error().code, ErrorCode::kMalformed);
  }
}

TEST(MetadataStrip, RejectsMalformedPngs) {
  const PngParts png;
  Bytes huge = png.text;
  huge[0] = 0x80;  // length >= 2^31
  Bytes bad_type = png.text;
  bad_type[5] = '1';
  const std::vector<std::pair<const char*, Bytes>> cases = {
      {"IHDR not first", Cat({png.signature, png.idat, png.ihdr, png.iend})},
      {"length too large", Cat({png.signature, png.ihdr, huge, png.iend})},
      {"bad chunk type", Cat({png.signature, png.ihdr, bad_type, png.iend})},
      {"IEND with data", Cat({png.signature, png.ihdr, Chunk("IEND", {1})})},
      {"no IEND", Cat({png.signature, png.ihdr, png.idat})},
      {"signature only", png.signature},
  };
  for (const auto& [name, input] : cases) {
    Bytes out;
    auto report = Strip(input, out);
    ASSERT_FALSE(report.ok()) << name;
    EXPECT_EQ(report.error().code, ErrorCode::kMalformed) << name;
  }
}

// ---- Other types, errors, robustness ----

TEST(MetadataStrip, CopiesOtherTypesUnchangedWithAWarning) {
  const std::vector<std::pair<std::string, Bytes>> cases = {
      {"PDF", B("%PDF-1.7\n/Author (Jane Reporter)")},
      {"Office document (ZIP)", Cat({B("PK\x03\x04"sv), Bytes(40, 0)})},
      {"Office 97-2003 document", Cat({B("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"sv), Bytes(8, 0)})},
      {"GIF", Cat({B("GIF89a"), {1, 0, 1, 0, 0}})},
      {"WebP", Cat({B("RIFF"), {20, 0, 0, 0}, B("WEBPVP8 "), Bytes(4, 0)})},
      {"HEIC/AVIF image", Cat({{0, 0, 0, 24}, B("ftypheic"), Bytes(12, 0)})},
      {"MP4/MOV video", Cat({{0, 0, 0, 24}, B("ftypisom"), Bytes(12, 0)})},
      {"TIFF or camera raw", Cat({B("II*\0"sv), {8, 0, 0, 0}})},
      {"plain text", B("I saw the sergeant take the money.\n")},
      {"plain text", B("Caf\xC3\xA9 on the high street, \xE2\x82\xAC"
                       "500 in an envelope\r\n")},
      {"unknown", {0x00, 0x01, 0x02, 0xFF}},
      {"unknown", {0xFF, 0xD8}},  // too short to be a JPEG
  };
  for (const auto& [type, input] : cases) {
    Bytes out;
    auto report = Strip(input, out);
    ASSERT_TRUE(report.ok()) << type;
    EXPECT_EQ(report->outcome, StripOutcome::kUnsupportedType) << type;
    EXPECT_EQ(report->file_type, type);
    EXPECT_NE(report->warning.find("exported unchanged"), std::string::npos) << type;
    EXPECT_TRUE(report->removed.empty());
    EXPECT_EQ(out, input) << type;
  }
}

TEST(MetadataStrip, EmptyInputHasNothingToStrip) {
  Bytes out;
  auto report = Strip({}, out);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->outcome, StripOutcome::kNothingToStrip);
  EXPECT_EQ(report->file_type, "empty");
  EXPECT_TRUE(out.empty());
}

class FailingSource final : public ByteSource {
 public:
  explicit FailingSource(Bytes prefix) : prefix_(std::move(prefix)) {}
  Result<std::size_t> Read(std::span<std::uint8_t> out) override {
    if (done_) return MakeError(ErrorCode::kIo, "read failed");
    done_ = true;
    const std::size_t n = std::min(out.size(), prefix_.size());
    std::copy_n(prefix_.begin(), n, out.begin());
    return n;
  }

 private:
  Bytes prefix_;
  bool done_ = false;
};

class FailingSink final : public ByteSink {
 public:
  Status Write(std::span<const std::uint8_t>) override {
    return MakeError(ErrorCode::kIo, "disk full");
  }
};

TEST(MetadataStrip, PassesOnReadAndWriteErrors) {
  const JpegParts jpeg;
  const Bytes input = jpeg.Input();
  MemorySink sink;
  FailingSource source(Bytes(input.begin(), input.begin() + 40));
  auto read_failure = StripMetadata(source, sink);
  ASSERT_FALSE(read_failure.ok());
  EXPECT_EQ(read_failure.error().code, ErrorCode::kIo);

  MemorySource whole(input);
  FailingSink full;
  auto write_failure = StripMetadata(whole, full);
  ASSERT_FALSE(write_failure.ok());
  EXPECT_EQ(write_failure.error().code, ErrorCode::kIo);
}

// Generates a large PNG on the fly: IHDR, a huge tEXt chunk, a huge IDAT, IEND (CRCs not checked).
class LargePngSource final : public ByteSource {
 public:
  static constexpr std::uint64_t kChunk = 16u << 20;  // far beyond every buffer
  LargePngSource() {
    const PngParts png;
    head_ = Cat({png.signature, png.ihdr, Be32(kChunk), B("tEXt")});
    mid_ = Cat({Be32(0), Be32(kChunk), B("IDAT")});
    tail_ = Cat({Be32(0), png.iend});
  }
  std::uint64_t size() const { return head_.size() + mid_.size() + tail_.size() + 2 * kChunk; }
  Result<std::size_t> Read(std::span<std::uint8_t> out) override {
    std::size_t n = 0;
    while (n < out.size() && pos_ < size()) out[n++] = ByteAt(pos_++);
    return n;
  }

 private:
  std::uint8_t ByteAt(std::uint64_t i) const {
    if (i < head_.size()) return head_[i];
    i -= head_.size();
    if (i < kChunk) return 'S';
    i -= kChunk;
    if (i < mid_.size()) return mid_[i];
    i -= mid_.size();
    if (i < kChunk) return static_cast<std::uint8_t>(i);
    return tail_[i - kChunk];
  }
  Bytes head_, mid_, tail_;
  std::uint64_t pos_ = 0;
};

class CountingSink final : public ByteSink {
 public:
  Status Write(std::span<const std::uint8_t> bytes) override {
    total += bytes.size();
    largest_write = std::max(largest_write, bytes.size());
    sees_secret = sees_secret || std::find(bytes.begin(), bytes.end(), 'S') != bytes.end();
    return Status::Ok();
  }
  std::uint64_t total = 0;
  std::size_t largest_write = 0;
  bool sees_secret = false;
};

TEST(MetadataStrip, StreamsLargeFilesThroughFixedBuffers) {
  LargePngSource source;
  CountingSink sink;
  auto report = StripMetadata(source, sink);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(sink.total, source.size() - (LargePngSource::kChunk + 12));
  EXPECT_LE(sink.largest_write, 64u * 1024);
  EXPECT_EQ(report->removed, std::vector<std::string>{"PNG tEXt chunk 16,777,228 bytes"});
}

TEST(MetadataStrip, SurvivesRandomDamage) {
  const JpegParts jpeg;
  const PngParts png;
  const std::vector<Bytes> seeds = {jpeg.Input(),
                                    Cat({png.signature, png.ihdr, png.text, png.idat, png.iend})};
  std::uint32_t state = 12345;
  const auto next = [&state] { return state = state * 1664525u + 1013904223u; };
  for (const Bytes& seed : seeds) {
    for (int round = 0; round < 3000; ++round) {
      Bytes damaged = seed;
      for (int k = 0; k < 1 + round % 4; ++k) {
        const std::size_t at = 3 + next() % (damaged.size() - 3);  // keep the magic number
        switch (next() % 3) {
          case 0:
            damaged[at] = static_cast<std::uint8_t>(next() >> 24);
            break;
          case 1:
            damaged.erase(damaged.begin() + static_cast<std::ptrdiff_t>(at));
            break;
          default:
            damaged.insert(damaged.begin() + static_cast<std::ptrdiff_t>(at), 0xFF);
            break;
        }
      }
      Bytes out;
      auto report = Strip(damaged, out);
      if (!report.ok()) {
        EXPECT_EQ(report.error().code, ErrorCode::kMalformed);
      } else {
        EXPECT_LE(out.size(), damaged.size());
      }
    }
  }
}

}  // namespace
}  // namespace sealdrop::console
