// `sealdrop-server health` as an operator's monitoring runs it (issue 14): against the real
// server through its own socket, with the server's configuration file. Exit 0 and "health: ok"
// when all is well; 3 with the reason for a directory expiring within 30 days or a force that has
// stopped collecting; 1 when the server does not answer or its directory has expired. No ids.
#include <gtest/gtest.h>
#include <signal.h>

#include "common/clock.h"
#include "common/sqlite.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"
#include "tests/support/source_client.h"
#include "tests/support/test_instance.h"

namespace sealdrop {
namespace {

using testing::ProcessResult;
using testing::ServerProcess;
using testing::SourceClient;
using testing::TempDir;
using testing::TestInstance;

class Health : public ::testing::Test {
 protected:
  Health() {
    testing::WriteFileOrDie(config_, "listen = \"unix:" + (run_ / "source.sock") + "\"\n" +
                                         "source_proxy_protocol = true\n" +
                                         "data_dir = \"" + instance_.data_dir() + "\"\n" +
                                         "directory = \"" + instance_.directory_file() + "\"\n" +
                                         "root_public_key = \"" + instance_.root_public_file() +
                                         "\"\n");
  }
  std::unique_ptr<ServerProcess> Start() {
    return std::make_unique<ServerProcess>(
        std::vector<std::string>{SEALDROP_SERVER_BIN, "--config", config_});
  }
  ProcessResult Check() {
    return testing::RunProcess({SEALDROP_SERVER_BIN, "health", "--config", config_});
  }

  TestInstance instance_;
  TempDir run_;
  const std::string config_ = run_ / "server.toml";
};

TEST_F(Health, AHealthyServerIsOkWithItsDirectoryDaysAndNoIds) {
  auto server = Start();
  const ProcessResult r = Check();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("up: yes\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("directory: serial 1, expires " + AddDays(TodayUtc(), 365) + ", 365 days left"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("disk: "), std::string::npos);
  EXPECT_NE(r.out.find("health: ok\n"), std::string::npos);
}

TEST_F(Health, WarnsOfADirectoryNearItsEndAndOfAForceThatStoppedCollecting) {
  instance_.WriteDirectory(1, -300, 20);
  auto server = Start();
  SourceClient c("unix:" + (run_ / "source.sock"));
  c.set_prefix("PROXY TCP6 fc00:dead:beef:4dad::0:7 ::1 65535 80\r\n");
  ASSERT_EQ(c.Get("/report").status, 200);
  ASSERT_EQ(c.PostMultipart("/report", {{"csrf", c.csrf()}, {"force", "MET"}, {"what", "x"}}).status, 200);
  // The report has waited eight days (the index edited while the server is stopped).
  ASSERT_EQ(server->Stop(SIGTERM), 0);
  {
    auto db = sqlite::Database::Open(instance_.data_dir() + "/index.sqlite",
                                     sqlite::OpenMode::kReadWrite, "test edit");
    ASSERT_TRUE(db.ok());
    const std::string sql = "UPDATE items SET day = '" + AddDays(TodayUtc(), -8) + "'";
    ASSERT_TRUE(db->Exec(sql.c_str()).ok());
    ASSERT_TRUE(db->Close().ok());
  }
  server = Start();
  const ProcessResult r = Check();
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("waiting: MET 1, the oldest 8 day(s) old"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("health: warning: the force directory expires in 20 days; MET has not "
                       "collected for 8 days"),
            std::string::npos) << r.out;
}

TEST_F(Health, AServerThatDoesNotAnswerOrWhoseDirectoryExpiredIsCritical) {
  const ProcessResult down = Check();
  EXPECT_EQ(down.exit_code, 1) << down.out;
  EXPECT_NE(down.out.find("up: no\n"), std::string::npos);
  EXPECT_NE(down.out.find("health: critical: the source listener does not answer"), std::string::npos);
  instance_.WriteDirectory(1, -400, -1);
  auto server = Start();
  const ProcessResult expired = Check();
  EXPECT_EQ(expired.exit_code, 1) << expired.out;
  EXPECT_NE(expired.out.find("up: yes\n"), std::string::npos) << expired.out;
  EXPECT_NE(expired.out.find("-1 days left"), std::string::npos) << expired.out;
  EXPECT_NE(expired.out.find("critical: the force directory has expired"), std::string::npos);
}

}  // namespace
}  // namespace sealdrop
