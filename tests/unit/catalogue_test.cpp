// The embedded catalogues through Boost.Locale (server/i18n/catalogue.h): English is the msgid,
// Welsh comes from the compiled cy.po, Welsh plurals take the form the Plural-Forms header
// picks, template sections are looked up with their white space folded, and the language's path
// prefix is read and written one way (language_path.h). The budget refusal's wait phrase is
// Welsh in a Welsh sentence.
#include <gtest/gtest.h>

#include "server/i18n/catalogue.h"
#include "server/i18n/language_path.h"
#include "server/source/sealed_upload.h"

namespace sealdrop::server {
namespace {

TEST(Catalogue, EnglishIsTheMsgidAndWelshComesFromTheEmbeddedCatalogue) {
  LoadCatalogues();
  EXPECT_EQ(Translate(Language::kEnglish, "Exit this page"), "Exit this page");
  EXPECT_EQ(Translate(Language::kWelsh, "Exit this page"), "Gadael y dudalen hon");
  EXPECT_EQ(Translate(Language::kWelsh, "South Wales Police"), "Heddlu De Cymru");
  // Not in the catalogue (a force's name from the directory): shown as it is.
  EXPECT_EQ(Translate(Language::kWelsh, "Metropolitan Police Service"),
            "Metropolitan Police Service");
  // A template section, wrapped over lines, is the same msgid.
  EXPECT_EQ(NormaliseMsgid("\n  Skip to\n\tmain   content \n"), "Skip to main content");
  EXPECT_EQ(Translate(Language::kWelsh, NormaliseMsgid("Skip to\n main content")),
            "Neidio i'r prif gynnwys");
}

TEST(Catalogue, WelshPluralsTakeTheirSixForms) {
  const auto files = [](std::uint64_t n) {
    return TranslatePlural(Language::kWelsh, "Your report, with {n} file.",
                           "Your report, with {n} files.", n);
  };
  EXPECT_EQ(files(0), "Eich adroddiad, heb ffeiliau.");
  EXPECT_EQ(files(1), "Eich adroddiad, gydag un ffeil.");
  EXPECT_EQ(files(2), "Eich adroddiad, gyda dwy ffeil.");
  EXPECT_EQ(files(3), "Eich adroddiad, gyda thair ffeil.");
  EXPECT_EQ(files(4), "Eich adroddiad, gyda 4 ffeil.");
  EXPECT_EQ(files(6), "Eich adroddiad, gyda chwe ffeil.");
  EXPECT_EQ(files(11), "Eich adroddiad, gyda 11 ffeil.");
  EXPECT_EQ(TranslatePlural(Language::kEnglish, "Your report, with {n} file.",
                            "Your report, with {n} files.", 1),
            "Your report, with 1 file.");
  EXPECT_EQ(TranslatePlural(Language::kEnglish, "Your report, with {n} file.",
                            "Your report, with {n} files.", 12),
            "Your report, with 12 files.");
}

TEST(Catalogue, ABudgetRefusalSaysHowLongToWaitInTheFormsLanguage) {
  const auto wait = [](Language language, std::chrono::seconds window) {
    return BudgetProblem(language, BudgetLimit::kSender, window).message;
  };
  EXPECT_NE(wait(Language::kEnglish, std::chrono::seconds(60)).find("Wait a minute, then"),
            std::string::npos);
  EXPECT_NE(wait(Language::kEnglish, std::chrono::hours(3)).find("Wait 3 hours, then"),
            std::string::npos);
  EXPECT_NE(wait(Language::kWelsh, std::chrono::seconds(60)).find("Arhoswch am funud, yna"),
            std::string::npos);
  EXPECT_NE(wait(Language::kWelsh, std::chrono::hours(3)).find("Arhoswch am 3 awr, yna"),
            std::string::npos);
  EXPECT_NE(wait(Language::kWelsh, std::chrono::hours(24 * 7)).find("Arhoswch am 7 diwrnod"),
            std::string::npos);
  EXPECT_EQ(BudgetProblem(Language::kWelsh, BudgetLimit::kSender, std::chrono::hours(1)).status,
            http::status::too_many_requests);
}

TEST(LanguagePath, WelshIsUnderCyAndEverythingElseIsEnglish) {
  const auto split = [](std::string_view target) {
    const LocalTarget t = SplitLanguagePrefix(target);
    return std::string(LanguageCode(t.language)) + " " + std::string(t.path);
  };
  EXPECT_EQ(split("/"), "en /");
  EXPECT_EQ(split("/report"), "en /report");
  EXPECT_EQ(split("/cy"), "cy /");
  EXPECT_EQ(split("/cy/"), "cy /");
  EXPECT_EQ(split("/cy/report"), "cy /report");
  EXPECT_EQ(split("/cy/inbox/delete-replies"), "cy /inbox/delete-replies");
  EXPECT_EQ(split("/cymraeg"), "en /cymraeg");
  EXPECT_EQ(split("/cy/cy/report"), "cy /cy/report");  // one prefix only: then a 404
  EXPECT_EQ(LocalPath(Language::kWelsh, "/"), "/cy/");
  EXPECT_EQ(LocalPath(Language::kWelsh, "/login"), "/cy/login");
  EXPECT_EQ(LocalPath(Language::kEnglish, "/login"), "/login");
  EXPECT_EQ(LanguageFromCode("cy"), Language::kWelsh);
  EXPECT_EQ(LanguageFromCode("CY"), std::nullopt);
}

}  // namespace
}  // namespace sealdrop::server
