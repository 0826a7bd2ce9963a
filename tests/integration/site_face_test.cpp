// The service's own face on a real server: the operator's name, phone line and quick-exit link
// from the configuration on every page (HTML-escaped), the guidance, privacy and accessibility
// pages, the warning for requests that did not come through the onion, and the codename page's
// account of what arrived.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/server_process.h"
#include "tests/support/source_client.h"
#include "tests/support/test_instance.h"

namespace sealdrop {
namespace {

using testing::FormPart;
using testing::HttpReply;
using testing::ProcessResult;
using testing::RunProcess;
using testing::ServerProcess;
using testing::SourceClient;
using testing::TempDir;
using testing::TestInstance;

constexpr char kOnion[] = "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion";

// A face with every character mustache must escape.
constexpr char kFaceToml[] = R"(
service_name = "Police Anti-Corruption & Abuse Reporting Service"
operator_name = "Example \"Trust\""
phone_number = "0800 123 4567"
phone_hours = "Monday to Friday, 8am to 8pm & weekends"
exit_url = "https://www.example.org/weather?x=1&y=2"
)";

bool Has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

class SiteFace : public ::testing::Test {
 protected:
  SiteFace() {
    testing::WriteFileOrDie(dir_ / "server.toml", kFaceToml);
    server_ = std::make_unique<ServerProcess>(
        instance_.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0", {"--config", dir_ / "server.toml"}));
  }

  // GET with the given extra header lines, over a fresh connection.
  HttpReply RawGet(const std::string& path, const std::string& host,
                   const std::string& extra = "") {
    return testing::ParseHttpReply(testing::HttpExchange(
        server_->address(), "GET " + path + " HTTP/1.1\r\nHost: " + host +
                                "\r\nConnection: close\r\n" + extra + "\r\n"));
  }

  void ExpectFaceAndFooter(const HttpReply& r, const std::string& what) {
    EXPECT_TRUE(Has(r.body, "<a id=\"exit-this-page\" class=\"exit\" "
                            "href=\"https://www.example.org/weather?x=1&amp;y=2\""))
        << what;
    for (const char* link : {"/tor", "/device-safety", "/privacy", "/accessibility"}) {
      EXPECT_TRUE(Has(r.body, std::string("<li><a href=\"") + link + "\">")) << what << " " << link;
    }
    EXPECT_TRUE(Has(r.body, "Police Anti-Corruption &amp; Abuse Reporting Service")) << what;
    EXPECT_FALSE(Has(r.body, "Corruption & Abuse")) << what;
    EXPECT_FALSE(Has(r.body, "SealDrop")) << what;
  }

  TestInstance instance_;
  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(SiteFace, EveryPageHasTheQuickExitTheFooterLinksAndTheServiceName) {
  SourceClient c(server_->address());
  for (const char* path : {"/", "/report", "/login", "/tor", "/device-safety", "/privacy",
                           "/accessibility"}) {
    const HttpReply r = c.Get(path);
    EXPECT_EQ(r.status, 200) << path;
    ExpectFaceAndFooter(r, path);
    EXPECT_TRUE(Has(r.Header("Content-Security-Policy"), "default-src 'none'")) << path;
    EXPECT_EQ(r.Header("X-Frame-Options"), "DENY") << path;
    EXPECT_EQ(r.Header("Cache-Control"), "no-store") << path;
    EXPECT_FALSE(Has(r.body, "tor-warning")) << path;
  }
  const HttpReply missing = c.Get("/no-such-page");
  EXPECT_EQ(missing.status, 404);
  ExpectFaceAndFooter(missing, "404");

  // The landing page names the operator and the free phone line, escaped.
  const HttpReply landing = c.Get("/");
  EXPECT_TRUE(Has(landing.body, "run by Example &quot;Trust&quot;"));
  EXPECT_TRUE(Has(landing.body, "<a href=\"tel:08001234567\">0800 123 4567</a>"));
  EXPECT_TRUE(Has(landing.body, "Monday to Friday, 8am to 8pm &amp; weekends"));
  EXPECT_TRUE(Has(landing.body, "href=\"/device-safety\""));
  EXPECT_TRUE(Has(landing.body, "href=\"/tor\""));
  // The privacy notice states the configured retention.
  EXPECT_TRUE(Has(c.Get("/privacy").body, "after 365 days without"));
}

TEST_F(SiteFace, TheCodenamePageSaysWhatArrivedWithoutSizes) {
  SourceClient c(server_->address());
  ASSERT_EQ(c.Get("/report").status, 200);
  const HttpReply two = c.PostMultipart(
      "/report", {{"csrf", c.csrf()}, {"force", "MET"}, {"category", "corruption"},
                  {"role", "officer"}, {"what", "He took money."}, {"contact", "details"},
                  {"contact_phone", "07700 900123"},
                  FormPart("file", std::string(3000, 'a'), true, "a.txt"),
                  FormPart("file", std::string(5000, 'b'), true, "b.txt")});
  ASSERT_EQ(two.status, 200) << two.body;
  EXPECT_TRUE(Has(two.body, "Your report, with 2 files.")) << two.body;
  EXPECT_TRUE(Has(two.body, "Your contact details, for the force only."));
  EXPECT_FALSE(Has(two.body, "KB")) << "no sizes";
  EXPECT_FALSE(Has(two.body, "bytes"));
  ExpectFaceAndFooter(two, "codename page");
  EXPECT_TRUE(Has(two.body, "<a href=\"tel:08001234567\">0800 123 4567</a>"));

  // Anonymous, one file; details typed and then "stay anonymous" chosen are not kept.
  SourceClient d(server_->address());
  ASSERT_EQ(d.Get("/report").status, 200);
  const HttpReply one = d.PostMultipart(
      "/report", {{"csrf", d.csrf()}, {"force", "MET"}, {"category", "corruption"},
                  {"role", "officer"}, {"what", "He took money."}, {"contact", "anonymous"},
                  {"contact_name", "Sam"}, FormPart("file", "x", true, "c.txt")});
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_TRUE(Has(one.body, "Your report, with 1 file.")) << one.body;
  EXPECT_TRUE(Has(one.body, "No contact details: your report is anonymous."));

  // No files, details chosen but left blank: nothing to contact.
  SourceClient e(server_->address());
  ASSERT_EQ(e.Get("/report").status, 200);
  const HttpReply none = e.PostMultipart(
      "/report", {{"csrf", e.csrf()}, {"force", "MET"}, {"category", "corruption"},
                  {"role", "officer"}, {"what", "He took money."}, {"contact", "details"},
                  {"contact_name", "  "}});
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_TRUE(Has(none.body, "Your report, with no files.")) << none.body;
  EXPECT_TRUE(Has(none.body, "No contact details: your report is anonymous."));
}

TEST_F(SiteFace, ATor2webRequestGetsTheWarningAndAnOnionOneDoesNot) {
  // Without onion_hostname or the PROXY header, only the gateway's own header counts: the
  // tests' Host: x and 127.0.0.1 are fine.
  for (const char* host : {"x", "127.0.0.1", "x.onion"}) {
    EXPECT_FALSE(Has(RawGet("/", host).body, "id=\"tor-warning\"")) << host;
  }
  for (const char* path : {"/", "/report", "/tor", "/privacy"}) {
    const HttpReply r = RawGet(path, "x.onion", "X-Tor2web: encrypted\r\n");
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_TRUE(Has(r.body, "id=\"tor-warning\"")) << path;
    EXPECT_TRUE(Has(r.body, "<a href=\"/tor\">Get Tor Browser")) << path;
  }
}

TEST_F(SiteFace, WithItsOnionHostnameAnyOtherHostGetsTheWarning) {
  server_.reset();
  testing::WriteFileOrDie(dir_ / "onion.toml", std::string("onion_hostname = \"") + kOnion + "\"\n");
  server_ = std::make_unique<ServerProcess>(
      instance_.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0", {"--config", dir_ / "onion.toml"}));
  EXPECT_FALSE(Has(RawGet("/", kOnion).body, "tor-warning"));
  EXPECT_FALSE(Has(RawGet("/login", std::string(kOnion) + ":80").body, "tor-warning"));
  for (const char* host : {"127.0.0.1", "x.onion", "gateway.example"}) {
    const HttpReply r = RawGet("/", host);
    EXPECT_EQ(r.status, 200) << host;
    EXPECT_TRUE(Has(r.body, "id=\"tor-warning\"")) << host;
  }
  // The defaults, with no face configured.
  const HttpReply plain = RawGet("/", kOnion);
  EXPECT_TRUE(Has(plain.body, "href=\"https://www.bbc.co.uk/weather\""));
  EXPECT_FALSE(Has(plain.body, "phone-line"));
}

TEST_F(SiteFace, MarkupOrControlCharactersInTheFaceStopTheStart) {
  const std::vector<std::string> bad = {
      "service_name = \"<script>alert(1)</script>\"",
      "operator_name = \"Line\\nbreak\"",
      "phone_hours = \"9\\u0007am\"",
      "phone_number = \"0800 <b>1</b>\"",
      "exit_url = \"javascript:alert(1)\"",
      "exit_url = \"https://example.org/\\\" onclick=\\\"x\"",
      "onion_hostname = \"example.com\"",
      "service_name = \"\"",
  };
  for (const std::string& line : bad) {
    testing::WriteFileOrDie(dir_ / "bad.toml", line + "\n");
    const ProcessResult r = RunProcess(
        instance_.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0", {"--config", dir_ / "bad.toml"}));
    EXPECT_EQ(r.exit_code, 1) << line;
    EXPECT_TRUE(Has(r.err, "config: ")) << line << ": " << r.err;
  }
}

}  // namespace
}  // namespace sealdrop
