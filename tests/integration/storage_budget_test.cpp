// Storage budgets against the real server (issue 13, "Storage abuse"): one circuit filing reports
// until its budget refuses; the same without Tor's circuit ids, bounded by the server-wide
// budgets; a body of unknown length stopped while it streams; a budget that refills; the disk
// reserve refusing reports while a force's reply and receipt still land. Every refusal is the
// form back with what was typed, and nothing of the refused report is stored (rows and blobs).
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <thread>

#include "common/clock.h"
#include "common/import_receipt.h"
#include "crypto/codename.h"
#include "crypto/envelope_writer.h"
#include "journalist_console/bundle/bundle.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"
#include "tests/support/signed_api_request.h"
#include "tests/support/source_client.h"
#include "tests/support/sqlite_count.h"
#include "tests/support/test_instance.h"

namespace sealdrop {
namespace {

using testing::FormPart;
using testing::HttpReply;
using testing::ServerProcess;
using testing::Signed;
using testing::SourceClient;
using testing::TestInstance;

long long Items(const TestInstance& instance) {
  return testing::QueryCount(instance.data_dir() + "/index.sqlite", "SELECT COUNT(*) FROM items");
}

std::size_t Blobs(const TestInstance& instance) {
  return testing::ListItemBlobs(instance.data_dir()).size();  // empty files are spares
}

std::string TorProxyLine(std::uint32_t circuit) {
  char line[128];
  std::snprintf(line, sizeof line, "PROXY TCP6 fc00:dead:beef:4dad::%x:%x ::1 65535 80\r\n",
                circuit >> 16, circuit & 0xffff);
  return line;
}

constexpr std::size_t kKiB = 1024;

std::vector<FormPart> ReportWithFile(const std::string& csrf, const std::string& what,
                                     std::size_t file_bytes) {
  return {{"csrf", csrf},
          {"force", "MET"},
          {"what", what},
          {"file", std::string(file_bytes, 'x'), true, "evidence.bin"}};
}

// A reporter on `circuit` (none: no PROXY header) opens the form and sends a report with a file.
HttpReply Report(const ServerProcess& server, std::optional<std::uint32_t> circuit,
                 const std::string& what, std::size_t file_bytes) {
  SourceClient c(server.address());
  if (circuit) c.set_prefix(TorProxyLine(*circuit));
  EXPECT_EQ(c.Get("/report").status, 200);
  return c.PostMultipart("/report", ReportWithFile(c.csrf(), what, file_bytes));
}

// The refusal is the report form again, with the words kept and the files to choose again.
void ExpectFormBack(const HttpReply& r, const std::string& what, const std::string& says) {
  EXPECT_NE(r.body.find("There is a problem"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(says), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("nothing was kept"), std::string::npos);
  EXPECT_NE(r.body.find(">\n" + what + "</textarea>"), std::string::npos) << "the words are kept";
  EXPECT_NE(r.body.find("Your files were not kept"), std::string::npos);
  EXPECT_NE(r.body.find("name=\"csrf\" value=\""), std::string::npos) << "a form to send again";
}

TEST(SourceStorageBudget, OneCircuitIsRefusedPastItsBudgetWithItsWordsBackAndNothingStored) {
  TestInstance instance;
  // A 1 MiB budget that does not refill during the test; 400 KiB files: two fit, a third not.
  ServerProcess server(instance.ServerArgv(
      SEALDROP_SERVER_BIN, "127.0.0.1:0",
      {"--source-proxy-protocol", "--max-upload-mb", "1", "--sender-budget-mb", "1",
       "--sender-budget-window", "604800"}));
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(Report(server, 3, "report " + std::to_string(i), 400 * kKiB).status, 200) << i;
  }
  // Refused on its Content-Length, before its codename is made or a byte is sealed.
  const HttpReply refused = Report(server, 3, "the third report", 400 * kKiB);
  EXPECT_EQ(refused.status, 429);
  ExpectFormBack(refused, "the third report", "You have sent a lot");
  EXPECT_NE(refused.body.find("Wait 7 days, then send the form again."), std::string::npos)
      << "the window the budget refills over";
  EXPECT_EQ(Items(instance), 2);
  EXPECT_EQ(Blobs(instance), 2u);
  // Another circuit has its own budget; the landing page is served throughout.
  EXPECT_EQ(Report(server, 4, "from another circuit", 400 * kKiB).status, 200);
  SourceClient landing(server.address());
  landing.set_prefix(TorProxyLine(3));
  EXPECT_EQ(landing.Get("/").status, 200);
  EXPECT_EQ(Items(instance), 3);
  EXPECT_EQ(Blobs(instance), 3u);
}

// A chunked body announces no length: it is stopped at the first sealed byte over the budget,
// and its unnamed blob is dropped.
TEST(SourceStorageBudget, ABodyOfUnknownLengthIsStoppedWhileItStreams) {
  TestInstance instance;
  ServerProcess server(instance.ServerArgv(
      SEALDROP_SERVER_BIN, "127.0.0.1:0",
      {"--source-proxy-protocol", "--max-upload-mb", "1", "--sender-budget-mb", "1",
       "--sender-budget-window", "604800"}));
  ASSERT_EQ(Report(server, 8, "first", 600 * kKiB).status, 200);
  SourceClient c(server.address());
  c.set_prefix(TorProxyLine(8));
  ASSERT_EQ(c.Get("/report").status, 200);
  const testing::MultipartBody m =
      testing::BuildMultipart(ReportWithFile(c.csrf(), "sent in chunks", 600 * kKiB));
  std::string req = TorProxyLine(8) +
                    "POST /report HTTP/1.1\r\nHost: x.onion\r\nConnection: close\r\n"
                    "Cookie: " + c.cookie() + "\r\nContent-Type: " + m.content_type +
                    "\r\nTransfer-Encoding: chunked\r\n\r\n";
  constexpr std::size_t kChunk = 16 * kKiB;
  for (std::size_t at = 0; at < m.body.size(); at += kChunk) {
    const std::string piece = m.body.substr(at, kChunk);
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
    req += size + piece + "\r\n";
  }
  req += "0\r\n\r\n";
  const HttpReply refused = c.Raw(req);
  EXPECT_EQ(refused.status, 429);
  ExpectFormBack(refused, "sent in chunks", "You have sent a lot");
  EXPECT_EQ(Items(instance), 1);
  EXPECT_EQ(Blobs(instance), 1u) << "the refused upload's blob is gone";
}

TEST(SourceStorageBudget, ACircuitsBudgetRefillsOverItsWindow) {
  TestInstance instance;
  // 1 MiB refilled over 6 s; 900 KiB files: one fits, the next not until the bucket refills.
  ServerProcess server(instance.ServerArgv(
      SEALDROP_SERVER_BIN, "127.0.0.1:0",
      {"--source-proxy-protocol", "--max-upload-mb", "1", "--sender-budget-mb", "1",
       "--sender-budget-window", "6"}));
  ASSERT_EQ(Report(server, 5, "before", 900 * kKiB).status, 200);
  const HttpReply refused = Report(server, 5, "too soon", 900 * kKiB);
  EXPECT_EQ(refused.status, 429);
  ExpectFormBack(refused, "too soon", "You have sent a lot");
  EXPECT_NE(refused.body.find("Wait a minute, then send the form again."), std::string::npos);
  EXPECT_EQ(Items(instance), 1);
  std::this_thread::sleep_for(std::chrono::seconds(6));
  EXPECT_EQ(Report(server, 5, "after the window", 900 * kKiB).status, 200);
  EXPECT_EQ(Items(instance), 2);
  EXPECT_EQ(Blobs(instance), 2u);
}

// Without Tor's circuit ids the server cannot tell reporters apart (every form is new, and there
// is never an address): the server-wide budgets bound what a flood can store.
TEST(SourceStorageBudget, WithoutCircuitsTheDailyIntakeBoundsAFlood) {
  TestInstance instance;
  ServerProcess server(instance.ServerArgv(
      SEALDROP_SERVER_BIN, "127.0.0.1:0", {"--max-upload-mb", "1", "--daily-intake-mb", "1"}));
  EXPECT_EQ(Report(server, std::nullopt, "one", 400 * kKiB).status, 200);
  EXPECT_EQ(Report(server, std::nullopt, "two", 400 * kKiB).status, 200);
  const HttpReply refused = Report(server, std::nullopt, "three", 400 * kKiB);
  EXPECT_EQ(refused.status, 503);
  ExpectFormBack(refused, "three", "This service is full for now");
  EXPECT_EQ(Items(instance), 2);
  EXPECT_EQ(Blobs(instance), 2u);
  EXPECT_EQ(SourceClient(server.address()).Get("/").status, 200);
}

// Without circuit ids a codename is still a sender: its follow-ups have their own budget, and
// another reporter's do not share it.
TEST(SourceStorageBudget, WithoutCircuitsACodenamesFollowUpsHaveTheirOwnBudget) {
  TestInstance instance;
  ServerProcess server(instance.ServerArgv(
      SEALDROP_SERVER_BIN, "127.0.0.1:0",
      {"--max-upload-mb", "1", "--sender-budget-mb", "1", "--sender-budget-window", "604800"}));
  const auto log_in = [&](SourceClient& c) {
    ASSERT_EQ(c.Get("/report").status, 200);
    const HttpReply made =
        c.PostMultipart("/report", {{"csrf", c.csrf()}, {"force", "MET"}, {"what", "first"}});
    ASSERT_EQ(made.status, 200);
    ASSERT_EQ(c.Get("/login").status, 200);
    ASSERT_EQ(c.PostForm("/login", {{"csrf", c.csrf()},
                                    {"codename", testing::ElementText(made.body, "codename")}})
                  .status,
              303);
    ASSERT_EQ(c.Get("/inbox").status, 200);
  };
  const auto follow_up = [](SourceClient& c, const std::string& message) {
    return c.PostMultipart("/followup", {{"csrf", c.csrf()},
                                         {"message", message},
                                         {"file", std::string(600 * kKiB, 'y'), true, "more.bin"}});
  };
  SourceClient writer(server.address());
  log_in(writer);
  EXPECT_EQ(follow_up(writer, "the first follow-up").status, 200);
  ASSERT_EQ(writer.Get("/inbox").status, 200);
  const HttpReply refused = follow_up(writer, "the second follow-up");
  EXPECT_EQ(refused.status, 429);
  EXPECT_NE(refused.body.find("You have sent a lot"), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find("the second follow-up"), std::string::npos) << "the message is kept";
  EXPECT_EQ(Items(instance), 2);
  SourceClient other(server.address());
  log_in(other);
  EXPECT_EQ(follow_up(other, "another reporter's").status, 200);
  EXPECT_EQ(Items(instance), 4);
  EXPECT_EQ(Blobs(instance), 4u);
}

class SourceStorageWithForces : public ::testing::Test {
 protected:
  // One report stored while the disk had room (a server started without reserves); its codename.
  std::string FirstReportsCodename() {
    ServerProcess before(Argv({}));
    SourceClient c(before.address());
    EXPECT_EQ(c.Get("/report").status, 200);
    const HttpReply made =
        c.PostMultipart("/report", {{"csrf", c.csrf()}, {"force", "MET"}, {"what", "first"}});
    EXPECT_EQ(made.status, 200);
    return testing::ElementText(made.body, "codename");
  }

  std::vector<std::string> Argv(std::vector<std::string> extra) {
    extra.insert(extra.begin(), {"--force-listen", "127.0.0.1:0"});
    return instance_.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0", extra);
  }
  HttpReply Api(const ServerProcess& server, const Signed& s) {
    return SourceClient(server.force_api_address()).Raw(s.Raw(instance_.TransferKey("MET")));
  }
  std::vector<std::string> ListIds(const ServerProcess& server) {
    const HttpReply r = Api(server, Signed());
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> ids;
    const auto listed = nlohmann::json::parse(r.body);
    for (const auto& e : listed["items"]) ids.push_back(e["id"]);
    std::sort(ids.begin(), ids.end());
    return ids;
  }
  HttpReply Receipt(const ServerProcess& server, const std::vector<std::string>& ids) {
    Signed s;
    s.M("POST").T("/api/v1/receipts");
    s.body = EncodeImportReceipt({bundle::NewItemId(), "MET", TodayUtc(), ids});
    return Api(server, s);
  }
  HttpReply Reply(const ServerProcess& server, const std::string& codename) {
    const std::string salt = testing::ReadFileOrDie(instance_.data_dir() + "/instance.salt");
    auto id = CodenameDeriver(AsBytes(salt)).Derive(codename);
    EXPECT_TRUE(id.ok());
    const nlohmann::json meta = {{"version", 1}, {"kind", "reply"}, {"force", "MET"},
                                 {"day", TodayUtc()}, {"message", "We have your report."}};
    auto sealed = SealToBytes(std::vector<PublicKey>{id->key_pair.public_key}, meta.dump(),
                              {"reply.txt", "text/plain"}, {});
    EXPECT_TRUE(sealed.ok());
    Signed s = Signed().M("POST").T("/api/v1/replies/" + HexEncode(id->lookup_id));
    s.body.assign(sealed->begin(), sealed->end());
    return Api(server, s);
  }
  long long Rows(const std::string& where) {
    return testing::QueryCount(instance_.data_dir() + "/index.sqlite",
                               "SELECT COUNT(*) FROM items WHERE " + where);
  }

  TestInstance instance_;
};

TEST_F(SourceStorageWithForces, StoredBytesAreCappedUntilAForcesReceiptMakesRoom) {
  ServerProcess server(Argv({"--max-upload-mb", "1", "--max-stored-mb", "1"}));
  EXPECT_EQ(Report(server, std::nullopt, "one", 400 * kKiB).status, 200);
  EXPECT_EQ(Report(server, std::nullopt, "two", 400 * kKiB).status, 200);
  const HttpReply refused = Report(server, std::nullopt, "three", 400 * kKiB);
  EXPECT_EQ(refused.status, 503);
  ExpectFormBack(refused, "three", "This service is full for now");
  EXPECT_EQ(Items(instance_), 2);
  // The operator sees the store at its cap (two sealed reports of about half a MiB each).
  const testing::ProcessResult st = testing::RunProcess(
      {SEALDROP_SERVER_BIN, "--max-stored-mb", "1", "status", "--data", instance_.data_dir()});
  EXPECT_EQ(st.exit_code, 0) << st.err;
  EXPECT_NE(st.out.find("MET               2 waiting"), std::string::npos) << st.out;
  EXPECT_NE(st.out.find("\nstored     1 MiB of 1 MiB (max_stored_mb)\n"), std::string::npos) << st.out;
  EXPECT_NE(st.out.find(" MiB free, 512 MiB kept in reserve (reserve_mb)\n"), std::string::npos);
  // MET pulls and receipts: the room is there for the next report at once.
  const auto ids = ListIds(server);
  ASSERT_EQ(ids.size(), 2u);
  ASSERT_EQ(Receipt(server, ids).status, 200);
  EXPECT_EQ(Report(server, std::nullopt, "three, again", 400 * kKiB).status, 200);
  EXPECT_EQ(Items(instance_), 1);
  EXPECT_EQ(Blobs(instance_), 1u);
}

// The reserve set above the file system's free space stands for a nearly full disk: reports and
// follow-ups are refused, while the force API (its own, smaller reserve) still stores a reply and
// a receipt still deletes.
TEST_F(SourceStorageWithForces, UnderTheDiskReserveReportsAreRefusedButRepliesAndReceiptsWork) {
  const std::string codename = FirstReportsCodename();
  ASSERT_FALSE(codename.empty());
  ServerProcess server(Argv({"--reserve-mb", "1073741824", "--force-reserve-mb", "0"}));
  SourceClient reporter(server.address());
  ASSERT_EQ(reporter.Get("/report").status, 200);
  const HttpReply refused = reporter.PostMultipart(
      "/report", {{"csrf", reporter.csrf()}, {"force", "MET"}, {"what", "on a full disk"}});
  EXPECT_EQ(refused.status, 503);
  EXPECT_NE(refused.body.find("This service is full for now"), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find(">\non a full disk</textarea>"), std::string::npos);
  EXPECT_EQ(Items(instance_), 1);

  // A logged-in reporter's follow-up comes back to their inbox, message kept.
  SourceClient inbox(server.address());
  ASSERT_EQ(inbox.Get("/login").status, 200);
  ASSERT_EQ(inbox.PostForm("/login", {{"csrf", inbox.csrf()}, {"codename", codename}}).status, 303);
  ASSERT_EQ(inbox.Get("/inbox").status, 200);
  const HttpReply follow = inbox.PostMultipart(
      "/followup", {{"csrf", inbox.csrf()}, {"message", "more to say"}});
  EXPECT_EQ(follow.status, 503);
  EXPECT_NE(follow.body.find("This service is full for now"), std::string::npos) << follow.body;
  EXPECT_NE(follow.body.find("more to say"), std::string::npos);
  EXPECT_EQ(Items(instance_), 1);

  const HttpReply reply = Reply(server, codename);
  EXPECT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(Rows("kind = 'reply'"), 1);
  const auto ids = ListIds(server);
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(Receipt(server, ids).status, 200);
  EXPECT_EQ(Rows("kind != 'reply'"), 0);
}

TEST_F(SourceStorageWithForces, UnderTheForceReserveARepliesIsRefusedWithNothingStored) {
  const std::string codename = FirstReportsCodename();
  ASSERT_FALSE(codename.empty());
  ServerProcess server(Argv({"--reserve-mb", "1073741824", "--force-reserve-mb", "1073741824"}));
  const HttpReply reply = Reply(server, codename);
  EXPECT_EQ(reply.status, 507) << reply.body;
  EXPECT_EQ(Rows("kind = 'reply'"), 0);
  EXPECT_EQ(Blobs(instance_), 1u);
  // Deleting still works on a full disk.
  const auto ids = ListIds(server);
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(Receipt(server, ids).status, 200);
  EXPECT_EQ(Items(instance_), 0);
}

TEST(SourceStorageConfig, BudgetsOutOfRangeOrBelowOneUploadAreRefusedAtStart) {
  TestInstance instance;
  const auto fails = [&](std::vector<std::string> extra, const std::string& says) {
    const testing::ProcessResult r =
        testing::RunProcess(instance.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0", extra));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
  };
  fails({"--max-upload-mb", "10", "--sender-budget-mb", "5"}, "at least max_upload_mb");
  fails({"--max-upload-mb", "10", "--max-stored-mb", "5"}, "at least max_upload_mb");
  fails({"--reserve-mb", "10", "--force-reserve-mb", "20"}, "force_reserve_mb");
  fails({"--sender-budget-window", "0"}, "sender-budget-window");
}

}  // namespace
}  // namespace sealdrop
