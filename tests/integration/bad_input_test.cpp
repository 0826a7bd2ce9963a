// Named bad inputs against a live sealdrop-server: each gets its specific status (or, where HTTP
// has nothing better, a closed connection), a page rather than a blank, and leaves nothing
// stored: no blob, no index row, no registered codename. The server keeps serving afterwards.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/server_process.h"
#include "tests/support/source_client.h"
#include "tests/support/sqlite_count.h"
#include "tests/support/strict_http_cases.h"
#include "tests/support/test_instance.h"

namespace sealdrop {
namespace {

using testing::BuildMultipart;
using testing::FormPart;
using testing::HttpReply;
using testing::ServerProcess;
using testing::SourceClient;
using testing::TestInstance;

// What a case may use: a report form's cookie and token, another form's token and cookie, and
// a live anonymous session (for the login form) with its token.
struct Session {
  std::string cookie;  // "sd_form=...; sd_session=..."
  std::string csrf;    // the report form's token
  std::string other_csrf;
  std::string other_cookie = "";
  std::string login_csrf = "";
};

struct BadInput {
  const char* name;
  int expected_status;  // 0: the server closes the connection without an answer
  std::function<std::string(const Session&)> request;
};

std::string Request(const std::string& method, const std::string& path, const Session& s,
                    const std::string& content_type, const std::string& body,
                    const std::string& extra_headers = "") {
  std::string r = method + " " + path + " HTTP/1.1\r\nHost: x.onion\r\nConnection: close\r\n";
  if (!s.cookie.empty()) r += "Cookie: " + s.cookie + "\r\n";
  if (!content_type.empty()) r += "Content-Type: " + content_type + "\r\n";
  r += extra_headers;
  r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return r;
}

std::string ReportPost(const Session& s, const std::vector<FormPart>& parts) {
  const auto m = BuildMultipart(parts);
  return Request("POST", "/report", s, m.content_type, m.body);
}

std::vector<FormPart> Good(const Session& s) {
  return {{"csrf", s.csrf}, {"force", "MET"}, {"what", "text"}};
}

std::vector<FormPart> With(std::vector<FormPart> parts, const FormPart& extra) {
  parts.push_back(extra);
  return parts;
}

FormPart File(const std::string& filename, const std::string& content = "bytes") {
  return {"file", content, true, filename, "application/octet-stream"};
}

std::string Login(const Session& s, const std::string& body,
                  const std::string& type = "application/x-www-form-urlencoded") {
  return Request("POST", "/login", s, type, body);
}

const std::vector<BadInput>& Cases() {
  static const std::vector<BadInput> cases = {
      // Sessions and CSRF.
      {"ReportWithoutTheFormCookie", 403,
       [](const Session& s) { return ReportPost({"", s.csrf, ""}, Good(s)); }},
      {"ReportWithAnotherFormsCookie", 403,
       [](const Session& s) { return ReportPost({s.other_cookie, s.csrf, ""}, Good(s)); }},
      {"ReportWithAnUnknownFormCookie", 403,
       [](const Session& s) {
         return ReportPost({"sd_form=AAAAAAAAAAAAAAAAAAAAAA", s.csrf, ""}, Good(s));
       }},
      {"ReportWithoutACsrfToken", 403,
       [](const Session& s) {
         return ReportPost(s, {{"force", "MET"}, {"what", "text"}});
       }},
      {"ReportWithAWrongCsrfToken", 403,
       [](const Session& s) {
         return ReportPost(s, {{"csrf", std::string(43, 'A')}, {"force", "MET"}, {"what", "t"}});
       }},
      {"ReportWithAnotherSessionsCsrfToken", 403,
       [](const Session& s) {
         return ReportPost(s, {{"csrf", s.other_csrf}, {"force", "MET"}, {"what", "t"}});
       }},
      {"ReportWithAHugeCsrfField", 403,
       [](const Session& s) {
         return ReportPost(s, {{"csrf", std::string(5000, 'A')}, {"force", "MET"}});
       }},
      {"ReportWithTheCsrfTokenAsAFile", 403,
       [](const Session& s) { return ReportPost(s, {{"csrf", s.csrf, true, "csrf.txt"}}); }},
      // The force.
      {"UnknownForce", 400,
       [](const Session& s) {
         return ReportPost(s, {{"csrf", s.csrf}, {"force", "XYZ"}, {"what", "t"}});
       }},
      {"ForceInLowerCase", 400,
       [](const Session& s) {
         return ReportPost(s, {{"csrf", s.csrf}, {"force", "met"}, {"what", "t"}});
       }},
      {"NoForceChosen", 400,
       [](const Session& s) { return ReportPost(s, {{"csrf", s.csrf}, {"what", "t"}}); }},
      {"UnknownForceWithAFile", 400,
       [](const Session& s) {
         return ReportPost(s, {{"csrf", s.csrf}, {"force", "NOPE"}, {"what", "t"}, File("a.txt")});
       }},
      // Fields.
      {"MissingWhatHappened", 400,
       [](const Session& s) { return ReportPost(s, {{"csrf", s.csrf}, {"force", "MET"}}); }},
      {"BlankWhatHappened", 400,
       [](const Session& s) {
         return ReportPost(s, {{"csrf", s.csrf}, {"force", "MET"}, {"what", " \r\n\t "}});
       }},
      {"UnknownField", 400,
       [](const Session& s) { return ReportPost(s, With(Good(s), {"admin", "1"})); }},
      {"RepeatedField", 400,
       [](const Session& s) { return ReportPost(s, With(Good(s), {"what", "again"})); }},
      {"CategoryNotOnTheForm", 400,
       [](const Session& s) { return ReportPost(s, With(Good(s), {"category", "bogus"})); }},
      {"FieldTooLong", 413,
       [](const Session& s) {
         return ReportPost(s, {{"csrf", s.csrf}, {"force", "MET"}, {"what", std::string(200001, 'w')}});
       }},
      {"NulByteInAField", 400,
       [](const Session& s) {
         return ReportPost(s, {{"csrf", s.csrf}, {"force", "MET"}, {"what", std::string("a\0b", 3)}});
       }},
      {"InvalidUtf8InAField", 400,
       [](const Session& s) {
         return ReportPost(s, {{"csrf", s.csrf}, {"force", "MET"}, {"what", "bad \xC0\xAF utf8"}});
       }},
      {"FieldAfterAFile", 400,
       [](const Session& s) {
         return ReportPost(s, {{"csrf", s.csrf}, {"force", "MET"}, {"what", "t"}, File("a.txt"),
                               {"when", "later"}});
       }},
      // File names and file parts.
      {"PathTraversalInAFileName", 400,
       [](const Session& s) { return ReportPost(s, With(Good(s), File("../../etc/passwd"))); }},
      {"BackslashPathInAFileName", 400,
       [](const Session& s) { return ReportPost(s, With(Good(s), File("..\\..\\boot.ini"))); }},
      {"ControlCharacterInAFileName", 400,
       [](const Session& s) { return ReportPost(s, With(Good(s), File("evil\x01name.txt"))); }},
      {"DotDotAsAFileName", 400,
       [](const Session& s) { return ReportPost(s, With(Good(s), File(".."))); }},
      {"FileNameTooLong", 400,
       [](const Session& s) { return ReportPost(s, With(Good(s), File(std::string(300, 'n')))); }},
      {"FileUnderAnotherFieldName", 400,
       [](const Session& s) {
         return ReportPost(s, With(Good(s), {"photo", "bytes", true, "a.jpg"}));
       }},
      {"ContentInAFileWithoutAName", 400,
       [](const Session& s) { return ReportPost(s, With(Good(s), File("", "hidden bytes"))); }},
      // Multipart framing.
      {"MultipartWithoutABoundary", 400,
       [](const Session& s) {
         return Request("POST", "/report", s, "multipart/form-data", "--x\r\n\r\n--x--\r\n");
       }},
      {"NotMultipart", 400,
       [](const Session& s) { return Request("POST", "/report", s, "text/plain", "csrf=x"); }},
      {"TruncatedMultipart", 400,
       [](const Session& s) {
         std::string body = BuildMultipart(With(Good(s), File("a.txt", std::string(5000, 'a')))).body;
         body.resize(body.size() - 60);  // the closing delimiter and some content never come
         return Request("POST", "/report", s, BuildMultipart({}).content_type, body);
       }},
      {"GarbageInsteadOfMultipart", 400,
       [](const Session& s) {
         return Request("POST", "/report", s, BuildMultipart({}).content_type,
                        std::string(3000, '\xff'));
       }},
      {"PartWithoutContentDisposition", 400,
       [](const Session& s) {
         const std::string b = "----sealdropTestBoundary7MA4YWxk";
         return Request("POST", "/report", s, "multipart/form-data; boundary=" + b,
                        "--" + b + "\r\nX-Other: 1\r\n\r\nvalue\r\n--" + b + "--\r\n");
       }},
      {"TooManyParts", 400,
       [](const Session& s) {
         std::vector<FormPart> parts = Good(s);
         for (int i = 0; i < 300; ++i) parts.push_back(File("f" + std::to_string(i), "x"));
         return ReportPost(s, parts);
       }},
      // Sizes and HTTP itself.
      {"DeclaredBodyOverTheUploadLimit", 413,
       [](const Session& s) {
         // The text fields arrive, then a file that would take the body over the limit: the
         // form comes back (filled in) as soon as the file begins.
         const auto m = BuildMultipart(With(Good(s), File("big.bin", "first bytes")));
         std::string r = Request("POST", "/report", s, m.content_type, m.body);
         const std::string length = "Content-Length: " + std::to_string(m.body.size());
         return r.replace(r.find(length), length.size(),
                          "Content-Length: " + std::to_string(3u << 20));
       }},
      {"ChunkedBodyOverTheUploadLimit", 413,
       [](const Session& s) {
         std::string body = BuildMultipart(With(Good(s), File("big.bin", std::string(1200000, 'b')))).body;
         std::string r = "POST /report HTTP/1.1\r\nHost: x.onion\r\nConnection: close\r\nCookie: " +
                         s.cookie + "\r\nContent-Type: " + BuildMultipart({}).content_type +
                         "\r\nTransfer-Encoding: chunked\r\n\r\n";
         for (std::size_t i = 0; i < body.size(); i += 65536) {
           const std::string chunk = body.substr(i, 65536);
           char len[16];
           std::snprintf(len, sizeof len, "%zx\r\n", chunk.size());
           r += len + chunk + "\r\n";
         }
         return r + "0\r\n\r\n";
       }},
      {"HeadersOver8KiB", 431,
       [](const Session&) {
         return "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9000, 'h') + "\r\n\r\n";
       }},
      {"MethodPut", 405,
       [](const Session& s) { return Request("PUT", "/report", s, "text/plain", "x"); }},
      {"MethodDelete", 405,
       [](const Session& s) { return Request("DELETE", "/inbox", s, "", ""); }},
      {"MethodTrace", 405, [](const Session& s) { return Request("TRACE", "/", s, "", ""); }},
      {"PostToAnUnknownPath", 404,
       [](const Session& s) { return Request("POST", "/admin", s, "text/plain", "x"); }},
      {"PathTraversalInTheUrl", 404,
       [](const Session&) {
         return std::string("GET /static/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n");
       }},
      {"EncodedPathTraversalInTheUrl", 404,
       [](const Session&) {
         return std::string("GET /static/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n");
       }},
      {"BadContentLength", 400,
       [](const Session& s) {
         return "POST /report HTTP/1.1\r\nHost: x\r\nCookie: " + s.cookie +
                "\r\nContent-Length: abc\r\n\r\n";
       }},
      {"NotHttp", 400, [](const Session&) { return std::string("HELLO THERE\r\n\r\n"); }},
      {"NulByteInTheRequestLine", 400,
       [](const Session&) {
         static const char kLine[] = "GET /\0x HTTP/1.1\r\nHost: x\r\n\r\n";
         return std::string(kLine, sizeof kLine - 1);
       }},
      // Login, follow-up and log-out forms.
      {"LoginWithoutACsrfToken", 403,
       [](const Session& s) { return Login(s, "codename=a+b"); }},
      {"LoginWithAWrongCsrfToken", 403,
       [](const Session& s) { return Login(s, "csrf=" + std::string(43, 'B') + "&codename=x"); }},
      {"LoginWithoutASession", 403,
       [](const Session& s) { return Login({"", "", ""}, "csrf=" + s.login_csrf + "&codename=x"); }},
      {"LoginNotUrlEncoded", 400,
       [](const Session& s) { return Login(s, "csrf=" + s.login_csrf, "text/plain"); }},
      {"LoginWithABrokenPercentEscape", 400,
       [](const Session& s) { return Login(s, "csrf=" + s.login_csrf + "&codename=%zz"); }},
      {"LoginWithANulByte", 400,
       [](const Session& s) { return Login(s, "csrf=" + s.login_csrf + "&codename=a%00b"); }},
      {"LoginBodyTooLarge", 413,
       [](const Session& s) {
         return Login(s, "csrf=" + s.login_csrf + "&codename=" + std::string(10000, 'a'));
       }},
      {"LoginWithTheCodenameTwice", 403,
       [](const Session& s) {
         return Login(s, "csrf=" + s.login_csrf + "&codename=a&codename=b");
       }},
      {"FollowUpWithoutLoggingIn", 403,
       [](const Session& s) {
         const auto m = BuildMultipart({{"csrf", s.csrf}, {"message", "hi"}});
         return Request("POST", "/followup", s, m.content_type, m.body);
       }},
      {"LogoutWithoutACsrfToken", 403,
       [](const Session& s) {
         return Request("POST", "/logout", s, "application/x-www-form-urlencoded", "");
       }},
  };
  return cases;
}

long long Rows(const std::string& data_dir, const char* table) {
  return testing::QueryCount(data_dir + "/index.sqlite", std::string("SELECT COUNT(*) FROM ") + table);
}

class BadInputs : public ::testing::TestWithParam<std::size_t> {
 protected:
  static void SetUpTestSuite() {
    instance_ = new TestInstance();
    server_ = new ServerProcess(
        instance_->ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0", {"--max-upload-mb", "1"}));
  }
  static void TearDownTestSuite() {
    delete server_;
    delete instance_;
  }
  static TestInstance* instance_;
  static ServerProcess* server_;
};
TestInstance* BadInputs::instance_ = nullptr;
ServerProcess* BadInputs::server_ = nullptr;

TEST_P(BadInputs, GetsItsStatusAndStoresNothing) {
  const BadInput& c = Cases()[GetParam()];
  SourceClient client(server_->address());
  ASSERT_EQ(client.Get("/report").status, 200);
  SourceClient other(server_->address());
  ASSERT_EQ(other.Get("/report").status, 200);
  SourceClient login(server_->address());
  ASSERT_EQ(login.Get("/login").status, 200);
  const Session s{client.cookie() + "; " + login.cookie(), client.csrf(), other.csrf(),
                  other.cookie(), login.csrf()};

  const HttpReply r = client.Raw(c.request(s));
  EXPECT_EQ(r.status, c.expected_status) << c.name << "\n" << r.head << "\n" << r.body.substr(0, 400);
  if (c.expected_status != 0) {
    // A page, never a blank or a stack trace.
    EXPECT_NE(r.body.find("<h1>"), std::string::npos) << r.body;
    EXPECT_NE(r.head.find("Content-Security-Policy"), std::string::npos);
  }
  EXPECT_TRUE(testing::ListItemBlobs(instance_->data_dir()).empty()) << c.name;
  EXPECT_EQ(Rows(instance_->data_dir(), "items"), 0) << c.name;
  EXPECT_EQ(Rows(instance_->data_dir(), "sources"), 0) << c.name;
  // Still serving.
  EXPECT_EQ(SourceClient(server_->address()).Get("/").status, 200);
}

INSTANTIATE_TEST_SUITE_P(Named, BadInputs, ::testing::Range<std::size_t>(0, Cases().size()),
                         [](const ::testing::TestParamInfo<std::size_t>& param) {
                           return std::string(Cases()[param.param].name);
                         });

// Strict HTTP (tests/support/strict_http_cases.h): each case is refused with a 400 page and the
// connection closed, and the request smuggled behind it gets no answer.
class StrictHttp : public ::testing::TestWithParam<std::size_t> {
 protected:
  static void SetUpTestSuite() {
    instance_ = new TestInstance();
    server_ = new ServerProcess(instance_->ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0"));
  }
  static void TearDownTestSuite() {
    delete server_;
    delete instance_;
  }
  static TestInstance* instance_;
  static ServerProcess* server_;
};
TestInstance* StrictHttp::instance_ = nullptr;
ServerProcess* StrictHttp::server_ = nullptr;

TEST_P(StrictHttp, RefusedWith400AndClosedAndTheSmuggledRequestUnanswered) {
  const auto& c = testing::StrictHttpCases()[GetParam()];
  const std::string valid = "GET / HTTP/1.1\r\nHost: x.onion\r\n\r\n";
  // The same bytes without the case's change: the landing page, then the smuggled request's 404.
  const auto control = testing::SendAndReadToClose(server_->address(), valid + testing::kSmuggledRequest);
  ASSERT_EQ(control.answers, 2) << control.bytes.substr(0, 300);
  ASSERT_EQ(testing::ParseHttpReply(control.bytes).status, 200);

  const auto x = testing::SendAndReadToClose(server_->address(), c.make(valid) + testing::kSmuggledRequest);
  const HttpReply r = testing::ParseHttpReply(x.bytes);
  EXPECT_EQ(r.status, 400) << c.name << "\n" << r.head;
  EXPECT_NE(r.body.find("<h1>"), std::string::npos) << r.body;
  EXPECT_TRUE(x.closed) << "the server must close the connection";
  EXPECT_EQ(x.answers, 1) << "the smuggled request was answered:\n" << x.bytes;
  EXPECT_TRUE(testing::ListItemBlobs(instance_->data_dir()).empty());
  EXPECT_EQ(SourceClient(server_->address()).Get("/").status, 200);
}

INSTANTIATE_TEST_SUITE_P(Named, StrictHttp,
                         ::testing::Range<std::size_t>(0, testing::StrictHttpCases().size()),
                         [](const ::testing::TestParamInfo<std::size_t>& param) {
                           return std::string(testing::StrictHttpCases()[param.param].name);
                         });

TEST(BadInputCatalogue, HasAtLeastThirtyNamedCases) { EXPECT_GE(Cases().size(), 30u); }

}  // namespace
}  // namespace sealdrop
