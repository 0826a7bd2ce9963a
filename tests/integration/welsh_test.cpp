// Welsh and English on a real server (docs/i18n.md): every route also under /cy, in Welsh, with
// lang="cy" and a link to the same page in English (and the English pages a link to Welsh); a
// refused form comes back in the language it was sent in, with the words kept; the codename
// page counts files with Welsh plural forms; login, inbox and log-out keep the language through
// their redirects; and the sealed report records the reporter's language.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "crypto/envelope_reader.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"
#include "tests/support/source_client.h"
#include "tests/support/test_instance.h"

namespace sealdrop {
namespace {

using testing::FormPart;
using testing::HttpReply;
using testing::ServerProcess;
using testing::SourceClient;
using testing::TestInstance;

bool Has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// Every GET page, without its language prefix.
constexpr const char* kPages[] = {"/",        "/report",        "/login",  "/tor",
                                  "/device-safety", "/privacy", "/accessibility"};

std::string Welsh(const std::string& path) { return "/cy" + path; }

class WelshSite : public ::testing::Test {
 protected:
  WelshSite() : server_(instance_.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0")) {}

  std::vector<FormPart> Report(const std::string& token, const std::string& what,
                               int files = 0) {
    std::vector<FormPart> parts = {{"csrf", token},          {"force", "MET"},
                                   {"category", "sexual"},   {"role", "officer"},
                                   {"subject_name", "PC Enghraifft"}, {"what", what}};
    for (int i = 0; i < files; ++i) {
      parts.emplace_back("file", std::string(100, 'x'), true, "f" + std::to_string(i) + ".txt");
    }
    return parts;
  }

  // The metadata of every sealed item, opened with MET's key.
  std::vector<nlohmann::json> SealedMetadata() {
    std::vector<nlohmann::json> out;
    const KeyPair& met = instance_.DecryptionKey("MET");
    for (const auto& blob : testing::ListItemBlobs(instance_.data_dir())) {
      const std::string bytes = testing::ReadFileOrDie(instance_.data_dir() + "/blobs/" + blob);
      std::vector<KeyPair> keys;
      keys.push_back({met.public_key, SecretBuffer::CopyOf(met.secret.span())});
      auto opened = OpenFromBytes(
          std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), keys);
      EXPECT_TRUE(opened.ok());
      if (opened.ok()) out.push_back(nlohmann::json::parse(opened->metadata));
    }
    return out;
  }

  TestInstance instance_;
  ServerProcess server_;
};

TEST_F(WelshSite, EveryPageIsInWelshUnderCyAndLinksToItselfInTheOtherLanguage) {
  SourceClient c(server_.address());
  for (const std::string path : kPages) {
    SCOPED_TRACE(path);
    const HttpReply cy = c.Get(Welsh(path));
    ASSERT_EQ(cy.status, 200);
    EXPECT_TRUE(Has(cy.body, "<html lang=\"cy\">"));
    EXPECT_TRUE(Has(cy.body, "<a id=\"language-switch\" class=\"lang-switch\" href=\"" + path +
                                 "\" hreflang=\"en\" lang=\"en\">English</a>"));
    EXPECT_TRUE(Has(cy.body, "Neidio i'r prif gynnwys"));
    EXPECT_TRUE(Has(cy.body, ">Gadael y dudalen hon</a>"));
    // Every local link and form stays in Welsh; only the switch leads to English.
    EXPECT_TRUE(Has(cy.body, "<a href=\"/cy/privacy\">Hysbysiad preifatrwydd</a>"));
    EXPECT_FALSE(Has(cy.body, "<a href=\"/tor\">"));
    EXPECT_FALSE(Has(cy.body, "action=\"/report\""));
    EXPECT_FALSE(Has(cy.body, "action=\"/login\""));
    EXPECT_FALSE(Has(cy.body, "Skip to main content"));

    const HttpReply en = c.Get(path);
    ASSERT_EQ(en.status, 200);
    EXPECT_TRUE(Has(en.body, "<html lang=\"en-GB\">"));
    EXPECT_TRUE(Has(en.body, "<a id=\"language-switch\" class=\"lang-switch\" href=\"" +
                                 Welsh(path) + "\" hreflang=\"cy\" lang=\"cy\">Cymraeg</a>"));
    EXPECT_TRUE(Has(en.body, "Skip to main content"));
    EXPECT_FALSE(Has(en.body, "<a href=\"/cy/tor\">"));
  }
  // "/cy" alone is the Welsh landing page; the forms post to Welsh routes.
  EXPECT_TRUE(Has(c.Get("/cy").body, "<h1>Rhoi gwybod am lygredd neu gam-drin"));
  EXPECT_TRUE(Has(c.Get("/cy/report").body, "action=\"/cy/report\""));
  EXPECT_TRUE(Has(c.Get("/cy/login").body, "action=\"/cy/login\""));
  // An unknown Welsh page is a Welsh 404; "/cymraeg" is not under /cy.
  const HttpReply missing = c.Get("/cy/dim-tudalen");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(Has(missing.body, "<h1>Heb ddod o hyd i&apos;r dudalen</h1>"));
  EXPECT_TRUE(Has(missing.body, "<html lang=\"cy\">"));
  const HttpReply not_welsh = c.Get("/cymraeg");
  EXPECT_EQ(not_welsh.status, 404);
  EXPECT_TRUE(Has(not_welsh.body, "Page not found"));
}

TEST_F(WelshSite, ARefusedReportComesBackInWelshWithTheWordsKept) {
  SourceClient c(server_.address());
  ASSERT_EQ(c.Get("/cy/report").status, 200);
  auto parts = Report(c.csrf(), " \r\n ");  // "Beth ddigwyddodd?" left blank
  parts.emplace_back("risk_details", "fy chwaer & <hi>");
  const HttpReply r = c.PostMultipart("/cy/report", parts);
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(Has(r.body, "<html lang=\"cy\">"));
  EXPECT_TRUE(Has(r.body, "<title>Gwall: Gwneud adroddiad")) << r.body;
  EXPECT_TRUE(Has(r.body, "<h2 id=\"error-summary-title\">Mae problem wedi codi</h2>"));
  // Values are escaped (' is &apos;); the template's own words are not.
  EXPECT_TRUE(Has(r.body, "<a href=\"#what\">Disgrifiwch beth ddigwyddodd: roedd y rhan honno "
                          "o&apos;r ffurflen yn wag.</a>"));
  EXPECT_TRUE(Has(r.body, "<span class=\"visually-hidden\">Gwall:</span>"));
  EXPECT_TRUE(Has(r.body, "value=\"PC Enghraifft\""));
  EXPECT_TRUE(Has(r.body, ">\nfy chwaer &amp; &lt;hi&gt;</textarea>"));
  EXPECT_TRUE(Has(r.body, "value=\"sexual\" checked"));
  EXPECT_TRUE(Has(r.body, "action=\"/cy/report\""));
  // The words are only on this page: the switch to English opens in a new tab.
  EXPECT_TRUE(Has(r.body, "href=\"/report\" hreflang=\"en\" lang=\"en\" target=\"_blank\""));
  EXPECT_TRUE(Has(r.body, "(yn agor mewn tab newydd)"));
  EXPECT_TRUE(testing::ListItemBlobs(instance_.data_dir()).empty());

  // The same refusal from the English form is in English.
  SourceClient e(server_.address());
  ASSERT_EQ(e.Get("/report").status, 200);
  const HttpReply en = e.PostMultipart("/report", Report(e.csrf(), " "));
  EXPECT_EQ(en.status, 400);
  EXPECT_TRUE(Has(en.body, "<a href=\"#what\">Describe what happened"));
  EXPECT_TRUE(Has(en.body, "action=\"/report\""));

  // A Welsh form whose token is not this browser's comes back in Welsh, 403.
  SourceClient other(server_.address());
  const HttpReply expired = other.PostMultipart("/cy/report", Report("not-a-token", "Digwyddodd."));
  EXPECT_EQ(expired.status, 403);
  EXPECT_TRUE(Has(expired.body, "Roedd y ffurflen hon wedi dod i ben")) << expired.body;
  EXPECT_TRUE(Has(expired.body, ">\nDigwyddodd.</textarea>"));
}

TEST_F(WelshSite, TheCodenamePageCountsFilesInWelshAndTheReportRecordsTheLanguage) {
  // Welsh plural forms: one, two, three and six have their own; the rest take "{n} ffeil".
  const std::vector<std::pair<int, std::string>> cases = {
      {1, "Eich adroddiad, gydag un ffeil."},   {2, "Eich adroddiad, gyda dwy ffeil."},
      {3, "Eich adroddiad, gyda thair ffeil."}, {6, "Eich adroddiad, gyda chwe ffeil."},
      {4, "Eich adroddiad, gyda 4 ffeil."},     {0, "Eich adroddiad, heb ffeiliau."}};
  for (const auto& [files, text] : cases) {
    SCOPED_TRACE(files);
    SourceClient c(server_.address());
    ASSERT_EQ(c.Get("/cy/report").status, 200);
    const HttpReply r = c.PostMultipart("/cy/report", Report(c.csrf(), "Digwyddodd.", files));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(Has(r.body, "<html lang=\"cy\">"));
    EXPECT_TRUE(Has(r.body, "<li>" + text + "</li>")) << r.body;
    EXPECT_TRUE(Has(r.body, "Mae eich adroddiad wedi'i anfon"));
    EXPECT_EQ(testing::ElementText(r.body, "codename").size() > 20, true);
    // The codename cannot be shown again: the switch opens the English login in a new tab.
    EXPECT_TRUE(Has(r.body, "href=\"/login\" hreflang=\"en\" lang=\"en\" target=\"_blank\""));
  }
  SourceClient en(server_.address());
  ASSERT_EQ(en.Get("/report").status, 200);
  const HttpReply three = en.PostMultipart("/report", Report(en.csrf(), "It happened.", 3));
  ASSERT_EQ(three.status, 200);
  EXPECT_TRUE(Has(three.body, "<li>Your report, with 3 files.</li>"));

  int welsh = 0, english = 0;
  for (const auto& m : SealedMetadata()) {
    if (m["what"] == "Digwyddodd.") {
      EXPECT_EQ(m["language"], "cy");
      ++welsh;
    } else {
      EXPECT_EQ(m["language"], "en");
      ++english;
    }
  }
  EXPECT_EQ(welsh, 6);
  EXPECT_EQ(english, 1);
}

TEST_F(WelshSite, LoginInboxAndLogOutKeepTheLanguageThroughTheirRedirects) {
  SourceClient c(server_.address());
  ASSERT_EQ(c.Get("/cy/report").status, 200);
  const HttpReply sent = c.PostMultipart("/cy/report", Report(c.csrf(), "Digwyddodd."));
  ASSERT_EQ(sent.status, 200);
  const std::string codename = testing::ElementText(sent.body, "codename");

  // Logged out, the Welsh inbox sends the reporter to the Welsh login page.
  SourceClient r(server_.address());
  const HttpReply away = r.Get("/cy/inbox");
  EXPECT_EQ(away.status, 303);
  EXPECT_EQ(away.Header("Location"), "/cy/login");

  const HttpReply login = r.Get("/cy/login");
  ASSERT_EQ(login.status, 200);
  EXPECT_TRUE(Has(login.body, "<h1>Darllen atebion i'ch adroddiad</h1>"));
  EXPECT_TRUE(Has(login.body, "<title>Mewngofnodi gyda&apos;ch enw cod"));
  // A wrong codename: the Welsh login page again, with the one generic error in Welsh.
  const HttpReply wrong = r.PostForm("/cy/login", {{"csrf", r.csrf()},
                                                   {"codename", "un dau tri pedwar pump chwech saith"}});
  EXPECT_EQ(wrong.status, 403);
  EXPECT_TRUE(Has(wrong.body, "Ni chafodd yr enw cod hwnnw ei adnabod. Gwiriwch y saith gair"));
  EXPECT_TRUE(Has(wrong.body, "<html lang=\"cy\">"));

  const HttpReply in = r.PostForm("/cy/login", {{"csrf", r.csrf()}, {"codename", codename}});
  EXPECT_EQ(in.status, 303);
  EXPECT_EQ(in.Header("Location"), "/cy/inbox");
  const HttpReply inbox = r.Get("/cy/inbox");
  ASSERT_EQ(inbox.status, 200);
  EXPECT_TRUE(Has(inbox.body, "<html lang=\"cy\">"));
  EXPECT_TRUE(Has(inbox.body, "Does dim atebion eto."));
  EXPECT_TRUE(Has(inbox.body, "action=\"/cy/followup\""));
  EXPECT_TRUE(Has(inbox.body, "action=\"/cy/logout\""));
  EXPECT_TRUE(Has(inbox.body, "href=\"/inbox\" hreflang=\"en\" lang=\"en\">English</a>"));
  // The same session reads its inbox in English too: the language is the path's, not the
  // session's.
  const HttpReply english = r.Get("/inbox");
  ASSERT_EQ(english.status, 200);
  EXPECT_TRUE(Has(english.body, "<html lang=\"en-GB\">"));

  // A follow-up refused (nothing in it) comes back in Welsh.
  const HttpReply empty = r.PostMultipart("/cy/followup", {{"csrf", r.csrf()}, {"message", " "}});
  EXPECT_EQ(empty.status, 400);
  EXPECT_TRUE(Has(empty.body, "Ysgrifennwch neges neu atodwch ffeil."));
  EXPECT_TRUE(Has(empty.body, "<title>Gwall: Eich atebion"));

  const HttpReply out = r.PostForm("/cy/logout", {{"csrf", r.csrf()}});
  EXPECT_EQ(out.status, 303);
  EXPECT_EQ(out.Header("Location"), "/cy/");
}

// The operator's face in Welsh (service_name_cy, ...) on the Welsh pages; where the operator gave
// none, the English value.
TEST(WelshFace, TheWelshPagesShowTheOperatorsWelshNamesAndHours) {
  TestInstance instance;
  testing::TempDir dir;
  testing::WriteFileOrDie(dir / "server.toml", R"(
service_name = "Police Anti-Corruption and Abuse Reporting Service"
service_name_cy = "Gwasanaeth Adrodd am Lygredd a Cham-drin gan yr Heddlu"
operator_name = "Example Trust"
phone_number = "0800 123 4567"
phone_hours = "Monday to Friday, 8am to 8pm"
phone_hours_cy = "Dydd Llun i ddydd Gwener, 8am i 8pm"
)");
  ServerProcess server(
      instance.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0", {"--config", dir / "server.toml"}));
  SourceClient c(server.address());
  const HttpReply cy = c.Get("/cy/");
  ASSERT_EQ(cy.status, 200);
  EXPECT_TRUE(Has(cy.body, "<title>Rhoi gwybod yn ddiogel – Gwasanaeth Adrodd am Lygredd a "
                           "Cham-drin gan yr Heddlu</title>"));
  EXPECT_TRUE(Has(cy.body, "(Dydd Llun i ddydd Gwener, 8am i 8pm)"));
  EXPECT_TRUE(Has(cy.body, ", a redir gan Example Trust"));  // no Welsh name: the English one
  EXPECT_FALSE(Has(cy.body, "Police Anti-Corruption"));
  const HttpReply en = c.Get("/");
  EXPECT_TRUE(Has(en.body, "<title>Report safely – Police Anti-Corruption and Abuse Reporting "
                           "Service</title>"));
  EXPECT_TRUE(Has(en.body, "(Monday to Friday, 8am to 8pm)"));
  EXPECT_FALSE(Has(en.body, "Gwasanaeth Adrodd"));
}

}  // namespace
}  // namespace sealdrop
