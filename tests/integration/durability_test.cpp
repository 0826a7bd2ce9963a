// Crash durability with real processes. The server is killed with SIGKILL at random moments
// while a reporter submits reports (with a file, so that kills land while streaming, deriving,
// padding, syncing and committing); after every kill it restarts on the same data directory.
// At the end: every report whose submission got the codename page opens on the console; no
// temporary file, blob without a row or row without a blob survives; every report row has its
// source row (they commit together). Then the force's round trip runs with kills: pull and
// import are killed at least 10 times each, at moments inside a whole run's measured span
// (downloads, bundle writing and commit; the import's copies and commits), then outbox, and push
// (which delivers the import receipt) is killed 5 times: a pull deletes nothing, a repeated
// import still ends with each report exactly once, and the server is empty only after the last
// push has delivered the receipt.
//
// SEALDROP_CRASH_KILLS sets the number of server kills (default 100; bench/soak uses 1,000).
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "tests/support/console_officer.h"
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

// Runs argv to its end; its wall time, or 0 ms if it failed.
std::chrono::milliseconds Timed(const std::vector<std::string>& argv) {
  const auto start = std::chrono::steady_clock::now();
  const ProcessResult r = RunProcess(argv);
  if (r.exit_code != 0) return std::chrono::milliseconds(0);
  return std::max(std::chrono::milliseconds(1),
                  std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start));
}

class Durability : public ::testing::Test {
 protected:
  // `verb` "pull" writes `file`, "push" reads it.
  std::vector<std::string> Transfer(const std::string& verb, const std::string& file) {
    return {SEALDROP_TRANSFER_BIN, verb, "--server", "http://" + api_address_, "--force", "MET",
            "--key", instance_.TransferKeyFile("MET"), "--passphrase-file",
            instance_.passphrase_file(), verb == "pull" ? "--out" : "--in", file};
  }
  std::vector<std::string> Import(const std::string& bundle, const std::string& console_dir = "") {
    return ConsoleCommand({"import", "--data", console_dir.empty() ? dir_ / "console" : console_dir, bundle});
  }
  std::vector<std::string> Outbox(const std::string& out, const std::string& console_dir = "") {
    return ConsoleCommand({"outbox", "--data", console_dir.empty() ? dir_ / "console" : console_dir,
                           "--out", out});
  }
  // A console command (`init` included) as the test officer.
  std::vector<std::string> ConsoleCommand(std::vector<std::string> args) {
    args = testing::AsOfficer(std::move(args), instance_.passphrase_file(), instance_.SecretKeyFile("MET"));
    args.insert(args.begin(), SEALDROP_CONSOLE_BIN);
    return args;
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
  for (const auto& name : testing::ListItemBlobs(instance_.data_dir())) blobs.insert(name);
  for (const auto& name : testing::ListDir(instance_.data_dir())) {
    EXPECT_TRUE(name == "blobs" || name == "instance.salt" || name == "form-token.key" ||
                name.rfind("index.sqlite", 0) == 0)
        << "left behind: " << name;
  }
  EXPECT_EQ(static_cast<long long>(blobs.size()), Index("SELECT COUNT(*) FROM items"));
  EXPECT_EQ(Index("SELECT COUNT(*) FROM items WHERE kind = 'report'"), Index("SELECT COUNT(*) FROM sources"));
  EXPECT_GE(static_cast<long long>(blobs.size()), static_cast<long long>(acknowledged.size()));

  // Calibration: how long a whole pull, import and push take here (an ASan build is slower),
  // measured on a copy of the data so that the real items stay for the killed runs. Each killed
  // run is then stopped at a random point inside that span (the first part is mostly the Argon2id
  // unlock of the key), so that the kills land on the downloads, the bundle writing, its commit,
  // the import's copies and commits, and the receipt's delivery and deletions.
  server.Stop(SIGTERM);
  const std::string copy = dir_ / "calibration-data";
  std::filesystem::copy(instance_.data_dir(), copy, std::filesystem::copy_options::recursive);
  ASSERT_EQ(RunProcess(ConsoleCommand({"init", "--data", dir_ / "console"})).exit_code, 0);
  ASSERT_EQ(RunProcess(ConsoleCommand({"init", "--data", dir_ / "calibration-console"})).exit_code, 0);
  std::chrono::milliseconds pull_time{0}, import_time{0}, push_time{0};
  {
    std::vector<std::string> argv = instance_.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0",
                                                         {"--force-listen", "127.0.0.1:0"});
    *(std::find(argv.begin(), argv.end(), "--data") + 1) = copy;
    ServerProcess calibration(argv);
    api_address_ = calibration.force_api_address();
    pull_time = Timed(Transfer("pull", dir_ / "calibration.bundle"));
    import_time = Timed(Import(dir_ / "calibration.bundle", dir_ / "calibration-console"));
    ASSERT_GT(Timed(Outbox(dir_ / "calibration-out.bundle", dir_ / "calibration-console")).count(), 0);
    push_time = Timed(Transfer("push", dir_ / "calibration-out.bundle"));
  }
  ASSERT_GT(pull_time.count(), 0) << "the calibration pull failed";
  ASSERT_GT(import_time.count(), 0) << "the calibration import failed";
  ASSERT_GT(push_time.count(), 0) << "the calibration push failed";
  ServerProcess restarted(instance_.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0",
                                               {"--force-listen", "127.0.0.1:0"}));
  api_address_ = restarted.force_api_address();
  // A kill lands between 20% and 80% of a whole run; a run that ends first shortens the next
  // delays (the machine got faster than the calibration).
  auto inside = [&](std::chrono::milliseconds span) {
    return std::chrono::milliseconds(std::uniform_int_distribution<long long>(
        span.count() * 2 / 10, span.count() * 8 / 10)(rng));
  };
  long long expected_cases = static_cast<long long>(blobs.size());
  // More reports for the pulls to work on (when a pull ended before any kill had landed).
  auto refill = [&](int count) {
    SourceClient c(restarted.address());
    for (int n = 0; n < count; ++n) {
      ASSERT_EQ(c.Get("/report").status, 200);
      const std::string marker = "refill-" + std::to_string(expected_cases) + "-end";
      const auto r = c.PostMultipart("/report", {{"csrf", c.csrf()}, {"force", "MET"}, {"what", marker},
                                                 {"file", attachment, true, "f.bin"}});
      ASSERT_EQ(r.status, 200);
      acknowledged.insert(marker);
      ++expected_cases;
    }
  };

  // Pulls killed until kTargetKills landed, then pulled to the end. A pull deletes nothing: each
  // bundle holds every item on the server when it was written.
  constexpr int kTargetKills = 10;
  constexpr int kPushKills = 5;
  int pull_kills = 0, import_kills = 0, push_kills = 0, bundles = 0;
  for (int i = 0; i < 3 * kTargetKills && pull_kills < kTargetKills; ++i) {
    const std::string out = dir_ / ("pull-" + std::to_string(bundles) + ".bundle");
    const bool killed = RunAndKill(Transfer("pull", out), inside(pull_time));
    if (std::filesystem::exists(out)) ++bundles;  // committed before the kill: keep it
    if (killed) {
      ++pull_kills;
      continue;
    }
    if (pull_kills > 0) break;  // it ran to its end: nothing is left to interrupt
    pull_time = pull_time * 6 / 10;
    ASSERT_NO_FATAL_FAILURE(refill(40));
  }
  const std::string last = dir_ / ("pull-" + std::to_string(bundles++) + ".bundle");
  const ProcessResult pulled = RunProcess(Transfer("pull", last));
  ASSERT_EQ(pulled.exit_code, 0) << pulled.err;
  EXPECT_EQ(Index("SELECT COUNT(*) FROM items"), expected_cases) << "a pull deletes nothing";

  // Imports killed the same way (the largest bundle first), then each imported to the end. An
  // import that ends before any kill has landed starts over on a new console store.
  std::vector<std::string> bundle_files;
  for (int b = 0; b < bundles; ++b) {
    const std::string bundle = dir_ / ("pull-" + std::to_string(b) + ".bundle");
    if (std::filesystem::exists(bundle)) bundle_files.push_back(bundle);  // the last may be empty
  }
  std::sort(bundle_files.begin(), bundle_files.end(), [](const auto& a, const auto& b) {
    return std::filesystem::file_size(a) > std::filesystem::file_size(b);
  });
  for (int round = 0; round < 3; ++round) {
    for (const auto& bundle : bundle_files) {
      for (int i = 0; i < 3 * kTargetKills && import_kills < kTargetKills; ++i) {
        if (!RunAndKill(Import(bundle), inside(import_time))) break;
        ++import_kills;
      }
      const ProcessResult p = RunProcess(Import(bundle));
      ASSERT_EQ(p.exit_code, 0) << p.err;
    }
    if (import_kills > 0 || round == 2) break;
    import_time = import_time * 6 / 10;
    std::filesystem::remove_all(dir_ / "console");
    ASSERT_EQ(RunProcess(ConsoleCommand({"init", "--data", dir_ / "console"})).exit_code, 0);
  }
  EXPECT_GT(pull_kills, 0) << "no pull was interrupted (calibrated at " << pull_time.count() << " ms)";
  EXPECT_GT(import_kills, 0) << "no import was interrupted (calibrated at " << import_time.count() << " ms)";
  EXPECT_EQ(Index("SELECT COUNT(*) FROM items"), expected_cases) << "an import deletes nothing";

  // The receipt: one outbox, its push killed kPushKills times, then pushed to the end. Killed
  // pushes may have deleted some or all of the items already; the last one answers the rest as
  // gone, and the server ends empty.
  const std::string outbox = dir_ / "out.bundle";
  const ProcessResult made = RunProcess(Outbox(outbox));
  ASSERT_EQ(made.exit_code, 0) << made.err;
  for (int i = 0; i < 3 * kPushKills && push_kills < kPushKills; ++i) {
    if (RunAndKill(Transfer("push", outbox), inside(push_time))) ++push_kills;
  }
  const ProcessResult pushed = RunProcess(Transfer("push", outbox));
  ASSERT_EQ(pushed.exit_code, 0) << pushed.err;
  EXPECT_NE(pushed.out.find("receipt delivered"), std::string::npos) << pushed.out;
  EXPECT_EQ(Index("SELECT COUNT(*) FROM items"), 0) << "every imported item receipted and deleted";
  EXPECT_TRUE(testing::ListItemBlobs(instance_.data_dir()).empty());
  const ProcessResult list = RunProcess(ConsoleCommand({"list", "--data", dir_ / "console"}));
  ASSERT_EQ(list.exit_code, 0) << list.err;
  for (const auto& marker : acknowledged) {
    EXPECT_NE(list.out.find(marker), std::string::npos) << marker << " was acknowledged but is lost (seed " << seed << ")";
  }
  EXPECT_EQ(testing::QueryCount(dir_ / "console/console.sqlite", "SELECT COUNT(*) FROM cases"),
            expected_cases)
      << "each report exactly once";
  const ProcessResult audit = RunProcess(ConsoleCommand({"audit", "verify", "--data", dir_ / "console"}));
  EXPECT_EQ(audit.exit_code, 0) << audit.err;
  std::printf("durability: %d server kills, %zu acknowledged reports, %lld stored, %d bundles, "
              "%d pull kills (a whole pull: %lld ms), %d import kills (a whole import: %lld ms), "
              "%d push kills (a whole push: %lld ms) (seed %u)\n",
              kills, acknowledged.size(), expected_cases, bundles, pull_kills,
              static_cast<long long>(pull_time.count()), import_kills,
              static_cast<long long>(import_time.count()), push_kills,
              static_cast<long long>(push_time.count()), seed);
}

}  // namespace
}  // namespace sealdrop
