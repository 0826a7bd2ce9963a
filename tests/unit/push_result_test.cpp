// Push results (docs/bundle.md §4): the exact text of the spec's form, a round trip, and every
// departure from the form refused.
#include <gtest/gtest.h>

#include "journalist_console/bundle/push_result.h"

namespace sealdrop::bundle {
namespace {

constexpr char kId1[] = "0123456789abcdef0123456789abcdef";
constexpr char kId2[] = "fedcba9876543210fedcba9876543210";

// The spec's example, written by hand from docs/bundle.md §4 (canonical: sorted members).
const std::string kExample =
    std::string(R"({"day":"2026-11-30","force":"MET","items":[)") +
    R"({"id":")" + kId1 + R"(","kind":"reply","outcome":"delivered","reason":""},)" +
    R"({"id":")" + kId2 +
    R"x(","kind":"forward","outcome":"refused","reason":"the server refused the request (404: not found)"}],)x" +
    R"("type":"push-result","version":1})";

TEST(PushResult, EncodesTheSpecExampleExactly) {
  const PushResult r{"MET", "2026-11-30",
                     {{kId1, "reply", PushOutcome::kDelivered, ""},
                      {kId2, "forward", PushOutcome::kRefused,
                       "the server refused the request (404: not found)"}}};
  EXPECT_EQ(EncodePushResult(r), kExample);
  auto back = DecodePushResult(kExample);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->force, "MET");
  ASSERT_EQ(back->items.size(), 2u);
  EXPECT_EQ(back->items[1].outcome, PushOutcome::kRefused);
  EXPECT_EQ(back->items[1].reason, "the server refused the request (404: not found)");
}

TEST(PushResult, OutcomeNamesRoundTrip) {
  for (auto o : {PushOutcome::kDelivered, PushOutcome::kRefused, PushOutcome::kRetry}) {
    EXPECT_EQ(PushOutcomeFromName(PushOutcomeName(o)), o);
  }
  EXPECT_FALSE(PushOutcomeFromName("lost").has_value());
}

TEST(PushResult, ReasonsAreMadePrintableAndShort) {
  EXPECT_EQ(PushReason("a\nb\x1b[31m\xc3\xa9"), "a?b?[31m??");
  EXPECT_EQ(PushReason(std::string(1000, 'x')).size(), kMaxReasonBytes);
  EXPECT_EQ(PushResultPath("/media/usb/out.bundle"), "/media/usb/out.bundle.push-result.json");
}

TEST(PushResult, RefusesEverythingButTheExactForm) {
  auto replace = [](std::string s, const std::string& from, const std::string& to) {
    const auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
  };
  const std::vector<std::string> bad = {
      "",
      "[]",
      replace(kExample, "\"version\":1", "\"version\":2"),
      replace(kExample, "push-result", "pull"),
      replace(kExample, "\"MET\"", "\"met\""),
      replace(kExample, "2026-11-30", "2026-11-3"),
      replace(kExample, "delivered", "lost"),
      replace(kExample, "\"reply\"", "\"report\""),
      replace(kExample, kId1, "0123"),
      replace(kExample, kId2, kId1),                                 // ids repeat
      replace(kExample, R"("reason":"")", R"("reason":"why")"),    // delivered with a reason
      replace(kExample, "(404: not found)", "(404: \\u001b[31m)"),  // control character
      replace(kExample, R"("force":"MET",)", R"("force":"MET","extra":1,)"),
      replace(kExample, ",", ", "),                                  // not canonical
  };
  for (const auto& text : bad) {
    auto r = DecodePushResult(text);
    EXPECT_FALSE(r.ok()) << text;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code, ErrorCode::kMalformed) << text;
    }
  }
  // A refused or retry item must say why.
  EXPECT_FALSE(DecodePushResult(replace(kExample, "the server refused the request (404: not found)", "")).ok());
}

}  // namespace
}  // namespace sealdrop::bundle
