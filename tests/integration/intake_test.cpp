// Phone intake with real processes: sealdrop-intake seals a report on the call handler's machine
// and sends only the envelope and the codename's auth value; the report reaches the force's
// console like a web report; the codename read out to the caller logs in on the web and reads the
// reply; the caller's follow-up reaches the same force. Bad forms, bad keys and bad requests are
// refused with clear errors and change nothing on the server.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <sstream>

#include "crypto/codename.h"
#include "crypto/envelope_writer.h"
#include "tests/support/console_officer.h"
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
using testing::Signed;
using testing::SourceClient;
using testing::TempDir;
using testing::TestInstance;

constexpr char kMarker[] = "ZEBRA-QUARTZ-INTAKE-7731";

class Intake : public ::testing::Test {
 protected:
  Intake()
      : server_(instance_.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0",
                                     {"--force-listen", "127.0.0.1:0"})) {}

  // sealdrop-intake as the national phone line (NATIONAL's transfer key signs).
  ProcessResult RunIntake(std::vector<std::string> args, const std::string& stdin_data = "",
                          const std::string& as = "NATIONAL") {
    std::vector<std::string> argv = {SEALDROP_INTAKE_BIN, "--server", "http://" + server_.force_api_address(),
                                     "--as", as, "--key", instance_.TransferKeyFile(as),
                                     "--passphrase-file", instance_.passphrase_file(),
                                     "--directory", instance_.directory_file(),
                                     "--root-pub", instance_.root_public_file()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, stdin_data);
  }
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
  long long Count(const std::string& table) {
    return testing::QueryCount(instance_.data_dir() + "/index.sqlite", "SELECT COUNT(*) FROM " + table);
  }
  HttpReply Api(const std::string& raw) { return SourceClient(server_.force_api_address()).Raw(raw); }

  TestInstance instance_;
  TempDir dir_;
  ServerProcess server_;
};

// The codename line of the intake's output: the one indented by four spaces.
std::string CodenameFrom(const std::string& out) {
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("    ", 0) == 0) return line.substr(4);
  }
  return "";
}

TEST_F(Intake, APhoneReportReachesTheConsoleAndItsCodenameReadsTheReplyOnTheWeb) {
  const nlohmann::json form = {
      {"force", "MET"}, {"category", "corruption"}, {"role", "officer"},
      {"subject_name", "PC Example"}, {"subject_number", "4471"},
      {"what", std::string("Takes cash to drop cases. ") + kMarker}, {"at_risk", "no"},
      {"contact", "details"}, {"contact_phone", "07700 900123"}};
  testing::WriteFileOrDie(dir_ / "form.json", form.dump());
  testing::WriteFileOrDie(dir_ / "ledger.txt", std::string("cash ledger ") + kMarker + "\n");

  ProcessResult p = RunIntake({"--form", dir_ / "form.json", "--attach", dir_ / "ledger.txt"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const std::string codename = CodenameFrom(p.out);
  ASSERT_TRUE(NormalizeCodename(codename).ok()) << p.out;
  EXPECT_NE(p.out.find("Metropolitan Police Service"), std::string::npos) << p.out;
  EXPECT_EQ(Count("items"), 1);
  EXPECT_EQ(Count("sources"), 1);

  // The force pulls and opens it like a web report.
  ASSERT_EQ(Transfer("pull", "--out", dir_ / "pull.bundle").exit_code, 0);
  const std::string console = dir_ / "console";
  p = Console({"init", "--data", console, "--directory", instance_.directory_file(), "--root-pub",
               instance_.root_public_file()});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  p = Console({"import", "--data", console, dir_ / "pull.bundle"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  p = Console({"list", "--data", console});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("1 case(s)"), std::string::npos) << p.out;
  const std::string id = p.out.substr(p.out.find('\n') + 1, 8);
  p = Console({"show", "--data", console, id});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  for (const std::string s : {"Takes cash to drop cases.", "PC Example", "4471", "07700 900123",
                              "[1] ledger.txt"}) {
    EXPECT_NE(p.out.find(s), std::string::npos) << s << "\n" << p.out;
  }
  // Reply → push → the caller logs in on the web with the codename they were read.
  testing::WriteFileOrDie(dir_ / "reply.txt", "Thank you for calling. An investigator has your report.\n");
  ASSERT_EQ(Console({"reply", "--data", console, id}, testing::ReadFileOrDie(dir_ / "reply.txt")).exit_code, 0);
  ASSERT_EQ(Console({"outbox", "--data", console, "--out", dir_ / "out.bundle"}).exit_code, 0);
  p = Transfer("push", "--in", dir_ / "out.bundle");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  SourceClient caller(server_.address());
  ASSERT_EQ(caller.Get("/login").status, 200);
  ASSERT_EQ(caller.PostForm("/login", {{"csrf", caller.csrf()}, {"codename", codename}}).status, 303);
  EXPECT_NE(caller.Get("/inbox").body.find("An investigator has your report."), std::string::npos);

  // The caller's follow-up on the web goes to the same force and joins the case.
  ASSERT_EQ(caller.PostMultipart("/followup", {{"csrf", caller.csrf()}, {"message", "I found a receipt."}}).status, 200);
  ASSERT_EQ(Transfer("pull", "--out", dir_ / "pull2.bundle").exit_code, 0);
  ASSERT_EQ(Console({"import", "--data", console, dir_ / "pull2.bundle"}).exit_code, 0);
  p = Console({"show", "--data", console, id});
  EXPECT_NE(p.out.find("I found a receipt."), std::string::npos) << p.out;

  // The server never saw the content or the codename: not in its files, not in its log.
  server_.Stop(SIGTERM);
  EXPECT_EQ(server_.Stderr().find(kMarker), std::string::npos);
  EXPECT_EQ(server_.Stderr().find(codename), std::string::npos);
  for (const auto& blob : testing::ListItemBlobs(instance_.data_dir())) {
    EXPECT_EQ(testing::ReadFileOrDie(instance_.data_dir() + "/blobs/" + blob).find(kMarker), std::string::npos);
  }
}

TEST_F(Intake, TheFormCanBeTakenAnswerByAnswer) {
  // force, category, role, subject_name, subject_number, subject_description (multi-line), what
  // (multi-line; a blank answer is asked again), when, where, duty, setting, at_risk,
  // risk_details, how_known, contact, contact_name, contact_phone, contact_email, contact_times.
  const std::string answers =
      "XYZ\nWMI\n"          // an unknown force is asked again
      "bribery\nother\n"    // so is a choice not on the form
      "\n\n\n.\n"
      ".\n"                 // "what" left blank: asked again
      "He sells data.\nTo a gang.\n.\n"
      "\n\n\nonline\nyes\nA witness.\n.\n.\n\n\n\n\n\n";
  ProcessResult p = RunIntake({}, answers);
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.err.find("not a force in the signed directory"), std::string::npos) << p.err;
  EXPECT_NE(p.err.find("not one this service offers"), std::string::npos) << p.err;
  EXPECT_NE(p.err.find("This answer is required."), std::string::npos) << p.err;
  EXPECT_NE(p.out.find("West Midlands Police"), std::string::npos) << p.out;
  EXPECT_TRUE(NormalizeCodename(CodenameFrom(p.out)).ok()) << p.out;
  EXPECT_EQ(Count("items WHERE force = 'WMI'"), 1);
  // Input that ends half-way stores nothing.
  p = RunIntake({}, "MET\ncorruption\n");
  EXPECT_EQ(p.exit_code, 1);
  EXPECT_NE(p.err.find("ended before the form was complete"), std::string::npos) << p.err;
  EXPECT_EQ(Count("items"), 1);
  EXPECT_EQ(Count("sources"), 1);
}

TEST_F(Intake, BadFormsAndKeysAreRefusedClearlyAndStoreNothing) {
  struct Case {
    std::string name;
    std::string form;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {"unknown field", R"({"force":"MET","what":"x","colour":"red"})", "not a field of the report form"},
      {"not a string", R"({"force":"MET","what":42})", "must be a string"},
      {"bad choice", R"({"force":"MET","what":"x","at_risk":"maybe"})", "not one this service offers"},
      {"unknown force", R"({"force":"NOPE","what":"x"})", "not a force in the signed directory"},
      {"no force", R"({"what":"x"})", "names no force"},
      {"blank what", R"({"force":"MET","what":"  \n"})", "describe what happened"},
      {"not json", "force=MET", "not a JSON object"},
      {"too long", R"({"force":"MET","what":"x","subject_name":")" + std::string(201, 'a') + "\"}",
       "longer than this service accepts"},
  };
  for (const auto& c : cases) {
    testing::WriteFileOrDie(dir_ / "form.json", c.form);
    const ProcessResult p = RunIntake({"--form", dir_ / "form.json"});
    EXPECT_EQ(p.exit_code, 1) << c.name;
    EXPECT_NE(p.err.find(c.expect), std::string::npos) << c.name << ": " << p.err;
    EXPECT_TRUE(p.out.empty()) << c.name << ": no codename may be shown";
  }
  testing::WriteFileOrDie(dir_ / "form.json", R"({"force":"MET","what":"x"})");
  ProcessResult p = RunIntake({"--form", dir_ / "form.json", "--attach", dir_ / "missing.pdf"});
  EXPECT_EQ(p.exit_code, 1);
  EXPECT_NE(p.err.find("not a readable file"), std::string::npos) << p.err;
  // A transfer key that is not NATIONAL's: the server refuses the signature.
  p = RunProcess({SEALDROP_INTAKE_BIN, "--server", "http://" + server_.force_api_address(), "--as",
                  "NATIONAL", "--key", instance_.TransferKeyFile("MET"), "--passphrase-file",
                  instance_.passphrase_file(), "--directory", instance_.directory_file(),
                  "--root-pub", instance_.root_public_file(), "--form", dir_ / "form.json"});
  EXPECT_EQ(p.exit_code, 1);
  EXPECT_NE(p.err.find("nothing was sent"), std::string::npos) << p.err;
  EXPECT_TRUE(p.out.empty());
  // A tampered directory is refused before anything is asked or sent.
  std::string dir_text = testing::ReadFileOrDie(instance_.directory_file());
  dir_text[dir_text.find("Metropolitan")] = 'm';
  testing::WriteFileOrDie(dir_ / "directory.signed", dir_text);
  p = RunProcess({SEALDROP_INTAKE_BIN, "--server", "http://" + server_.force_api_address(), "--as",
                  "NATIONAL", "--key", instance_.TransferKeyFile("NATIONAL"), "--passphrase-file",
                  instance_.passphrase_file(), "--directory", dir_ / "directory.signed",
                  "--root-pub", instance_.root_public_file(), "--form", dir_ / "form.json"});
  EXPECT_EQ(p.exit_code, 1);
  EXPECT_NE(p.err.find("signed directory"), std::string::npos) << p.err;
  EXPECT_EQ(Count("items"), 0);
  EXPECT_EQ(Count("sources"), 0);
}

TEST_F(Intake, TheApiGivesTheServersLookupIdAndRefusesBadIntakeRequests) {
  auto secrets = StretchCodename("abacus abdomen abdominal abide abiding ability ablaze");
  ASSERT_TRUE(secrets.ok());
  const std::string auth = HexEncode(secrets->auth);
  const KeyPair& national = instance_.TransferKey("NATIONAL");

  Signed refs = Signed().M("POST").T("/api/v1/source-refs").F("NATIONAL");
  refs.body = auth;
  HttpReply r = Api(refs.Raw(national));
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string salt = testing::ReadFileOrDie(instance_.data_dir() + "/instance.salt");
  const auto expected = CodenameDeriver(AsBytes(salt)).LookupId(secrets->auth);
  EXPECT_EQ(nlohmann::json::parse(r.body)["ref"], HexEncode(expected));
  // Not 64 hex digits; signed by another key; too long.
  refs = Signed().M("POST").T("/api/v1/source-refs").F("NATIONAL");
  refs.body = auth.substr(1) + "Z";
  EXPECT_EQ(Api(refs.Raw(national)).status, 400);
  refs = Signed().M("POST").T("/api/v1/source-refs").F("NATIONAL");
  refs.body = auth;
  EXPECT_EQ(Api(refs.Raw(instance_.TransferKey("MET"))).status, 401);
  refs = Signed().M("POST").T("/api/v1/source-refs").F("NATIONAL");
  refs.body = auth + auth;
  EXPECT_EQ(Api(refs.Raw(national)).status, 413);

  // Intake uploads: not an envelope, unknown force, malformed auth, forged signature.
  Signed up = Signed().M("POST").T("/api/v1/intake/MET/" + auth).F("NATIONAL");
  up.body = std::string(4096, 'x');
  EXPECT_EQ(Api(up.Raw(national)).status, 400);
  up = Signed().M("POST").T("/api/v1/intake/NOPE/" + auth).F("NATIONAL");
  EXPECT_EQ(Api(up.Raw(national)).status, 400);
  up = Signed().M("POST").T("/api/v1/intake/MET/" + auth.substr(2)).F("NATIONAL");
  EXPECT_EQ(Api(up.Raw(national)).status, 400);
  up = Signed().M("POST").T("/api/v1/intake/MET/" + auth).F("NATIONAL");
  up.body = std::string(4096, 'x');
  EXPECT_EQ(Api(up.Raw(instance_.TransferKey("WMI"))).status, 401);
  EXPECT_EQ(Count("items"), 0);
  EXPECT_EQ(Count("sources"), 0);

  // A real envelope registers the source once; the same auth value again is a conflict.
  const KeyPair recipient = GenerateKeyPair(KeyRole::kForceDecryption);
  auto sealed = SealToBytes(std::span(&recipient.public_key, 1), R"({"kind":"report"})",
                            {"a.txt", "text/plain"}, AsBytes(std::string("x")));
  ASSERT_TRUE(sealed.ok());
  up = Signed().M("POST").T("/api/v1/intake/MET/" + auth).F("NATIONAL");
  up.body.assign(sealed->begin(), sealed->end());
  r = Api(up.Raw(national));
  EXPECT_EQ(r.status, 201) << r.body;
  up.nonce = NewRequestNonce();
  r = Api(up.Raw(national));
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("already registered"), std::string::npos) << r.body;
  EXPECT_EQ(Count("items"), 1);
  EXPECT_EQ(Count("sources"), 1);
}

}  // namespace
}  // namespace sealdrop
