// Push past failures, and what the PSD sees change, with real processes: the real server, and
// sealdrop-transfer and sealdrop-console as an officer runs them.
//  - push delivers every item it can: a reply the server refuses (its conversation was
//    forwarded to another force) holds back nothing, is reported with its reason, makes push
//    exit non-zero, and is not sent again; the console learns it from the push result on the
//    media and shows it to the officer. An unreachable server leaves every item to retry, and the
//    console's next outbox carries them again; nothing is ever stored twice.
//  - the console refuses a reply on a forwarded case and a second forward to the same force.
//  - follow-ups not yet shown come first after at-risk cases; a follow-up saying someone is at
//    risk raises its case, with the day it changed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>

#include "common/io.h"
#include "common/sqlite.h"
#include "crypto/envelope_writer.h"
#include "journalist_console/bundle/bundle.h"
#include "journalist_console/bundle/push_result.h"
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

std::size_t Count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class PushAndConsole : public ::testing::Test {
 protected:
  PushAndConsole()
      : server_(instance_.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0",
                                     {"--force-listen", "127.0.0.1:0"})) {
    std::filesystem::create_directories(media_);
  }

  // Every console command signs in as the test officer; `init` makes them its first supervisor.
  ProcessResult Console(std::vector<std::string> args, const std::string& input = "") {
    args = testing::AsOfficer(std::move(args), instance_.passphrase_file(), instance_.SecretKeyFile("MET"));
    args.insert(args.begin(), SEALDROP_CONSOLE_BIN);
    return RunProcess(args, input);
  }
  ProcessResult Transfer(const std::string& verb, const std::string& flag, const std::string& file,
                         const std::string& server = "") {
    return RunProcess({SEALDROP_TRANSFER_BIN, verb, "--server",
                       server.empty() ? "http://" + server_.force_api_address() : server,
                       "--force", "MET", "--key", instance_.TransferKeyFile("MET"),
                       "--passphrase-file", instance_.passphrase_file(),
                       flag, file});
  }
  // A web report to MET; returns its codename.
  std::string FileReport(const std::string& what, const std::string& at_risk = "") {
    SourceClient c(server_.address());
    EXPECT_EQ(c.Get("/report").status, 200);
    std::vector<testing::FormPart> parts = {{"csrf", c.csrf()}, {"force", "MET"}};
    if (!at_risk.empty()) parts.emplace_back("at_risk", at_risk);
    parts.emplace_back("what", what);
    const auto r = c.PostMultipart("/report", parts);
    EXPECT_EQ(r.status, 200);
    return testing::ElementText(r.body, "codename");
  }
  // Pulls MET's new items and imports them into a new console.
  void PullIntoNewConsole() {
    ProcessResult p = Transfer("pull", "--out", media_ + "/pull.bundle");
    ASSERT_EQ(p.exit_code, 0) << p.err;
    p = Console({"init", "--data", console_, "--directory", instance_.directory_file(), "--root-pub",
                 instance_.root_public_file()});
    ASSERT_EQ(p.exit_code, 0) << p.err;
    p = Console({"import", "--data", console_, media_ + "/pull.bundle"});
    ASSERT_EQ(p.exit_code, 0) << p.err;
  }
  // `list`'s case rows, in order.
  std::vector<std::string> ListRows(std::string* all = nullptr) {
    const ProcessResult l = Console({"list", "--data", console_});
    EXPECT_EQ(l.exit_code, 0) << l.err;
    if (all) *all = l.out;
    std::istringstream lines(l.out);
    std::string line;
    std::getline(lines, line);  // header
    std::vector<std::string> rows;
    while (std::getline(lines, line)) {
      if (line.size() > 8 && line.substr(0, 8).find_first_not_of("0123456789abcdef") == std::string::npos) {
        rows.push_back(line);
      }
    }
    return rows;
  }
  std::string CaseId(const std::string& text) {
    for (const auto& row : ListRows()) {
      if (row.find(text) != std::string::npos) return row.substr(0, 8);
    }
    ADD_FAILURE() << "no case with " << text;
    return "";
  }
  std::string ConsoleText(const std::string& sql) {
    return testing::QueryText(console_ + "/console.sqlite", sql);
  }
  void ConsoleExec(const std::string& sql) {
    auto db = sqlite::Database::Open(console_ + "/console.sqlite", sqlite::OpenMode::kReadWrite,
                                     "test edit");
    ASSERT_TRUE(db.ok()) << db.error().message;
    const Status st = db->Exec(sql.c_str());
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
    ASSERT_TRUE(db->Close().ok());
  }
  long long ConsoleCount(const std::string& sql) {
    return testing::QueryCount(console_ + "/console.sqlite", sql);
  }
  long long ServerReplies() {
    return testing::QueryCount(instance_.data_dir() + "/index.sqlite",
                               "SELECT COUNT(*) FROM items WHERE kind = 'reply'");
  }
  ProcessResult ReplyTo(const std::string& id) {
    testing::WriteFileOrDie(dir_ / "reply.txt", "Thank you; we are looking at this.\n");
    return Console({"reply", "--data", console_, id}, testing::ReadFileOrDie(dir_ / "reply.txt"));
  }

  TestInstance instance_;
  TempDir dir_;
  ServerProcess server_;
  const std::string media_ = dir_ / "media";  // the removable media
  const std::string console_ = dir_ / "console";
};

TEST_F(PushAndConsole, PushDeliversEveryItemPastARefusedReplyAndTheOfficerIsTold) {
  FileReport("Alpha: takes bribes at the custody desk.");
  FileReport("Xray: misrouted, this is a West Midlands officer.");
  FileReport("Bravo: leaks addresses to a gang.");
  PullIntoNewConsole();
  const std::string a = CaseId("Alpha"), x = CaseId("Xray"), b = CaseId("Bravo");

  // Replies to all three go into one bundle; then X is forwarded, in a second bundle.
  for (const auto& id : {a, x, b}) ASSERT_EQ(ReplyTo(id).exit_code, 0);
  ProcessResult p = Console({"outbox", "--data", console_, "--out", media_ + "/out1.bundle"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  p = Console({"forward", "--data", console_, x, "--to", "WMI"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  p = Console({"outbox", "--data", console_, "--out", media_ + "/out2.bundle"});
  ASSERT_EQ(p.exit_code, 0) << p.err;

  // The conversation is now WMI's: the console refuses another reply, and a second forward.
  const auto outbox_files = testing::ListDir(console_ + "/outbox");
  p = ReplyTo(x);
  EXPECT_EQ(p.exit_code, 1);
  EXPECT_NE(p.err.find("forwarded to WMI"), std::string::npos) << p.err;
  EXPECT_NE(p.err.find("only WMI can reply"), std::string::npos) << p.err;
  EXPECT_EQ(Count(p.err, "\n"), 1u) << p.err;
  p = Console({"forward", "--data", console_, x, "--to", "WMI"});
  EXPECT_EQ(p.exit_code, 1);
  EXPECT_NE(p.err.find("already forwarded to WMI"), std::string::npos) << p.err;
  EXPECT_EQ(testing::ListDir(console_ + "/outbox"), outbox_files) << "nothing written";
  EXPECT_EQ(ConsoleCount("SELECT COUNT(*) FROM outbox"), 4);

  // The bundles reach the workstation out of order: the forward first, then the replies.
  p = Transfer("push", "--in", media_ + "/out2.bundle");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  p = Transfer("push", "--in", media_ + "/out1.bundle");
  EXPECT_EQ(p.exit_code, 1) << p.out;
  EXPECT_NE(p.out.find("pushed 2 item(s)"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("1 refused"), std::string::npos) << p.out;
  EXPECT_EQ(Count(p.err, "404"), 1u) << p.err;
  EXPECT_EQ(Count(p.err, "(reply "), 1u) << "one line for the one refused item: " << p.err;
  EXPECT_EQ(ServerReplies(), 2) << "the replies behind the refused one were delivered";
  ASSERT_TRUE(PathExists(media_ + "/out1.bundle.push-result.json"));

  // Pushing the same bundle again sends nothing: delivered and refused items are final.
  p = Transfer("push", "--in", media_ + "/out1.bundle");
  EXPECT_EQ(p.exit_code, 1) << "the bundle is still not fully delivered";
  EXPECT_NE(p.out.find("pushed 0 item(s)"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("2 delivered by an earlier push"), std::string::npos) << p.out;
  EXPECT_NE(p.err.find("was refused by an earlier push"), std::string::npos) << p.err;
  EXPECT_EQ(ServerReplies(), 2);

  // The officer's next outbox reads the results on the media and names the refused reply.
  p = Console({"outbox", "--data", console_, "--out", media_ + "/out3.bundle"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("reply to case " + x + " NOT DELIVERED"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("404"), std::string::npos) << p.out;
  // A refused item is not sent again: the outbox carries only the import receipt.
  EXPECT_NE(p.out.find("0 item(s) and a receipt"), std::string::npos) << p.out;
  std::string listed;
  ListRows(&listed);
  EXPECT_NE(listed.find("Not delivered:\n  reply to case " + x), std::string::npos) << listed;
  EXPECT_NE(listed.find("refused for good"), std::string::npos) << listed;
  EXPECT_EQ(Count(listed, "reply to case"), 1u) << listed;
  p = Console({"show", "--data", console_, x});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("NOT DELIVERED by the push of " + testing::DayFromToday(0) +
                       ": the server refused the request (404"),
            std::string::npos)
      << p.out;
  EXPECT_NE(p.out.find("Forwarded to WMI on " + testing::DayFromToday(0) + " (delivered"), std::string::npos)
      << p.out;
  p = Console({"show", "--data", console_, a});
  EXPECT_NE(p.out.find("(delivered by the push of"), std::string::npos) << p.out;
  // Reading the same results again changes nothing and says nothing.
  p = Console({"outbox", "--data", console_, "--out", media_ + "/out4.bundle"});
  EXPECT_EQ(p.out.find("NOT DELIVERED"), std::string::npos) << p.out;
  EXPECT_EQ(ConsoleCount("SELECT COUNT(*) FROM audit WHERE action = 'push-result'"), 2);
  EXPECT_EQ(Console({"audit", "verify", "--data", console_}).exit_code, 0);
}

TEST_F(PushAndConsole, AnUnreachableServerLeavesEveryItemToRetryAndNothingIsStoredTwice) {
  const std::string codename = FileReport("Charlie: threatens a witness.");
  PullIntoNewConsole();
  const std::string c = CaseId("Charlie");
  ASSERT_EQ(ReplyTo(c).exit_code, 0);
  ASSERT_EQ(Console({"outbox", "--data", console_, "--out", media_ + "/out1.bundle"}).exit_code, 0);

  // Nothing listens on port 1: the item is not delivered, and will be sent again.
  ProcessResult p = Transfer("push", "--in", media_ + "/out1.bundle", "http://127.0.0.1:1");
  EXPECT_EQ(p.exit_code, 1);
  EXPECT_NE(p.err.find("not delivered: cannot reach the server"), std::string::npos) << p.err;
  EXPECT_NE(p.err.find("the next push sends it again"), std::string::npos) << p.err;
  EXPECT_NE(testing::ReadFileOrDie(media_ + "/out1.bundle.push-result.json").find("\"retry\""),
            std::string::npos);

  // The console puts it back in its outbox: the next bundle carries it again. A damaged result
  // on the media is set aside with a warning; it never stops the outbox.
  testing::WriteFileOrDie(media_ + "/old.bundle.push-result.json", "{\"version\":1,");
  p = Console({"outbox", "--data", console_, "--out", media_ + "/out2.bundle"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.err.find("warning: ignoring " + media_ + "/old.bundle.push-result.json: not a valid push result"),
            std::string::npos)
      << p.err;
  EXPECT_NE(p.out.find("reply to case " + c + " not delivered yet"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("goes out again with this outbox"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("1 item(s) and a receipt"), std::string::npos) << p.out;
  std::string listed;
  ListRows(&listed);
  EXPECT_NE(listed.find("not delivered yet, 1 failed attempt(s)"), std::string::npos) << listed;

  // The workstation pushes the first bundle again (only the item to retry is sent), then the
  // second: the reply is stored once.
  p = Transfer("push", "--in", media_ + "/out1.bundle");
  EXPECT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("pushed 1 item(s)"), std::string::npos) << p.out;
  p = Transfer("push", "--in", media_ + "/out2.bundle");
  EXPECT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("1 were already on the server"), std::string::npos) << p.out;
  EXPECT_EQ(ServerReplies(), 1);

  // The console learns it was delivered; nothing is left to tell the officer, and the outbox
  // carries only the import receipt.
  p = Console({"outbox", "--data", console_, "--out", media_ + "/out3.bundle"});
  EXPECT_NE(p.out.find("0 item(s) and a receipt"), std::string::npos) << p.out;
  ListRows(&listed);
  EXPECT_EQ(listed.find("Not delivered"), std::string::npos) << listed;
  p = Console({"show", "--data", console_, c});
  EXPECT_NE(p.out.find("(delivered by the push of"), std::string::npos) << p.out;

  // The reporter reads it once.
  SourceClient back(server_.address());
  ASSERT_EQ(back.Get("/login").status, 200);
  ASSERT_EQ(back.PostForm("/login", {{"csrf", back.csrf()}, {"codename", codename}}).status, 303);
  EXPECT_EQ(Count(back.Get("/inbox").body, "we are looking at this."), 1u);
}

TEST_F(PushAndConsole, AForwardRefusedForGoodMovedNothingSoReplyAndForwardAgainAreAllowed) {
  FileReport("Delta: misrouted twice.");
  PullIntoNewConsole();
  const std::string d = CaseId("Delta");
  ASSERT_EQ(Console({"forward", "--data", console_, d, "--to", "WMI"}).exit_code, 0);
  ASSERT_EQ(Console({"outbox", "--data", console_, "--out", media_ + "/out1.bundle"}).exit_code, 0);
  EXPECT_EQ(ReplyTo(d).exit_code, 1) << "forwarded: the conversation is WMI's";

  // The workstation reports the forward refused for good (as a 400 for a force no longer valid).
  auto reader = bundle::BundleReader::Open(media_ + "/out1.bundle");
  ASSERT_TRUE(reader.ok());
  ASSERT_EQ(reader->manifest().items.size(), 1u);
  const bundle::PushResult result{"MET", testing::DayFromToday(0),
                                  {{reader->manifest().items[0].id, "forward", bundle::PushOutcome::kRefused,
                                    "the server refused the request (400: no such force)"}}};
  testing::WriteFileOrDie(media_ + "/out1.bundle.push-result.json", bundle::EncodePushResult(result));
  ProcessResult p = Console({"outbox", "--data", console_, "--out", media_ + "/out2.bundle"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("forward of case " + d + " to WMI NOT DELIVERED"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("0 item(s) and a receipt"), std::string::npos) << p.out;

  // The conversation never moved: the case is no longer "forwarded"; MET may reply, and may
  // forward again.
  EXPECT_EQ(ConsoleText("SELECT status FROM cases WHERE id LIKE '" + d + "%'"), "new");
  p = ReplyTo(d);
  EXPECT_EQ(p.exit_code, 0) << p.err;
  p = Console({"forward", "--data", console_, d, "--to", "WMI"});
  EXPECT_EQ(p.exit_code, 0) << p.err;
}

// A follow-up as the web form seals it, with the members the form now asks for (report.md §4);
// `with_risk` false makes one from before the question (without them).
std::vector<std::uint8_t> FollowUpEnvelope(const PublicKey& force_key, const std::string& source_ref,
                                           const std::string& message, bool with_risk,
                                           const std::string& at_risk = "",
                                           const std::string& details = "") {
  nlohmann::json meta = {
      {"version", 1}, {"kind", "followup"}, {"force", "MET"}, {"day", testing::DayFromToday(0)},
      {"source", {{"ref", source_ref}, {"key", GenerateKeyPair(KeyRole::kSource).public_key.ToText()}}},
      {"message", message}};
  if (with_risk) {
    meta["at_risk"] = at_risk;
    meta["risk_details"] = details;
  }
  MemorySink sink;
  const std::vector<PublicKey> to = {force_key};
  auto w = SealedEnvelopeWriter::Begin(sink, to, meta.dump());
  EXPECT_TRUE(w.ok());
  EXPECT_TRUE(w->Finish().ok());
  return sink.bytes();
}

TEST_F(PushAndConsole, UnreadFollowUpsComeFirstAfterAtRiskAndAYesRaisesTheCase) {
  FileReport("One: already at risk.", "yes");
  FileReport("Two: a follow-up says no.");
  FileReport("Three: a follow-up says yes.");
  FileReport("Four: an old follow-up without the question.");
  FileReport("Five: no follow-up.");
  PullIntoNewConsole();
  // As a console made before these tables existed (schema version 1, nothing in its header):
  // it gains them when it is next opened.
  ConsoleExec("DROP TABLE followup_unread; DROP TABLE risk_raised; DROP TABLE delivery; "
              "DROP TABLE push_results_read; PRAGMA user_version = 0;");
  std::map<std::string, std::string> id;
  for (const std::string n : {"One", "Two", "Three", "Four", "Five"}) id[n] = CaseId(n + ":");
  auto ref = [&](const std::string& n) {
    return ConsoleText("SELECT source_ref FROM cases WHERE id LIKE '" + id[n] + "%'");
  };

  // The follow-ups arrive in the next pull.
  const PublicKey& met = instance_.DecryptionKey("MET").public_key;
  auto w = bundle::BundleWriter::Create(media_ + "/pull2.bundle", "pull", "MET", testing::DayFromToday(0));
  ASSERT_TRUE(w.ok());
  const std::vector<std::vector<std::uint8_t>> followups = {
      FollowUpEnvelope(met, ref("One"), "One again.", true, "yes", "still"),
      FollowUpEnvelope(met, ref("Two"), "Two again.", true, "no", ""),
      FollowUpEnvelope(met, ref("Three"), "Three again.", true, "yes", "He said he will come tonight."),
      FollowUpEnvelope(met, ref("Four"), "Four again.", false)};
  std::vector<std::string> followup_ids;
  for (const auto& f : followups) {
    followup_ids.push_back(bundle::NewItemId());
    MemorySource src(f);
    ASSERT_TRUE(w->AddItem({followup_ids.back(), "followup", testing::DayFromToday(0), 0, 0, "", "", ""}, src).ok());
  }
  ASSERT_TRUE(w->Commit().ok());
  ProcessResult p = Console({"import", "--data", console_, media_ + "/pull2.bundle"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("case " + id["Three"] + " is now AT RISK"), std::string::npos) << p.out;
  EXPECT_EQ(Count(p.out, "is now AT RISK"), 1u) << "One was at risk already: " << p.out;

  // At risk first (One, and Three raised today), then unread follow-ups (Two, Four), then Five.
  std::vector<std::string> rows = ListRows();
  ASSERT_EQ(rows.size(), 5u);
  auto position = [&](const std::vector<std::string>& r, const std::string& n) {
    return std::find_if(r.begin(), r.end(), [&](const std::string& row) { return row.rfind(id[n], 0) == 0; }) - r.begin();
  };
  EXPECT_LT(position(rows, "One"), 2);
  EXPECT_LT(position(rows, "Three"), 2);
  EXPECT_GE(position(rows, "Two"), 2);
  EXPECT_LT(position(rows, "Two"), 4);
  EXPECT_GE(position(rows, "Four"), 2);
  EXPECT_LT(position(rows, "Four"), 4);
  EXPECT_EQ(position(rows, "Five"), 4);
  const std::string three = rows[static_cast<std::size_t>(position(rows, "Three"))];
  EXPECT_NE(three.find("YES " + testing::DayFromToday(0)), std::string::npos) << three;
  const std::string two = rows[static_cast<std::size_t>(position(rows, "Two"))];
  EXPECT_NE(two.find("1 (1 NEW)"), std::string::npos) << two;
  EXPECT_EQ(two.find("YES"), std::string::npos) << "a no raises nothing: " << two;
  EXPECT_EQ(rows[4].find("NEW"), std::string::npos) << rows[4];

  // show prints the follow-up (and its answer), and marks it read: Two drops behind Four.
  p = Console({"show", "--data", console_, id["Two"]});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("NEW " + followup_ids[1].substr(0, 8)), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("At risk now"), std::string::npos) << p.out;
  rows = ListRows();
  EXPECT_GE(position(rows, "Four"), 2);
  EXPECT_LT(position(rows, "Four"), 3);
  EXPECT_GE(position(rows, "Two"), 3);
  EXPECT_EQ(rows[static_cast<std::size_t>(position(rows, "Two"))].find("NEW"), std::string::npos);
  p = Console({"show", "--data", console_, id["Two"]});
  EXPECT_EQ(p.out.find("NEW "), std::string::npos) << p.out;

  // Three says when and why it changed; the old follow-up shows no answer it never had.
  p = Console({"show", "--data", console_, id["Three"]});
  EXPECT_NE(p.out.find("AT RISK OF HARM NOW"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("raised to at-risk on " + testing::DayFromToday(0) + " by follow-up " +
                       followup_ids[2].substr(0, 8)),
            std::string::npos)
      << p.out;
  EXPECT_NE(p.out.find("He said he will come tonight."), std::string::npos) << p.out;
  p = Console({"show", "--data", console_, id["Four"]});
  EXPECT_NE(p.out.find("Four again."), std::string::npos) << p.out;
  EXPECT_EQ(p.out.find("At risk now"), std::string::npos) << p.out;

  // The audit trail records the change, once; importing the same bundle again changes nothing.
  EXPECT_EQ(ConsoleCount("SELECT COUNT(*) FROM audit WHERE action = 'at-risk'"), 1);
  EXPECT_EQ(ConsoleText("SELECT item FROM audit WHERE action = 'at-risk'").substr(0, 8), id["Three"]);
  p = Console({"import", "--data", console_, media_ + "/pull2.bundle"});
  EXPECT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(p.out.find("AT RISK"), std::string::npos) << p.out;
  EXPECT_EQ(ConsoleCount("SELECT COUNT(*) FROM audit WHERE action = 'at-risk'"), 1);
  EXPECT_EQ(Console({"audit", "verify", "--data", console_}).exit_code, 0);
}

}  // namespace
}  // namespace sealdrop
