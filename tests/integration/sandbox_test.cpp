// The real sealdrop-server under its system-call filter (server/sandbox/seccomp_filter.h): once it
// says "listening", every one of its threads — the worker pools' too, started before the filter —
// and each derivation helper runs in seccomp filter mode with no_new_privs, core dumps are off,
// and a whole journey (report, login, pull, import, reply, push with its receipt and deletions,
// the reply read on the web) still works, ending in a clean exit on SIGTERM. That a forbidden call
// kills: tests/unit/seccomp_filter_test.cpp.
#include <gtest/gtest.h>
#include <dirent.h>
#include <signal.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/console_officer.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"
#include "tests/support/source_client.h"
#include "tests/support/test_instance.h"

namespace sealdrop {
namespace {

using testing::HttpReply;
using testing::ProcessResult;
using testing::RunProcess;
using testing::ServerProcess;
using testing::SourceClient;
using testing::TempDir;
using testing::TestInstance;

// The value of "Name:" in a /proc status file ("" when absent).
std::string StatusField(const std::string& status_file, const std::string& name) {
  std::ifstream in(status_file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + ":", 0) == 0) {
      const auto value = line.find_first_not_of(" \t", name.size() + 1);
      return value == std::string::npos ? "" : line.substr(value);
    }
  }
  return "";
}

std::vector<std::string> NumericEntries(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos) out.push_back(name);
  }
  ::closedir(d);
  return out;
}

// The processes whose parent is `parent` (the derivation helpers of a server).
std::vector<std::string> ChildrenOf(pid_t parent) {
  std::vector<std::string> out;
  for (const std::string& pid : NumericEntries("/proc")) {
    std::ifstream in("/proc/" + pid + "/stat");
    std::string stat;
    std::getline(in, stat);
    const auto close = stat.rfind(')');  // the name may contain spaces and parentheses
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 1));
    std::string state;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent) out.push_back(pid);
  }
  return out;
}

// Seccomp mode 2 (filter) and no_new_privs on every thread of the server and of each helper.
void ExpectConfined(pid_t server) {
  const std::string proc = "/proc/" + std::to_string(server);
  const std::vector<std::string> threads = NumericEntries(proc + "/task");
  // The main thread and the worker pools' two threads, which existed before the filter (so the
  // filter reached them through TSYNC); the second I/O thread starts just after "listening".
  EXPECT_GE(threads.size(), 3u);
  for (const std::string& tid : threads) {
    const std::string status = proc + "/task/" + tid + "/status";
    EXPECT_EQ(StatusField(status, "Seccomp"), "2") << "server thread " << tid;
    EXPECT_EQ(StatusField(status, "NoNewPrivs"), "1") << "server thread " << tid;
  }
  const std::vector<std::string> helpers = ChildrenOf(server);
  EXPECT_EQ(helpers.size(), 2u);  // one derivation helper (kdf_workers 1) and the lookup helper
  for (const std::string& pid : helpers) {
    const std::string status = "/proc/" + pid + "/status";
    EXPECT_EQ(StatusField(status, "Name"), "sealdrop-kdf");
    EXPECT_EQ(StatusField(status, "Seccomp"), "2") << "helper " << pid;
    EXPECT_EQ(StatusField(status, "NoNewPrivs"), "1") << "helper " << pid;
  }
}

class SeccompServer : public ::testing::Test {
 protected:
  SeccompServer()
      : server_(instance_.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0",
                                     {"--force-listen", "127.0.0.1:0", "--threads", "2"})) {}

  // Every console command signs in as the test officer; `init` makes them its first supervisor.
  ProcessResult Console(std::vector<std::string> args, const std::string& input = "") {
    args = testing::AsOfficer(std::move(args), instance_.passphrase_file(), instance_.SecretKeyFile("MET"));
    args.insert(args.begin(), SEALDROP_CONSOLE_BIN);
    return RunProcess(args, input);
  }
  ProcessResult Transfer(const std::string& verb, const std::string& flag, const std::string& file) {
    return RunProcess({SEALDROP_TRANSFER_BIN, verb, "--server", "http://" + server_.force_api_address(),
                       "--force", "MET", "--key", instance_.TransferKeyFile("MET"),
                       "--passphrase-file", instance_.passphrase_file(), flag, file});
  }
  HttpReply LogIn(SourceClient& c, const std::string& codename) {
    EXPECT_EQ(c.Get("/login").status, 200);
    return c.PostForm("/login", {{"csrf", c.csrf()}, {"codename", codename}});
  }

  TestInstance instance_;
  TempDir dir_;
  ServerProcess server_;
};

TEST_F(SeccompServer, TheServerAndItsHelpersAreConfinedWithCoreDumpsOff) {
  ExpectConfined(server_.pid());
  const std::string limits = testing::ReadFileOrDie("/proc/" + std::to_string(server_.pid()) + "/limits");
  const auto core = limits.find("Max core file size");
  ASSERT_NE(core, std::string::npos);
  std::istringstream fields(limits.substr(core + std::string("Max core file size").size()));
  std::string soft, hard;
  fields >> soft >> hard;
  EXPECT_EQ(soft, "0");
  EXPECT_EQ(hard, "0");
}

TEST_F(SeccompServer, AWholeJourneyRunsUnderTheFilterAndItExitsCleanly) {
  // A report with a file, then its codename logs in.
  SourceClient reporter(server_.address());
  ASSERT_EQ(reporter.Get("/").status, 200);
  ASSERT_EQ(reporter.Get("/report").status, 200);
  HttpReply r = reporter.PostMultipart(
      "/report", {{"csrf", reporter.csrf()}, {"force", "MET"}, {"category", "corruption"},
                  {"what", "Sells PNC checks."}, {"file", std::string(200'000, 'x'), true, "a.bin"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string codename = testing::ElementText(r.body, "codename");
  ASSERT_FALSE(codename.empty());
  SourceClient back(server_.address());
  ASSERT_EQ(LogIn(back, codename).status, 303);
  ASSERT_EQ(back.Get("/inbox").status, 200);
  // Welsh pages translate under the filter too (the catalogues were loaded before it).
  const HttpReply welsh = back.Get("/cy/inbox");
  ASSERT_EQ(welsh.status, 200);
  EXPECT_NE(welsh.body.find("<html lang=\"cy\">"), std::string::npos);
  EXPECT_NE(welsh.body.find("Atebion i'ch adroddiad"), std::string::npos) << welsh.body;

  // The force pulls it, imports it, replies; the push carries the import receipt, so the server
  // deletes the report (rows, blob, directory fsync) and stores the reply.
  ProcessResult p = Transfer("pull", "--out", dir_ / "pull.bundle");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const std::string console = dir_ / "console";
  p = Console({"init", "--data", console, "--directory", instance_.directory_file(), "--root-pub",
               instance_.root_public_file()});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  p = Console({"import", "--data", console, dir_ / "pull.bundle"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("imported 1 new"), std::string::npos) << p.out;
  p = Console({"list", "--data", console});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const auto row = p.out.find('\n') + 1;
  const std::string id = p.out.substr(row, 8);
  testing::WriteFileOrDie(dir_ / "reply.txt", "Thank you, we are looking into it.\n");
  p = Console({"reply", "--data", console, id}, testing::ReadFileOrDie(dir_ / "reply.txt"));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  p = Console({"outbox", "--data", console, "--out", dir_ / "out.bundle"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  p = Transfer("push", "--in", dir_ / "out.bundle");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  p = Transfer("pull", "--out", dir_ / "again.bundle");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("nothing to pull"), std::string::npos) << p.out;

  // The reporter reads the reply; the server is still confined and still serving.
  SourceClient later(server_.address());
  ASSERT_EQ(LogIn(later, codename).status, 303);
  const HttpReply inbox = later.Get("/inbox");
  EXPECT_NE(inbox.body.find("Thank you, we are looking into it."), std::string::npos);
  ExpectConfined(server_.pid());

  // Shutdown runs under the filter too: drain, join the threads, reap the helpers, exit 0.
  EXPECT_EQ(server_.Stop(SIGTERM), 0) << server_.Stderr();
}

}  // namespace
}  // namespace sealdrop
