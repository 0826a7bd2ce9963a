// The hostile-input suite's force API and bundle cases (the source interface's are in
// bad_input_test.cpp). Each named case sends one hostile request to a live server, or imports one
// damaged bundle into a real console, and expects one specific answer; then it checks that nothing
// was stored, deleted or changed.
#include <gtest/gtest.h>

#include <cctype>
#include <ctime>
#include <functional>
#include <ostream>
#include <string>

#include "crypto/directory.h"
#include "crypto/envelope_writer.h"
#include "common/import_receipt.h"
#include "crypto/signed_request.h"
#include "tests/support/console_officer.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"
#include "tests/support/signed_api_request.h"
#include "tests/support/source_client.h"
#include "tests/support/sqlite_count.h"
#include "tests/support/strict_http_cases.h"
#include "tests/support/test_instance.h"

namespace sealdrop {
namespace {

using testing::HttpReply;
using testing::ProcessResult;
using testing::RunProcess;
using testing::ServerProcess;
using testing::Signed;
using testing::SourceClient;
using testing::TempDir;
using testing::TestInstance;

// What a case may use: MET's pending item, a registered source, the keys.
struct ApiWorld {
  std::string item;    // MET's report
  std::string source;  // its lookup id (hex)
  const KeyPair& met;
  const KeyPair& wmi;
  std::int64_t now;
};

struct ApiCase {
  const char* name;
  std::function<std::string(const ApiWorld&)> raw;
  int status;
};

std::string Envelope() {
  const KeyPair k = GenerateKeyPair(KeyRole::kForceDecryption);
  auto sealed = SealToBytes(std::span(&k.public_key, 1), R"({"kind":"reply"})", {"r", ""},
                            AsBytes(std::string("x")));
  return std::string(sealed->begin(), sealed->end());
}

Signed Post(const std::string& target, std::string body = "") {
  Signed s = Signed().M("POST").T(target);
  s.body = std::move(body);
  return s;
}

// A receipt of `force`'s console naming `item`.
std::string Receipt(const std::string& force, const std::string& item) {
  return EncodeImportReceipt({std::string(32, 'e'), force, TodayUtc(), {item}});
}

// Replaces the first `from` in `raw` by `to`.
std::string Edit(std::string raw, const std::string& from, const std::string& to) {
  const auto at = raw.find(from);
  return at == std::string::npos ? raw : raw.replace(at, from.size(), to);
}

const ApiCase kApiCases[] = {
    {"NoSignatureHeadersAtAll", [](const ApiWorld&) { return std::string("GET /api/v1/items HTTP/1.1\r\nHost: x\r\n\r\n"); }, 400},
    {"SignatureHeaderMissing", [](const ApiWorld& w) { return Edit(Signed().Raw(w.met), "X-SealDrop-Signature", "X-Other"); }, 400},
    {"NonceHeaderMissing", [](const ApiWorld& w) { return Edit(Signed().Raw(w.met), "X-SealDrop-Nonce", "X-Other"); }, 400},
    {"TimestampHeaderMissing", [](const ApiWorld& w) { return Edit(Signed().Raw(w.met), "X-SealDrop-Timestamp", "X-Other"); }, 400},
    {"ForceHeaderMissing", [](const ApiWorld& w) { return Edit(Signed().Raw(w.met), "X-SealDrop-Force", "X-Other"); }, 400},
    {"NonceTooShort", [](const ApiWorld& w) { return Signed().N("abc").Raw(w.met); }, 400},
    {"NonceNotBase64url", [](const ApiWorld& w) { return Signed().N("!!!!!!!!!!!!!!!!!!!!!!").Raw(w.met); }, 400},
    {"TimestampWithLeadingZero", [](const ApiWorld& w) { return Edit(Signed().Raw(w.met), "Timestamp: ", "Timestamp: 0"); }, 400},
    {"TimestampNotANumber", [](const ApiWorld& w) { return Edit(Signed().Raw(w.met), "Timestamp: ", "Timestamp: x"); }, 400},
    {"SignatureTruncated", [](const ApiWorld& w) { return Edit(Signed().Raw(w.met), "Signature: ", "Signature: AAAA\r\nX-Cut: "); }, 400},
    {"LowerCaseForceCode", [](const ApiWorld& w) { return Signed().F("met").Raw(w.met); }, 400},
    {"ForceNotInTheDirectory", [](const ApiWorld& w) { return Signed().F("XYZ").Raw(w.met); }, 401},
    {"SignedByAnotherForcesKey", [](const ApiWorld& w) { return Signed().Raw(w.wmi); }, 401},
    {"TimestampSixMinutesOld", [](const ApiWorld& w) { return Signed().Ts(w.now - 360).Raw(w.met); }, 401},
    {"TimestampSixMinutesAhead", [](const ApiWorld& w) { return Signed().Ts(w.now + 360).Raw(w.met); }, 401},
    {"TargetChangedAfterSigning", [](const ApiWorld& w) { return Signed().Sent("/api/v1/items/" + w.item).Raw(w.met); }, 401},
    {"ReceiptSignedAsAFetch", [](const ApiWorld& w) {
       Signed s = Signed().T("/api/v1/receipts");
       s.body = Receipt("MET", w.item);
       return "POST" + s.Raw(w.met).substr(3); }, 401},
    {"ReceiptSignedByAnotherForcesKey", [](const ApiWorld& w) {
       return Post("/api/v1/receipts", Receipt("MET", w.item)).Raw(w.wmi); }, 401},
    {"ReceiptSwappedAfterSigning", [](const ApiWorld& w) {
       Signed s = Post("/api/v1/receipts", Receipt("MET", std::string(32, 'f')));
       const std::string raw = s.Raw(w.met);
       return raw.substr(0, raw.size() - s.body.size()) + Receipt("MET", w.item); }, 401},
    {"ReceiptWrittenForAnotherForce", [](const ApiWorld& w) {
       return Post("/api/v1/receipts", Receipt("WMI", w.item)).Raw(w.met); }, 400},
    {"ReceiptNotCanonical", [](const ApiWorld& w) {
       return Post("/api/v1/receipts", Receipt("MET", w.item) + "\n").Raw(w.met); }, 400},
    {"ReceiptOfNoItems", [](const ApiWorld& w) {
       return Post("/api/v1/receipts", Edit(Receipt("MET", w.item), "[\"" + w.item + "\"]", "[]")).Raw(w.met); }, 400},
    {"ReceiptWithAnUpperCaseId", [](const ApiWorld& w) {
       std::string upper = w.item;
       for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
       return Post("/api/v1/receipts", Edit(Receipt("MET", w.item), w.item, upper)).Raw(w.met); }, 400},
    {"ReceiptLargerThanItsLimit", [](const ApiWorld& w) {
       return Post("/api/v1/receipts", std::string(kMaxReceiptBytes + 1, '[')).Raw(w.met); }, 413},
    {"ReceiptAsAGet", [](const ApiWorld& w) { return Signed().T("/api/v1/receipts").Raw(w.met); }, 404},
    {"TheOldAcknowledgementRouteIsGone", [](const ApiWorld& w) {
       return Post("/api/v1/items/" + w.item + "/ack").Raw(w.met); }, 404},
    {"ReplyBodySwappedAfterSigning", [](const ApiWorld& w) {
       Signed s = Post("/api/v1/replies/" + w.source, Envelope());
       const std::string raw = s.Raw(w.met);
       return raw.substr(0, raw.size() - s.body.size()) + Envelope(); }, 401},
    {"BodyOnARequestThatTakesNone", [](const ApiWorld& w) {
       Signed s = Signed();
       s.body = "x";
       return s.Raw(w.met); }, 400},
    {"FetchAnotherForcesItem", [](const ApiWorld& w) { return Signed().F("WMI").T("/api/v1/items/" + w.item).Raw(w.wmi); }, 404},
    {"FetchAMalformedItemId", [](const ApiWorld& w) { return Signed().T("/api/v1/items/..%2f..%2findex.sqlite").Raw(w.met); }, 404},
    {"ReplyToAnUnknownSource", [](const ApiWorld& w) { return Post("/api/v1/replies/" + std::string(64, 'a'), Envelope()).Raw(w.met); }, 404},
    {"ReplyToAnotherForcesSource", [](const ApiWorld& w) { return Post("/api/v1/replies/" + w.source, Envelope()).F("WMI").Raw(w.wmi); }, 404},
    {"ReplyToAMalformedSource", [](const ApiWorld& w) { return Post("/api/v1/replies/xyz", Envelope()).Raw(w.met); }, 404},
    {"ReplyThatIsNotAnEnvelope", [](const ApiWorld& w) { return Post("/api/v1/replies/" + w.source, std::string(200000, 'x')).Raw(w.met); }, 400},
    {"ReplyLargerThanFourMiB", [](const ApiWorld& w) {
       return Post("/api/v1/replies/" + w.source, std::string((4u << 20) + 1, 'x')).Raw(w.met); }, 413},
    {"ForwardToAnUnknownForce", [](const ApiWorld& w) { return Post("/api/v1/forwards/XYZ", Envelope()).Raw(w.met); }, 400},
    {"ForwardWithAMalformedSourceRef", [](const ApiWorld& w) {
       return Edit(Post("/api/v1/forwards/WMI", Envelope()).Raw(w.met), "Content-Length", "X-SealDrop-Source-Ref: 12\r\nContent-Length"); }, 400},
    {"UploadWithAMalformedItemId", [](const ApiWorld& w) {
       return Edit(Post("/api/v1/forwards/WMI", Envelope()).Raw(w.met), "Content-Length", "X-SealDrop-Item-Id: ../x\r\nContent-Length"); }, 400},
    {"IntakeForAnUnknownForce", [](const ApiWorld& w) { return Post("/api/v1/intake/XYZ/" + std::string(64, 'a'), Envelope()).Raw(w.met); }, 400},
    {"IntakeWithAMalformedAuth", [](const ApiWorld& w) { return Post("/api/v1/intake/MET/" + std::string(63, 'a'), Envelope()).Raw(w.met); }, 400},
    {"IntakeThatIsNotAnEnvelope", [](const ApiWorld& w) { return Post("/api/v1/intake/MET/" + std::string(64, 'b'), std::string(1000, 'x')).Raw(w.met); }, 400},
    {"SourceRefOfUpperCaseHex", [](const ApiWorld& w) { return Post("/api/v1/source-refs", std::string(64, 'A')).Raw(w.met); }, 400},
    {"UnknownApiRoute", [](const ApiWorld& w) { return Signed().T("/api/v1/everything").Raw(w.met); }, 404},
    {"PathOutsideTheApi", [](const ApiWorld& w) { return Signed().T("/index.sqlite").Raw(w.met); }, 404},
    {"MethodNotAllowed", [](const ApiWorld& w) { return "DELETE" + Signed().T("/api/v1/items/" + w.item).Raw(w.met).substr(3); }, 405},
};

// ctest shows the case's name, not its bytes.
void PrintTo(const ApiCase& c, std::ostream* os) { *os << c.name; }

class HostileApi : public ::testing::TestWithParam<ApiCase> {};

TEST_P(HostileApi, GetsItsStatusAndChangesNothing) {
  TestInstance instance;
  ServerProcess server(instance.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0", {"--force-listen", "127.0.0.1:0"}));
  SourceClient reporter(server.address());
  ASSERT_EQ(reporter.Get("/report").status, 200);
  ASSERT_EQ(reporter.PostMultipart("/report", {{"csrf", reporter.csrf()}, {"force", "MET"}, {"what", "x"}}).status, 200);
  const std::string index = instance.data_dir() + "/index.sqlite";
  const std::string item = testing::ListItemBlobs(instance.data_dir()).at(0);
  const std::string source = [&] {
    // The lookup id of the report's source, read as hex from the index.
    return testing::QueryText(index, "SELECT lower(hex(lookup_id)) FROM sources");
  }();
  const ApiWorld world{item, source, instance.TransferKey("MET"), instance.TransferKey("WMI"),
                       static_cast<std::int64_t>(std::time(nullptr))};
  const HttpReply r = SourceClient(server.force_api_address()).Raw(GetParam().raw(world));
  EXPECT_EQ(r.status, GetParam().status) << r.head << r.body;
  EXPECT_NE(r.body.find("\"error\""), std::string::npos) << "a JSON error: " << r.body;
  EXPECT_EQ(testing::QueryCount(index, "SELECT COUNT(*) FROM items"), 1) << "nothing stored or deleted";
  EXPECT_EQ(testing::QueryCount(index, "SELECT COUNT(*) FROM sources WHERE force = 'MET'"), 1);
  EXPECT_EQ(testing::ListItemBlobs(instance.data_dir()), std::vector<std::string>{item});
}

INSTANTIATE_TEST_SUITE_P(Named, HostileApi, ::testing::ValuesIn(kApiCases),
                         [](const auto& p) { return std::string(p.param.name); });

// Strict HTTP on the force API (tests/support/strict_http_cases.h): a signed request that would
// be answered 200, changed so that its framing or Host is ambiguous, gets a JSON 400, the
// connection is closed, and the request smuggled behind it gets no answer.
class StrictHttpApi : public ::testing::TestWithParam<std::size_t> {
 protected:
  static void SetUpTestSuite() {
    instance_ = new TestInstance();
    server_ = new ServerProcess(instance_->ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0",
                                                      {"--force-listen", "127.0.0.1:0"}));
  }
  static void TearDownTestSuite() {
    delete server_;
    delete instance_;
  }
  static TestInstance* instance_;
  static ServerProcess* server_;
};
TestInstance* StrictHttpApi::instance_ = nullptr;
ServerProcess* StrictHttpApi::server_ = nullptr;

TEST_P(StrictHttpApi, RefusedWith400AndClosedAndTheSmuggledRequestUnanswered) {
  const auto& c = testing::StrictHttpCases()[GetParam()];
  const auto valid = [] { return Edit(Signed().Raw(instance_->TransferKey("MET")), "Connection: close\r\n", ""); };
  const std::string api = server_->force_api_address();
  // Unchanged, the signed request is answered, and so is the request behind it (a JSON 400).
  const auto control = testing::SendAndReadToClose(api, valid() + testing::kSmuggledRequest);
  ASSERT_EQ(control.answers, 2) << control.bytes.substr(0, 300);
  ASSERT_EQ(testing::ParseHttpReply(control.bytes).status, 200) << control.bytes.substr(0, 300);

  const auto x = testing::SendAndReadToClose(api, c.make(valid()) + testing::kSmuggledRequest);
  const HttpReply r = testing::ParseHttpReply(x.bytes);
  EXPECT_EQ(r.status, 400) << c.name << "\n" << r.head;
  EXPECT_NE(r.body.find("\"error\""), std::string::npos) << "a JSON error: " << r.body;
  EXPECT_TRUE(x.closed) << "the server must close the connection";
  EXPECT_EQ(x.answers, 1) << "the smuggled request was answered:\n" << x.bytes;
}

INSTANTIATE_TEST_SUITE_P(Named, StrictHttpApi,
                         ::testing::Range<std::size_t>(0, testing::StrictHttpCases().size()),
                         [](const ::testing::TestParamInfo<std::size_t>& param) {
                           return std::string(testing::StrictHttpCases()[param.param].name);
                         });

// --- bundles -------------------------------------------------------------------------------

struct BundleCase {
  const char* name;
  std::function<std::string(std::string bundle)> damage;
  const char* message;  // part of the console's error
};

// Rewrites the trailer's SHA-256 so that only the inner checks can refuse the bundle.
std::string Resealed(std::string b) {
  const std::size_t body = b.size() - 32;
  const BodyDigest d = Sha256(AsBytes(std::string_view(b).substr(0, body)));
  return b.replace(body, 32, std::string(d.begin(), d.end()));
}
std::string Flip(std::string b, std::size_t at) {
  b[at] = static_cast<char>(b[at] ^ 0x01);
  return b;
}
std::size_t ManifestAt(const std::string& b) { return b.find("{\"day\""); }

const BundleCase kBundleCases[] = {
    {"Empty", [](std::string) { return std::string(); }, "bundle"},
    {"CutInHalf", [](std::string b) { return b.substr(0, b.size() / 2); }, "bundle"},
    {"LastByteMissing", [](std::string b) { return b.substr(0, b.size() - 1); }, "bundle"},
    {"OneByteAppended", [](std::string b) { return b + "x"; }, "bundle"},
    {"BadMagic", [](std::string b) { return Flip(b, 0); }, "bundle"},
    {"UnknownVersion", [](std::string b) { b[8] = 2; return b; }, "version"},
    {"ReservedByteSet", [](std::string b) { return Resealed(Flip(b, 12)); }, "bundle"},
    {"ItemByteFlipped", [](std::string b) { return Flip(b, 4000); }, "bundle"},
    {"ItemByteFlippedAndFileHashRedone", [](std::string b) { return Resealed(Flip(b, 4000)); }, "bundle"},
    {"ManifestEdited", [](std::string b) { return Flip(b, ManifestAt(b) + 3); }, "bundle"},
    {"ManifestEditedAndFileHashRedone", [](std::string b) { return Resealed(Flip(b, ManifestAt(b) + 3)); }, "bundle"},
    {"TrailerHashFlipped", [](std::string b) { return Flip(b, b.size() - 5); }, "bundle"},
    {"TrailerLengthsLie", [](std::string b) { return Resealed(Flip(b, b.size() - 40)); }, "bundle"},
};

void PrintTo(const BundleCase& c, std::ostream* os) { *os << c.name; }

class HostileBundle : public ::testing::TestWithParam<BundleCase> {};

TEST_P(HostileBundle, IsRefusedAndTheConsoleIsUnchanged) {
  // One shared pull bundle for all cases (a real server, a real pull), made once.
  static TestInstance* instance = new TestInstance();
  static TempDir* dir = new TempDir();
  static const std::string good = [] {
    ServerProcess server(instance->ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0", {"--force-listen", "127.0.0.1:0"}));
    SourceClient c(server.address());
    EXPECT_EQ(c.Get("/report").status, 200);
    EXPECT_EQ(c.PostMultipart("/report", {{"csrf", c.csrf()}, {"force", "MET"}, {"what", "x"}}).status, 200);
    const ProcessResult p = RunProcess({SEALDROP_TRANSFER_BIN, "pull", "--server", "http://" + server.force_api_address(),
                                        "--force", "MET", "--key", instance->TransferKeyFile("MET"),
                                        "--passphrase-file", instance->passphrase_file(),
                                        "--out", *dir / "good.bundle"});
    EXPECT_EQ(p.exit_code, 0) << p.err;
    return testing::ReadFileOrDie(*dir / "good.bundle");
  }();
  ASSERT_FALSE(good.empty());
  TempDir work;
  const std::string console = work / "console";
  const auto AsMetOfficer = [&](std::vector<std::string> args) {
    args = testing::AsOfficer(std::move(args), instance->passphrase_file(), instance->SecretKeyFile("MET"));
    args.insert(args.begin(), SEALDROP_CONSOLE_BIN);
    return args;
  };
  ASSERT_EQ(RunProcess(AsMetOfficer({"init", "--data", console})).exit_code, 0);
  testing::WriteFileOrDie(work / "bad.bundle", GetParam().damage(good));
  const ProcessResult p = RunProcess(AsMetOfficer({"import", "--data", console, work / "bad.bundle"}));
  EXPECT_EQ(p.exit_code, 1) << p.out;
  EXPECT_NE(p.err.find(GetParam().message), std::string::npos) << p.err;
  EXPECT_EQ(testing::QueryCount(console + "/console.sqlite", "SELECT COUNT(*) FROM cases"), 0);
  EXPECT_TRUE(testing::ListDir(console + "/sealed").empty());
  // The undamaged bundle still imports into the same console.
  testing::WriteFileOrDie(work / "good.bundle", good);
  EXPECT_EQ(RunProcess(AsMetOfficer({"import", "--data", console, work / "good.bundle"})).exit_code, 0);
}

INSTANTIATE_TEST_SUITE_P(Named, HostileBundle, ::testing::ValuesIn(kBundleCases),
                         [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace sealdrop
