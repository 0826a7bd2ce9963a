#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "crypto/keys.h"
#include "server/multipart/multipart_parser.h"

namespace sealdrop::server {
namespace {

struct Recorded {
  PartHeaders headers;
  std::string body;
  bool ended = false;
};

class Recorder : public MultipartHandler {
 public:
  Status OnPartBegin(const PartHeaders& h) override {
    parts.push_back({h, "", false});
    return Status::Ok();
  }
  Status OnPartData(std::span<const std::uint8_t> d) override {
    if (parts.empty() || parts.back().ended) ADD_FAILURE() << "data outside a part";
    parts.back().body.append(reinterpret_cast<const char*>(d.data()), d.size());
    max_piece = std::max(max_piece, d.size());
    return Status::Ok();
  }
  Status OnPartEnd() override {
    parts.back().ended = true;
    return Status::Ok();
  }
  std::vector<Recorded> parts;
  std::size_t max_piece = 0;
};

const std::string kBoundary = "----SealDropBoundary7MA4YWxk";

std::string Body() {
  return "--" + kBoundary +
         "\r\nContent-Disposition: form-data; name=\"force\"\r\n\r\nMET\r\n--" + kBoundary +
         "\r\nContent-Disposition: form-data; name=\"what\"\r\n\r\nline one\r\nline two\r\n--"
         "-- not a boundary\r\n--" + kBoundary +
         "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo %221%22 C:\\x.jpg\""
         "\r\nContent-Type: Image/JPEG\r\n\r\n" + std::string("\x00\x01\r\n--", 6) +
         kBoundary.substr(0, 10) +
         "\xff\r\n\r\n--" + kBoundary +
         "\r\nContent-Disposition: form-data; name=\"empty\"; filename=\"\"\r\n"
         "Content-Type: application/octet-stream\r\n\r\n\r\n--" + kBoundary + "--\r\nepilogue";
}

Status ParseInPieces(const std::string& body, const std::vector<std::size_t>& cuts,
                     Recorder& rec) {
  MultipartParser parser(kBoundary, rec);
  std::size_t at = 0;
  for (std::size_t cut : cuts) {
    if (auto st = parser.Feed(AsBytes(std::string_view(body).substr(at, cut - at))); !st) {
      return st;
    }
    at = cut;
  }
  if (auto st = parser.Feed(AsBytes(std::string_view(body).substr(at))); !st) return st;
  return parser.Finish();
}

void ExpectTheFourParts(const Recorder& rec) {
  ASSERT_EQ(rec.parts.size(), 4u);
  EXPECT_EQ(rec.parts[0].headers.name, "force");
  EXPECT_FALSE(rec.parts[0].headers.filename.has_value());
  EXPECT_EQ(rec.parts[0].body, "MET");
  EXPECT_EQ(rec.parts[1].body, "line one\r\nline two\r\n---- not a boundary");
  // Browsers percent-encode '"' in form-data names and never backslash-escape: both arrive as
  // they were sent (the file-name check then refuses the backslash).
  EXPECT_EQ(rec.parts[2].headers.filename.value(), "photo %221%22 C:\\x.jpg");
  EXPECT_EQ(rec.parts[2].headers.content_type, "image/jpeg");
  EXPECT_EQ(rec.parts[2].body,
            std::string("\x00\x01\r\n--", 6) + kBoundary.substr(0, 10) + "\xff\r\n");
  EXPECT_EQ(rec.parts[3].headers.filename.value(), "");
  EXPECT_EQ(rec.parts[3].body, "");
  for (const auto& p : rec.parts) EXPECT_TRUE(p.ended);
}

TEST(MultipartParser, ParsesFieldsAndFiles) {
  Recorder rec;
  ASSERT_TRUE(ParseInPieces(Body(), {}, rec).ok());
  ExpectTheFourParts(rec);
}

TEST(MultipartParser, GivesTheSameResultWhateverTheSplit) {
  const std::string body = Body();
  for (std::size_t cut = 0; cut <= body.size(); ++cut) {
    Recorder rec;
    ASSERT_TRUE(ParseInPieces(body, {cut}, rec).ok()) << cut;
    ExpectTheFourParts(rec);
  }
  std::vector<std::size_t> every_byte;
  for (std::size_t i = 1; i < body.size(); ++i) every_byte.push_back(i);
  Recorder one_by_one;
  ASSERT_TRUE(ParseInPieces(body, every_byte, one_by_one).ok());
  ExpectTheFourParts(one_by_one);
  std::mt19937 rng(42);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::size_t> cuts;
    for (std::size_t at = 0;;) {
      at += 1 + rng() % 40;
      if (at >= body.size()) break;
      cuts.push_back(at);
    }
    Recorder rec;
    ASSERT_TRUE(ParseInPieces(body, cuts, rec).ok());
    ExpectTheFourParts(rec);
  }
}

TEST(MultipartParser, StreamsLargeBodiesWithoutBufferingThem) {
  const std::string big(5 << 20, 'z');
  const std::string body = "--" + kBoundary +
                           "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n\r\n" +
                           big + "\r\n--" + kBoundary + "--\r\n";
  Recorder rec;
  MultipartParser parser(kBoundary, rec);
  for (std::size_t at = 0; at < body.size(); at += 65536) {
    ASSERT_TRUE(parser.Feed(AsBytes(std::string_view(body).substr(at, 65536))).ok());
  }
  ASSERT_TRUE(parser.Finish().ok());
  ASSERT_EQ(rec.parts.size(), 1u);
  EXPECT_EQ(rec.parts[0].body.size(), big.size());
  EXPECT_LE(rec.max_piece, 65536u + kBoundary.size() + 4);
}

TEST(MultipartParser, AcceptsAPreambleAndTransportPadding) {
  const std::string body = "ignored preamble\r\n--" + kBoundary +
                           "  \r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--" +
                           kBoundary + "--";
  Recorder rec;
  ASSERT_TRUE(ParseInPieces(body, {}, rec).ok());
  ASSERT_EQ(rec.parts.size(), 1u);
  EXPECT_EQ(rec.parts[0].headers.name, "a");
  EXPECT_EQ(rec.parts[0].body, "x");
}

TEST(MultipartParser, RejectsMalformedBodies) {
  const std::string d = "--" + kBoundary;
  const std::string cd = "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"no closing delimiter", d + cd},
      {"empty body", ""},
      {"no parts", d + "--"},
      {"garbage after delimiter", d + "xx" + cd + d + "--"},
      {"no disposition", d + "\r\nContent-Type: text/plain\r\n\r\nx\r\n" + d + "--"},
      {"not form-data", d + "\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n" + d + "--"},
      {"no name", d + "\r\nContent-Disposition: form-data; filename=a\r\n\r\nx\r\n" + d + "--"},
      {"unterminated quote",
       d + "\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n" + d + "--"},
      {"header without colon", d + "\r\nnonsense\r\n\r\nx\r\n" + d + "--"},
      {"two dispositions", d + "\r\nContent-Disposition: form-data; name=a\r\n"
                               "Content-Disposition: form-data; name=b\r\n\r\nx\r\n" + d + "--"},
      {"long preamble", std::string(5000, 'p') + "\r\n" + d + cd + d + "--"},
      {"huge headers", d + "\r\nX-Junk: " + std::string(9000, 'j') + cd + d + "--"},
  };
  for (const auto& [why, body] : cases) {
    Recorder rec;
    EXPECT_FALSE(ParseInPieces(body, {}, rec).ok()) << why;
  }
}

TEST(MultipartParser, LimitsTheNumberOfParts) {
  std::string body;
  for (int i = 0; i < 5; ++i) {
    body += "--" + kBoundary + "\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n";
  }
  body += "--" + kBoundary + "--";
  Recorder rec;
  MultipartParser parser(kBoundary, rec, {8192, 4, 1024});
  EXPECT_FALSE(parser.Feed(AsBytes(body)).ok());
}

TEST(MultipartParser, StopsOnAHandlerError) {
  class Refuser : public Recorder {
    Status OnPartData(std::span<const std::uint8_t>) override {
      return MakeError(ErrorCode::kLimitExceeded, "too big");
    }
  } rec;
  MultipartParser parser(kBoundary, rec);
  auto st = parser.Feed(AsBytes(Body()));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kLimitExceeded);
  EXPECT_FALSE(parser.Feed(AsBytes("more")).ok());
}

TEST(MultipartBoundary, ParsesTheContentType) {
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=abc").value(), "abc");
  EXPECT_EQ(MultipartBoundary("Multipart/Form-Data;boundary=\"a b'c\"").value(), "a b'c");
  EXPECT_EQ(MultipartBoundary("multipart/form-data; charset=utf-8; boundary=x-y").value(), "x-y");
  for (const char* bad : {"text/plain", "multipart/form-data", "multipart/form-data; boundary=",
                          "multipart/mixed; boundary=abc", "multipart/form-data; boundary=a\"b",
                          "multipart/form-data; boundary=\"unterminated"}) {
    EXPECT_FALSE(MultipartBoundary(bad).ok()) << bad;
  }
  EXPECT_FALSE(MultipartBoundary("multipart/form-data; boundary=" + std::string(71, 'a')).ok());
}

}  // namespace
}  // namespace sealdrop::server
