// sealdrop-console export-case end to end (docs/console.md §7): the real binary imports a report
// carrying a crafted JPEG (EXIF, GPS), a PDF with an author and JavaScript and a file of unknown
// type, plus a follow-up; an officer triages and replies; then the case is exported as a ZIP
// (checked with unzip, python3's zipfile and sha256sum -c) and sealed (opened with Debian's `age
// -d`).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
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

using testing::ProcessResult;
using testing::ReadFileOrDie;
using testing::RunProcess;
using testing::TempDir;
using testing::WriteFileOrDie;

const std::string kReportText = "Sells PNC checks to <b>a private investigator</b> & more.";
const std::string kFollowUpText = "The investigator is called Harrow.";
const std::string kNote = "Strong account: refer to the anti-corruption unit.";
const std::string kReplyText = "Thank you. An investigator has your report.";
const std::string kSealPassphrase = "blue kettle marching north";

std::vector<std::uint8_t> SealItem(const PublicKey& to, const nlohmann::json& meta,
                                   const std::vector<std::pair<std::string, std::string>>& parts) {
  MemorySink sink;
  const std::vector<PublicKey> recipients = {to};
  auto w = SealedEnvelopeWriter::Begin(sink, recipients, meta.dump());
  EXPECT_TRUE(w.ok());
  for (const auto& [name, content] : parts) {
    EXPECT_TRUE(w->BeginPart({name, "application/octet-stream"}).ok());
    EXPECT_TRUE(
        w->Write(std::span(reinterpret_cast<const std::uint8_t*>(content.data()), content.size()))
            .ok());
  }
  EXPECT_TRUE(w->Finish().ok());
  return std::move(sink.bytes());
}

class CaseArchive : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const KeyPair force = GenerateKeyPair(KeyRole::kForceDecryption);
    WriteFileOrDie(P("pass"), "correct horse battery staple\n");
    ASSERT_TRUE(
        WriteSecretKeyFile(P("MET.secret"), force,
                           SecretBuffer::CopyOf(std::string_view("correct horse battery staple")))
            .ok());
    auto writer = bundle::BundleWriter::Create(P("pull.bundle"), "pull", "MET", "2026-11-30");
    ASSERT_TRUE(writer.ok());
    const std::string ref(64, 'a');
    const std::string source_key = GenerateKeyPair(KeyRole::kSource).public_key.ToText();
    const nlohmann::json report = {
        {"version", 1},
        {"kind", "report"},
        {"force", "MET"},
        {"day", "2026-11-29"},
        {"source", {{"ref", ref}, {"key", source_key}}},
        {"category", "corruption"},
        {"at_risk", "no"},
        {"what", kReportText},
        {"contact", {{"mode", "details"}, {"name", "Sam"}, {"phone", "07700 900123"}}}};
    const nlohmann::json followup = {{"version", 1},
                                     {"kind", "followup"},
                                     {"force", "MET"},
                                     {"day", "2026-11-30"},
                                     {"source", {{"ref", ref}, {"key", source_key}}},
                                     {"message", kFollowUpText},
                                     {"at_risk", "no"},
                                     {"risk_details", ""}};
    const std::vector<std::pair<std::string, std::vector<std::uint8_t>>> items = {
        {"report", SealItem(force.public_key, report,
                            {{"IMG 0001 (home).jpg", testing::JpegWithExifAndGps(96, 64)},
                             {"statement.pdf", testing::PdfWithAuthorAndScript()},
                             {"data.xyz", "\x01\x02unknown-bytes"}})},
        {"followup", SealItem(force.public_key, followup, {})}};
    for (const auto& [kind, bytes] : items) {
      MemorySource src(bytes);
      const std::string id = bundle::NewItemId();
      (kind == "report" ? report_id_ : followup_id_) = id;
      ASSERT_TRUE(writer->AddItem({id, kind, "2026-11-30", 0, 0, "", "", ""}, src).ok());
    }
    ASSERT_TRUE(writer->Commit().ok());
    ASSERT_EQ(Run(testing::ConsoleInit(P("console"), P("MET.secret"), P("pass"))).exit_code, 0);
    ProcessResult r = Keyed({"import", "--data", P("console"), P("pull.bundle")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = Keyed({"triage", "--data", P("console"), report_id_, "--outcome", "investigate"}, kNote);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = Keyed({"reply", "--data", P("console"), report_id_}, kReplyText);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() { delete dir_; }

  static std::string P(const std::string& name) { return (*dir_) / name; }
  static ProcessResult Run(std::vector<std::string> args, const std::string& in = "") {
    args.insert(args.begin(), SEALDROP_CONSOLE_BIN);
    return RunProcess(args, in);
  }
  static ProcessResult Keyed(std::vector<std::string> args, const std::string& in = "") {
    return Run(testing::SignedInAs(std::move(args), P("pass")), in);
  }
  // Unzips `zip` into work_/NAME and returns that directory.
  std::string Unzip(const std::string& zip, const std::string& name) {
    const std::string to = work_ / name;
    const auto r = RunProcess({"/usr/bin/unzip", "-q", zip, "-d", to});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return to;
  }

  static TempDir* dir_;
  static std::string report_id_;
  static std::string followup_id_;
  TempDir work_;
};
TempDir* CaseArchive::dir_ = nullptr;
std::string CaseArchive::report_id_;
std::string CaseArchive::followup_id_;

TEST_F(CaseArchive, AZipHoldsTheSummaryTheConversationAndSafeCopiesOnly) {
  const std::string zip = work_ / "case.zip";
  const auto r =
      Keyed({"export-case", "--data", P("console"), report_id_.substr(0, 8), "--out", zip});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("exported case " + report_id_.substr(0, 8)), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("attachment 3 left out"), std::string::npos) << r.out;

  // Python's zipfile reads it and every member's CRC checks.
  const auto py = RunProcess(
      {"/usr/bin/python3", "-c",
       "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\n"
       "print('\\n'.join(sorted(z.namelist())))",
       zip});
  ASSERT_EQ(py.exit_code, 0) << py.err;
  EXPECT_EQ(py.out,
            "MANIFEST.sha256\nattachments/01-IMG-0001-home.jpg\nattachments/"
            "02-statement.pdf\ncase.json\nsummary.html\n");
  const std::string x = Unzip(zip, "x");
  const auto check =
      RunProcess({"/bin/sh", "-c", "cd \"$1\" && sha256sum -c --strict MANIFEST.sha256", "sh", x});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("summary.html: OK"), std::string::npos) << check.out;

  // The safe copies: no GPS, no author, no script; no original anywhere in the archive.
  const std::string jpeg = ReadFileOrDie(x + "/attachments/01-IMG-0001-home.jpg");
  EXPECT_EQ(jpeg.substr(0, 2), "\xFF\xD8");
  EXPECT_EQ(jpeg.find("Exif"), std::string::npos);
  EXPECT_EQ(jpeg.find(testing::kCraftedSecretName), std::string::npos);
  EXPECT_EQ(jpeg.find(testing::kCraftedSecretPlace), std::string::npos);
  const std::string pdf = ReadFileOrDie(x + "/attachments/02-statement.pdf");
  EXPECT_EQ(pdf.find(testing::kCraftedSecretName), std::string::npos);
  EXPECT_EQ(pdf.find("/JavaScript"), std::string::npos);
  const std::string whole = ReadFileOrDie(zip);
  EXPECT_EQ(whole.find("unknown-bytes"), std::string::npos);

  // case.json: the whole case, machine-readable.
  const auto doc = nlohmann::json::parse(ReadFileOrDie(x + "/case.json"));
  EXPECT_EQ(doc["format"], "sealdrop-case-archive");
  EXPECT_EQ(doc["case"]["id"], report_id_);
  EXPECT_EQ(doc["case"]["outcome"], "investigate");
  EXPECT_EQ(doc["exported"]["officer"], testing::kTestOfficer);
  ASSERT_EQ(doc["conversation"].size(), 3u);  // report, follow-up, reply
  EXPECT_EQ(doc["conversation"][0]["type"], "report");
  EXPECT_EQ(doc["conversation"][1]["type"], "followup");
  EXPECT_EQ(doc["conversation"][1]["id"], followup_id_);
  EXPECT_EQ(doc["conversation"][2]["type"], "reply");
  EXPECT_EQ(doc["conversation"][2]["text"], kReplyText);
  ASSERT_EQ(doc["triage"].size(), 1u);
  EXPECT_EQ(doc["triage"][0]["note"], kNote);
  EXPECT_EQ(doc["triage"][0]["officer"], testing::kTestOfficer);
  ASSERT_EQ(doc["attachments"].size(), 3u);
  EXPECT_EQ(doc["attachments"][0]["safe_copy"]["kind"], "picture");
  EXPECT_EQ(doc["attachments"][1]["safe_copy"]["kind"], "pdf");
  EXPECT_FALSE(doc["attachments"][2]["included"].get<bool>());
  EXPECT_NE(doc["attachments"][2]["export_original"].get<std::string>().find("--original"),
            std::string::npos);

  // summary.html: readable, self-contained, every untrusted string escaped.
  const std::string html = ReadFileOrDie(x + "/summary.html");
  EXPECT_NE(html.find("<html lang=\"en-GB\">"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<b>a private"), std::string::npos);
  EXPECT_NE(html.find("Sells PNC checks to &lt;b&gt;a private investigator&lt;/b&gt; &amp; more."),
            std::string::npos);
  EXPECT_NE(html.find(kFollowUpText), std::string::npos);
  EXPECT_NE(html.find(kNote), std::string::npos);
  EXPECT_NE(html.find("by " + std::string(testing::kTestOfficer)), std::string::npos);
  EXPECT_NE(html.find("07700 900123"), std::string::npos);  // the contact details the reporter left
  EXPECT_NE(html.find("Not in this archive"), std::string::npos);
  EXPECT_NE(html.find(doc["attachments"][0]["sha256"].get<std::string>()), std::string::npos);
  EXPECT_NE(html.find("@media print"), std::string::npos);

  // Never overwrites, and leaves nothing behind when it refuses.
  const auto again = Keyed({"export-case", "--data", P("console"), report_id_, "--out", zip});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  EXPECT_EQ(ReadFileOrDie(zip), whole);
}

TEST_F(CaseArchive, ASealedArchiveOpensWithAgeAndTheAuditRecordsItsHash) {
  const std::string sealed = work_ / "case.zip.age";
  // A follow-up's id exports its report's whole case; the passphrase comes from stdin (a pipe).
  const auto r =
      Keyed({"export-case", "--data", P("console"), followup_id_, "--out", sealed, "--seal"},
            kSealPassphrase + "\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("exported case " + report_id_.substr(0, 8)), std::string::npos) << r.out;
  EXPECT_EQ(ReadFileOrDie(sealed).rfind("age-encryption.org/v1\n-> scrypt ", 0), 0u);

  WriteFileOrDie(work_ / "seal.pass", kSealPassphrase + "\n");
  const auto age = RunProcess({"/usr/bin/python3", SEALDROP_AGE_TTY, work_ / "seal.pass", "--",
                               "/usr/bin/age", "-d", "-o", work_ / "opened.zip", sealed});
  ASSERT_EQ(age.exit_code, 0) << age.err;
  const std::string x = Unzip(work_ / "opened.zip", "x");
  const auto check =
      RunProcess({"/bin/sh", "-c", "cd \"$1\" && sha256sum -c --strict MANIFEST.sha256", "sh", x});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  const auto doc = nlohmann::json::parse(ReadFileOrDie(x + "/case.json"));
  EXPECT_EQ(doc["case"]["id"], report_id_);
  EXPECT_TRUE(doc["exported"]["sealed"].get<bool>());

  WriteFileOrDie(work_ / "wrong.pass", "not the passphrase at all\n");
  const auto wrong = RunProcess({"/usr/bin/python3", SEALDROP_AGE_TTY, work_ / "wrong.pass", "--",
                                 "/usr/bin/age", "-d", "-o", work_ / "wrong.zip", sealed});
  EXPECT_NE(wrong.exit_code, 0);

  // The audit chain verifies and holds the archive's SHA-256 (never its contents).
  const auto sha = RunProcess({"/usr/bin/sha256sum", sealed});
  const std::string hash = sha.out.substr(0, 64);
  EXPECT_NE(r.out.find("sha256 " + hash), std::string::npos) << r.out;
  const std::string db = P("console/console.sqlite");
  EXPECT_EQ(testing::QueryCount(
                db, "SELECT COUNT(*) FROM audit WHERE action = 'export-case' AND item = '" +
                        report_id_ + "' AND detail = 'sealed archive sha256 " + hash +
                        ", 2 of 3 attachment(s) as safe copies'"),
            1);
  // The copies are recorded by the archive's entry only: the one left out is never "exported".
  EXPECT_EQ(testing::QueryCount(db, "SELECT COUNT(*) FROM audit WHERE action = 'export'"), 0);
  EXPECT_EQ(Keyed({"audit", "verify", "--data", P("console")}).exit_code, 0);
}

TEST_F(CaseArchive, AShortSealPassphraseIsRefusedAndLeavesNoFile) {
  const std::string out = work_ / "case.zip.age";
  const auto r =
      Keyed({"export-case", "--data", P("console"), report_id_, "--out", out, "--seal"}, "short\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("at least 10 characters"), std::string::npos) << r.err;
  EXPECT_TRUE(testing::ListDir(work_.path()).empty());
}

}  // namespace
}  // namespace sealdrop
