// The source interface under load and behind Tor, against a real server: a login flood gets
// busy pages while pages are still served; start-up from a TOML file; Tor's PROXY header is
// required when configured, and codename guesses and reports are limited per circuit.
#include <gtest/gtest.h>

#include <cstdio>
#include <thread>

#include "tests/support/process.h"
#include "tests/support/server_process.h"
#include "tests/support/source_client.h"
#include "tests/support/sqlite_count.h"
#include "tests/support/test_instance.h"

namespace sealdrop {
namespace {

using testing::ProcessResult;
using testing::RunProcess;
using testing::ServerProcess;
using testing::SourceClient;
using testing::TempDir;
using testing::TestInstance;

long long CountRows(const std::string& data_dir, const std::string& table) {
  return testing::QueryCount(data_dir + "/index.sqlite", "SELECT COUNT(*) FROM " + table);
}

TEST(SourceLoad, ALoginFloodGetsBusyPagesWhileTheLandingPageIsStillServed) {
  TestInstance instance;
  ServerProcess server(instance.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0",
                                           {"--kdf-workers", "1", "--kdf-queue", "1"}));
  constexpr int kLogins = 8;
  std::vector<std::unique_ptr<SourceClient>> clients;
  for (int i = 0; i < kLogins; ++i) {
    clients.push_back(std::make_unique<SourceClient>(server.address()));
    ASSERT_EQ(clients.back()->Get("/login").status, 200);
  }
  std::vector<int> statuses(kLogins, 0);
  std::vector<std::string> bodies(kLogins);
  std::vector<std::thread> flood;
  for (int i = 0; i < kLogins; ++i) {
    flood.emplace_back([&, i] {
      // Well-formed, so each one asks for an Argon2id derivation.
      const auto reply =
          clients[static_cast<std::size_t>(i)]
              ->PostForm("/login", {{"csrf", clients[static_cast<std::size_t>(i)]->csrf()},
                                    {"codename", "abacus abdomen abdominal abide abiding ability ablaze"}});
      statuses[static_cast<std::size_t>(i)] = reply.status;
      bodies[static_cast<std::size_t>(i)] = reply.body;
    });
  }
  // Pages do not wait for derivations: they are served while the flood is queued or refused.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(SourceClient(server.address()).Get("/").status, 200);
  for (auto& t : flood) t.join();
  int busy = 0;
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    const int s = statuses[i];
    EXPECT_TRUE(s == 403 || s == 503) << s;
    busy += s == 503;
    if (s == 503) {
      // The login form again, ready to send: the session's token, the codename to type again.
      EXPECT_NE(bodies[i].find("very busy"), std::string::npos) << bodies[i];
      EXPECT_NE(bodies[i].find("name=\"codename\""), std::string::npos);
      EXPECT_NE(bodies[i].find(clients[i]->csrf()), std::string::npos);
      EXPECT_EQ(bodies[i].find("abacus abdomen"), std::string::npos) << "never written back";
    }
  }
  EXPECT_GE(busy, 1) << "with one worker and a queue of one, some logins must be refused";
  EXPECT_LE(busy, kLogins - 1) << "the first login must be served";
}

TEST(SourceConfig, StartsFromATomlFileWithFlagsOverridingIt) {
  TestInstance instance;
  TempDir dir;
  testing::WriteFileOrDie(dir / "server.toml",
                          "listen = \"127.0.0.1:1\"\n"
                          "data_dir = \"" + instance.data_dir() + "\"\n"
                          "directory = \"" + instance.directory_file() + "\"\n"
                          "root_public_key = \"" + instance.root_public_file() + "\"\n"
                          "max_upload_mb = 1\n");
  // --listen overrides the file's (unusable) port 1.
  ServerProcess server({SEALDROP_SERVER_BIN, "--config", dir / "server.toml", "--listen",
                        "127.0.0.1:0"});
  SourceClient c(server.address());
  ASSERT_EQ(c.Get("/report").status, 200);
  EXPECT_NE(c.Get("/report").body.find("1 MB"), std::string::npos) << "the file's upload limit";
  testing::WriteFileOrDie(dir / "bad.toml", "max_upload_mb = \"lots\"\n");
  const ProcessResult r = RunProcess({SEALDROP_SERVER_BIN, "--config", dir / "bad.toml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("max_upload_mb"), std::string::npos) << r.err;
}

std::string TorProxyLine(std::uint32_t circuit) {
  char line[128];
  std::snprintf(line, sizeof line, "PROXY TCP6 fc00:dead:beef:4dad::%x:%x ::1 65535 80\r\n",
                circuit >> 16, circuit & 0xffff);
  return line;
}

TEST(SourceBehindTor, ConnectionsWithoutTorsProxyHeaderAreClosedUnanswered) {
  TestInstance instance;
  ServerProcess server(instance.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0", {"--source-proxy-protocol"}));
  SourceClient plain(server.address());
  EXPECT_EQ(plain.Get("/").status, 0) << "no PROXY header: closed without an answer";
  SourceClient forged(server.address());
  forged.set_prefix("PROXY TCP4 192.0.2.1 192.0.2.2 1234 80\r\n");
  EXPECT_EQ(forged.Get("/").status, 0);
  SourceClient tor(server.address());
  tor.set_prefix(TorProxyLine(7));
  EXPECT_EQ(tor.Get("/").status, 200);
  EXPECT_EQ(tor.Get("/report").status, 200);
}

TEST(SourceBehindTor, CodenameGuessesAndReportsAreLimitedPerCircuit) {
  TestInstance instance;
  ServerProcess server(instance.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0", {"--source-proxy-protocol"}));
  // Ten guesses from circuit 1, each in a fresh session (so the per-session limit never bites).
  for (int i = 0; i < 10; ++i) {
    SourceClient c(server.address());
    c.set_prefix(TorProxyLine(1));
    ASSERT_EQ(c.Get("/login").status, 200);
    EXPECT_EQ(c.PostForm("/login", {{"csrf", c.csrf()}, {"codename", "wrong"}}).status, 403) << i;
  }
  SourceClient eleventh(server.address());
  eleventh.set_prefix(TorProxyLine(1));
  ASSERT_EQ(eleventh.Get("/login").status, 200);
  EXPECT_EQ(eleventh.PostForm("/login", {{"csrf", eleventh.csrf()}, {"codename", "wrong"}}).status, 429);
  SourceClient other(server.address());
  other.set_prefix(TorProxyLine(2));
  ASSERT_EQ(other.Get("/login").status, 200);
  EXPECT_EQ(other.PostForm("/login", {{"csrf", other.csrf()}, {"codename", "wrong"}}).status, 403)
      << "another circuit is not affected";
  // Five reports from one circuit, then it waits.
  for (int i = 0; i < 5; ++i) {
    SourceClient c(server.address());
    c.set_prefix(TorProxyLine(3));
    ASSERT_EQ(c.Get("/report").status, 200);
    EXPECT_EQ(c.PostMultipart("/report", {{"csrf", c.csrf()}, {"force", "MET"}, {"what", "x"}}).status, 200);
  }
  SourceClient sixth(server.address());
  sixth.set_prefix(TorProxyLine(3));
  ASSERT_EQ(sixth.Get("/report").status, 200);
  EXPECT_EQ(sixth.PostMultipart("/report", {{"csrf", sixth.csrf()}, {"force", "MET"}, {"what", "x"}}).status, 429);
  EXPECT_EQ(CountRows(instance.data_dir(), "items"), 5);
}

TEST(SourceBehindTor, NewSessionsAreLimitedPerCircuitAndAReportNeedsNone) {
  TestInstance instance;
  ServerProcess server(instance.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0", {"--source-proxy-protocol"}));
  // A reporter on circuit 5 opens the report form: a signed form token, no server session.
  SourceClient writer(server.address());
  writer.set_prefix(TorProxyLine(5));
  ASSERT_EQ(writer.Get("/report").status, 200);
  EXPECT_EQ(writer.cookie().find("sd_session"), std::string::npos);
  // Circuit 5 then opens login sessions without cookies: twenty are allowed, the next is refused.
  for (int i = 0; i < 20; ++i) {
    SourceClient c(server.address());
    c.set_prefix(TorProxyLine(5));
    EXPECT_EQ(c.Get("/login").status, 200) << i;
  }
  SourceClient flood(server.address());
  flood.set_prefix(TorProxyLine(5));
  const auto refused = flood.Get("/login");
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.body.find("csrf"), std::string::npos) << "no form, no session";
  EXPECT_EQ(flood.Get("/").status, 200) << "pages without a session are still served";
  // The report form is never refused for sessions: it opens none. Another circuit is free.
  EXPECT_EQ(flood.Get("/report").status, 200);
  SourceClient other(server.address());
  other.set_prefix(TorProxyLine(6));
  EXPECT_EQ(other.Get("/login").status, 200);
  // The writer's form goes through whatever happened to sessions meanwhile.
  EXPECT_EQ(writer.PostMultipart("/report", {{"csrf", writer.csrf()}, {"force", "MET"}, {"what", "x"}}).status, 200);
  EXPECT_EQ(CountRows(instance.data_dir(), "items"), 1);
}

}  // namespace
}  // namespace sealdrop
