// sealdrop-console export-attachment end to end with the safe copy (docs/console.md §6): the real
// binary imports a pull bundle of reports whose attachments are crafted here (a PDF with an
// author and JavaScript, a picture bomb, a file of unknown type), then exports each.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "common/io.h"
#include "crypto/envelope_writer.h"
#include "crypto/keyfile/secret_key_file.h"
#include "journalist_console/bundle/bundle.h"
#include "tests/support/console_officer.h"
#include "tests/support/crafted_files.h"
#include "tests/support/process.h"
#include "tests/support/sqlite_count.h"

namespace sealdrop {
namespace {

using testing::ListDir;
using testing::ProcessResult;
using testing::QueryCount;
using testing::ReadFileOrDie;
using testing::RunProcess;
using testing::TempDir;
using testing::WriteFileOrDie;

const std::string kAuthor = testing::kCraftedSecretName;
using testing::PdfWithAuthorAndScript;

// A PNG header claiming 30,000 x 30,000 pixels; nothing after it is ever read.
std::string PngBomb() {
  std::string png("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", 16);
  for (std::uint32_t v : {30000u, 30000u}) {
    for (int shift = 24; shift >= 0; shift -= 8) png += static_cast<char>((v >> shift) & 0xFF);
  }
  return png + std::string("\x08\x02\x00\x00\x00\x00\x00\x00\x00", 9);
}

class SafeExport : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const KeyPair force = GenerateKeyPair(KeyRole::kForceDecryption);
    WriteFileOrDie(P("pass"), "correct horse battery staple\n");
    ASSERT_TRUE(WriteSecretKeyFile(P("MET.secret"), force,
                                   SecretBuffer::CopyOf(std::string_view("correct horse battery staple")))
                    .ok());
    auto writer = bundle::BundleWriter::Create(P("pull.bundle"), "pull", "MET", "2026-11-30");
    ASSERT_TRUE(writer.ok());
    const KeyPair source = GenerateKeyPair(KeyRole::kSource);
    const std::vector<std::pair<std::string, std::string>> attachments = {
        {"statement.pdf", PdfWithAuthorAndScript()}, {"huge.png", PngBomb()}, {"data.xyz", "\x01\x02unknown-bytes"}};
    for (const auto& [name, content] : attachments) {
      const nlohmann::json meta = {
          {"version", 1}, {"kind", "report"}, {"force", "MET"}, {"day", "2026-11-30"},
          {"source", {{"ref", std::string(64, 'a')}, {"key", source.public_key.ToText()}}},
          {"category", "corruption"}, {"at_risk", "no"}, {"what", "Report with " + name}};
      const std::vector<PublicKey> to = {force.public_key};
      auto sealed = SealToBytes(to, meta.dump(), {name, "application/octet-stream"},
                                std::span(reinterpret_cast<const std::uint8_t*>(content.data()), content.size()));
      ASSERT_TRUE(sealed.ok());
      MemorySource src(*sealed);
      ASSERT_TRUE(writer->AddItem({bundle::NewItemId(), "report", "2026-11-30", 0, 0, "", "", ""}, src).ok());
    }
    ASSERT_TRUE(writer->Commit().ok());
    ASSERT_EQ(Run(testing::ConsoleInit(P("console"), P("MET.secret"), P("pass"))).exit_code, 0);
    const auto imported = Keyed({"import", "--data", P("console"), P("pull.bundle")});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    const auto list = Keyed({"list", "--data", P("console")});
    ASSERT_EQ(list.exit_code, 0) << list.err;
    for (const auto& [name, content] : attachments) {
      const auto at = list.out.find("Report with " + name);
      ASSERT_NE(at, std::string::npos) << list.out;
      const auto row = list.out.rfind('\n', at) + 1;
      ids_.push_back(list.out.substr(row, 8));
    }
  }
  static void TearDownTestSuite() { delete dir_; }

  static std::string P(const std::string& name) { return (*dir_) / name; }
  static ProcessResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), SEALDROP_CONSOLE_BIN);
    return RunProcess(args);
  }
  static ProcessResult Keyed(std::vector<std::string> args) {
    return Run(testing::SignedInAs(std::move(args), P("pass")));
  }
  ProcessResult Export(std::size_t which, const std::string& out, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"export-attachment", "--data", P("console"), ids_[which], "1",
                                     "--out", work_ / out};
    args.insert(args.end(), extra.begin(), extra.end());
    return Keyed(args);
  }

  static TempDir* dir_;
  static std::vector<std::string> ids_;  // the cases of the PDF, the bomb, the unknown file
  TempDir work_;
};
TempDir* SafeExport::dir_ = nullptr;
std::vector<std::string> SafeExport::ids_;

TEST_F(SafeExport, APdfIsExportedAsPagePicturesByDefault) {
  const auto r = Export(0, "statement.pdf");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("rebuilt as a PDF of page pictures"), std::string::npos) << r.out;
  const std::string copy = ReadFileOrDie(work_ / "statement.pdf");
  EXPECT_EQ(copy.find(kAuthor), std::string::npos);
  EXPECT_EQ(copy.find("/JavaScript"), std::string::npos);
  const auto info = RunProcess({"/usr/bin/pdfinfo", work_ / "statement.pdf"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_EQ(info.out.find("Author"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("JavaScript:      no"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("Pages:           1"), std::string::npos) << info.out;
  // --original gives the reporter's bytes, and says so.
  const auto o = Export(0, "original.pdf", {"--original"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(ReadFileOrDie(work_ / "original.pdf"), PdfWithAuthorAndScript());
  EXPECT_NE(o.out.find("ORIGINAL"), std::string::npos) << o.out;
}

TEST_F(SafeExport, APictureBombIsRefusedAndLeavesNoFile) {
  const auto r = Export(1, "huge.png");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot make a safe copy: the picture is 30000 x 30000 pixels"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("--original"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_TRUE(ListDir(work_.path()).empty());  // no partial output, not even a temporary file
}

TEST_F(SafeExport, AnUnknownFileIsExportedUnchangedWithAWarning) {
  const auto r = Export(2, "data.xyz");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFileOrDie(work_ / "data.xyz"), "\x01\x02unknown-bytes");
  EXPECT_NE(r.out.find("WARNING: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("exported unchanged"), std::string::npos) << r.out;
}

TEST_F(SafeExport, TheAuditNamesWhatWasExported) {
  ASSERT_EQ(Export(2, "a.xyz").exit_code, 0);
  ASSERT_EQ(Export(2, "b.xyz", {"--original"}).exit_code, 0);
  const std::string db = P("console/console.sqlite");
  const std::string item = "SELECT COUNT(*) FROM audit WHERE action = 'export' AND item LIKE '" + ids_[2] + "%'";
  EXPECT_GE(QueryCount(db, item + " AND detail = 'attachment 1 safe copy'"), 1);  // other cases too
  EXPECT_EQ(QueryCount(db, item + " AND detail = 'attachment 1 original'"), 1);
  EXPECT_EQ(Keyed({"audit", "verify", "--data", P("console")}).exit_code, 0);  // psd is a supervisor
}

}  // namespace
}  // namespace sealdrop
