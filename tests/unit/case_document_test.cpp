// The case archive's parts without a console (docs/console.md §7): case.json and summary.html
// from a case view holding hostile text, and the ZIP writer's name rule and output.
#include "journalist_console/core/case_document.h"

#include <gtest/gtest.h>

#include "journalist_console/core/zip_writer.h"
#include "tests/support/process.h"

namespace sealdrop::console {
namespace {

CaseView HostileCase() {
  CaseView v;
  v.row = {.id = "0123456789abcdef0123456789abcdef",
           .kind = console::CaseKind::kReport,
           .received_day = "2026-11-30",
           .sent_day = "2026-11-29",
           .source_ref = std::string(64, 'a'),
           .category = "corruption",
           .urgent = true,
           .status = console::CaseStatus::kTriaged,
           .outcome = "investigate",
           .summary = {}};
  v.item.meta = {{"force", "MET"},
                 {"category", "corruption"},
                 {"what", "<script>alert(1)</script> & \"quoted\" 'single' \x1b[31mred"},
                 {"contact", {{"mode", "details"}, {"name", "<img src=x onerror=alert(1)>"}}}};
  v.item.parts.push_back(
      {.info = {.name = "<b>photo</b>.jpg", .content_type = "image/jpeg"}, .size = 10});
  TriageView t{.row = {.seq = 1,
                       .day = "2026-11-30",
                       .outcome = "investigate",
                       .note = {},
                       .officer = "alice"},
               .note = std::string("Note with </section> in it"),
               .actor = "alice",
               .at = "2026-11-30T10:00:00Z"};
  v.triage.push_back(t);
  return v;
}

std::vector<ArchivedAttachment> LeftOut() {
  return {{.number = 1,
           .item_id = "0123456789abcdef0123456789abcdef",
           .part = 1,
           .original_name = "<b>photo</b>.jpg",
           .content_type = "image/jpeg\xff",
           .size = 10,
           .copy = std::nullopt,
           .file = "",
           .sha256 = "",
           .left_out = "cannot make a safe copy: <reason>"}};
}

TEST(CaseDocument, TheSummaryEscapesEveryUntrustedString) {
  const auto doc = CaseDocument(
      HostileCase(), LeftOut(),
      {.officer = "alice", .at = "2026-12-01T09:00:00Z", .force = "MET", .sealed = false});
  const std::string html =
      SummaryHtml(doc, {{.name = "case.json", .sha256 = std::string(64, 'f'), .bytes = 3}});
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_EQ(html.find("</section> in"), std::string::npos);
  EXPECT_EQ(html.find('\x1b'), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot; "
                      "&#39;single&#39; ?[31mred"),
            std::string::npos);
  EXPECT_NE(html.find("&lt;reason&gt;"), std::string::npos);
  EXPECT_NE(html.find("--original --out FILE"), std::string::npos);
  EXPECT_NE(html.find("by alice"), std::string::npos);
  EXPECT_NE(html.find("<html lang=\"en-GB\">"), std::string::npos);
  EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
  // Invalid UTF-8 from a sender becomes U+FFFD, so case.json always serialises.
  EXPECT_EQ(doc["attachments"][0]["content_type"], "image/jpeg\xEF\xBF\xBD");
  EXPECT_NO_THROW((void)doc.dump());
  EXPECT_TRUE(doc["case"]["at_risk"].get<bool>());
  EXPECT_EQ(doc["conversation"][0]["contact"][0]["value"],
            "<img src=x onerror=alert(1)>");  // JSON keeps it as sent
}

TEST(ZipWriter, WritesAZipThatPythonReadsAndRefusesUnsafeNames) {
  MemorySink out;
  auto zip = ZipWriter::Open(out, 1'700'000'000);
  ASSERT_TRUE(zip.ok());
  const std::string text = "hello\n";
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(text.data()),
                                            text.size());
  for (const char* bad : {"/etc/passwd", "../up.txt", "a/../../b", "sp ace.txt", "", "ü.txt"}) {
    EXPECT_EQ(zip->Add(bad, bytes).error().code, ErrorCode::kInvalidArgument) << bad;
  }
  ASSERT_TRUE(zip->Add("attachments/01-a.txt", bytes).ok());
  ASSERT_TRUE(zip->Add("empty.txt", {}).ok());
  ASSERT_TRUE(zip->Finish().ok());
  testing::TempDir dir;
  testing::WriteFileOrDie(dir / "t.zip", std::string(out.bytes().begin(), out.bytes().end()));
  const auto r = testing::RunProcess(
      {"/usr/bin/python3", "-c",
       "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\n"
       "print(z.namelist(), z.read('attachments/01-a.txt'), z.read('empty.txt'))",
       dir / "t.zip"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "['attachments/01-a.txt', 'empty.txt'] b'hello\\n' b''\n");
}

}  // namespace
}  // namespace sealdrop::console
