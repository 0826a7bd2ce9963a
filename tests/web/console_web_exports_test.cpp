// The console web face's exports, end to end (docs/console.md "Web face", §6, §7): a safe copy of
// a photo with EXIF and GPS made and saved without its metadata, its download kept to the session
// and dropped at the next copy, sign-out or the lock; a damaged item gives no copy; the whole case
// as a ZIP or sealed with age.
#include "tests/web/console_web_fixture.h"

namespace sealdrop::web_test {
namespace {

// What exiftool (an independent reader) finds in `bytes`: "Group:Tag=value" lines.
std::string ExifTool(const TempDir& dir, const std::string& bytes) {
  testing::WriteFileOrDie(dir / "check.jpg", bytes);
  const ProcessResult r = RunProcess({"/usr/bin/exiftool", "-a", "-G1", "-s", "-q", dir / "check.jpg"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

// The /downloads/TOKEN link of a safe-copy page.
std::string DownloadLink(const std::string& html) {
  const std::string marker = "href=\"/downloads/";
  const auto at = html.find(marker);
  return at == std::string::npos ? "" : html.substr(at + 6, 11 + 64);
}

TEST_F(ConsoleWeb, ASafeCopyOfAPhotoIsMadeAndSavedWithoutItsMetadata) {
  ServerProcess server = Serve("127.0.0.1:0");
  WebClient web(server.address());
  ASSERT_EQ(SignIn(web, "psd").status, 200);
  const TempDir work;
  // The crafted photo really carries the reporter's name and position.
  const std::string seen = ExifTool(work, photo_);
  EXPECT_NE(seen.find("GPSLatitude"), std::string::npos) << seen;
  EXPECT_NE(seen.find(testing::kCraftedSecretName), std::string::npos) << seen;

  // The case page offers a safe copy of each attachment, numbered per item as `show` numbers
  // them: the follow-up's photo is attachment 1 of the follow-up.
  Reply r = web.Get("/cases/" + id_c_);
  ASSERT_EQ(r.status, 200);
  const std::string action = "action=\"/cases/" + id_f_ + "/attachments/1/safe-copy\"";
  EXPECT_NE(r.body.find(action), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("Make a safe copy"), std::string::npos);
  const std::string csrf = WebClient::Csrf(r.body);
  const std::string show = Console(AsPsd({"show", "--data", P("console"), id_c_})).out;
  EXPECT_NE(show.find("  [1] photo.jpg"), std::string::npos) << show;

  r = web.Post("/cases/" + id_f_ + "/attachments/1/safe-copy", {{"csrf", csrf}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("re-encoded as JPEG"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("Removed from the copy"), std::string::npos);
  EXPECT_NE(r.body.find("EXIF"), std::string::npos);
  EXPECT_NE(r.body.find("export-attachment"), std::string::npos);  // the original: CLI only
  EXPECT_NE(r.body.find("--officer psd " + id_f_.substr(0, 8) + " 1 --out FILE --original"), std::string::npos)
      << r.body;
  const std::string link = DownloadLink(r.body);
  ASSERT_EQ(link.size(), 11u + 64u) << r.body;

  r = web.Get(link);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type"), "image/jpeg");
  EXPECT_EQ(r.Header("content-disposition"),
            "attachment; filename=\"case-" + id_f_.substr(0, 8) + "-attachment-1.jpg\"");
  EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(r.Header("cache-control"), "no-store");
  EXPECT_NE(r.Header("content-security-policy").find("default-src 'none'"), std::string::npos);
  ASSERT_GT(r.body.size(), 100u);
  EXPECT_EQ(r.body.substr(0, 2), "\xFF\xD8");
  for (const std::string& gone : {std::string(testing::kCraftedSecretName), std::string(testing::kCraftedSecretPlace),
                                 std::string("Exif")}) {
    EXPECT_EQ(r.body.find(gone), std::string::npos) << gone;
  }
  const std::string left = ExifTool(work, r.body);
  for (const char* tag : {"GPS", "Artist", "Comment", "Alice"}) EXPECT_EQ(left.find(tag), std::string::npos) << left;
  EXPECT_EQ(web.Get(link).status, 200);  // kept until the next copy, sign-out or the lock
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit WHERE actor = 'psd' AND action = 'export' AND item = '" + id_f_ +
                  "' AND detail = 'attachment 1 safe copy'"),
            1);

  // Another session cannot use this session's download.
  WebClient other(server.address());
  ASSERT_EQ(SignIn(other, "psd").status, 200);
  r = other.Get(link);
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("This download has gone"), std::string::npos);

  // No such attachment, or not a number: 404 with the officer's words; without the CSRF token: 403.
  r = web.Post("/cases/" + id_f_ + "/attachments/2/safe-copy", {{"csrf", csrf}});
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("Case " + id_f_.substr(0, 8) + " has no attachment 2."), std::string::npos) << r.body;
  for (const char* n : {"0", "01", "x", "-1", "99999999"}) {
    EXPECT_EQ(web.Post("/cases/" + id_f_ + "/attachments/" + n + "/safe-copy", {{"csrf", csrf}}).status, 404) << n;
  }
  EXPECT_EQ(web.Post("/cases/" + id_c_ + "/attachments/1/safe-copy", {{"csrf", csrf}}).status, 404);  // the report has none
  EXPECT_EQ(web.Post("/cases/" + std::string(32, 'f') + "/attachments/1/safe-copy", {{"csrf", csrf}}).status, 404);
  EXPECT_EQ(web.Post("/cases/" + id_f_ + "/attachments/1/safe-copy", {}).status, 403);
  EXPECT_EQ(web.Get("/cases/" + id_f_ + "/attachments/1/safe-copy").status, 405);
  // Asking for another copy drops the last one first (a session holds one copy at most), even
  // when the new one cannot be made.
  EXPECT_EQ(web.Get(link).status, 404);

  // A picture bomb: no copy, a clear message and the command line named; nothing to download.
  r = web.Post("/cases/" + id_b_ + "/attachments/1/safe-copy", {{"csrf", csrf}});
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("Cannot make a safe copy: the picture is 30000 x 30000 pixels"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("sealdrop-console export-attachment"), std::string::npos);
  EXPECT_EQ(DownloadLink(r.body), "");

  // A file of unknown type: exported unchanged with the WARNING, served as octet-stream.
  r = web.Post("/cases/" + id_a_ + "/attachments/1/safe-copy", {{"csrf", csrf}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("WARNING:"), std::string::npos);
  EXPECT_NE(r.body.find("exported unchanged"), std::string::npos);
  const std::string unknown_link = DownloadLink(r.body);
  r = web.Get(unknown_link);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, kUnknownBytes);
  EXPECT_EQ(r.Header("content-type"), "application/octet-stream");
  EXPECT_EQ(r.Header("content-disposition"), "attachment; filename=\"case-" + id_a_.substr(0, 8) + "-attachment-1.xyz\"");

  // Signed out: the download is gone, also for the officer signed in again.
  EXPECT_EQ(web.Post("/sign-out", {{"csrf", csrf}}).status, 303);
  EXPECT_EQ(web.Get(unknown_link).Header("location"), "/sign-in");
  ASSERT_EQ(SignIn(web, "psd").status, 200);
  EXPECT_EQ(web.Get(unknown_link).status, 404);

  EXPECT_EQ(server.Stop(SIGTERM), 0);
  const std::string err = server.Stderr();
  EXPECT_EQ(err.find(testing::kCraftedSecretName), std::string::npos);
  EXPECT_EQ(err.find(id_f_.substr(0, 8)), std::string::npos);
}

// A sealed item damaged on the console's disk: no copy, no download, a clear 500, no audit entry.
TEST_F(ConsoleWeb, ADamagedItemGivesNoSafeCopy) {
  const PublicKey& met = instance_->DecryptionKey("MET").public_key;
  const std::string today = testing::DayFromToday(0);
  auto w = bundle::BundleWriter::Create(P("damaged.bundle"), "pull", "MET", today);
  ASSERT_TRUE(w.ok());
  const std::string id = bundle::NewItemId();
  const auto bytes = SealWith(met, {{"version", 1}, {"kind", "report"}, {"force", "MET"}, {"day", today},
                                    {"source", {{"ref", std::string(64, 'd')}, {"key", GenerateKeyPair(KeyRole::kSource).public_key.ToText()}}},
                                    {"category", "corruption"}, {"at_risk", "no"}, {"what", "A report with a photo."}},
                              {"photo.jpg", photo_});
  MemorySource src(bytes);
  ASSERT_TRUE(w->AddItem({id, "report", today, 0, 0, "", "", ""}, src).ok());
  ASSERT_TRUE(w->Commit().ok());
  ProcessResult p = Console(testing::ConsoleInit(P("damaged"), key_, instance_->passphrase_file()));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  p = Console(AsPsd({"import", "--data", P("damaged"), P("damaged.bundle")}));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  // One byte of the photo's sealed chunk flipped (the file ends with the last chunk's tag).
  const std::string sealed = P("damaged") + "/sealed/" + id;
  std::string file = testing::ReadFileOrDie(sealed);
  file[file.size() - 40] = static_cast<char>(file[file.size() - 40] ^ 0x01);
  ASSERT_EQ(::chmod(sealed.c_str(), 0600), 0);
  testing::WriteFileOrDie(sealed, file);

  ServerProcess server({SEALDROP_CONSOLE_BIN, "serve", "--data", P("damaged"), "--listen", "127.0.0.1:0"});
  WebClient web(server.address());
  const Reply list = SignIn(web, "psd");
  ASSERT_EQ(list.status, 200);
  const Reply r = web.Post("/cases/" + id + "/attachments/1/safe-copy", {{"csrf", WebClient::Csrf(list.body)}});
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("Case item " + id.substr(0, 8) + " is damaged"), std::string::npos) << r.body;
  EXPECT_EQ(DownloadLink(r.body), "");
  EXPECT_EQ(testing::QueryCount(P("damaged") + "/console.sqlite", "SELECT COUNT(*) FROM audit WHERE action = 'export'"), 0);
}

TEST_F(ConsoleWeb, ASafeCopyIsGoneOnceTheSessionLocks) {
  ServerProcess server = Serve("127.0.0.1:0", {"--idle-seconds", "1"});
  WebClient web(server.address());
  const Reply list = SignIn(web, "psd");
  ASSERT_EQ(list.status, 200);
  const Reply made = web.Post("/cases/" + id_a_ + "/attachments/1/safe-copy", {{"csrf", WebClient::Csrf(list.body)}});
  ASSERT_EQ(made.status, 200) << made.body;
  const std::string link = DownloadLink(made.body);
  ASSERT_FALSE(link.empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // past the idle period
  EXPECT_EQ(web.Get(link).Header("location"), "/sign-in?locked=1");
  ASSERT_EQ(SignIn(web, "psd").status, 200);
  EXPECT_EQ(web.Get(link).status, 404);
}


// The case page's "Export the case" form (docs/console.md §7): a ZIP download, or a sealed one
// that Debian's age opens with the passphrase; mismatched or short passphrases are refused on
// the case page and never sent back.
TEST_F(ConsoleWeb, AnOfficerDownloadsTheCaseArchivePlainOrSealed) {
  ServerProcess server = Serve("127.0.0.1:0");
  WebClient web(server.address());
  SignIn(web, "psd");
  Reply page = web.Get("/cases/" + id_c_);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("action=\"/cases/" + id_c_ + "/archive\""), std::string::npos);
  EXPECT_NE(page.body.find("type=\"password\" autocomplete=\"new-password\""), std::string::npos);
  const std::string csrf = WebClient::Csrf(page.body);
  const std::string target = "/cases/" + id_c_ + "/archive";

  Reply r = web.Post(target, {{"csrf", csrf}, {"passphrase", ""}, {"confirm", ""}});
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 2000);
  EXPECT_EQ(r.Header("content-type"), "application/zip");
  EXPECT_EQ(r.Header("content-disposition"), "attachment; filename=\"case-" + id_c_.substr(0, 8) + ".zip\"");
  EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(r.Header("cache-control"), "no-store");
  EXPECT_EQ(r.body.rfind("PK\x03\x04", 0), 0u);
  TempDir work;
  testing::WriteFileOrDie(work / "case.zip", r.body);
  const auto py = testing::RunProcess(
      {"/usr/bin/python3", "-c",
       "import json, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\n"
       "print(sorted(z.namelist()))\nprint(json.loads(z.read('case.json'))['conversation'][1]['fields'][0]['value'])",
       work / "case.zip"});
  ASSERT_EQ(py.exit_code, 0) << py.err;
  // The case's photo is in it as its safe copy only.
  EXPECT_EQ(py.out,
            "['MANIFEST.sha256', 'attachments/01-photo.jpg', 'case.json', 'summary.html']\nThe owner is called Harrow.\n");
  EXPECT_EQ(r.body.find(testing::kCraftedSecretName), std::string::npos);

  const std::string secret = "a sealing passphrase";
  r = web.Post(target, {{"csrf", csrf}, {"passphrase", secret}, {"confirm", secret + "!"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("The two passphrases are different"), std::string::npos);
  EXPECT_NE(r.body.find("href=\"#archive-passphrase\""), std::string::npos);
  EXPECT_EQ(r.body.find(secret), std::string::npos);
  r = web.Post(target, {{"csrf", csrf}, {"passphrase", "short"}, {"confirm", "short"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("at least 10 characters"), std::string::npos);
  r = web.Post(target, {{"csrf", "not-the-token"}, {"passphrase", ""}, {"confirm", ""}});
  EXPECT_EQ(r.status, 403);

  r = web.Post(target, {{"csrf", csrf}, {"passphrase", secret}, {"confirm", secret}});
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 2000);
  EXPECT_EQ(r.Header("content-disposition"), "attachment; filename=\"case-" + id_c_.substr(0, 8) + ".zip.age\"");
  EXPECT_EQ(r.body.rfind("age-encryption.org/v1\n-> scrypt ", 0), 0u);
  testing::WriteFileOrDie(work / "case.zip.age", r.body);
  testing::WriteFileOrDie(work / "pass", secret + "\n");
  const auto age = testing::RunProcess({"/usr/bin/python3", SEALDROP_AGE_TTY, work / "pass", "--", "/usr/bin/age", "-d",
                                        "-o", work / "opened.zip", work / "case.zip.age"});
  ASSERT_EQ(age.exit_code, 0) << age.err;
  const auto unzip = testing::RunProcess({"/usr/bin/unzip", "-t", work / "opened.zip"});
  EXPECT_EQ(unzip.exit_code, 0) << unzip.out;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit WHERE action = 'export-case' AND item = '" + id_c_ + "'"), 2);
}

}  // namespace
}  // namespace sealdrop::web_test
