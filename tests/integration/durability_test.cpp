// Crash durability with real processes. The server is killed with SIGKILL at random moments
// while a reporter submits reports (with a file, so that kills land while streaming, deriving,
// padding, syncing and committing); after every kill it restarts on the same data directory.
// At the end: every report whose submission got the codename page opens on the console; no
// temporary file, blob without a row or row without a blob survives; every report row has its
// source row (they commit together). Then sealdrop-transfer pull and sealdrop-console import are
// killed the same way: a repeated pull or import still ends with each report exactly once.
//
// SEALDROP_CRASH_KILLS sets the number of server kills (default 100; bench/soak uses 1,000).
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <random>
#include <set>
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

int Kills() {
  const char* v = std::getenv("SEALDROP_CRASH_KILLS");
  return v && *v ? std::atoi(v) : 100;
}

// Starts argv, waits `delay`, SIGKILLs it if still running; true if it was killed.
bool RunAndKill(const std::vector<std::string>& argv, std::chrono::milliseconds delay) {
  const int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  const pid_t pid = testing::SpawnInNewSession(argv, null_fd, null_fd, null_fd);
  ::close(null_fd);
  std::this_thread::sleep_for(delay);
  const bool killed = ::kill(pid, SIGKILL) == 0;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return killed && WIFSIGNALED(status);
}

class Durability : public ::testing::Test {
 protected:
  std::vector<std::string> Transfer(const std::string& out) {
    return {SEALDROP_TRANSFER_BIN, "pull", "--server", "http://" + api_address_, "--force", "MET",
            "--key", instance_.TransferKeyFile("MET"), "--passphrase-file",
            instance_.passphrase_file(), "--state", dir_ / "state", "--out", out};
  }
  std::vector<std::string> Import(const std::string& bundle) {
    return {SEALDROP_CONSOLE_BIN, "import", "--data", dir_ / "console", "--key",
            instance_.SecretKeyFile("MET"), "--passphrase-file", instance_.passphrase_file(), bundle};
  }
  long long Index(const std::string& sql) {
    return testing::QueryCount(instance_.data_dir() + "/index.sqlite", sql);
  }

  TestInstance instance_;
  TempDir dir_;
  std::string api_address_;
};

TEST_F(Durability, EveryAcknowledgedReportSurvivesKill9AndNothingPartialRemains) {
  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> delay_ms(0, 400);
  std::set<std::string> acknowledged;
  const std::string attachment(200 * 1024, 'A');
  const int kills = Kills();
  for (int k = 0; k < kills; ++k) {
    ServerProcess server(instance_.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0"));
    std::atomic<bool> stop{false};
    std::mutex mu;
    std::thread reporter([&, k] {
      SourceClient c(server.address());
      for (int n = 0; !stop; ++n) {
        if (c.Get("/report").status != 200) return;
        const std::string marker = "crash-" + std::to_string(k) + "-" + std::to_string(n) + "-end";
        const auto r = c.PostMultipart("/report", {{"csrf", c.csrf()}, {"force", "MET"}, {"what", marker},
                                                   {"file", attachment, true, "f.bin"}});
        if (r.status == 0) return;  // killed mid-request: no answer, no promise
        if (r.status == 200 && !testing::ElementText(r.body, "codename").empty()) {
          std::lock_guard lock(mu);
          acknowledged.insert(marker);
        }
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    server.Stop(SIGKILL);
    stop = true;
    reporter.join();
  }
  ASSERT_GT(acknowledged.size(), 0u) << "no submission finished between kills (seed " << seed << ")";

  // The restart recovers; then nothing partial or orphaned may be left.
  ServerProcess server(instance_.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0",
                                            {"--force-listen", "127.0.0.1:0"}));
  api_address_ = server.force_api_address();
  std::set<std::string> blobs;
  for (const auto& name : testing::ListDir(instance_.data_dir() + "/blobs")) blobs.insert(name);
  for (const auto& name : testing::ListDir(instance_.data_dir())) {
    EXPECT_TRUE(name == "blobs" || name == "instance.salt" || name.rfind("index.sqlite", 0) == 0)
        << "left behind: " << name;
  }
  EXPECT_EQ(static_cast<long long>(blobs.size()), Index("SELECT COUNT(*) FROM items"));
  EXPECT_EQ(Index("SELECT COUNT(*) FROM items WHERE kind = 'report'"), Index("SELECT COUNT(*) FROM sources"));
  EXPECT_GE(static_cast<long long>(blobs.size()), static_cast<long long>(acknowledged.size()));

  // Pull, killed at random moments, then pulled to the end: every item once, none lost.
  // Unlocking the transfer or decryption key (Argon2id) takes about half a second: the kills
  // are spread over the unlock, the downloads or copies, the commit and the acknowledgements.
  std::uniform_int_distribution<int> tool_delay(100, 900);
  int tool_kills = 0;
  ASSERT_EQ(RunProcess({SEALDROP_CONSOLE_BIN, "init", "--data", dir_ / "console"}).exit_code, 0);
  int bundles = 0;
  for (int i = 0; i < 10; ++i) {
    const std::string out = dir_ / ("pull-" + std::to_string(bundles) + ".bundle");
    tool_kills += RunAndKill(Transfer(out), std::chrono::milliseconds(tool_delay(rng)));
    if (std::filesystem::exists(out)) ++bundles;  // committed before the kill: keep it
  }
  const std::string last = dir_ / ("pull-" + std::to_string(bundles++) + ".bundle");
  const ProcessResult pulled = RunProcess(Transfer(last));
  ASSERT_EQ(pulled.exit_code, 0) << pulled.err;
  EXPECT_EQ(Index("SELECT COUNT(*) FROM items"), 0) << "everything pulled is acknowledged";

  // Import each bundle, killing the first attempts at random moments; then import to the end.
  for (int b = 0; b < bundles; ++b) {
    const std::string bundle = dir_ / ("pull-" + std::to_string(b) + ".bundle");
    if (!std::filesystem::exists(bundle)) continue;  // the final pull had nothing left
    for (int i = 0; i < 3; ++i) tool_kills += RunAndKill(Import(bundle), std::chrono::milliseconds(tool_delay(rng)));
    const ProcessResult p = RunProcess(Import(bundle));
    ASSERT_EQ(p.exit_code, 0) << p.err;
  }
  const ProcessResult list = RunProcess({SEALDROP_CONSOLE_BIN, "list", "--data", dir_ / "console", "--key",
                                         instance_.SecretKeyFile("MET"), "--passphrase-file",
                                         instance_.passphrase_file()});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  for (const auto& marker : acknowledged) {
    EXPECT_NE(list.out.find(marker), std::string::npos) << marker << " was acknowledged but is lost (seed " << seed << ")";
  }
  EXPECT_EQ(testing::QueryCount(dir_ / "console/console.sqlite", "SELECT COUNT(*) FROM cases"),
            static_cast<long long>(blobs.size()))
      << "each report exactly once";
  const ProcessResult audit = RunProcess({SEALDROP_CONSOLE_BIN, "audit", "verify", "--data", dir_ / "console"});
  EXPECT_EQ(audit.exit_code, 0) << audit.err;
  std::printf("durability: %d server kills, %zu acknowledged reports, %zu stored, %d bundles, "
              "%d pull/import kills (seed %u)\n",
              kills, acknowledged.size(), blobs.size(), bundles, tool_kills, seed);
}

}  // namespace
}  // namespace sealdrop
