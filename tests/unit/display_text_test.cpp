// common/display_text.h: what a reporter is shown of a reply.
#include "common/display_text.h"

#include <gtest/gtest.h>

#include <string>

namespace sealdrop {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

TEST(DisplaySafeText, KeepsOrdinaryTextTabsNewlinesAndOtherScripts) {
  const std::string text = "Thank you.\n\tWe will call.\nشكرا لك — Дякуємо — 谢谢 — 👍 <b>&";
  EXPECT_EQ(DisplaySafeText(text), text);
  EXPECT_EQ(DisplaySafeText(""), "");
}

TEST(DisplaySafeText, ReplacesEveryBidiOverrideIsolateAndMark) {
  for (const char* bidi : {"\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067",
                           "\u2068", "\u2069", "\u200E", "\u200F", "\u061C"}) {
    EXPECT_EQ(DisplaySafeText(std::string("call ") + bidi + "999"), "call " + kFffd + "999")
        << bidi;
  }
  // Their neighbours are kept: a zero-width joiner, U+2065 (unassigned), U+202F.
  EXPECT_EQ(DisplaySafeText("a\u200Db\u202Fc"), "a\u200Db\u202Fc");
}

TEST(DisplaySafeText, ReplacesControlsButTabAndNewline) {
  EXPECT_EQ(DisplaySafeText(std::string("a\0b", 3)), "a" + kFffd + "b");
  EXPECT_EQ(DisplaySafeText("a\x01\x1b[31mb\x7f"), "a" + kFffd + kFffd + "[31mb" + kFffd);
  EXPECT_EQ(DisplaySafeText("a\u0080b\u0085c\u009Fd"), "a" + kFffd + "b" + kFffd + "c" + kFffd + "d");
  EXPECT_EQ(DisplaySafeText("\x0b\x0c"), kFffd + kFffd);
}

TEST(DisplaySafeText, TurnsCarriageReturnsIntoNewlines) {
  EXPECT_EQ(DisplaySafeText("one\r\ntwo\rthree\n\r\n"), "one\ntwo\nthree\n\n");
}

TEST(DisplaySafeText, ReplacesEachByteOfInvalidUtf8) {
  EXPECT_EQ(DisplaySafeText("a\xC0\xAF" "b"), "a" + kFffd + kFffd + "b");     // overlong
  EXPECT_EQ(DisplaySafeText("\xED\xA0\x80"), kFffd + kFffd + kFffd);          // surrogate
  EXPECT_EQ(DisplaySafeText("cut \xE2\x80"), "cut " + kFffd + kFffd);         // truncated
  EXPECT_EQ(DisplaySafeText("\xE2\x80\xAE"), kFffd);  // a whole U+202E is one replacement
}

}  // namespace
}  // namespace sealdrop
