// The whole journey with real processes: a reporter files over HTTP → sealdrop-transfer pull →
// sealdrop-console import / list / show / export-attachment / triage / reply / outbox →
// sealdrop-transfer push → the reporter reads the reply; a follow-up comes back the same way;
// a forward reaches the second force and only it. A pull bundle lost before import loses
// nothing: the server deletes exactly the items the console's receipt names, and the operator
// sees what waits. Then the refusals: wrong passphrase, wrong force key, a corrupt bundle — each
// a clear error that changes nothing — and an edited audit log.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <sstream>

#include "common/sqlite.h"
#include "crypto/directory.h"
#include "journalist_console/bundle/bundle.h"
#include "tests/support/console_officer.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"
#include "tests/support/source_client.h"
#include "tests/support/sqlite_count.h"
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

// A real JPEG (netpbm's pnmtojpeg, 4 x 4 grey) with an EXIF segment that names the reporter's
// position: the console's safe copy decodes it, so it must be a picture, not just markers.
std::string JpegWithExif() {
  const ProcessResult made = RunProcess({"/usr/bin/pnmtojpeg"}, "P6\n4 4\n255\n" + std::string(48, '\x80'));
  if (made.exit_code != 0 || made.out.size() < 4) ADD_FAILURE() << "pnmtojpeg: " << made.err;
  const std::string exif = std::string("Exif\x00\x00", 6) + "GPS-51.5072N-0.1276W-REPORTER-HOME";
  const std::size_t len = exif.size() + 2;
  std::string segment = "\xFF\xE1";
  segment += static_cast<char>(len >> 8);
  segment += static_cast<char>(len & 0xff);
  segment += exif;
  return made.out.substr(0, 2) + segment + made.out.substr(2);
}

class RoundTrip : public ::testing::Test {
 protected:
  RoundTrip()
      : server_(instance_.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0",
                                     {"--force-listen", "127.0.0.1:0"})) {}

  ProcessResult Run(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), SEALDROP_CONSOLE_BIN);
    return RunProcess(args, input);
  }
  // A console command, signed in as the test officer.
  ProcessResult Console(std::vector<std::string> args, const std::string& input = "") {
    return Run(testing::SignedInAs(std::move(args), instance_.passphrase_file()), input);
  }
  // A new console for `force`, with the test officer as its first supervisor.
  ProcessResult Init(const std::string& force, const std::vector<std::string>& extra = {}) {
    return Run(testing::ConsoleInit(Console(force), instance_.SecretKeyFile(force),
                                    instance_.passphrase_file(), extra));
  }
  ProcessResult Transfer(const std::string& verb, const std::string& force, const std::string& flag,
                         const std::string& file) {
    return RunProcess({SEALDROP_TRANSFER_BIN, verb, "--server", "http://" + server_.force_api_address(),
                       "--force", force, "--key", instance_.TransferKeyFile(force),
                       "--passphrase-file", instance_.passphrase_file(), flag, file});
  }
  std::string Console(const std::string& force) { return dir_ / (force + "-console"); }

  // The case id (full) whose `show` contains `text`, from `list` output.
  std::string CaseIdContaining(const std::string& force, const std::string& text) {
    const ProcessResult l = Console({"list", "--data", Console(force)});
    EXPECT_EQ(l.exit_code, 0) << l.err;
    std::istringstream lines(l.out);
    std::string line;
    std::getline(lines, line);  // header
    while (std::getline(lines, line)) {
      const std::string id = line.substr(0, 8);
      if (id.find_first_not_of("0123456789abcdef") != std::string::npos) continue;
      if (line.find(text) != std::string::npos) return id;
    }
    return "";
  }

  TestInstance instance_;
  TempDir dir_;
  ServerProcess server_;
};

TEST_F(RoundTrip, AReportTravelsToThePsdAndItsReplyBackToTheReporter) {
  // 1. Two reports to MET; the second says someone is at risk.
  SourceClient reporter(server_.address());
  ASSERT_EQ(reporter.Get("/report").status, 200);
  HttpReply r = reporter.PostMultipart(
      "/report", {{"csrf", reporter.csrf()}, {"force", "MET"}, {"category", "domestic"},
                  {"at_risk", "yes"}, {"what", "He controls his partner's money and phone."},
                  {"file", JpegWithExif(), true, "photo.jpg", "image/jpeg"}});
  ASSERT_EQ(r.status, 200);
  const std::string codename = testing::ElementText(r.body, "codename");
  SourceClient other(server_.address());
  ASSERT_EQ(other.Get("/report").status, 200);
  ASSERT_EQ(other.PostMultipart("/report", {{"csrf", other.csrf()}, {"force", "MET"},
                                            {"category", "corruption"}, {"what", "Sells PNC checks."}})
                .status,
            200);

  // 2. The transfer workstation pulls them; the console imports them.
  ProcessResult p = Transfer("pull", "MET", "--out", dir_ / "pull1.bundle");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  p = Init("MET", {"--directory", instance_.directory_file(),
               "--root-pub", instance_.root_public_file()});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  p = Console({"import", "--data", Console("MET"), dir_ / "pull1.bundle"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("imported 2 new"), std::string::npos) << p.out;
  // Idempotent: the same bundle again changes nothing.
  p = Console({"import", "--data", Console("MET"), dir_ / "pull1.bundle"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("imported 0 new"), std::string::npos) << p.out;

  // 3. list: the urgent case first.
  p = Console({"list", "--data", Console("MET")});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const auto first_row = p.out.find('\n') + 1;
  const std::string first = p.out.substr(first_row, p.out.find('\n', first_row) - first_row);
  EXPECT_NE(first.find("YES"), std::string::npos) << p.out;
  EXPECT_NE(first.find("He controls"), std::string::npos) << p.out;
  const std::string id = first.substr(0, 8);

  // 4. show, export (EXIF removed), triage.
  p = Console({"show", "--data", Console("MET"), id});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("He controls his partner's money and phone."), std::string::npos);
  EXPECT_NE(p.out.find("[1] photo.jpg (image/jpeg"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("AT RISK"), std::string::npos);
  p = Console({"export-attachment", "--data", Console("MET"), id, "1", "--out", dir_ / "photo.jpg"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const std::string exported = testing::ReadFileOrDie(dir_ / "photo.jpg");
  EXPECT_EQ(exported.find("REPORTER-HOME"), std::string::npos) << "EXIF must be gone";
  EXPECT_EQ(exported.substr(0, 2), "\xFF\xD8");
  EXPECT_NE(p.out.find("EXIF"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("re-encoded as JPEG"), std::string::npos) << p.out;
  p = Console({"export-attachment", "--data", Console("MET"), id, "1", "--out", dir_ / "original.jpg",
               "--original"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(testing::ReadFileOrDie(dir_ / "original.jpg"), JpegWithExif());
  p = Console({"triage", "--data", Console("MET"), id, "--outcome", "safeguard"}, "Refer to the DA team today");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  p = Console({"list", "--data", Console("MET"), "--status", "triaged"});
  EXPECT_NE(p.out.find("triaged:safeguard"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("1 case(s)"), std::string::npos) << p.out;

  // 5. reply → outbox → push → the reporter reads it.
  testing::WriteFileOrDie(dir_ / "long.txt", std::string(100'001, 'w'));
  p = Console({"reply", "--data", Console("MET"), id}, testing::ReadFileOrDie(dir_ / "long.txt"));
  EXPECT_EQ(p.exit_code, 1);
  EXPECT_NE(p.err.find("at most 100,000 bytes"), std::string::npos) << p.err;
  testing::WriteFileOrDie(dir_ / "reply.txt", "Thank you. We are acting on this today.\n");
  p = Console({"reply", "--data", Console("MET"), id}, testing::ReadFileOrDie(dir_ / "reply.txt"));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  p = Console({"outbox", "--data", Console("MET"), "--out", dir_ / "out1.bundle"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  p = Transfer("push", "MET", "--in", dir_ / "out1.bundle");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  SourceClient back(server_.address());
  ASSERT_EQ(back.Get("/login").status, 200);
  ASSERT_EQ(back.PostForm("/login", {{"csrf", back.csrf()}, {"codename", codename}}).status, 303);
  HttpReply inbox = back.Get("/inbox");
  EXPECT_NE(inbox.body.find("Thank you. We are acting on this today."), std::string::npos);

  // 6. A follow-up goes back the same way and joins its case.
  ASSERT_EQ(back.PostMultipart("/followup", {{"csrf", back.csrf()}, {"message", "He has a second phone."}})
                .status,
            200);
  p = Transfer("pull", "MET", "--out", dir_ / "pull2.bundle");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  p = Console({"import", "--data", Console("MET"), dir_ / "pull2.bundle"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  p = Console({"show", "--data", Console("MET"), id});
  EXPECT_NE(p.out.find("He has a second phone."), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("safeguard (psd): Refer to the DA team today"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("Thank you. We are acting on this today."), std::string::npos) << p.out;

  // 7. The other report was misrouted: forward it to WMI. It reaches WMI, and only WMI.
  const std::string misrouted = CaseIdContaining("MET", "Sells PNC");
  ASSERT_FALSE(misrouted.empty());
  p = Console({"forward", "--data", Console("MET"), misrouted, "--to", "WMI"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  p = Console({"outbox", "--data", Console("MET"), "--out", dir_ / "out2.bundle"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  ASSERT_EQ(Transfer("push", "MET", "--in", dir_ / "out2.bundle").exit_code, 0);
  p = Transfer("pull", "MET", "--out", dir_ / "pull3.bundle");
  EXPECT_NE(p.out.find("nothing to pull"), std::string::npos) << p.out;
  p = Transfer("pull", "WMI", "--out", dir_ / "wmi.bundle");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  ASSERT_EQ(Init("WMI").exit_code, 0);
  p = Console({"import", "--data", Console("WMI"), dir_ / "wmi.bundle"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  p = Console({"list", "--data", Console("WMI")});
  EXPECT_NE(p.out.find("Sells PNC checks."), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("1 case(s)"), std::string::npos) << p.out;
  // MET's key cannot open what was forwarded to WMI.
  p = Console({"import", "--data", Console("MET"), dir_ / "wmi.bundle"});
  EXPECT_EQ(p.exit_code, 1);

  // 8. The record of all this is intact; the statistics count it.
  p = Console({"audit", "verify", "--data", Console("MET")});
  EXPECT_EQ(p.exit_code, 0) << p.err;
  p = Console({"stats", "--data", Console("MET"), "--svg", dir_ / "chart.svg"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("safeguard"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("Time from import to first triage:\n  same day"), std::string::npos) << p.out;
  EXPECT_NE(testing::ReadFileOrDie(dir_ / "chart.svg").find("<svg"), std::string::npos);
}

// A UTC day `days` from today, YYYY-MM-DD.
std::string DayFromToday(int days) {
  using namespace std::chrono;
  const year_month_day d{floor<std::chrono::days>(system_clock::now()) + std::chrono::days(days)};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

std::vector<std::string> BundleIds(const std::string& path) {
  auto b = bundle::BundleReader::Open(path);
  EXPECT_TRUE(b.ok()) << path;
  std::vector<std::string> ids;
  if (b.ok()) {
    for (const auto& item : b->manifest().items) ids.push_back(item.id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<std::string> ReceiptIds(const std::string& outbox) {
  auto b = bundle::BundleReader::Open(outbox);
  EXPECT_TRUE(b.ok()) << outbox;
  return b.ok() && b->manifest().receipt ? b->manifest().receipt->items : std::vector<std::string>{};
}

TEST_F(RoundTrip, ALostPullBundleLosesNothingAndOnlyImportedItemsLeaveTheServer) {
  auto report = [&](const std::string& force, const std::string& what) {
    SourceClient c(server_.address());
    ASSERT_EQ(c.Get("/report").status, 200);
    ASSERT_EQ(c.PostMultipart("/report", {{"csrf", c.csrf()}, {"force", force}, {"what", what}}).status, 200);
  };
  auto waiting = [&](const std::string& force) {
    return testing::QueryCount(instance_.data_dir() + "/index.sqlite",
                               "SELECT COUNT(*) FROM items WHERE force = '" + force + "'");
  };
  auto status = [&] {
    const ProcessResult st = RunProcess({SEALDROP_SERVER_BIN, "status", "--data", instance_.data_dir()});
    EXPECT_EQ(st.exit_code, 0) << st.err;
    // The backlog; the storage lines after it are checked in storage_budget_test.cpp.
    const auto storage = st.out.find("\nstored ");
    EXPECT_NE(storage, std::string::npos) << st.out;
    return storage == std::string::npos ? st.out : st.out.substr(0, storage + 1);
  };
  report("MET", "first");
  report("MET", "second");
  report("WMI", "for WMI");
  EXPECT_EQ(status(),
            "MET               2 waiting, the oldest 0 day(s) old\n"
            "WMI               1 waiting, the oldest 0 day(s) old\n");

  // 1. A pull, then its USB stick is lost before the console saw it: nothing is lost.
  ASSERT_EQ(Transfer("pull", "MET", "--out", dir_ / "lost.bundle").exit_code, 0);
  const auto lost = BundleIds(dir_ / "lost.bundle");
  std::filesystem::remove(dir_ / "lost.bundle");
  EXPECT_EQ(waiting("MET"), 2);
  // 2. Pulled again: the same items. A report filed after this pull is not in it.
  ASSERT_EQ(Transfer("pull", "MET", "--out", dir_ / "again.bundle").exit_code, 0);
  const auto pulled = BundleIds(dir_ / "again.bundle");
  EXPECT_EQ(pulled, lost);
  report("MET", "filed after the pull");

  // 3. Import; an outbox with nothing but the receipt; push: exactly the imported items go.
  ASSERT_EQ(Init("MET").exit_code, 0);
  ProcessResult p = Console({"import", "--data", Console("MET"), dir_ / "again.bundle"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  p = Console({"outbox", "--data", Console("MET"), "--out", dir_ / "out1.bundle"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("0 item(s) and a receipt for 2 imported item(s)"), std::string::npos) << p.out;
  EXPECT_EQ(ReceiptIds(dir_ / "out1.bundle"), pulled);
  p = Transfer("push", "MET", "--in", dir_ / "out1.bundle");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("the server deleted 2 imported item(s)"), std::string::npos) << p.out;
  EXPECT_EQ(waiting("MET"), 1) << "the report filed after the pull stays";
  EXPECT_EQ(waiting("WMI"), 1);
  EXPECT_EQ(testing::ListItemBlobs(instance_.data_dir()).size(), 2u);
  // The operator sees ages by arrival day: WMI's report made five days old by hand.
  {
    auto db = sqlite::Database::Open(instance_.data_dir() + "/index.sqlite",
                                     sqlite::OpenMode::kReadWrite, "test edit");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->SetBusyTimeout(5000).ok());
    const std::string sql = "UPDATE items SET day = '" + DayFromToday(-5) + "' WHERE force = 'WMI'";
    ASSERT_TRUE(db->Exec(sql.c_str()).ok());
    ASSERT_TRUE(db->Close().ok());
  }
  EXPECT_EQ(status(),
            "MET               1 waiting, the oldest 0 day(s) old\n"
            "WMI               1 waiting, the oldest 5 day(s) old\n");

  // 4. Across the air gap the console cannot know the receipt arrived: the next outbox names
  // the same items again, and pushing it is harmless.
  p = Console({"outbox", "--data", Console("MET"), "--out", dir_ / "out2.bundle"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(ReceiptIds(dir_ / "out2.bundle"), pulled);
  p = Transfer("push", "MET", "--in", dir_ / "out2.bundle");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("deleted 0 imported item(s) (2 were gone already)"), std::string::npos) << p.out;
  EXPECT_EQ(waiting("MET"), 1);

  // 5. A pull of a later day that no longer lists them shows the receipt was honoured: the
  // console stops naming them. (sealdrop-transfer writes today's day: the bundle is re-dated.)
  ASSERT_EQ(Transfer("pull", "MET", "--out", dir_ / "today.bundle").exit_code, 0);
  {
    auto today = bundle::BundleReader::Open(dir_ / "today.bundle");
    ASSERT_TRUE(today.ok());
    auto later = bundle::BundleWriter::Create(dir_ / "tomorrow.bundle", "pull", "MET", DayFromToday(1));
    ASSERT_TRUE(later.ok());
    for (std::size_t i = 0; i < today->manifest().items.size(); ++i) {
      auto item = today->manifest().items[i];
      ASSERT_TRUE(later->AddItem(item, *today->ItemSource(i)).ok());
    }
    ASSERT_TRUE(later->Commit().ok());
  }
  const auto late = BundleIds(dir_ / "tomorrow.bundle");
  ASSERT_EQ(late.size(), 1u);
  p = Console({"import", "--data", Console("MET"), dir_ / "tomorrow.bundle"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  p = Console({"outbox", "--data", Console("MET"), "--out", dir_ / "out3.bundle"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(ReceiptIds(dir_ / "out3.bundle"), late);
  ASSERT_EQ(Transfer("push", "MET", "--in", dir_ / "out3.bundle").exit_code, 0);
  EXPECT_EQ(waiting("MET"), 0);
  EXPECT_EQ(status(), "WMI               1 waiting, the oldest 5 day(s) old\n");
  // Until a pull of a still later day shows it gone, the last item is named again.
  p = Console({"outbox", "--data", Console("MET"), "--out", dir_ / "out4.bundle"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(ReceiptIds(dir_ / "out4.bundle"), late);
  ASSERT_EQ(Console({"audit", "verify", "--data", Console("MET")}).exit_code, 0);
}

long long CaseCount(const std::string& console_dir) {
  return testing::QueryCount(console_dir + "/console.sqlite", "SELECT COUNT(*) FROM cases");
}

TEST_F(RoundTrip, WrongPassphraseWrongKeyAndCorruptBundlesChangeNothing) {
  SourceClient c(server_.address());
  ASSERT_EQ(c.Get("/report").status, 200);
  ASSERT_EQ(c.PostMultipart("/report", {{"csrf", c.csrf()}, {"force", "MET"}, {"what", "x"}}).status, 200);
  ASSERT_EQ(Transfer("pull", "MET", "--out", dir_ / "p.bundle").exit_code, 0);
  ASSERT_EQ(Init("MET").exit_code, 0);
  // A second init never touches an existing console.
  EXPECT_EQ(Init("MET").exit_code, 1);

  testing::WriteFileOrDie(dir_ / "wrong-pass", "not the passphrase\n");
  ProcessResult p = Run(testing::SignedInAs({"import", "--data", Console("MET"), dir_ / "p.bundle"},
                                            dir_ / "wrong-pass"));
  EXPECT_EQ(p.exit_code, 1);
  EXPECT_NE(p.err.find("wrong passphrase for officer"), std::string::npos) << p.err;
  // A console whose key is another force's cannot open MET's items.
  const std::string wrong_key_console = dir_ / "wrong-key-console";
  ASSERT_EQ(Run(testing::ConsoleInit(wrong_key_console, instance_.SecretKeyFile("WMI"),
                                     instance_.passphrase_file()))
                .exit_code,
            0);
  p = Console({"import", "--data", wrong_key_console, dir_ / "p.bundle"});
  EXPECT_EQ(p.exit_code, 1);
  EXPECT_NE(p.err.find("not sealed to this key"), std::string::npos) << p.err;
  const std::string bytes = testing::ReadFileOrDie(dir_ / "p.bundle");
  testing::WriteFileOrDie(dir_ / "cut.bundle", bytes.substr(0, bytes.size() / 2));
  p = Console({"import", "--data", Console("MET"), dir_ / "cut.bundle"});
  EXPECT_EQ(p.exit_code, 1);
  EXPECT_NE(p.err.find("nothing was imported"), std::string::npos) << p.err;
  EXPECT_EQ(CaseCount(Console("MET")), 0);
  EXPECT_TRUE(testing::ListDir(Console("MET") + "/sealed").empty());
  // The media is untrusted: a link on it is never followed (even to a good bundle), and a FIFO
  // is refused at once rather than blocking the console.
  ASSERT_EQ(::symlink((dir_ / "p.bundle").c_str(), (dir_ / "link.bundle").c_str()), 0);
  p = Console({"import", "--data", Console("MET"), dir_ / "link.bundle"});
  EXPECT_EQ(p.exit_code, 1);
  EXPECT_NE(p.err.find("is a symbolic link"), std::string::npos) << p.err;
  ASSERT_EQ(::mkfifo((dir_ / "fifo.bundle").c_str(), 0600), 0);
  p = Console({"import", "--data", Console("MET"), dir_ / "fifo.bundle"});
  EXPECT_EQ(p.exit_code, 1);
  EXPECT_NE(p.err.find("is not a regular file"), std::string::npos) << p.err;
  EXPECT_EQ(CaseCount(Console("MET")), 0);
  // The good bundle still imports.
  p = Console({"import", "--data", Console("MET"), dir_ / "p.bundle"});
  EXPECT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(CaseCount(Console("MET")), 1);
}

TEST_F(RoundTrip, AuditVerifyDetectsAnEditedOrShortenedLog) {
  ASSERT_EQ(Init("MET").exit_code, 0);
  SourceClient c(server_.address());
  ASSERT_EQ(c.Get("/report").status, 200);
  ASSERT_EQ(c.PostMultipart("/report", {{"csrf", c.csrf()}, {"force", "MET"}, {"what", "x"}}).status, 200);
  ASSERT_EQ(Transfer("pull", "MET", "--out", dir_ / "p.bundle").exit_code, 0);
  ASSERT_EQ(Console({"import", "--data", Console("MET"), dir_ / "p.bundle"}).exit_code, 0);
  const std::string id = CaseIdContaining("MET", "x");
  ASSERT_EQ(Console({"triage", "--data", Console("MET"), id, "--outcome", "record"}, "n").exit_code, 0);
  ASSERT_EQ(Console({"audit", "verify", "--data", Console("MET")}).exit_code, 0);

  auto edit = [&](const char* sql) {
    auto db = sqlite::Database::Open(Console("MET") + "/console.sqlite",
                                     sqlite::OpenMode::kReadWrite, "test edit");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec(sql).ok());
    ASSERT_TRUE(db->Close().ok());
  };
  // Someone changes what an officer decided...
  edit("UPDATE audit SET detail = 'no-further-action' WHERE action = 'triage'");
  ProcessResult p = Console({"audit", "verify", "--data", Console("MET")});
  EXPECT_EQ(p.exit_code, 1);
  EXPECT_NE(p.err.find("BROKEN"), std::string::npos) << p.err;
  EXPECT_NE(p.err.find("triage"), std::string::npos) << p.err;
  edit("UPDATE audit SET detail = 'record' WHERE action = 'triage'");
  EXPECT_EQ(Console({"audit", "verify", "--data", Console("MET")}).exit_code, 0);
  // ... or removes an entry from the middle.
  edit("DELETE FROM audit WHERE action = 'import'");
  EXPECT_EQ(Console({"audit", "verify", "--data", Console("MET")}).exit_code, 1);
}

}  // namespace
}  // namespace sealdrop
