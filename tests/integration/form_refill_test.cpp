// "The reporter never loses their words" (issue 12), against the real server: every refusal of a
// report or follow-up gives the form back with what was typed; the report form's stateless token
// outlives sessions, floods of sessions and restarts; the same form sent twice makes one report;
// a burst of new reporters is queued, not refused.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/support/server_process.h"
#include "tests/support/source_client.h"
#include "tests/support/sqlite_count.h"
#include "tests/support/test_instance.h"

namespace sealdrop {
namespace {

using testing::FormPart;
using testing::HttpReply;
using testing::ServerProcess;
using testing::SourceClient;
using testing::TestInstance;

long long Rows(const TestInstance& instance, const std::string& table) {
  return testing::QueryCount(instance.data_dir() + "/index.sqlite", "SELECT COUNT(*) FROM " + table);
}

// What a frightened reporter typed, with characters that must be escaped on the way back.
const std::string kWhat = "He took money from <the> dealer & said \"nobody will believe you\".\n"
                          "Second line of a long account.";
const std::string kWhatEscaped = "He took money from &lt;the&gt; dealer &amp; said "
                                 "&quot;nobody will believe you&quot;.\nSecond line of a long account.";

std::vector<FormPart> TypedReport(const std::string& token) {
  return {{"csrf", token},
          {"force", "WMI"},
          {"category", "sexual"},
          {"role", "officer"},
          {"subject_name", "PC Example"},
          {"what", kWhat},
          {"at_risk", "yes"},
          {"risk_details", "my sister"},
          {"contact", "details"},
          {"contact_phone", "07700 900000"}};
}

// The page is the report form again, with every answer as it was sent.
void ExpectReportFormFilledIn(const HttpReply& r) {
  EXPECT_NE(r.body.find("There is a problem"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<title>Error: Make a report"), std::string::npos);
  EXPECT_NE(r.body.find(">\n" + kWhatEscaped + "</textarea>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("id=\"subject_name\" maxlength=\"200\" value=\"PC Example\""), std::string::npos);
  EXPECT_NE(r.body.find("value=\"sexual\" checked"), std::string::npos);
  EXPECT_NE(r.body.find("value=\"officer\" checked"), std::string::npos);
  EXPECT_NE(r.body.find("value=\"yes\" checked"), std::string::npos);
  EXPECT_NE(r.body.find(">\nmy sister</textarea>"), std::string::npos);
  EXPECT_NE(r.body.find("value=\"details\" checked"), std::string::npos);
  EXPECT_EQ(r.body.find("value=\"anonymous\" checked"), std::string::npos);
  EXPECT_NE(r.body.find("value=\"07700 900000\""), std::string::npos);
  EXPECT_NE(r.body.find("<option value=\"WMI\" selected>"), std::string::npos);
  // A fresh token and its cookie, so that sending it again works.
  EXPECT_NE(r.body.find("name=\"csrf\" value=\""), std::string::npos);
  EXPECT_NE(r.Header("Set-Cookie").find("sd_form="), std::string::npos);
}

TEST(FormRefill, AFormFromAnotherBrowserComesBackFilledInAndThenGoesThrough) {
  TestInstance instance;
  ServerProcess server(instance.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0"));
  SourceClient writer(server.address());
  ASSERT_EQ(writer.Get("/report").status, 200);
  SourceClient other(server.address());
  ASSERT_EQ(other.Get("/report").status, 200);
  // The token does not match this browser's cookie (a cross-site post, or a second tab).
  writer.set_cookie(other.cookie());
  const HttpReply refused = writer.PostMultipart("/report", TypedReport(writer.csrf()));
  EXPECT_EQ(refused.status, 403);
  ExpectReportFormFilledIn(refused);
  EXPECT_EQ(Rows(instance, "items"), 0);
  EXPECT_EQ(Rows(instance, "sources"), 0);
  // The form it got back carries a new token and cookie: sending it again is accepted.
  const HttpReply sent = writer.PostMultipart("/report", TypedReport(writer.csrf()));
  EXPECT_EQ(sent.status, 200) << sent.body;
  EXPECT_NE(sent.body.find("id=\"codename\""), std::string::npos);
  EXPECT_EQ(Rows(instance, "items"), 1);
}

TEST(FormRefill, AnUploadOverTheLimitComesBackFilledInAndSaysFilesMustBeChosenAgain) {
  TestInstance instance;
  ServerProcess server(instance.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0", {"--max-upload-mb", "1"}));
  SourceClient c(server.address());
  ASSERT_EQ(c.Get("/report").status, 200);
  EXPECT_NE(c.Get("/report").body.find("All your files together can be up to 1 MB"),
            std::string::npos) << "the limit is on the form before anyone uploads";
  auto parts = TypedReport(c.csrf());
  parts.push_back({"file", std::string(2u << 20, 'x'), true, "video.mp4"});
  const HttpReply r = c.PostMultipart("/report", parts);
  EXPECT_EQ(r.status, 413);
  ExpectReportFormFilledIn(r);
  EXPECT_NE(r.body.find("<a href=\"#file-1\">"), std::string::npos) << "linked to the file field";
  EXPECT_NE(r.body.find("Your files were not kept: choose them again"), std::string::npos);
  EXPECT_EQ(Rows(instance, "items"), 0);
  EXPECT_TRUE(testing::ListItemBlobs(instance.data_dir()).empty());
}

TEST(FormRefill, AFieldToFixIsLinkedFromTheSummaryAndTheRestIsKept) {
  TestInstance instance;
  ServerProcess server(instance.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0"));
  SourceClient c(server.address());
  ASSERT_EQ(c.Get("/report").status, 200);
  auto parts = TypedReport(c.csrf());
  parts[5] = {"what", " \r\n "};  // "What happened?" left blank
  const HttpReply r = c.PostMultipart("/report", parts);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("<a href=\"#what\">Describe what happened"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("id=\"what-error\""), std::string::npos);
  EXPECT_NE(r.body.find("value=\"PC Example\""), std::string::npos);
  EXPECT_NE(r.body.find(">\nmy sister</textarea>"), std::string::npos);
  EXPECT_EQ(Rows(instance, "items"), 0);
}

TEST(FormRefill, TheSameFormSentTwiceMakesOneReport) {
  TestInstance instance;
  ServerProcess server(instance.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0"));
  SourceClient c(server.address());
  ASSERT_EQ(c.Get("/report").status, 200);
  const std::string token = c.csrf();
  const std::string cookie = c.cookie();
  const HttpReply first = c.PostMultipart("/report", TypedReport(token));
  ASSERT_EQ(first.status, 200);
  // A reload of the codename page sends the same form again.
  c.set_cookie(cookie);
  const HttpReply again = c.PostMultipart("/report", TypedReport(token));
  EXPECT_EQ(again.status, 409);
  EXPECT_NE(again.body.find("We already have this report"), std::string::npos);
  EXPECT_NE(again.body.find("If you did not write down your codename"), std::string::npos);
  EXPECT_EQ(again.body.find("id=\"codename\""), std::string::npos) << "no second codename";
  EXPECT_EQ(Rows(instance, "items"), 1);
  EXPECT_EQ(Rows(instance, "sources"), 1);
}

TEST(FormRefill, ADoubleClickSendingTwoAtOnceMakesOneReport) {
  TestInstance instance;
  ServerProcess server(instance.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0"));
  SourceClient c(server.address());
  ASSERT_EQ(c.Get("/report").status, 200);
  const std::string token = c.csrf();
  const std::string cookie = c.cookie();
  std::vector<int> statuses(2);
  std::vector<std::thread> clicks;
  for (int i = 0; i < 2; ++i) {
    clicks.emplace_back([&, i] {
      SourceClient click(server.address());
      click.set_cookie(cookie);
      statuses[static_cast<std::size_t>(i)] = click.PostMultipart("/report", TypedReport(token)).status;
    });
  }
  for (auto& t : clicks) t.join();
  std::sort(statuses.begin(), statuses.end());
  EXPECT_EQ(statuses, (std::vector<int>{200, 409}));
  EXPECT_EQ(Rows(instance, "items"), 1);
  EXPECT_EQ(Rows(instance, "sources"), 1);
}

TEST(FormRefill, AFormOpenedBeforeARestartStillGoesThrough) {
  TestInstance instance;
  SourceClient c("");
  {
    ServerProcess before(instance.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0"));
    c = SourceClient(before.address());
    ASSERT_EQ(c.Get("/report").status, 200);
    EXPECT_EQ(before.Stop(SIGTERM), 0);
  }
  ServerProcess after(instance.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0"));
  SourceClient again(after.address());
  again.set_cookie(c.cookie());
  EXPECT_EQ(again.PostMultipart("/report", TypedReport(c.csrf())).status, 200);
  EXPECT_EQ(Rows(instance, "items"), 1);
}

TEST(FormRefill, AFloodOfSessionsDoesNotLoseAWritersReport) {
  TestInstance instance;
  ServerProcess server(instance.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0"));
  SourceClient writer(server.address());
  ASSERT_EQ(writer.Get("/report").status, 200);
  // More new sessions than the store holds (10,000): the oldest are evicted.
  std::atomic<int> served{0};
  std::vector<std::thread> flood;
  for (int t = 0; t < 4; ++t) {
    flood.emplace_back([&] {
      for (int i = 0; i < 2650; ++i) served += SourceClient(server.address()).Get("/login").status == 200;
    });
  }
  for (auto& t : flood) t.join();
  EXPECT_EQ(served.load(), 10600);
  EXPECT_EQ(writer.PostMultipart("/report", TypedReport(writer.csrf())).status, 200);
  EXPECT_EQ(Rows(instance, "items"), 1);
}

// `n` reporters open the report form, then all send it at once; their answers.
std::vector<HttpReply> SendAtOnce(const ServerProcess& server, std::size_t n) {
  std::vector<std::unique_ptr<SourceClient>> clients;
  for (std::size_t i = 0; i < n; ++i) {
    clients.push_back(std::make_unique<SourceClient>(server.address()));
    EXPECT_EQ(clients.back()->Get("/report").status, 200);
  }
  std::vector<HttpReply> replies(n);
  std::vector<std::thread> burst;
  for (std::size_t i = 0; i < n; ++i) {
    burst.emplace_back([&, i] {
      replies[i] = clients[i]->PostMultipart("/report", TypedReport(clients[i]->csrf()));
    });
  }
  for (auto& t : burst) t.join();
  return replies;
}

TEST(FormRefill, ABurstOfNewReportersIsQueuedNotRefused) {
  TestInstance instance;
  ServerProcess server(instance.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0"));
  constexpr std::size_t kReporters = 20;
  for (const auto& r : SendAtOnce(server, kReporters)) EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Rows(instance, "sources"), static_cast<long long>(kReporters));
  // The journal time-stamps every line: twenty reports are two counted lines, not twenty.
  const std::string log = server.Stderr();
  std::size_t lines = 0;
  for (auto at = log.find("report stored"); at != std::string::npos; at = log.find("report stored", at + 1)) ++lines;
  EXPECT_EQ(lines, 2u) << log;
  EXPECT_NE(log.find("report stored (about 10)"), std::string::npos) << log;
}

TEST(FormRefill, AtLogLevelWarningNothingButWarningsAndErrorsIsLogged) {
  TestInstance instance;
  ServerProcess server(instance.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0",
                                           {"--log-level", "warning"}));
  for (const auto& r : SendAtOnce(server, 2)) EXPECT_EQ(r.status, 200);
  ASSERT_EQ(server.Stop(SIGTERM), 0);
  const std::string log = server.Stderr();
  EXPECT_EQ(log.find("started"), std::string::npos) << log;
  EXPECT_EQ(log.find("report stored"), std::string::npos) << log;
}

TEST(FormRefill, AFullDerivationQueueGivesTheFormBackFilledIn) {
  TestInstance instance;
  ServerProcess server(instance.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0",
                                           {"--kdf-workers", "1", "--kdf-queue", "0"}));
  constexpr int kReporters = 6;
  const std::vector<HttpReply> replies = SendAtOnce(server, kReporters);
  int busy = 0;
  for (const auto& r : replies) {
    ASSERT_TRUE(r.status == 200 || r.status == 503) << r.status;
    if (r.status != 503) continue;
    ++busy;
    ExpectReportFormFilledIn(r);
  }
  EXPECT_GE(busy, 1) << "with one worker and no queue, some reports must be refused";
  EXPECT_EQ(Rows(instance, "items"), kReporters - busy);
}

TEST(FormRefill, AFollowUpRefusedComesBackInTheInboxFilledIn) {
  TestInstance instance;
  ServerProcess server(instance.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0", {"--max-upload-mb", "1"}));
  SourceClient c(server.address());
  ASSERT_EQ(c.Get("/report").status, 200);
  const HttpReply sent = c.PostMultipart("/report", TypedReport(c.csrf()));
  ASSERT_EQ(sent.status, 200);
  const std::string codename = testing::ElementText(sent.body, "codename");
  ASSERT_EQ(c.Get("/login").status, 200);
  ASSERT_EQ(c.PostForm("/login", {{"csrf", c.csrf()}, {"codename", codename}}).status, 303);
  ASSERT_EQ(c.Get("/inbox").status, 200);
  const HttpReply r = c.PostMultipart(
      "/followup", {{"csrf", c.csrf()}, {"message", "More: he came back <tonight>."},
                    {"at_risk", "yes"}, {"file", std::string(2u << 20, 'x'), true, "a.mp4"}});
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("Replies to your report"), std::string::npos) << "the inbox";
  EXPECT_NE(r.body.find(">\nMore: he came back &lt;tonight&gt;.</textarea>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("id=\"at_risk-yes\" value=\"yes\" checked"), std::string::npos);
  EXPECT_NE(r.body.find("Your files were not kept"), std::string::npos);
  EXPECT_EQ(Rows(instance, "items"), 1) << "only the report";
}

TEST(FormRefill, AFollowUpAfterTheLoginEndedComesBackAndGoesThroughWithTheCodename) {
  TestInstance instance;
  ServerProcess server(instance.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0"));
  SourceClient reporter(server.address());
  ASSERT_EQ(reporter.Get("/report").status, 200);
  const HttpReply made = reporter.PostMultipart("/report", TypedReport(reporter.csrf()));
  ASSERT_EQ(made.status, 200);
  const std::string codename = testing::ElementText(made.body, "codename");

  // The inbox form of a session that is no longer logged in.
  SourceClient c(server.address());
  ASSERT_EQ(c.Get("/login").status, 200);
  const HttpReply r = c.PostMultipart(
      "/followup", {{"csrf", c.csrf()}, {"message", "Please call me after six."}, {"at_risk", "yes"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("You were logged out, so your message was not sent"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(">\nPlease call me after six.</textarea>"), std::string::npos);
  EXPECT_NE(r.body.find("id=\"at_risk-yes\" value=\"yes\" checked"), std::string::npos);
  EXPECT_NE(r.body.find("<a href=\"#codename\">"), std::string::npos);
  EXPECT_NE(r.body.find("action=\"/followup\""), std::string::npos);
  EXPECT_EQ(Rows(instance, "items"), 1) << "only the report";

  // A wrong codename: the message comes back again, the codename is never written into the page.
  const HttpReply wrong = c.PostMultipart(
      "/followup", {{"csrf", c.csrf()}, {"codename", "abacus abdomen abdominal abide abiding ability ablaze"},
                    {"message", "Please call me after six."}, {"at_risk", "yes"}});
  EXPECT_EQ(wrong.status, 403);
  EXPECT_NE(wrong.body.find("That codename was not recognised"), std::string::npos);
  EXPECT_NE(wrong.body.find(">\nPlease call me after six.</textarea>"), std::string::npos);
  EXPECT_EQ(wrong.body.find("abacus"), std::string::npos);
  EXPECT_EQ(Rows(instance, "items"), 1);

  // The right codename sends it and logs the browser in.
  const HttpReply sent = c.PostMultipart(
      "/followup", {{"csrf", c.csrf()}, {"codename", codename},
                    {"message", "Please call me after six."}, {"at_risk", "yes"}});
  EXPECT_EQ(sent.status, 200) << sent.body;
  EXPECT_NE(sent.body.find("id=\"followup-sent\""), std::string::npos);
  EXPECT_EQ(sent.body.find(codename), std::string::npos);
  EXPECT_EQ(Rows(instance, "items"), 2);
  EXPECT_EQ(c.Get("/inbox").status, 200) << "logged in by the codename";
}

}  // namespace
}  // namespace sealdrop
