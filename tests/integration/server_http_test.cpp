// sealdrop-server over real sockets: a real process on a loopback port or a unix socket.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <poll.h>

#include <filesystem>

#include "tests/support/process.h"
#include "tests/support/server_process.h"
#include "tests/support/test_instance.h"

namespace sealdrop {
namespace {

using testing::HttpExchange;
using testing::ServerProcess;
using testing::TempDir;

const char* kCsp =
    "Content-Security-Policy: default-src 'none'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'\r\n";

std::string Get(const std::string& addr, const std::string& target,
                const std::string& method = "GET") {
  return HttpExchange(addr, method + " " + target +
                                " HTTP/1.1\r\nHost: x.onion\r\nConnection: close\r\n\r\n");
}

std::string StatusLine(const std::string& response) {
  return response.substr(0, response.find("\r\n"));
}

void ExpectSecurityHeaders(const std::string& response) {
  const std::string head = response.substr(0, response.find("\r\n\r\n") + 2);
  EXPECT_NE(head.find(kCsp), std::string::npos) << head;
  for (const char* h : {"Referrer-Policy: no-referrer\r\n", "X-Content-Type-Options: nosniff\r\n",
                        "Cache-Control: no-store\r\n", "Permissions-Policy: ",
                        "Cross-Origin-Opener-Policy: same-origin\r\n",
                        "Cross-Origin-Resource-Policy: same-origin\r\n"}) {
    EXPECT_NE(head.find(h), std::string::npos) << h << " missing in\n" << head;
  }
  EXPECT_EQ(head.find("Server:"), std::string::npos) << head;
}

class ServerHttp : public ::testing::Test {
 protected:
  ServerHttp()
      : server_(instance_.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0", {"--header-timeout", "1"})) {}
  testing::TestInstance instance_;
  ServerProcess server_;
};

TEST_F(ServerHttp, ServesTheLandingPageWithoutScriptsOrExternalResources) {
  const std::string r = Get(server_.address(), "/");
  EXPECT_EQ(StatusLine(r), "HTTP/1.1 200 OK");
  ExpectSecurityHeaders(r);
  EXPECT_NE(r.find("Content-Type: text/html; charset=utf-8"), std::string::npos);
  for (const char* must : {"999", "any UK police force", "Tor Browser", "Safest", "codename",
                           "complaints procedure", "on or off duty", "racist",
                           "money or favours", "sexual purpose", "partner",
                           "personal advantage"}) {
    EXPECT_NE(r.find(must), std::string::npos) << must;
  }
  // One link leaves the site, and nothing is loaded from elsewhere: the quick exit, a plain
  // link to a neutral site (docs/server.md "The service's face").
  std::string page = r;
  const std::string exit = "href=\"https://www.bbc.co.uk/weather\"";
  const std::size_t at = page.find(exit);
  ASSERT_NE(at, std::string::npos);
  page.erase(at, exit.size());
  for (const char* banned : {"<script", "http://", "https://", "<iframe", "@import", "font"}) {
    EXPECT_EQ(page.find(banned), std::string::npos) << banned;
  }
  EXPECT_NE(r.find("href=\"/static/style.css\""), std::string::npos);
}

TEST_F(ServerHttp, EveryResponseCarriesTheSecurityHeaders) {
  for (const auto& [target, method, status] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"/", "GET", "200"}, {"/static/style.css", "GET", "200"},
           {"/robots.txt", "GET", "200"}, {"/nope", "GET", "404"}, {"/", "DELETE", "405"},
           {"/", "HEAD", "200"}}) {
    const std::string r = Get(server_.address(), target, method);
    EXPECT_EQ(StatusLine(r).substr(9, 3), status) << method << " " << target;
    ExpectSecurityHeaders(r);
  }
}

TEST_F(ServerHttp, RobotsAreToldToStayAway) {
  const std::string r = Get(server_.address(), "/robots.txt");
  EXPECT_NE(r.find("\r\n\r\nUser-agent: *\nDisallow: /\n"), std::string::npos) << r;
}

TEST_F(ServerHttp, OnlyGetHeadAndPostAreAllowed) {
  for (const char* m : {"PUT", "DELETE", "OPTIONS", "TRACE", "PATCH", "CONNECT"}) {
    const std::string r = Get(server_.address(), "/", m);
    EXPECT_EQ(StatusLine(r), "HTTP/1.1 405 Method Not Allowed") << m;
    EXPECT_NE(r.find("Allow: GET, HEAD, POST\r\n"), std::string::npos) << m;
    EXPECT_NE(r.find("<h1>Not allowed</h1>"), std::string::npos) << m;
  }
}

TEST_F(ServerHttp, HeadSendsHeadersOnly) {
  const std::string get = Get(server_.address(), "/");
  const std::string head = Get(server_.address(), "/", "HEAD");
  const auto length_at = get.find("Content-Length: ");
  ASSERT_NE(length_at, std::string::npos);
  const std::string length_line = get.substr(length_at, get.find("\r\n", length_at) - length_at);
  EXPECT_NE(head.find(length_line), std::string::npos);
  EXPECT_EQ(head.substr(head.find("\r\n\r\n") + 4), "");
}

TEST_F(ServerHttp, OversizedHeadersGet431AndGarbageGets400) {
  const std::string big = "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(9000, 'a') +
                          "\r\n\r\n";
  const std::string r = HttpExchange(server_.address(), big);
  EXPECT_EQ(StatusLine(r), "HTTP/1.1 431 Request Header Fields Too Large");
  ExpectSecurityHeaders(r);
  const std::string bad = HttpExchange(server_.address(), "HELLO THERE\r\n\r\n");
  EXPECT_EQ(StatusLine(bad), "HTTP/1.1 400 Bad Request");
  EXPECT_NE(bad.find("Nothing was kept"), std::string::npos);
  ExpectSecurityHeaders(bad);
}

TEST_F(ServerHttp, KeepsConnectionsAliveForSeveralRequests) {
  const std::string two =
      "GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /robots.txt HTTP/1.1\r\nHost: x\r\n"
      "Connection: close\r\n\r\n";
  const std::string r = HttpExchange(server_.address(), two);
  std::size_t count = 0;
  for (auto at = r.find("HTTP/1.1 200 OK"); at != std::string::npos;
       at = r.find("HTTP/1.1 200 OK", at + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 2u);
}

TEST_F(ServerHttp, AnswersAndClosesAKeptAliveClientThatHalfClosed) {
  // A client sends one keep-alive request and shuts its side: the server answers, sees the end
  // of the stream and closes at once, rather than holding the slot for the 30 s idle timeout
  // (the HTTP fuzz harness found the strict head scan waiting for a second end of stream).
  const int fd = testing::ConnectTo(server_.address());
  ASSERT_GE(fd, 0);
  const std::string req = "GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
  ASSERT_EQ(shutdown(fd, SHUT_WR), 0);
  std::string got;
  bool closed = false;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 10000) != 1) break;  // well under the idle timeout
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      closed = true;
      break;
    }
    got.append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  EXPECT_EQ(got.rfind("HTTP/1.1 200 OK", 0), 0u) << got;
  EXPECT_TRUE(closed) << "the server kept a half-closed connection open";
}

TEST_F(ServerHttp, ClosesASlowHeaderAtTheDeadline) {
  // Slowloris: half a request line, then nothing. The 1 s header deadline closes the connection
  // (we wait up to 15 s: the assertion is that it closes, not how fast).
  const int fd = testing::ConnectTo(server_.address());
  ASSERT_GE(fd, 0);
  ASSERT_GT(send(fd, "GET / HTTP/1.1\r\nHost:", 21, MSG_NOSIGNAL), 0);
  pollfd p{fd, POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 15000), 1);
  char buf[256];
  EXPECT_LE(recv(fd, buf, sizeof buf, 0), 0);  // closed, no response
  close(fd);
  // Meanwhile the server still serves others.
  EXPECT_EQ(StatusLine(Get(server_.address(), "/")), "HTTP/1.1 200 OK");
}

TEST_F(ServerHttp, DrainsAndExitsCleanlyOnSigterm) {
  EXPECT_EQ(StatusLine(Get(server_.address(), "/robots.txt")), "HTTP/1.1 200 OK");
  EXPECT_EQ(server_.Stop(SIGTERM), 0);
  const std::string log = server_.Stderr();
  EXPECT_NE(log.find("stopped"), std::string::npos) << log;
  // The log says nothing about requests: no paths, no addresses.
  EXPECT_EQ(log.find("robots"), std::string::npos) << log;
  EXPECT_EQ(log.find("127.0.0.1"), std::string::npos) << log;
}

TEST(ServerUnixSocket, ServesOverAUnixSocket) {
  TempDir dir;
  testing::TestInstance instance;
  const std::string sock = dir / "source.sock";
  ServerProcess server(instance.ServerArgv(SEALDROP_SERVER_BIN, "unix:" + sock));
  EXPECT_EQ(server.address(), "unix:" + sock);
  EXPECT_EQ(StatusLine(Get(server.address(), "/")), "HTTP/1.1 200 OK");
  EXPECT_EQ(server.Stop(SIGTERM), 0);
  EXPECT_FALSE(std::filesystem::exists(sock));
}

TEST(ServerStartup, RefusesABadListenAddress) {
  testing::TestInstance instance;
  const auto r = testing::RunProcess(instance.ServerArgv(SEALDROP_SERVER_BIN, "nonsense"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("listen address"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace sealdrop
