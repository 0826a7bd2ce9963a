// The console web face and removable media, end to end (docs/console.md "Web face"): with
// `serve --media`, a pull bundle is imported through a streamed page showing progress in bytes
// and the outbox written there, never over a file; a bad bundle imports nothing and the browser
// cannot name any file the media page does not list. `import`/`outbox --progress` print byte
// progress lines.
#include "tests/web/console_web_fixture.h"

namespace sealdrop::web_test {
namespace {

// Removable media (serve --media): a console of its own, so the suite's cases stay as they are.
TEST_F(ConsoleWeb, ImportsFromAndWritesTheOutboxToRemovableMediaShowingProgressInBytes) {
  const std::string data = P("media-console"), media = P("media");
  ASSERT_TRUE(std::filesystem::create_directory(media));
  ProcessResult p = Console(testing::ConsoleInit(data, key_, instance_->passphrase_file()));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  auto count = [&](const std::string& sql) { return testing::QueryCount(data + "/console.sqlite", sql); };

  // A pull bundle of about 6 MiB (two reports with 3 MiB photos, and a follow-up saying someone
  // is at risk now), and one whose second item is sealed to another force's key: it verifies as
  // a bundle but cannot be opened here, after the first item was.
  const PublicKey& met = instance_->DecryptionKey("MET").public_key;
  const PublicKey& wmi = instance_->DecryptionKey("WMI").public_key;
  const std::string today = testing::DayFromToday(0);
  const std::string ref_d(64, 'd'), ref_e(64, 'e');
  auto report = [&](const PublicKey& to, const std::string& ref, const std::string& what) {
    return SealWithAttachment(to, {{"version", 1}, {"kind", "report"}, {"force", "MET"}, {"day", today},
                                   {"source", {{"ref", ref}, {"key", GenerateKeyPair(KeyRole::kSource).public_key.ToText()}}},
                                   {"category", "corruption"}, {"at_risk", "no"}, {"what", what}},
                              3 << 20);
  };
  auto write_bundle = [&](const std::string& path, const std::vector<std::pair<std::string, std::vector<std::uint8_t>>>& items) {
    auto w = bundle::BundleWriter::Create(path, "pull", "MET", today);
    ASSERT_TRUE(w.ok());
    for (const auto& [kind, bytes] : items) {
      MemorySource src(bytes);
      ASSERT_TRUE(w->AddItem({bundle::NewItemId(), kind, today, 0, 0, "", "", ""}, src).ok());
    }
    ASSERT_TRUE(w->Commit().ok());
  };
  const auto followup = Seal(met, {{"version", 1}, {"kind", "followup"}, {"force", "MET"}, {"day", today},
                                   {"source", {{"ref", ref_d}, {"key", GenerateKeyPair(KeyRole::kSource).public_key.ToText()}}},
                                   {"message", "He found out I reported him."}, {"at_risk", "yes"}, {"risk_details", "threats"}});
  write_bundle(media + "/pull-" + today + ".bundle",
               {{"report", report(met, ref_d, "Deletes custody footage for cash.")},
                {"report", report(met, ref_e, "Leaks addresses to a gang.")},
                {"followup", followup}});
  write_bundle(media + "/wrong-key.bundle",
               {{"report", report(met, ref_e, "First item, fine.")}, {"report", report(wmi, ref_e, "Not ours.")}});
  // Path tricks: a link on the media to a bundle outside it, and files the console must not list.
  std::filesystem::create_symlink(P("pull.bundle"), media + "/link.bundle");
  testing::WriteFileOrDie(media + "/.hidden.bundle", "x");

  // Without --media the page says how to start the console with it.
  {
    ServerProcess plain = Serve("127.0.0.1:0");
    WebClient web(plain.address());
    SignIn(web, "psd");
    const Reply r = web.Get("/media");
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.body.find("--media"), std::string::npos);
  }

  std::vector<std::string> argv = {SEALDROP_CONSOLE_BIN, "serve", "--data", data, "--listen", "127.0.0.1:0", "--media", media};
  ServerProcess server(argv);
  WebClient web(server.address());
  const std::string csrf = WebClient::Csrf(SignIn(web, "psd").body);
  Reply r = web.Get("/media");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("pull-" + today + ".bundle</td><td>6 MiB</td><td>3</td>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("not imported yet"), std::string::npos);
  EXPECT_NE(r.body.find("wrong-key.bundle"), std::string::npos);
  EXPECT_EQ(r.body.find("link.bundle"), std::string::npos);
  EXPECT_EQ(r.body.find(".hidden.bundle"), std::string::npos);
  EXPECT_NE(r.body.find("outbox-" + today + ".bundle"), std::string::npos);  // the name it will write

  // Refused before anything is read: a name the listing does not show, a path, the link.
  for (const std::string& name : std::vector<std::string>{"elsewhere.bundle", "../pull.bundle", "link.bundle", ".hidden.bundle",
                                 media + "/pull-" + today + ".bundle", ""}) {
    r = web.Post("/media/import", {{"csrf", csrf}, {"name", name}});
    EXPECT_EQ(r.status, 400) << name;
    EXPECT_NE(r.body.find("nothing was imported"), std::string::npos) << name;
  }
  EXPECT_EQ(web.Post("/media/import", {{"name", "pull-" + today + ".bundle"}}).status, 403);  // no CSRF token
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases"), 0);

  // A bundle that fails half-way: the page streams, ends with a clear error, nothing is imported.
  r = web.Post("/media/import", {{"csrf", csrf}, {"name", "wrong-key.bundle"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("transfer-encoding"), "chunked");
  std::string page = Dechunk(r.body);
  ASSERT_FALSE(page.empty()) << r.body.substr(0, 200);
  EXPECT_NE(page.find("<li>Checked "), std::string::npos);
  EXPECT_NE(page.find("Nothing was imported"), std::string::npos);
  EXPECT_NE(page.find("</html>"), std::string::npos);
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases"), 0);
  EXPECT_TRUE(std::filesystem::is_empty(data + "/sealed"));

  // The good bundle: progress lines in bytes as it goes, then the result with the raised case.
  r = web.Post("/media/import", {{"csrf", csrf}, {"name", "pull-" + today + ".bundle"}});
  ASSERT_EQ(r.status, 200);
  page = Dechunk(r.body);
  ASSERT_FALSE(page.empty());
  EXPECT_EQ(r.Header("content-security-policy").find("default-src 'none'"), 0u);
  EXPECT_NE(page.find("role=\"log\""), std::string::npos);
  EXPECT_GE(CountOf(page, "<li>Checked "), 4u) << page;
  EXPECT_GE(CountOf(page, "<li>Imported "), 4u) << page;
  EXPECT_NE(page.find(" MiB of 6 MiB (100%)</li>"), std::string::npos) << page;
  const auto log_end = page.find("</ol>");
  const auto result_at = page.find("3 new item(s) imported");
  ASSERT_NE(result_at, std::string::npos) << page;
  EXPECT_LT(page.rfind("<li>Imported "), log_end);
  EXPECT_LT(log_end, result_at);
  EXPECT_NE(page.find("class=\"risk-banner\""), std::string::npos);
  EXPECT_NE(page.find("Someone may be at risk of harm now in 1 case(s)"), std::string::npos);
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases"), 3);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit WHERE actor = 'psd' AND action = 'import'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit WHERE actor = 'psd' AND action = 'at-risk'"), 1);
  r = web.Get("/cases");
  EXPECT_NE(r.body.find("Deletes custody footage"), std::string::npos);
  EXPECT_NE(r.body.find("Leaks addresses"), std::string::npos);
  EXPECT_NE(r.body.find("MET PSD"), std::string::npos);  // the header learnt the console's force
  EXPECT_NE(web.Get("/media").body.find("already imported"), std::string::npos);
  // Importing it again is harmless.
  page = Dechunk(web.Post("/media/import", {{"csrf", csrf}, {"name", "pull-" + today + ".bundle"}}).body);
  EXPECT_NE(page.find("0 new item(s) imported from pull-" + today + ".bundle (3 already here)"), std::string::npos) << page;
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases"), 3);

  // The outbox (a receipt for the three items) to the media; a second one is a new file.
  r = web.Post("/media/outbox", {{"csrf", csrf}});
  ASSERT_EQ(r.status, 200);
  page = Dechunk(r.body);
  EXPECT_NE(page.find("Outbox written"), std::string::npos) << page;
  EXPECT_NE(page.find("a receipt for 3 imported item(s) in outbox-" + today + ".bundle"), std::string::npos) << page;
  const std::string first = media + "/outbox-" + today + ".bundle";
  ASSERT_TRUE(std::filesystem::exists(first));
  const std::string first_bytes = testing::ReadFileOrDie(first);
  auto reader = bundle::BundleReader::Open(first);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(reader->manifest().type, "outbox");
  ASSERT_TRUE(reader->manifest().receipt.has_value());
  EXPECT_EQ(reader->manifest().receipt->items.size(), 3u);
  page = Dechunk(web.Post("/media/outbox", {{"csrf", csrf}}).body);
  EXPECT_NE(page.find("outbox-" + today + "-2.bundle"), std::string::npos) << page;
  EXPECT_EQ(testing::ReadFileOrDie(first), first_bytes);
  EXPECT_TRUE(std::filesystem::exists(media + "/outbox-" + today + "-2.bundle"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit WHERE actor = 'psd' AND action = 'outbox'"), 2);
  r = web.Get("/media");
  EXPECT_NE(r.body.find("an outbox bundle (0 item(s), " + today + ")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("outbox-" + today + "-3.bundle"), std::string::npos);

  p = Console(AsPsd({"audit", "verify", "--data", data}));
  EXPECT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

TEST_F(ConsoleWeb, CliImportAndOutboxWithProgressPrintByteProgressLines) {
  const std::string data = P("progress-console"), media = P("progress-media");
  ASSERT_TRUE(std::filesystem::create_directory(media));
  ProcessResult p = Console(testing::ConsoleInit(data, key_, instance_->passphrase_file()));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const PublicKey& met = instance_->DecryptionKey("MET").public_key;
  const std::string today = testing::DayFromToday(0);
  auto w = bundle::BundleWriter::Create(media + "/pull.bundle", "pull", "MET", today);
  ASSERT_TRUE(w.ok());
  for (int i = 0; i < 2; ++i) {
    const auto bytes = SealWithAttachment(met, {{"version", 1}, {"kind", "report"}, {"force", "MET"}, {"day", today},
                                              {"source", {{"ref", std::string(64, static_cast<char>('a' + i))},
                                                          {"key", GenerateKeyPair(KeyRole::kSource).public_key.ToText()}}},
                                              {"category", "other"}, {"at_risk", "no"}, {"what", "Report."}},
                                        5 << 20);
    MemorySource src(bytes);  // it reads `bytes` in place
    ASSERT_TRUE(w->AddItem({bundle::NewItemId(), "report", today, 0, 0, "", "", ""}, src).ok());
  }
  ASSERT_TRUE(w->Commit().ok());
  // Without --progress and without a terminal: nothing on stderr, as before.
  p = Console(AsPsd({"import", "--data", data, media + "/pull.bundle"}));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(p.err, "");
  EXPECT_NE(p.out.find("imported 2 new item(s)"), std::string::npos) << p.out;
  // With --progress: plain lines, one per step, never one per 64 KiB block.
  p = Console(AsPsd({"import", "--progress", "--data", data, media + "/pull.bundle"}));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("imported 0 new item(s)"), std::string::npos) << p.out;
  EXPECT_EQ(p.err.find('\r'), std::string::npos);
  const std::size_t checking = CountOf(p.err, "checking: "), importing = CountOf(p.err, "importing: ");
  EXPECT_GE(checking, 5u) << p.err;
  EXPECT_LE(checking, 102u) << p.err;
  EXPECT_GE(importing, 2u) << p.err;
  EXPECT_EQ(CountOf(p.err, "\n"), checking + importing) << p.err;
  EXPECT_EQ(p.err.rfind("checking: 0 KiB of 10 MiB (0%)\n", 0), 0u) << p.err;
  EXPECT_NE(p.err.find("importing: 10 MiB of 10 MiB (100%)\n"), std::string::npos) << p.err;
  p = Console(AsPsd({"outbox", "--progress", "--data", data, "--out", media + "/outbox.bundle"}));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.err.find("writing: "), std::string::npos) << p.err;
}

}  // namespace
}  // namespace sealdrop::web_test
