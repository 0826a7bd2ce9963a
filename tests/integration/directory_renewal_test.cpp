// The force directory over the years (issue 14): a server whose directory has expired keeps
// serving pages but refuses reports with a clear page that keeps what was typed, instead of
// refusing to start; a renewed directory is taken on SIGHUP without a restart; an older serial
// or a damaged file is refused and the current directory stays; the journal hears about expiry
// from 30 days before.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "tests/support/process.h"
#include "tests/support/server_process.h"
#include "tests/support/source_client.h"
#include "tests/support/test_instance.h"

namespace sealdrop {
namespace {

using testing::HttpReply;
using testing::ServerProcess;
using testing::SourceClient;
using testing::TestInstance;

HttpReply SendReport(const std::string& address, const std::string& what) {
  SourceClient c(address);
  c.Get("/report");
  return c.PostMultipart("/report", {{"csrf", c.csrf()}, {"force", "MET"}, {"what", what}});
}

// Sends SIGHUP and waits until the report form's state is `accepting` (up to 10 s).
bool HangUpUntil(ServerProcess& server, bool accepting) {
  ::kill(server.pid(), SIGHUP);
  for (int i = 0; i < 100; ++i) {
    const HttpReply form = SourceClient(server.address()).Get("/report");
    if ((form.status == 200) == accepting) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TEST(DirectoryRenewal, AnExpiredDirectoryServesPagesRefusesReportsAndARenewalIsTakenOnSighup) {
  TestInstance instance;
  instance.WriteDirectory(1, -400, -2);  // expired two days ago
  ServerProcess server(instance.ServerArgv(SEALDROP_SERVER_BIN));
  EXPECT_EQ(SourceClient(server.address()).Get("/").status, 200);
  const HttpReply form = SourceClient(server.address()).Get("/report");
  EXPECT_EQ(form.status, 503);
  EXPECT_NE(form.body.find("needs renewing"), std::string::npos) << form.body;
  const HttpReply refused = SendReport(server.address(), "typed before the renewal");
  EXPECT_EQ(refused.status, 503);
  EXPECT_NE(refused.body.find("needs renewing"), std::string::npos);
  EXPECT_NE(refused.body.find("typed before the renewal</textarea>"), std::string::npos)
      << "the reporter's words were not given back";
  EXPECT_TRUE(testing::ListItemBlobs(instance.data_dir()).empty());

  instance.WriteDirectory(2, -1, 365);
  ASSERT_TRUE(HangUpUntil(server, true)) << "the renewed directory was not taken";
  const HttpReply sent = SendReport(server.address(), "after the renewal");
  EXPECT_EQ(sent.status, 200) << sent.body;
  EXPECT_EQ(testing::ListItemBlobs(instance.data_dir()).size(), 1u);

  ASSERT_EQ(server.Stop(SIGTERM), 0);
  const std::string log = server.Stderr();
  EXPECT_NE(log.find("the force directory has expired"), std::string::npos) << log;
  EXPECT_NE(log.find("a renewed force directory is now in use"), std::string::npos) << log;
}

TEST(DirectoryRenewal, AnOlderSerialOrADamagedFileIsRefusedAndTheCurrentOneStays) {
  TestInstance instance;
  instance.WriteDirectory(5, -1, 365);
  ServerProcess server(instance.ServerArgv(SEALDROP_SERVER_BIN));
  // A rollback to an older directory (one whose revoked keys were still listed, say).
  instance.WriteDirectory(4, -1, 365);
  ::kill(server.pid(), SIGHUP);
  // A file damaged in transit.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  testing::WriteFileOrDie(instance.directory_file(), "not a directory\n");
  ::kill(server.pid(), SIGHUP);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(SendReport(server.address(), "still accepted").status, 200);
  ASSERT_EQ(server.Stop(SIGTERM), 0);
  const std::string log = server.Stderr();
  EXPECT_NE(log.find("refused (an older serial than the current one"), std::string::npos) << log;
  EXPECT_NE(log.find("refused (not a signed force directory, or damaged)"), std::string::npos)
      << log;
}

TEST(DirectoryRenewal, TheJournalIsWarnedFromThirtyDaysBeforeExpiry) {
  TestInstance instance;
  instance.WriteDirectory(1, -300, 20);
  ServerProcess server(instance.ServerArgv(SEALDROP_SERVER_BIN));
  EXPECT_EQ(SendReport(server.address(), "still in force").status, 200);
  ASSERT_EQ(server.Stop(SIGTERM), 0);
  EXPECT_NE(server.Stderr().find("the force directory expires within 30 days"), std::string::npos);
}

}  // namespace
}  // namespace sealdrop
