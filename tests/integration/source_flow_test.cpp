// The source interface end to end, over real sockets to a real sealdrop-server process with a
// real SQLite store: a report with three files (one of 50 MB, sent by curl) opens byte-identical
// with sealdrop-console; the codename logs in, the inbox shows a reply, a follow-up is sealed to
// the same force, log-out ends the session; a marker never reaches disk or logs.
#include <gtest/gtest.h>
#include <algorithm>
#include <thread>
#include <signal.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "common/io.h"
#include "common/sqlite.h"
#include "crypto/codename.h"
#include "crypto/directory.h"
#include "crypto/envelope_reader.h"
#include "crypto/envelope_writer.h"
#include "server/storage/store.h"
#include "common/clock.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"
#include "tests/support/source_client.h"
#include "tests/support/sqlite_count.h"
#include "tests/support/test_instance.h"

namespace sealdrop {
namespace {

using testing::FormPart;
using testing::HttpReply;
using testing::ProcessResult;
using testing::RunProcess;
using testing::ServerProcess;
using testing::SourceClient;
using testing::TempDir;
using testing::TestInstance;

namespace fs = std::filesystem;

std::string RandomBytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

std::vector<std::uint8_t> ReadBytes(const std::string& path) {
  const std::string s = testing::ReadFileOrDie(path);
  return {s.begin(), s.end()};
}

long long CountRows(const std::string& data_dir, const std::string& table) {
  return testing::QueryCount(data_dir + "/index.sqlite", "SELECT COUNT(*) FROM " + table);
}

std::vector<std::string> Blobs(const std::string& data_dir) {
  return testing::ListItemBlobs(data_dir);
}

// True when `needle` occurs in any file under `dir` (recursively).
bool TreeContains(const std::string& dir, const std::string& needle) {
  if (!fs::exists(dir)) return false;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    if (testing::ReadFileOrDie(e.path().string()).find(needle) != std::string::npos) return true;
  }
  return false;
}

class SourceFlow : public ::testing::Test {
 protected:
  SourceFlow() {
    // The server's temp files (if it made any) go where the test can search them.
    ::setenv("TMPDIR", tmp_.path().c_str(), 1);
    server_ = std::make_unique<ServerProcess>(instance_.ServerArgv(SEALDROP_SERVER_BIN));
    ::setenv("TMPDIR", "/tmp", 1);
  }

  // A new report through the form, as a browser sends it; returns the codename page.
  HttpReply SubmitReport(SourceClient& c, const std::string& what,
                         const std::vector<FormPart>& files = {}) {
    EXPECT_EQ(c.Get("/report").status, 200);
    std::vector<FormPart> parts = {{"csrf", c.csrf()},   {"force", "MET"},
                                   {"category", "corruption"}, {"role", "officer"},
                                   {"what", what}};
    parts.insert(parts.end(), files.begin(), files.end());
    return c.PostMultipart("/report", parts);
  }

  HttpReply LogIn(SourceClient& c, const std::string& codename) {
    EXPECT_EQ(c.Get("/login").status, 200);
    return c.PostForm("/login", {{"csrf", c.csrf()}, {"codename", codename}});
  }

  SourceIdentity Identity(const std::string& codename) {
    const std::string salt = testing::ReadFileOrDie(instance_.data_dir() + "/instance.salt");
    CodenameDeriver deriver(AsBytes(salt));
    auto id = deriver.Derive(codename);
    EXPECT_TRUE(id.ok());
    return std::move(*id);
  }

  // A force's reply to `id`, stored as the force API stores one; returns its item id.
  std::string StoreReply(const SourceIdentity& id, const std::string& message) {
    const nlohmann::json meta = {{"version", 1}, {"kind", "reply"}, {"force", "MET"},
                                 {"day", TodayUtc()}, {"message", message}};
    const std::vector<PublicKey> to = {id.key_pair.public_key};
    auto sealed = SealToBytes(to, meta.dump(), {"reply.txt", "text/plain"}, {});
    EXPECT_TRUE(sealed.ok());
    // A second store beside the running server's: the reply gets a name of its own (as the force
    // API's do), so the server can never take the same spare file for an upload.
    auto store = server::SealedStore::Open(instance_.data_dir());
    EXPECT_TRUE(store.ok());
    std::uint8_t name[16];
    randombytes_buf(name, sizeof name);
    auto blob = (*store)->Begin(HexEncode(name));
    EXPECT_TRUE(blob.ok());
    const std::string item = blob->id();
    EXPECT_TRUE(blob->sink().Write(*sealed).ok());
    server::ItemRow row{"", "MET", TodayUtc(), sealed->size(), server::ItemKind::kReply, id.lookup_id};
    EXPECT_TRUE((*store)->Commit(std::move(*blob), row).ok());
    return item;
  }

  OpenedEnvelope OpenBlob(const std::string& id, const KeyPair& key) {
    std::vector<KeyPair> keys;
    keys.push_back({key.public_key, SecretBuffer::CopyOf(key.secret.span())});
    auto opened = OpenFromBytes(ReadBytes(instance_.data_dir() + "/blobs/" + id), keys);
    EXPECT_TRUE(opened.ok()) << (opened.ok() ? "" : opened.error().message);
    return opened.ok() ? std::move(*opened) : OpenedEnvelope{};
  }

  TestInstance instance_;
  TempDir tmp_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(SourceFlow, AReportWithThreeFilesOpensByteIdenticalWithTheConsole) {
  TempDir files;
  const std::string big = RandomBytes(50u << 20, 1);
  const std::string photo = RandomBytes(300 * 1024 + 7, 2);
  const std::string note = "Meeting notes\r\nwith CRLF and £ ü — ✓\n";
  testing::WriteFileOrDie(files / "evidence.bin", big);
  testing::WriteFileOrDie(files / "photo 1.jpg", photo);
  testing::WriteFileOrDie(files / "notes.txt", note);

  SourceClient c(server_->address());
  ASSERT_EQ(c.Get("/report").status, 200);
  const std::string port = server_->address().substr(server_->address().rfind(':') + 1);
  // A real HTTP client: curl builds the multipart body the way it always does.
  const std::vector<std::string> argv = {
      "/usr/bin/curl", "-sS", "--max-time", "120", "-o", files / "answer.html", "-w", "%{http_code}",
      "-H", "Cookie: " + c.cookie(),
      "-F", "csrf=" + c.csrf(), "-F", "force=WMI", "-F", "category=sexual", "-F", "role=staff",
      "-F", "subject_name=PC Example Ñame", "-F", "subject_number=4521",
      "-F", "subject_description=Tall, works nights",
      "-F", "what=He asked for favours.\nSecond line, «quoted»",
      "-F", "when=Last spring", "-F", "where=Birmingham", "-F", "duty=on",
      "-F", "setting=in_person", "-F", "at_risk=yes", "-F", "risk_details=A young woman",
      "-F", "how_known=I saw it", "-F", "contact=details", "-F", "contact_name=Sam",
      "-F", "contact_phone=07700 900123", "-F", "contact_email=sam@example.org",
      "-F", "contact_times=Evenings",
      "-F", "file=@" + (files / "evidence.bin") + ";type=application/octet-stream",
      "-F", "file=@" + (files / "photo 1.jpg") + ";type=image/jpeg",
      "-F", "file=@" + (files / "notes.txt") + ";type=text/plain",
      "http://127.0.0.1:" + port + "/report"};
  const ProcessResult curl = RunProcess(argv);
  ASSERT_EQ(curl.exit_code, 0) << curl.err;
  ASSERT_EQ(curl.out, "200");
  const std::string page = testing::ReadFileOrDie(files / "answer.html");
  const std::string codename = testing::ElementText(page, "codename");
  EXPECT_TRUE(NormalizeCodename(codename).ok()) << codename;
  EXPECT_NE(page.find("West Midlands Police"), std::string::npos);

  const auto blobs = Blobs(instance_.data_dir());
  ASSERT_EQ(blobs.size(), 1u);
  EXPECT_EQ(CountRows(instance_.data_dir(), "items"), 1);
  EXPECT_EQ(CountRows(instance_.data_dir(), "sources"), 1);

  const ProcessResult open = RunProcess(
      {SEALDROP_CONSOLE_BIN, "open", "--key", instance_.SecretKeyFile("WMI"), "--passphrase-file",
       instance_.passphrase_file(), "--in", instance_.data_dir() + "/blobs/" + blobs[0],
       "--out-dir", files / "opened"});
  ASSERT_EQ(open.exit_code, 0) << open.err;
  EXPECT_EQ(testing::ReadFileOrDie(files / "opened/01-evidence.bin"), big);
  EXPECT_EQ(testing::ReadFileOrDie(files / "opened/02-photo_1.jpg"), photo);
  EXPECT_EQ(testing::ReadFileOrDie(files / "opened/03-notes.txt"), note);

  const auto doc = nlohmann::json::parse(testing::ReadFileOrDie(files / "opened/metadata.json"));
  const auto& m = doc["metadata"];
  EXPECT_EQ(m["kind"], "report");
  EXPECT_EQ(m["force"], "WMI");
  EXPECT_EQ(m["category"], "sexual");
  EXPECT_EQ(m["role"], "staff");
  EXPECT_EQ(m["subject"]["name"], "PC Example Ñame");
  EXPECT_EQ(m["subject"]["number"], "4521");
  EXPECT_EQ(m["subject"]["description"], "Tall, works nights");
  EXPECT_EQ(m["what"], "He asked for favours.\nSecond line, «quoted»");
  EXPECT_EQ(m["when"], "Last spring");
  EXPECT_EQ(m["where"], "Birmingham");
  EXPECT_EQ(m["duty"], "on");
  EXPECT_EQ(m["setting"], "in_person");
  EXPECT_EQ(m["at_risk"], "yes");
  EXPECT_EQ(m["risk_details"], "A young woman");
  EXPECT_EQ(m["how_known"], "I saw it");
  EXPECT_EQ(m["contact"]["mode"], "details");
  EXPECT_EQ(m["contact"]["name"], "Sam");
  EXPECT_EQ(m["contact"]["phone"], "07700 900123");
  EXPECT_EQ(m["contact"]["email"], "sam@example.org");
  EXPECT_EQ(m["contact"]["times"], "Evenings");
  const SourceIdentity id = Identity(codename);
  EXPECT_EQ(m["source"]["ref"], HexEncode(id.lookup_id));
  EXPECT_EQ(m["source"]["key"], id.key_pair.public_key.ToText());
  ASSERT_EQ(doc["parts"].size(), 3u);
  EXPECT_EQ(doc["parts"][0]["name"], "evidence.bin");
  EXPECT_EQ(doc["parts"][1]["name"], "photo 1.jpg");
  EXPECT_EQ(doc["parts"][1]["type"], "image/jpeg");
  EXPECT_EQ(doc["parts"][2]["type"], "text/plain");
}

TEST_F(SourceFlow, AnonymousReportsSealNoContactDetailsAndShortOnesAllHaveOneSize) {
  SourceClient a(server_->address());
  ASSERT_EQ(a.Get("/report").status, 200);
  const HttpReply r1 = a.PostMultipart(
      "/report", {{"csrf", a.csrf()}, {"force", "MET"}, {"what", "x"}, {"contact", "anonymous"},
                  {"contact_name", "Should Not Be Sealed"}, {"contact_phone", "0123"}});
  ASSERT_EQ(r1.status, 200) << r1.body;
  SourceClient b(server_->address());
  const HttpReply r2 = SubmitReport(b, std::string(20000, 'y'));
  ASSERT_EQ(r2.status, 200);
  const auto blobs = Blobs(instance_.data_dir());
  ASSERT_EQ(blobs.size(), 2u);
  EXPECT_EQ(fs::file_size(instance_.data_dir() + "/blobs/" + blobs[0]),
            fs::file_size(instance_.data_dir() + "/blobs/" + blobs[1]));
  for (const auto& blob : blobs) {
    const OpenedEnvelope e = OpenBlob(blob, instance_.DecryptionKey("MET"));
    const auto m = nlohmann::json::parse(e.metadata);
    EXPECT_EQ(m["contact"], nlohmann::json({{"mode", "anonymous"}}));
    EXPECT_EQ(e.metadata.find("Should Not Be Sealed"), std::string::npos);
  }
}

TEST_F(SourceFlow, TheCodenameLogsInAndTheInboxShowsRepliesSealedToTheSource) {
  SourceClient c(server_->address());
  const HttpReply made = SubmitReport(c, "Report text");
  ASSERT_EQ(made.status, 200);
  const std::string codename = testing::ElementText(made.body, "codename");

  // Before any reply.
  SourceClient back(server_->address());
  const HttpReply login = LogIn(back, "  " + codename + "\n");  // typed loosely: normalised
  ASSERT_EQ(login.status, 303) << login.body;
  EXPECT_EQ(login.Header("Location"), "/inbox");
  const std::string before = back.cookie();
  HttpReply inbox = back.Get("/inbox");
  ASSERT_EQ(inbox.status, 200);
  EXPECT_NE(inbox.body.find("id=\"inbox\""), std::string::npos);
  EXPECT_EQ(inbox.body.find("class=\"reply\""), std::string::npos);

  // A force's reply, sealed to the source key (as sealdrop-console reply will make it).
  StoreReply(Identity(codename), "Thank you. <script>alert(1)</script>\nCan you say more?");
  inbox = back.Get("/inbox");
  ASSERT_EQ(inbox.status, 200);
  EXPECT_NE(inbox.body.find("class=\"reply\""), std::string::npos);
  EXPECT_NE(inbox.body.find("Thank you. &lt;script&gt;alert(1)&lt;/script&gt;"),
            std::string::npos) << inbox.body;
  EXPECT_EQ(inbox.body.find("<script>"), std::string::npos);
  EXPECT_NE(inbox.body.find("Metropolitan Police Service"), std::string::npos);

  // Another reporter's session sees none of it.
  SourceClient other(server_->address());
  const HttpReply other_made = SubmitReport(other, "Other");
  ASSERT_EQ(LogIn(other, testing::ElementText(other_made.body, "codename")).status, 303);
  EXPECT_EQ(other.Get("/inbox").body.find("class=\"reply\""), std::string::npos);
  EXPECT_EQ(before, back.cookie());
}

TEST_F(SourceFlow, TheInboxShowsAReplyWithoutBidiOverridesOrControlCharacters) {
  SourceClient c(server_->address());
  const HttpReply made = SubmitReport(c, "Report text");
  ASSERT_EQ(made.status, 200);
  const std::string codename = testing::ElementText(made.body, "codename");
  ASSERT_EQ(LogIn(c, codename).status, 303);

  // A reply whose text would show a reversed number and hidden terminal codes, sealed to the
  // source key as a force's console would seal it.
  const std::string fffd = "\uFFFD";
  const std::vector<std::string> hostile = {"\u202A", "\u202B", "\u202C", "\u202D", "\u202E",
                                            "\u2066", "\u2067", "\u2068", "\u2069", "\u200E",
                                            "\u200F", "\u061C", "\x1b", "\x7f", "\u0085",
                                            "\u009B", std::string(1, '\0')};
  std::string message = "Call 0207\u202E4321\u202C today.\r\nThen\tbye";
  std::string expected = "Call 0207" + fffd + "4321" + fffd + " today.\nThen\tbye";
  for (const auto& h : hostile) {
    message += "[" + h + "]";
    expected += "[" + fffd + "]";
  }
  StoreReply(Identity(codename), message);
  const HttpReply inbox = c.Get("/inbox");
  ASSERT_EQ(inbox.status, 200);
  EXPECT_NE(inbox.body.find("<div class=\"message\" dir=\"auto\">" + expected + "</div>"), std::string::npos)
      << inbox.body;
  for (const auto& h : hostile) EXPECT_EQ(inbox.body.find(h), std::string::npos) << "U+" << h;
  EXPECT_EQ(inbox.body.find('\r'), std::string::npos);
}

TEST_F(SourceFlow, AReporterDeletesTheRepliesTheyHaveReadAndOnlyThose) {
  SourceClient c(server_->address());
  const std::string codename = testing::ElementText(SubmitReport(c, "r").body, "codename");
  SourceClient other(server_->address());
  const std::string other_codename = testing::ElementText(SubmitReport(other, "o").body, "codename");
  const std::string read = StoreReply(Identity(codename), "Please call us.");
  const std::string others = StoreReply(Identity(other_codename), "Not yours.");
  ASSERT_EQ(LogIn(c, codename).status, 303);
  const HttpReply inbox = c.Get("/inbox");
  ASSERT_NE(inbox.body.find("Please call us."), std::string::npos);
  ASSERT_NE(inbox.body.find("name=\"replies\" value=\"" + read + "\""), std::string::npos) << inbox.body;
  // A reply that arrives after the page was shown is not deleted unseen.
  const std::string later = StoreReply(Identity(codename), "One more thing.");
  // The form as shown, plus another reporter's reply id slipped in: only the shown one goes.
  const HttpReply done = c.PostForm("/inbox/delete-replies",
                                    {{"csrf", c.csrf()}, {"replies", read + " " + others}});
  EXPECT_EQ(done.status, 200);
  EXPECT_NE(done.body.find("Replies deleted"), std::string::npos);
  const HttpReply after = c.Get("/inbox");
  EXPECT_EQ(after.body.find("Please call us."), std::string::npos);
  EXPECT_NE(after.body.find("One more thing."), std::string::npos);
  const auto blobs = Blobs(instance_.data_dir());
  EXPECT_EQ(std::count(blobs.begin(), blobs.end(), read), 0);
  EXPECT_EQ(std::count(blobs.begin(), blobs.end(), others), 1);
  EXPECT_EQ(std::count(blobs.begin(), blobs.end(), later), 1);
  // Without the form's token nothing is deleted.
  EXPECT_EQ(c.PostForm("/inbox/delete-replies", {{"replies", later}}).status, 403);
  EXPECT_EQ(testing::QueryCount(instance_.data_dir() + "/index.sqlite",
                                "SELECT COUNT(*) FROM items WHERE kind = 'reply'"), 2);
}

TEST_F(SourceFlow, AConversationWithoutActivityForTheRetentionPeriodIsForgotten) {
  SourceClient a(server_->address());
  const std::string quiet = testing::ElementText(SubmitReport(a, "quiet").body, "codename");
  SourceClient b(server_->address());
  const std::string active = testing::ElementText(SubmitReport(b, "active").body, "codename");
  const std::string reply = StoreReply(Identity(quiet), "Are you still there?");
  const std::string kept = StoreReply(Identity(active), "Thanks.");
  // A login is activity: the active reporter's month moves to this one.
  ASSERT_EQ(LogIn(b, active).status, 303);
  EXPECT_EQ(testing::QueryCount(instance_.data_dir() + "/index.sqlite",
                                "SELECT COUNT(*) FROM sources WHERE active_month = '" + MonthOf(TodayUtc()) + "'"),
            2);
  // The quiet one's last activity was 400 days ago (the default period is 365): the next
  // start's retention pass forgets the codename and its replies, and nothing else.
  server_.reset();
  {
    auto db = sqlite::Database::Open(instance_.data_dir() + "/index.sqlite",
                                     sqlite::OpenMode::kReadWrite, "test edit");
    ASSERT_TRUE(db.ok());
    const auto lookup = HexEncode(Identity(quiet).lookup_id);
    const std::string sql = "UPDATE sources SET active_month = '" + MonthOf(AddDays(TodayUtc(), -400)) +
                            "' WHERE hex(lookup_id) = upper('" + lookup + "')";
    ASSERT_TRUE(db->Exec(sql.c_str()).ok());
    ASSERT_EQ(db->Changes(), 1);
    ASSERT_TRUE(db->Close().ok());
  }
  server_ = std::make_unique<ServerProcess>(instance_.ServerArgv(SEALDROP_SERVER_BIN));
  // The pass runs on the disk pool after start: its rows, then its blob files.
  const auto reply_gone = [&] {
    const auto now = Blobs(instance_.data_dir());
    return std::count(now.begin(), now.end(), reply) == 0;
  };
  for (int i = 0; i < 200 && (CountRows(instance_.data_dir(), "sources") != 1 || !reply_gone()); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(CountRows(instance_.data_dir(), "sources"), 1);
  const auto blobs = Blobs(instance_.data_dir());
  EXPECT_EQ(std::count(blobs.begin(), blobs.end(), reply), 0);
  EXPECT_EQ(std::count(blobs.begin(), blobs.end(), kept), 1);
  EXPECT_EQ(testing::QueryCount(instance_.data_dir() + "/index.sqlite",
                                "SELECT COUNT(*) FROM items WHERE kind = 'report'"), 2)
      << "reports leave only on a force's receipt";
  SourceClient again(server_->address());
  EXPECT_EQ(LogIn(again, quiet).status, 403) << "the forgotten codename no longer logs in";
  EXPECT_EQ(LogIn(again, active).status, 303);
}

TEST_F(SourceFlow, LoginRotatesTheSessionAndLogOutEndsIt) {
  SourceClient c(server_->address());
  const std::string codename = testing::ElementText(SubmitReport(c, "r").body, "codename");
  ASSERT_EQ(c.Get("/login").status, 200);
  const std::string anonymous_cookie = c.cookie();
  ASSERT_EQ(c.PostForm("/login", {{"csrf", c.csrf()}, {"codename", codename}}).status, 303);
  EXPECT_NE(c.cookie(), anonymous_cookie);
  // The pre-login session id is dead: no fixation.
  SourceClient stale(server_->address());
  stale.set_cookie(anonymous_cookie);
  EXPECT_EQ(stale.Get("/inbox").status, 303);

  ASSERT_EQ(c.Get("/inbox").status, 200);
  const std::string logged_in_cookie = c.cookie();
  const HttpReply out = c.PostForm("/logout", {{"csrf", c.csrf()}});
  EXPECT_EQ(out.status, 303);
  EXPECT_EQ(out.Header("Location"), "/");
  EXPECT_NE(out.Header("Set-Cookie").find("Max-Age=0"), std::string::npos);
  // The server forgot the session: the old cookie, replayed, reaches nothing.
  SourceClient replay(server_->address());
  replay.set_cookie(logged_in_cookie);
  const HttpReply gone = replay.Get("/inbox");
  EXPECT_EQ(gone.status, 303);
  EXPECT_EQ(gone.Header("Location"), "/login");
}

TEST_F(SourceFlow, AFollowUpIsSealedToTheSameForceWithItsFiles) {
  SourceClient c(server_->address());
  const std::string codename = testing::ElementText(SubmitReport(c, "first").body, "codename");
  ASSERT_EQ(LogIn(c, codename).status, 303);
  ASSERT_EQ(c.Get("/inbox").status, 200);
  const HttpReply sent = c.PostMultipart(
      "/followup", {{"csrf", c.csrf()},
                    {"message", "More detail"},
                    {"file", "scan bytes", true, "scan.pdf", "application/pdf"}});
  ASSERT_EQ(sent.status, 200) << sent.body;
  EXPECT_NE(sent.body.find("id=\"followup-sent\""), std::string::npos);
  ASSERT_EQ(Blobs(instance_.data_dir()).size(), 2u);
  const SourceIdentity id = Identity(codename);
  int followups = 0;
  for (const auto& blob : Blobs(instance_.data_dir())) {
    const OpenedEnvelope e = OpenBlob(blob, instance_.DecryptionKey("MET"));
    const auto m = nlohmann::json::parse(e.metadata);
    if (m["kind"] != "followup") continue;
    ++followups;
    EXPECT_EQ(m["message"], "More detail");
    EXPECT_EQ(m["force"], "MET");
    EXPECT_EQ(m["source"]["ref"], HexEncode(id.lookup_id));
    ASSERT_EQ(e.parts.size(), 1u);
    EXPECT_EQ(e.parts[0].name, "scan.pdf");
    EXPECT_EQ(e.contents[0], "scan bytes");
  }
  EXPECT_EQ(followups, 1);
  EXPECT_EQ(CountRows(instance_.data_dir(), "sources"), 1);
}

TEST_F(SourceFlow, AWrongCodenameGetsOneGenericErrorWhateverIsWrong) {
  SourceClient c(server_->address());
  ASSERT_EQ(SubmitReport(c, "r").status, 200);
  std::string first_message;
  for (const std::string& guess :
       {std::string("abacus abdomen abdominal abide abiding ability ablaze"),  // well-formed
        std::string("abacus abdomen"), std::string("not even words"), std::string("")}) {
    SourceClient g(server_->address());
    const HttpReply r = LogIn(g, guess);
    EXPECT_EQ(r.status, 403) << guess;
    const auto at = r.body.find("role=\"alert\"");
    ASSERT_NE(at, std::string::npos) << r.body;
    const std::string message = r.body.substr(at, 200);
    if (first_message.empty()) first_message = message;
    EXPECT_EQ(message, first_message);
    EXPECT_EQ(g.Get("/inbox").status, 303);
  }
}

TEST_F(SourceFlow, GuessesAreThrottledPerSession) {
  SourceClient g(server_->address());
  ASSERT_EQ(g.Get("/login").status, 200);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(g.PostForm("/login", {{"csrf", g.csrf()}, {"codename", "nope"}}).status, 403);
  }
  const HttpReply r = g.PostForm("/login", {{"csrf", g.csrf()}, {"codename", "nope"}});
  EXPECT_EQ(r.status, 429);
  EXPECT_NE(r.body.find("Too many attempts"), std::string::npos);
}

TEST_F(SourceFlow, AMarkerNeverReachesTheDataDirectoryLogsOrTempFiles) {
  const std::string marker = "MARKER-7f3a91c05b2e";
  SourceClient c(server_->address());
  ASSERT_EQ(c.Get("/report").status, 200);
  const HttpReply r = c.PostMultipart(
      "/report",
      {{"csrf", c.csrf()}, {"force", "MET"}, {"subject_name", marker + "-name"},
       {"what", marker + "-what"}, {"contact", "details"}, {"contact_email", marker + "-email"},
       {"file", marker + "-content " + std::string(200000, 'z'), true, marker + "-file.txt",
        "text/plain"}});
  ASSERT_EQ(r.status, 200);
  const std::string codename = testing::ElementText(r.body, "codename");
  ASSERT_EQ(LogIn(c, codename).status, 303);
  ASSERT_EQ(c.Get("/inbox").status, 200);  // the logged-in session's own CSRF token
  ASSERT_EQ(c.PostMultipart("/followup", {{"csrf", c.csrf()}, {"message", marker + "-followup"}})
                .status,
            200);
  ASSERT_EQ(server_->Stop(SIGTERM), 0);
  const std::string log = server_->Stderr();
  EXPECT_FALSE(log.empty());
  for (const std::string& secret : {marker, codename, codename.substr(0, codename.find(' '))}) {
    EXPECT_FALSE(TreeContains(instance_.data_dir(), secret)) << "data dir holds a secret";
    EXPECT_FALSE(TreeContains(tmp_.path(), secret)) << "temp dir holds a secret";
    EXPECT_EQ(log.find(secret), std::string::npos) << "log holds a secret";
  }
  // The log names events, never addresses, paths or sizes.
  EXPECT_EQ(log.find("127.0.0.1"), std::string::npos);
  EXPECT_EQ(log.find(instance_.data_dir()), std::string::npos);
}

TEST_F(SourceFlow, StartsOnlyWithAValidSignedDirectory) {
  TestInstance other;
  // A directory signed by another root is refused at start, with a clear message.
  auto argv = instance_.ServerArgv(SEALDROP_SERVER_BIN);
  for (auto& a : argv) {
    if (a == instance_.root_public_file()) a = other.root_public_file();
  }
  ProcessResult r = RunProcess(argv);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("force directory was refused"), std::string::npos) << r.err;
  r = RunProcess({SEALDROP_SERVER_BIN, "--listen", "127.0.0.1:0"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("directory"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace sealdrop
