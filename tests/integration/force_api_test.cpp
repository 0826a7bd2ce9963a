// The force API and sealdrop-transfer against a real server: a force pulls only its own items
// into a bundle and the server keeps them until an import receipt names them; a receipt deletes
// only the calling force's items and answers alike for another force's, a deleted or an unknown
// id; cross-force access, replayed, stale, forged and unsigned requests are refused and change
// nothing; pushed replies reach the reporter's inbox; a forward
// reaches the other force only and takes the conversation with it; pushes are idempotent.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include <ctime>
#include <filesystem>

#include "crypto/codename.h"
#include "crypto/directory.h"
#include "crypto/envelope_reader.h"
#include "crypto/envelope_writer.h"
#include "common/import_receipt.h"
#include "crypto/signed_request.h"
#include "journalist_console/bundle/bundle.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"
#include "tests/support/signed_api_request.h"
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
using testing::Signed;

long long Rows(const std::string& data_dir, const std::string& where) {
  return testing::QueryCount(data_dir + "/index.sqlite",
                             "SELECT COUNT(*) FROM items" + (where.empty() ? "" : " WHERE " + where));
}

class ForceApi : public ::testing::Test {
 protected:
  ForceApi()
      : server_(instance_.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0",
                                     {"--force-listen", "127.0.0.1:0"})) {}

  std::string ApiUrl() const { return "http://" + server_.force_api_address(); }

  HttpReply Api(const std::string& raw) {
    SourceClient c(server_.force_api_address());
    return c.Raw(raw);
  }

  // A report to `force` through the source interface; returns the codename.
  std::string Report(const std::string& force, const std::string& what) {
    SourceClient c(server_.address());
    EXPECT_EQ(c.Get("/report").status, 200);
    const HttpReply r = c.PostMultipart("/report", {{"csrf", c.csrf()}, {"force", force}, {"what", what}});
    EXPECT_EQ(r.status, 200);
    return testing::ElementText(r.body, "codename");
  }

  ProcessResult Transfer(const std::string& verb, const std::string& force,
                         const std::string& file_flag, const std::string& file) {
    return RunProcess({SEALDROP_TRANSFER_BIN, verb, "--server", ApiUrl(), "--force", force,
                       "--key", instance_.TransferKeyFile(force), "--passphrase-file",
                       instance_.passphrase_file(), file_flag, file});
  }

  std::vector<std::string> ListIds(const std::string& force) {
    Signed s;
    s.force = force;
    const HttpReply r = Api(s.Raw(instance_.TransferKey(force)));
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> ids;
    const auto listed = nlohmann::json::parse(r.body);  // named: the loop must not outlive it
    for (const auto& e : listed["items"]) ids.push_back(e["id"]);
    return ids;
  }

  SourceIdentity Identity(const std::string& codename) {
    const std::string salt = testing::ReadFileOrDie(instance_.data_dir() + "/instance.salt");
    auto id = CodenameDeriver(AsBytes(salt)).Derive(codename);
    EXPECT_TRUE(id.ok());
    return std::move(*id);
  }

  // POST /api/v1/receipts, signed by `force`'s transfer key, naming `ids` for `receipt_force`.
  HttpReply SendReceipt(const std::string& force, std::vector<std::string> ids,
                        const std::string& receipt_force = "") {
    std::sort(ids.begin(), ids.end());
    Signed s;
    s.M("POST").T("/api/v1/receipts").F(force);
    s.body = EncodeImportReceipt(
        {bundle::NewItemId(), receipt_force.empty() ? force : receipt_force, TodayUtc(), ids});
    return Api(s.Raw(instance_.TransferKey(force)));
  }

  TestInstance instance_;
  TempDir files_;
  ServerProcess server_;
};

TEST_F(ForceApi, PullTakesOnlyTheForcesOwnItemsAndDeletesNothing) {
  Report("MET", "first for MET");
  Report("MET", "second for MET");
  Report("WMI", "for WMI");
  const ProcessResult r = Transfer("pull", "MET", "--out", files_ / "met.bundle");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto bundle = bundle::BundleReader::Open(files_ / "met.bundle");
  ASSERT_TRUE(bundle.ok()) << bundle.error().message;
  ASSERT_EQ(bundle->manifest().items.size(), 2u);
  EXPECT_EQ(bundle->manifest().force, "MET");
  std::vector<std::string> whats;
  for (std::size_t i = 0; i < 2; ++i) {
    MemorySink sink;
    ASSERT_TRUE(bundle->CopyItem(i, sink).ok());
    std::vector<KeyPair> keys;
    keys.push_back({instance_.DecryptionKey("MET").public_key,
                    SecretBuffer::CopyOf(instance_.DecryptionKey("MET").secret.span())});
    auto opened = OpenFromBytes(sink.bytes(), keys);
    ASSERT_TRUE(opened.ok());
    whats.push_back(nlohmann::json::parse(opened->metadata)["what"]);
  }
  std::sort(whats.begin(), whats.end());
  EXPECT_EQ(whats, (std::vector<std::string>{"first for MET", "second for MET"}));
  // Kept until a receipt names them: the next pull fetches the same items again.
  EXPECT_EQ(Rows(instance_.data_dir(), "force = 'MET'"), 2);
  EXPECT_EQ(testing::ListItemBlobs(instance_.data_dir()).size(), 3u);
  // Progress in bytes on stderr: none on a pipe by default, plain lines with --progress (the
  // total is the listed sizes, which each download's Content-Length must match).
  EXPECT_EQ(r.err.find("pulling"), std::string::npos) << r.err;
  const ProcessResult progress = RunProcess(
      {SEALDROP_TRANSFER_BIN, "pull", "--progress", "--server", ApiUrl(), "--force", "MET", "--key",
       instance_.TransferKeyFile("MET"), "--passphrase-file", instance_.passphrase_file(), "--out",
       files_ / "again.bundle"});
  ASSERT_EQ(progress.exit_code, 0) << progress.err;
  EXPECT_EQ(progress.err.rfind("pulling: 0 KiB of ", 0), 0u) << progress.err;
  EXPECT_NE(progress.err.find("(100%)\n"), std::string::npos) << progress.err;
  EXPECT_EQ(progress.err.find('\r'), std::string::npos);
  auto again = bundle::BundleReader::Open(files_ / "again.bundle");
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->manifest().items.size(), 2u);
  EXPECT_EQ(again->manifest().items[0].sha256, bundle->manifest().items[0].sha256);
  // Receipted: deleted. Then nothing is left to pull and no bundle is written.
  const HttpReply receipt = SendReceipt("MET", ListIds("MET"));
  ASSERT_EQ(receipt.status, 200) << receipt.body;
  EXPECT_EQ(nlohmann::json::parse(receipt.body)["deleted"], 2);
  EXPECT_EQ(Rows(instance_.data_dir(), "force = 'MET'"), 0);
  EXPECT_EQ(Rows(instance_.data_dir(), "force = 'WMI'"), 1);
  EXPECT_EQ(testing::ListItemBlobs(instance_.data_dir()).size(), 1u);
  const ProcessResult none = Transfer("pull", "MET", "--out", files_ / "none.bundle");
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_NE(none.out.find("nothing to pull"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(files_ / "none.bundle"));
}

TEST_F(ForceApi, AForceCanNeitherListFetchNorReceiptAnotherForcesItems) {
  Report("WMI", "secret WMI report");
  const auto wmi = ListIds("WMI");
  ASSERT_EQ(wmi.size(), 1u);
  EXPECT_TRUE(ListIds("MET").empty());
  Signed fetch;
  fetch.target = "/api/v1/items/" + wmi[0];
  const HttpReply r = Api(fetch.Raw(instance_.TransferKey("MET")));
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(r.body.find("SEALDROP"), std::string::npos);
  // The same 404 as for an id that does not exist.
  Signed missing;
  missing.target = "/api/v1/items/00000000000000000000000000000000";
  EXPECT_EQ(Api(missing.Raw(instance_.TransferKey("MET"))).body, r.body);
  // A receipt naming WMI's item deletes nothing, and its answer is that of an id that never
  // existed: MET learns nothing about WMI's items.
  auto answer = [](const HttpReply& h) {
    auto j = nlohmann::json::parse(h.body);
    j.erase("receipt");  // the receipt's own random id
    return std::to_string(h.status) + " " + j.dump();
  };
  const HttpReply foreign = SendReceipt("MET", {wmi[0]});
  EXPECT_EQ(answer(foreign), answer(SendReceipt("MET", {std::string(32, '0')})));
  EXPECT_EQ(answer(foreign), R"(200 {"deleted":0,"gone":1})");
  // Nor does a receipt mixing it with MET's own items: those go, WMI's stays.
  Report("MET", "mine");
  const auto met = ListIds("MET");
  const HttpReply mixed = SendReceipt("MET", {met[0], wmi[0]});
  EXPECT_EQ(answer(mixed), R"(200 {"deleted":1,"gone":1})");
  EXPECT_EQ(ListIds("WMI"), wmi);
  // WMI itself can fetch it.
  Signed own;
  own.force = "WMI";
  own.target = "/api/v1/items/" + wmi[0];
  const HttpReply mine = Api(own.Raw(instance_.TransferKey("WMI")));
  EXPECT_EQ(mine.status, 200);
  EXPECT_EQ(mine.body.substr(0, 8), "SEALDROP");
}

TEST_F(ForceApi, AMalformedReceiptOrOneOfAnotherForceIsRefusedWhole) {
  Report("MET", "a");
  Report("WMI", "b");
  const auto met = ListIds("MET");
  const auto wmi = ListIds("WMI");
  // Written by WMI's console, sent with MET's key: refused before anything is deleted.
  HttpReply r = SendReceipt("MET", {met[0]}, "WMI");
  EXPECT_EQ(r.status, 400) << r.body;
  // Valid ids, but not the canonical text.
  Signed spaced;
  spaced.M("POST").T("/api/v1/receipts");
  spaced.body = EncodeImportReceipt({bundle::NewItemId(), "MET", TodayUtc(), met});
  spaced.body.insert(1, " ");
  r = Api(spaced.Raw(instance_.TransferKey("MET")));
  EXPECT_EQ(r.status, 400) << r.body;
  Signed empty;
  empty.M("POST").T("/api/v1/receipts");
  EXPECT_EQ(Api(empty.Raw(instance_.TransferKey("MET"))).status, 400);
  Signed huge;
  huge.M("POST").T("/api/v1/receipts");
  huge.body = std::string(kMaxReceiptBytes + 1, ' ');
  EXPECT_EQ(Api(huge.Raw(instance_.TransferKey("MET"))).status, 413);
  EXPECT_EQ(ListIds("MET"), met);
  EXPECT_EQ(ListIds("WMI"), wmi);
}

TEST_F(ForceApi, ReplayedStaleForgedTamperedAndUnsignedRequestsAreRefused) {
  Report("MET", "r");
  const auto ids = ListIds("MET");
  ASSERT_EQ(ids.size(), 1u);
  const std::string rcpt = "/api/v1/receipts";
  const std::string body = EncodeImportReceipt({bundle::NewItemId(), "MET", TodayUtc(), ids});
  // A signed receipt request, built by `edit` before it is signed.
  auto receipt = [&](Signed s) {
    s.M("POST").T(rcpt);
    s.body = body;
    return s;
  };
  const KeyPair& met = instance_.TransferKey("MET");
  const KeyPair& wmi = instance_.TransferKey("WMI");
  const auto now = static_cast<std::int64_t>(std::time(nullptr));

  Signed replayed;
  replayed.target = "/api/v1/items";
  const std::string raw = replayed.Raw(met);
  EXPECT_EQ(Api(raw).status, 200);
  EXPECT_EQ(Api(raw).status, 401) << "a replayed nonce";

  struct Case {
    const char* name;
    std::string raw;
    int status;
  };
  const std::vector<Case> cases = {
      {"stale", receipt(Signed().Ts(now - 1000)).Raw(met), 401},
      {"from the future", receipt(Signed().Ts(now + 1000)).Raw(met), 401},
      {"signed by another force's key (forged)", receipt(Signed()).Raw(wmi), 401},
      {"unknown force", receipt(Signed().F("XYZ")).Raw(met), 401},
      {"target changed after signing",
       Signed().M("GET").T("/api/v1/items").Sent("/api/v1/items/" + ids[0]).Raw(met), 401},
      {"method changed after signing", [&] {
         Signed s = receipt(Signed());
         s.M("PUT");
         return "POST" + s.Raw(met).substr(3);
       }(), 401},
      {"receipt changed after signing", [&] {
         // A receipt signed for another (unknown) id, its body swapped for the real one.
         Signed s = receipt(Signed());
         s.body = EncodeImportReceipt({bundle::NewItemId(), "MET", TodayUtc(), {std::string(32, 'f')}});
         const std::string swapped = s.Raw(met);
         return swapped.substr(0, swapped.size() - s.body.size()) + body;
       }(), 401},
      {"unsigned", "POST " + rcpt + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n" + body, 400},
      {"malformed signature", [&] {
         std::string r = receipt(Signed()).Raw(met);
         const auto at = r.find("X-SealDrop-Signature: ") + 22;
         return r.replace(at, 4, "!!!!");
       }(), 400},
      {"malformed nonce", receipt(Signed().N("short")).Raw(met), 400},
  };
  for (const auto& c : cases) {
    const HttpReply r = Api(c.raw);
    EXPECT_EQ(r.status, c.status) << c.name << ": " << r.body;
    if (c.status == 401) {
      EXPECT_EQ(r.Header("WWW-Authenticate"), "SealDrop-Signature") << c.name;
    }
  }
  EXPECT_EQ(Rows(instance_.data_dir(), ""), 1) << "nothing was deleted";
  // A genuine receipt is honoured once; the same request again is a replay.
  const std::string genuine = receipt(Signed()).Raw(met);
  const HttpReply first = Api(genuine);
  EXPECT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(Rows(instance_.data_dir(), ""), 0);
  EXPECT_EQ(Api(genuine).status, 401) << "a replayed receipt request";
}

// The server remembers nonces in memory only. A request captured just before a restart, replayed
// after it well inside the 300 s freshness window, is still refused: nothing signed at or before
// the process's start is accepted (docs/force-api.md, Freshness).
TEST(ForceApiRestart, ARequestSignedBeforeARestartIsRefusedAfterItAndAFreshOneWorks) {
  TestInstance instance;
  const auto argv = instance.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0",
                                        {"--force-listen", "127.0.0.1:0"});
  auto server = std::make_unique<ServerProcess>(argv);
  SourceClient reporter(server->address());
  ASSERT_EQ(reporter.Get("/report").status, 200);
  const HttpReply made = reporter.PostMultipart(
      "/report", {{"csrf", reporter.csrf()}, {"force", "MET"}, {"what", "please reply"}});
  ASSERT_EQ(made.status, 200);
  const std::string salt = testing::ReadFileOrDie(instance.data_dir() + "/instance.salt");
  auto id = CodenameDeriver(AsBytes(salt)).Derive(testing::ElementText(made.body, "codename"));
  ASSERT_TRUE(id.ok());
  // A reply (no item id: each accepted copy would be stored again), signed by MET.
  const auto reply = [&](std::int64_t timestamp) {
    const nlohmann::json meta = {{"version", 1}, {"kind", "reply"}, {"force", "MET"},
                                 {"day", TodayUtc()}, {"message", "Thank you."}};
    auto sealed = SealToBytes(std::vector<PublicKey>{id->key_pair.public_key}, meta.dump(),
                              {"reply.txt", "text/plain"}, {});
    EXPECT_TRUE(sealed.ok());
    Signed s = Signed().M("POST").T("/api/v1/replies/" + HexEncode(id->lookup_id)).Ts(timestamp);
    s.body.assign(sealed->begin(), sealed->end());
    return s.Raw(instance.TransferKey("MET"));
  };
  const auto replies = [&] { return Rows(instance.data_dir(), "kind = 'reply'"); };
  const std::string captured = reply(static_cast<std::int64_t>(std::time(nullptr)));
  const HttpReply first = SourceClient(server->force_api_address()).Raw(captured);
  ASSERT_EQ(first.status, 201) << first.body;
  ASSERT_EQ(replies(), 1);
  ASSERT_EQ(SourceClient(server->force_api_address()).Raw(captured).status, 401) << "a replay";

  // Restarted on the same data: the nonce memory is gone, the window is not over.
  ASSERT_EQ(server->Stop(SIGTERM), 0);
  server = std::make_unique<ServerProcess>(argv);
  const std::vector<std::string> blobs = testing::ListItemBlobs(instance.data_dir());
  const HttpReply replayed = SourceClient(server->force_api_address()).Raw(captured);
  EXPECT_EQ(replayed.status, 401) << replayed.body;
  EXPECT_NE(replayed.body.find("before the server started"), std::string::npos) << replayed.body;
  EXPECT_EQ(replies(), 1) << "nothing stored twice";
  EXPECT_EQ(testing::ListItemBlobs(instance.data_dir()), blobs);

  // A request signed now works: the force API answers only once its start's second has passed.
  const HttpReply fresh = SourceClient(server->force_api_address())
                              .Raw(reply(static_cast<std::int64_t>(std::time(nullptr))));
  EXPECT_EQ(fresh.status, 201) << fresh.body;
  EXPECT_EQ(replies(), 2);
}

// An outbox bundle as sealdrop-console outbox makes it.
std::string Outbox(const std::string& path, const std::string& force,
                   const std::vector<std::pair<bundle::Item, std::vector<std::uint8_t>>>& items) {
  auto w = bundle::BundleWriter::Create(path, "outbox", force, TodayUtc());
  EXPECT_TRUE(w.ok());
  for (const auto& [item, bytes] : items) {
    MemorySource src(bytes);
    EXPECT_TRUE(w->AddItem(item, src).ok());
  }
  EXPECT_TRUE(w->Commit().ok());
  return path;
}

TEST_F(ForceApi, APushedReplyReachesTheReportersInboxAndPushingTwiceStoresItOnce) {
  const std::string codename = Report("MET", "please reply");
  const SourceIdentity id = Identity(codename);
  const nlohmann::json meta = {{"version", 1}, {"kind", "reply"}, {"force", "MET"},
                               {"day", TodayUtc()}, {"message", "We have opened an investigation."}};
  const std::vector<PublicKey> to = {id.key_pair.public_key};
  auto sealed = SealToBytes(to, meta.dump(), {"reply.txt", "text/plain"}, {});
  ASSERT_TRUE(sealed.ok());
  const bundle::Item item{bundle::NewItemId(), "reply", TodayUtc(), 0, 0, "", HexEncode(id.lookup_id), ""};
  const std::string outbox = Outbox(files_ / "outbox.bundle", "MET", {{item, *sealed}});

  ProcessResult r = Transfer("push", "MET", "--in", outbox);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Rows(instance_.data_dir(), "kind = 'reply'"), 1);
  // Pushed again, the push result next to the bundle says it was delivered: nothing is sent.
  r = Transfer("push", "MET", "--in", outbox);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1 delivered by an earlier push"), std::string::npos) << r.out;
  // Without that result (lost, or another workstation), the server still stores it once.
  ASSERT_TRUE(std::filesystem::remove(outbox + ".push-result.json"));
  r = Transfer("push", "MET", "--in", outbox);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("already"), std::string::npos) << r.out;
  EXPECT_EQ(Rows(instance_.data_dir(), "kind = 'reply'"), 1);

  SourceClient c(server_.address());
  ASSERT_EQ(c.Get("/login").status, 200);
  ASSERT_EQ(c.PostForm("/login", {{"csrf", c.csrf()}, {"codename", codename}}).status, 303);
  const HttpReply inbox = c.Get("/inbox");
  EXPECT_NE(inbox.body.find("We have opened an investigation."), std::string::npos);
  // Replies are not the force's to pull back.
  EXPECT_EQ(ListIds("MET").size(), 1u);  // only the report
}

TEST_F(ForceApi, AReplyLargerThanAnyTextReplyIsRefused) {
  const SourceIdentity id = Identity(Report("MET", "x"));
  Signed big;
  big.M("POST").T("/api/v1/replies/" + HexEncode(id.lookup_id));
  big.body = std::string(5u << 20, 'r');
  const HttpReply r = Api(big.Raw(instance_.TransferKey("MET")));
  EXPECT_EQ(r.status, 413) << r.body;
  EXPECT_EQ(Rows(instance_.data_dir(), "kind = 'reply'"), 0);
}

TEST_F(ForceApi, AForwardReachesTheOtherForceOnlyAndTakesTheConversationWithIt) {
  const std::string codename = Report("MET", "misrouted: this is about WMI");
  const SourceIdentity id = Identity(codename);
  const std::vector<PublicKey> wmi_keys = {instance_.DecryptionKey("WMI").public_key};
  auto sealed = SealToBytes(wmi_keys, R"({"forwarded":true})", {"x", "text/plain"}, AsBytes("c"));
  ASSERT_TRUE(sealed.ok());
  const bundle::Item item{bundle::NewItemId(), "forward", TodayUtc(), 0, 0, "", "WMI", HexEncode(id.lookup_id)};
  ProcessResult r = Transfer("push", "MET", "--in", Outbox(files_ / "fwd.bundle", "MET", {{item, *sealed}}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ListIds("WMI"), std::vector<std::string>{item.id});
  EXPECT_EQ(ListIds("MET").size(), 1u);  // MET's own copy of the original report only
  // The reporter's next follow-up goes to WMI.
  SourceClient c(server_.address());
  ASSERT_EQ(c.Get("/login").status, 200);
  ASSERT_EQ(c.PostForm("/login", {{"csrf", c.csrf()}, {"codename", codename}}).status, 303);
  ASSERT_EQ(c.Get("/inbox").status, 200);
  ASSERT_EQ(c.PostMultipart("/followup", {{"csrf", c.csrf()}, {"message", "more"}}).status, 200);
  EXPECT_EQ(ListIds("WMI").size(), 2u);
  EXPECT_EQ(Rows(instance_.data_dir(), "kind = 'followup' AND force = 'WMI'"), 1);
}

TEST_F(ForceApi, DamagedOrForeignBundlesArePushedNowhere) {
  const std::string codename = Report("MET", "x");
  const SourceIdentity id = Identity(codename);
  const std::vector<PublicKey> to = {id.key_pair.public_key};
  auto sealed = SealToBytes(to, R"({"kind":"reply"})", {"r", "text/plain"}, {});
  ASSERT_TRUE(sealed.ok());
  const bundle::Item item{bundle::NewItemId(), "reply", TodayUtc(), 0, 0, "", HexEncode(id.lookup_id), ""};
  const std::string good = Outbox(files_ / "good.bundle", "MET", {{item, *sealed}});
  std::string bytes = testing::ReadFileOrDie(good);
  testing::WriteFileOrDie(files_ / "truncated.bundle", bytes.substr(0, bytes.size() - 100));
  std::string flipped = bytes;
  flipped[200] ^= 1;
  testing::WriteFileOrDie(files_ / "flipped.bundle", flipped);
  for (const std::string name : {"truncated.bundle", "flipped.bundle"}) {
    const ProcessResult r = Transfer("push", "MET", "--in", files_ / name);
    EXPECT_EQ(r.exit_code, 1) << name;
    EXPECT_NE(r.err.find("bundle"), std::string::npos) << r.err;
  }
  // Made by MET, pushed as WMI: refused before any request.
  const ProcessResult foreign = Transfer("push", "WMI", "--in", good);
  EXPECT_EQ(foreign.exit_code, 1);
  EXPECT_NE(foreign.err.find("made by MET"), std::string::npos) << foreign.err;
  EXPECT_EQ(Rows(instance_.data_dir(), "kind = 'reply'"), 0);
}

TEST_F(ForceApi, AFailedPullWritesNothingAndKeepsEveryItem) {
  Report("MET", "one");
  const auto ids = ListIds("MET");
  ASSERT_EQ(ids.size(), 1u);
  ProcessResult r = Transfer("pull", "MET", "--out", "/nonexistent-dir/x.bundle");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(ListIds("MET"), ids);
  r = Transfer("pull", "MET", "--out", files_ / "next.bundle");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto b = bundle::BundleReader::Open(files_ / "next.bundle");
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->manifest().items.size(), 1u);
  EXPECT_EQ(b->manifest().items[0].id, ids[0]);
  EXPECT_EQ(ListIds("MET"), ids);
}

// A push delivers the outbox's receipt after its replies and forwards; pushing it again is
// harmless.
// The inbox lists what the reporter sent (from their record sealed to the source key, which the
// index keeps beside the lookup id) and says of each whether it still waits for the force or was
// collected: a receipted report shows as collected, a follow-up not yet pulled as waiting.
TEST_F(ForceApi, InboxSaysWhatWaitsAndWhatTheForceCollected) {
  const std::string codename = Report("MET", "a report to be collected");
  SourceClient reporter(server_.address());
  ASSERT_EQ(reporter.Get("/login").status, 200);
  ASSERT_EQ(reporter.PostForm("/login", {{"csrf", reporter.csrf()}, {"codename", codename}}).status, 303);
  const std::string day = TodayUtc();
  auto inbox = [&] { return reporter.Get("/inbox").body; };
  const std::string report_line = "<strong>Your report</strong>, sent " + day + ":";
  const std::string followup_line = "<strong>Your follow-up</strong>, sent " + day + ":";
  std::string page = inbox();
  EXPECT_NE(page.find(report_line + "\n<span class=\"status waiting\">waiting to be collected</span>"),
            std::string::npos) << page;
  EXPECT_EQ(page.find(followup_line), std::string::npos);
  const std::vector<std::string> before = ListIds("MET");
  ASSERT_EQ(before.size(), 1u);
  ASSERT_EQ(reporter.PostMultipart("/followup", {{"csrf", reporter.csrf()}, {"message", "one more thing"}}).status, 200);
  page = inbox();
  EXPECT_NE(page.find(followup_line + "\n<span class=\"status waiting\">waiting to be collected</span>"),
            std::string::npos) << page;

  // The force collects the report only (its receipt names it): the inbox says so.
  ASSERT_EQ(SendReceipt("MET", before).status, 200);
  page = inbox();
  EXPECT_NE(page.find(report_line + "\n<span class=\"status collected\">collected by the force</span>"),
            std::string::npos) << page;
  EXPECT_NE(page.find(followup_line + "\n<span class=\"status waiting\">waiting to be collected</span>"),
            std::string::npos) << page;
  // The record names the report only sealed: once collected, its id is nowhere in the index.
  const std::string index = testing::ReadFileOrDie(instance_.data_dir() + "/index.sqlite");
  EXPECT_EQ(index.find(before[0]), std::string::npos) << "the collected report's id is in the index";
}

TEST_F(ForceApi, PushDeliversTheReceiptAndARepeatedPushDeletesNothingMore) {
  Report("MET", "one");
  Report("MET", "two");
  const auto ids = ListIds("MET");
  auto w = bundle::BundleWriter::Create(files_ / "out.bundle", "outbox", "MET", TodayUtc());
  ASSERT_TRUE(w.ok());
  w->SetReceipt({bundle::NewItemId(), "MET", TodayUtc(), {ids[0]}});
  ASSERT_TRUE(w->Commit().ok());
  ProcessResult r = Transfer("push", "MET", "--in", files_ / "out.bundle");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("deleted 1 imported item"), std::string::npos) << r.out;
  EXPECT_EQ(ListIds("MET"), std::vector<std::string>{ids[1]});
  r = Transfer("push", "MET", "--in", files_ / "out.bundle");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("deleted 0 imported item(s) (1 were gone already)"), std::string::npos) << r.out;
  EXPECT_EQ(ListIds("MET"), std::vector<std::string>{ids[1]});
}

}  // namespace
}  // namespace sealdrop
