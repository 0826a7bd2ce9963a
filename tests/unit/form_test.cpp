// Form handling below the HTTP layer: urlencoded parsing, UTF-8, the report schema's field
// checks, upload file names and media types, and the sealed metadata.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/utf8.h"
#include "report/report_schema.h"
#include "server/source/form_urlencoded.h"
#include "server/source/sealed_upload.h"

namespace sealdrop::server {
namespace {

TEST(UrlEncodedForm, DecodesPlusPercentAndRepeatedNames) {
  auto f = ParseUrlEncodedForm("csrf=abc&codename=two+words%0Aand%20more&x=&y");
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->size(), 4u);
  EXPECT_EQ(*SingleField(*f, "codename"), "two words\nand more");
  EXPECT_EQ(*SingleField(*f, "x"), "");
  EXPECT_EQ(*SingleField(*f, "y"), "");
  auto twice = ParseUrlEncodedForm("a=1&a=2");
  ASSERT_TRUE(twice.ok());
  EXPECT_FALSE(SingleField(*twice, "a").has_value());
  EXPECT_FALSE(SingleField(*twice, "missing").has_value());
}

TEST(UrlEncodedForm, RejectsBrokenEscapesNulAndInvalidUtf8) {
  for (const char* bad : {"a=%", "a=%4", "a=%zz", "a=%00", "a=%C0%AF", "a=%ED%A0%80", "%ff=1"}) {
    EXPECT_FALSE(ParseUrlEncodedForm(bad).ok()) << bad;
  }
  std::string many;
  for (int i = 0; i < 70; ++i) many += "f" + std::to_string(i) + "=1&";
  EXPECT_FALSE(ParseUrlEncodedForm(many).ok());
}

TEST(Utf8, AcceptsValidAndRejectsOverlongSurrogatesAndTruncated) {
  EXPECT_TRUE(IsValidUtf8("plain £ ü — ✓ 😀"));
  for (const char* bad : {"\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                          "\xE2\x82", "\x80", "\xFF"}) {
    EXPECT_FALSE(IsValidUtf8(bad)) << bad;
  }
}

TEST(FieldCollector, ChecksNamesRepeatsLimitsAndChoices) {
  FieldCollector f(ReportFormFields());
  EXPECT_TRUE(f.Add("what", "line one\r\nline two").ok());
  EXPECT_EQ(f.Get("what"), "line one\nline two");
  EXPECT_EQ(f.Add("what", "again").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(f.Add("nonsense", "x").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(f.Add("category", "bogus").error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(f.Add("role", "").ok());  // an unanswered choice
  EXPECT_TRUE(f.Add("category", "domestic").ok());
  EXPECT_EQ(f.Add("subject_name", std::string(201, 'n')).error().code, ErrorCode::kLimitExceeded);
  EXPECT_EQ(f.Add("where", std::string("a\0b", 3)).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(f.Get("absent"), "");
}

TEST(FieldCollector, BoundsTheTotalOfAllFields) {
  FieldCollector f(ReportFormFields());
  const std::string big(100'000, 'x');
  for (const char* name : {"subject_description", "what", "risk_details", "how_known"}) {
    EXPECT_TRUE(f.Add(name, big).ok()) << name;
  }
  std::size_t total = 0;
  for (const auto& rule : ReportFormFields()) total += rule.max_bytes;
  EXPECT_LE(total, kMaxFormTextBytes) << "the per-field limits alone must fit the total";
}

TEST(UploadFileName, AcceptsOrdinaryNamesAndRefusesPathsAndControls) {
  for (const char* ok : {"photo.jpg", "Meeting notes (2).docx", "ÜberFoto.png", "a", ".hidden"}) {
    EXPECT_TRUE(CheckUploadFileName(ok).ok()) << ok;
  }
  for (const std::string& bad : {std::string(""), std::string("."), std::string(".."),
                                std::string("../x"), std::string("a/b"), std::string("a\\b"),
                                std::string("a\0b", 3), std::string("tab\there"),
                                std::string("del\x7f"), std::string(256, 'x'),
                                std::string("\xC0\xAF")}) {
    EXPECT_FALSE(CheckUploadFileName(bad).ok()) << bad;
  }
}

TEST(UploadMediaType, KeepsPlainTypesAndReplacesAnythingElse) {
  EXPECT_EQ(SafeMediaType("image/jpeg"), "image/jpeg");
  EXPECT_EQ(SafeMediaType("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  for (const char* odd : {"", "text", "/x", "x/", "text/html; charset=utf-8", "a/b/c",
                          "text/<script>", "text/plain\r\nX: y"}) {
    EXPECT_EQ(SafeMediaType(odd), "application/octet-stream") << odd;
  }
}

SourceRef Source() {
  SourceRef s{{}, GenerateKeyPair(KeyRole::kSource).public_key};
  s.lookup_id.fill(0xab);
  return s;
}

TEST(ReportMetadata, IsCanonicalAndCarriesEveryAnswer) {
  FieldCollector f(ReportFormFields());
  ASSERT_TRUE(f.Add("what", "It happened").ok());
  ASSERT_TRUE(f.Add("category", "corruption").ok());
  ASSERT_TRUE(f.Add("contact", "details").ok());
  ASSERT_TRUE(f.Add("contact_phone", "0123").ok());
  const SourceRef src = Source();
  auto json = ReportMetadataJson(f, "MET", "2026-11-22", src);
  ASSERT_TRUE(json.ok());
  const auto m = nlohmann::json::parse(*json);
  EXPECT_EQ(m.dump(), *json) << "canonical form (docs/envelope.md §7.1)";
  EXPECT_EQ(m["version"], 1);
  EXPECT_EQ(m["kind"], "report");
  EXPECT_EQ(m["force"], "MET");
  EXPECT_EQ(m["day"], "2026-11-22");
  EXPECT_EQ(m["what"], "It happened");
  EXPECT_EQ(m["category"], "corruption");
  EXPECT_EQ(m["role"], "");
  EXPECT_EQ(m["contact"]["phone"], "0123");
  std::string ab;
  for (int i = 0; i < 32; ++i) ab += "ab";
  EXPECT_EQ(m["source"]["ref"], ab);
  EXPECT_EQ(m["source"]["key"], src.key.ToText());
}

TEST(ReportMetadata, RequiresWhatHappenedAndDropsDetailsWhenAnonymous) {
  FieldCollector empty(ReportFormFields());
  EXPECT_FALSE(ReportMetadataJson(empty, "MET", "2026-11-22", Source()).ok());
  FieldCollector f(ReportFormFields());
  ASSERT_TRUE(f.Add("what", "x").ok());
  ASSERT_TRUE(f.Add("contact", "anonymous").ok());
  ASSERT_TRUE(f.Add("contact_name", "Secret Name").ok());
  auto json = ReportMetadataJson(f, "MET", "2026-11-22", Source());
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(json->find("Secret Name"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(*json)["contact"], nlohmann::json({{"mode", "anonymous"}}));
}

}  // namespace
}  // namespace sealdrop::server
