// The force API and sealdrop-transfer against a real server: a force pulls only its own items
// into a bundle and acknowledges them; cross-force access, replayed, stale, forged and unsigned
// requests are refused and change nothing; pushed replies reach the reporter's inbox; a forward
// reaches the other force only and takes the conversation with it; pushes are idempotent.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <ctime>
#include <filesystem>

#include "crypto/codename.h"
#include "crypto/directory.h"
#include "crypto/envelope_reader.h"
#include "crypto/envelope_writer.h"
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
                       instance_.passphrase_file(), "--state", state_.path(), file_flag, file});
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

  TestInstance instance_;
  TempDir state_;
  TempDir files_;
  ServerProcess server_;
};

TEST_F(ForceApi, PullTakesOnlyTheForcesOwnItemsIntoABundleAndAcknowledgesThem) {
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
  // Acknowledged: deleted from the server. WMI's report is untouched.
  EXPECT_EQ(Rows(instance_.data_dir(), "force = 'MET'"), 0);
  EXPECT_EQ(Rows(instance_.data_dir(), "force = 'WMI'"), 1);
  EXPECT_EQ(testing::ListDir(instance_.data_dir() + "/blobs").size(), 1u);
  // Nothing new: no bundle is written.
  const ProcessResult again = Transfer("pull", "MET", "--out", files_ / "again.bundle");
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("nothing to pull"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(files_ / "again.bundle"));
}

TEST_F(ForceApi, AForceCanNeitherListFetchNorAcknowledgeAnotherForcesItems) {
  Report("WMI", "secret WMI report");
  const auto wmi = ListIds("WMI");
  ASSERT_EQ(wmi.size(), 1u);
  EXPECT_TRUE(ListIds("MET").empty());
  for (const std::string method : {"GET", "POST"}) {
    Signed s;
    s.method = method;
    s.target = "/api/v1/items/" + wmi[0] + (method == "POST" ? "/ack" : "");
    const HttpReply r = Api(s.Raw(instance_.TransferKey("MET")));
    EXPECT_EQ(r.status, 404) << method << " " << r.body;
    EXPECT_EQ(r.body.find("SEALDROP"), std::string::npos);
  }
  // The same 404 as for an id that does not exist.
  Signed missing;
  missing.target = "/api/v1/items/00000000000000000000000000000000";
  EXPECT_EQ(Api(missing.Raw(instance_.TransferKey("MET"))).body,
            Api(Signed().T(missing.target).Raw(instance_.TransferKey("MET"))).body);
  EXPECT_EQ(Rows(instance_.data_dir(), ""), 1);
  // WMI itself can fetch it.
  Signed own;
  own.force = "WMI";
  own.target = "/api/v1/items/" + wmi[0];
  const HttpReply mine = Api(own.Raw(instance_.TransferKey("WMI")));
  EXPECT_EQ(mine.status, 200);
  EXPECT_EQ(mine.body.substr(0, 8), "SEALDROP");
}

TEST_F(ForceApi, ReplayedStaleForgedTamperedAndUnsignedRequestsAreRefused) {
  Report("MET", "r");
  const auto ids = ListIds("MET");
  ASSERT_EQ(ids.size(), 1u);
  const std::string ack = "/api/v1/items/" + ids[0] + "/ack";
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
      {"stale", Signed().M("POST").T(ack).Ts(now - 1000).Raw(met), 401},
      {"from the future", Signed().M("POST").T(ack).Ts(now + 1000).Raw(met), 401},
      {"signed by another force's key", Signed().M("POST").T(ack).Raw(wmi), 401},
      {"unknown force", Signed().M("POST").T(ack).F("XYZ").Raw(met), 401},
      {"target changed after signing",
       Signed().M("GET").T("/api/v1/items").Sent("/api/v1/items/" + ids[0]).Raw(met), 401},
      {"method changed after signing", [&] {
         std::string r = Signed().M("GET").T(ack).Raw(met);
         return "POST" + r.substr(3);
       }(), 401},
      {"body changed after signing", [&] {
         std::string r = Signed().M("POST").T(ack).Raw(met);
         const auto at = r.find("Content-Length: 0");
         return r.replace(at, 17, "Content-Length: 1") + "x";
       }(), 400},
      {"unsigned", "POST " + ack + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", 400},
      {"malformed signature", [&] {
         std::string r = Signed().M("POST").T(ack).Raw(met);
         const auto at = r.find("X-SealDrop-Signature: ") + 22;
         return r.replace(at, 4, "!!!!");
       }(), 400},
      {"malformed nonce", Signed().M("POST").T(ack).N("short").Raw(met), 400},
  };
  for (const auto& c : cases) {
    const HttpReply r = Api(c.raw);
    EXPECT_EQ(r.status, c.status) << c.name << ": " << r.body;
    if (c.status == 401) {
      EXPECT_EQ(r.Header("WWW-Authenticate"), "SealDrop-Signature") << c.name;
    }
  }
  EXPECT_EQ(Rows(instance_.data_dir(), ""), 1) << "nothing was acknowledged";
  // A genuine ack still works.
  EXPECT_EQ(Api(Signed().M("POST").T(ack).Raw(met)).status, 200);
  EXPECT_EQ(Rows(instance_.data_dir(), ""), 0);
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

TEST_F(ForceApi, AnInterruptedPullIsFinishedByTheNextOneWithoutDuplicates) {
  Report("MET", "one");
  const auto ids = ListIds("MET");
  ASSERT_EQ(ids.size(), 1u);
  // A pull whose bundle could not be written acknowledges nothing.
  ProcessResult r = Transfer("pull", "MET", "--out", "/nonexistent-dir/x.bundle");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(ListIds("MET"), ids);
  // A pull that wrote its bundle but stopped before acknowledging left its journal: the next pull
  // acknowledges those items first and does not pull them again.
  testing::WriteFileOrDie(state_ / "MET.pending-acks", ids[0] + "\n");
  Report("MET", "two");
  r = Transfer("pull", "MET", "--out", files_ / "next.bundle");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto b = bundle::BundleReader::Open(files_ / "next.bundle");
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->manifest().items.size(), 1u);
  EXPECT_NE(b->manifest().items[0].id, ids[0]);
  EXPECT_TRUE(ListIds("MET").empty());
  EXPECT_FALSE(std::filesystem::exists(state_ / "MET.pending-acks"));
}

}  // namespace
}  // namespace sealdrop
