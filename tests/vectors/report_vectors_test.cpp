// The report metadata codec (server/source/report_schema.cpp) against tests/vectors/report:
// inputs and the exact canonical JSON that docs/report.md says they give, computed there by an
// independent Python reading of the spec (make_manifest.py).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "report/report_schema.h"
#include "tests/support/process.h"

namespace sealdrop::server {
namespace {

std::array<std::uint8_t, 32> FromHex(const std::string& hex) {
  std::array<std::uint8_t, 32> out{};
  for (std::size_t i = 0; i < 32; ++i) {
    out[i] = static_cast<std::uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  }
  return out;
}

TEST(ReportVectors, TheCodecProducesExactlyTheSpecifiedMetadata) {
  const auto manifest = nlohmann::json::parse(
      testing::ReadFileOrDie(std::string(SEALDROP_VECTORS_DIR) + "/report/manifest.json"));
  ASSERT_GE(manifest["cases"].size(), 9u);
  for (const auto& c : manifest["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const bool is_report = c["form"] == "report";
    FieldCollector fields(is_report ? ReportFormFields() : FollowUpFormFields());
    for (const auto& f : c["fields"]) {
      ASSERT_TRUE(fields.Add(f[0].get<std::string>(), f[1].get<std::string>()).ok());
    }
    auto key = PublicKey::FromText(c["source"]["key"].get<std::string>(), KeyRole::kSource);
    ASSERT_TRUE(key.ok());
    const SourceRef source{FromHex(c["source"]["ref"]), *key};
    const std::string force = c["force"];
    const std::string day = c["day"];
    const auto language =
        LanguageFromCode(c.value("language", std::string(LanguageCode(Language::kEnglish))));
    ASSERT_TRUE(language.has_value());
    auto json = is_report ? ReportMetadataJson(fields, force, day, source, *language)
                          : FollowUpMetadataJson(fields, force, day, source);
    if (c.contains("error")) {
      ASSERT_FALSE(json.ok());
      EXPECT_EQ(ErrorCodeName(json.error().code), c["error"].get<std::string>());
    } else {
      ASSERT_TRUE(json.ok()) << json.error().message;
      EXPECT_EQ(*json, c["metadata"].get<std::string>());
    }
  }
}

}  // namespace
}  // namespace sealdrop::server
