// sealdrop-console end to end: real binary, real files, real Argon2id (MODERATE) key files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/sqlite.h"
#include "crypto/directory.h"
#include "crypto/keyfile/secret_key_file.h"
#include "tests/support/process.h"

namespace sealdrop {
namespace {

using testing::ListDir;
using testing::ProcessResult;
using testing::ReadFileOrDie;
using testing::RunProcess;
using testing::TempDir;
using testing::WriteFileOrDie;

ProcessResult Console(std::vector<std::string> args) {
  args.insert(args.begin(), SEALDROP_CONSOLE_BIN);
  return RunProcess(args);
}

// One set of keys and one signed directory for the whole suite: key generation costs Argon2id.
class ConsoleCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    WriteFileOrDie(P("pass"), "correct horse battery staple\n");
    WriteFileOrDie(P("wrong-pass"), "incorrect horse battery staple\n");
    Must({"root-keygen", "--out", P("keys"), "--passphrase-file", P("pass")});
    Must({"keygen", "--force", "MET", "--out", P("keys"), "--passphrase-file", P("pass")});
    Must({"keygen", "--force", "NATIONAL", "--out", P("keys"), "--passphrase-file", P("pass")});
    Must({"directory", "build", "--keys", P("keys"), "--out", P("forces.json"),
          "--skip-missing"});
    Must({"directory", "sign", "--root-key", P("keys/root.secret"), "--in", P("forces.json"),
          "--out", P("directory.signed"), "--passphrase-file", P("pass")});
  }
  static void TearDownTestSuite() { delete dir_; }

  static std::string P(const std::string& name) { return (*dir_) / name; }
  static void Must(const std::vector<std::string>& args) {
    const auto r = Console(args);
    ASSERT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
  }
  // A failure is one line on stderr and exit status 1.
  static void ExpectFailure(const ProcessResult& r, const std::string& message_part) {
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find(message_part), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  std::vector<std::string> SealArgs(const std::string& in, const std::string& out,
                                    const std::string& force = "MET") {
    return {"seal", "--directory", P("directory.signed"), "--root-pub", P("keys/root.public"),
            "--force", force, "--in", in, "--out", out};
  }
  std::vector<std::string> OpenArgs(const std::string& in, const std::string& out,
                                    const std::string& key = "keys/MET.secret",
                                    const std::string& pass = "pass") {
    return {"open", "--key", P(key), "--in", in, "--out", out, "--passphrase-file", P(pass)};
  }

  static TempDir* dir_;
  TempDir work_;
};
TempDir* ConsoleCli::dir_ = nullptr;

TEST_F(ConsoleCli, KeygenWritesPrivateSecretsAndPublicKeys) {
  const auto names = ListDir(P("keys"));
  for (const char* n : {"root.secret", "root.public", "MET.secret", "MET.public",
                        "MET-transfer.secret", "MET-transfer.public"}) {
    EXPECT_TRUE(std::count(names.begin(), names.end(), n)) << n;
  }
  const auto perms = std::filesystem::status(P("keys/MET.secret")).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all, std::filesystem::perms::owner_read |
                                                     std::filesystem::perms::owner_write);
  EXPECT_EQ(ReadFileOrDie(P("keys/MET.public")).rfind("sealdrop-dec-", 0), 0u);
  EXPECT_EQ(ReadFileOrDie(P("keys/MET-transfer.public")).rfind("sealdrop-xfer-", 0), 0u);
  const auto fp = Console({"fingerprint", P("keys/MET.public")});
  EXPECT_EQ(fp.exit_code, 0);
  EXPECT_EQ(fp.out.rfind("dec ", 0), 0u);
}

TEST_F(ConsoleCli, KeygenNeverOverwritesAKey) {
  const std::string before = ReadFileOrDie(P("keys/MET.secret"));
  ExpectFailure(Console({"keygen", "--force", "MET", "--out", P("keys"), "--passphrase-file",
                         P("pass")}),
                "already exists");
  EXPECT_EQ(ReadFileOrDie(P("keys/MET.secret")), before);
}

TEST_F(ConsoleCli, KeygenRefusesBadInput) {
  ExpectFailure(Console({"keygen", "--force", "met!", "--out", work_ / "k", "--passphrase-file",
                         P("pass")}),
                "bad force code");
  WriteFileOrDie(work_ / "short", "short\n");
  ExpectFailure(Console({"keygen", "--force", "KEN", "--out", work_ / "k", "--passphrase-file",
                         work_ / "short"}),
                "too short");
  EXPECT_TRUE(ListDir(work_ / "k").empty());
  // No terminal and no passphrase file: a clear error, not a hang.
  ExpectFailure(Console({"keygen", "--force", "KEN", "--out", work_ / "k"}), "no terminal");
}

TEST_F(ConsoleCli, SealsAndOpensByteIdentical) {
  std::string content;
  for (int i = 0; i < 300000; ++i) content += static_cast<char>(i * 7 + (i >> 8));
  WriteFileOrDie(work_ / "report.bin", content);
  const auto seal = Console(SealArgs(work_ / "report.bin", work_ / "report.sealed"));
  ASSERT_EQ(seal.exit_code, 0) << seal.err;
  EXPECT_NE(ReadFileOrDie(work_ / "report.sealed").find("SEALDROP"), std::string::npos);
  const auto open = Console(OpenArgs(work_ / "report.sealed", work_ / "opened.bin"));
  ASSERT_EQ(open.exit_code, 0) << open.err;
  EXPECT_EQ(ReadFileOrDie(work_ / "opened.bin"), content);
  EXPECT_NE(open.out.find("\"force\":\"MET\""), std::string::npos);
  const auto perms = std::filesystem::status(work_ / "opened.bin").permissions();
  EXPECT_EQ(perms & std::filesystem::perms::group_read, std::filesystem::perms::none);
}

TEST_F(ConsoleCli, ShortReportsAllHaveOneSize) {
  WriteFileOrDie(work_ / "a", "x");
  WriteFileOrDie(work_ / "b", std::string(60000, 'y'));
  ASSERT_EQ(Console(SealArgs(work_ / "a", work_ / "a.sealed")).exit_code, 0);
  ASSERT_EQ(Console(SealArgs(work_ / "b", work_ / "b.sealed")).exit_code, 0);
  EXPECT_EQ(std::filesystem::file_size(work_ / "a.sealed"),
            std::filesystem::file_size(work_ / "b.sealed"));
}

TEST_F(ConsoleCli, OpenWithTheWrongPassphraseFailsAndWritesNothing) {
  WriteFileOrDie(work_ / "in", "secret report");
  ASSERT_EQ(Console(SealArgs(work_ / "in", work_ / "in.sealed")).exit_code, 0);
  ExpectFailure(Console(OpenArgs(work_ / "in.sealed", work_ / "out", "keys/MET.secret",
                                 "wrong-pass")),
                "wrong passphrase");
  EXPECT_EQ(ListDir(work_.path()), (std::vector<std::string>{"in", "in.sealed"}));
}

TEST_F(ConsoleCli, OpenWithAnotherForcesKeyFails) {
  WriteFileOrDie(work_ / "in", "secret report");
  ASSERT_EQ(Console(SealArgs(work_ / "in", work_ / "in.sealed")).exit_code, 0);
  ExpectFailure(Console(OpenArgs(work_ / "in.sealed", work_ / "out", "keys/NATIONAL.secret")),
                "none of the keys");
  ExpectFailure(Console(OpenArgs(work_ / "in.sealed", work_ / "out", "keys/MET-transfer.secret")),
                "wrong kind of secret key");
  EXPECT_FALSE(std::filesystem::exists(work_ / "out"));
}

TEST_F(ConsoleCli, TruncatedOrTamperedEnvelopesLeaveNothingBehind) {
  std::string content(500000, 'r');
  WriteFileOrDie(work_ / "in", content);
  ASSERT_EQ(Console(SealArgs(work_ / "in", work_ / "in.sealed")).exit_code, 0);
  const std::string sealed = ReadFileOrDie(work_ / "in.sealed");
  WriteFileOrDie(work_ / "cut.sealed", sealed.substr(0, sealed.size() - 70000));
  ExpectFailure(Console(OpenArgs(work_ / "cut.sealed", work_ / "out")), "truncated");
  std::string tampered = sealed;
  tampered[tampered.size() / 2] ^= 1;
  WriteFileOrDie(work_ / "bad.sealed", tampered);
  ExpectFailure(Console(OpenArgs(work_ / "bad.sealed", work_ / "out")), "authentication");
  WriteFileOrDie(work_ / "long.sealed", sealed + "x");
  ExpectFailure(Console(OpenArgs(work_ / "long.sealed", work_ / "out")), "after the final");
  // No output and no temporary file survive any of these.
  EXPECT_EQ(ListDir(work_.path()),
            (std::vector<std::string>{"bad.sealed", "cut.sealed", "in", "in.sealed",
                                      "long.sealed"}));
}

TEST_F(ConsoleCli, OpenRefusesNonEnvelopes) {
  WriteFileOrDie(work_ / "junk", "hello, this is not sealed");
  ExpectFailure(Console(OpenArgs(work_ / "junk", work_ / "out")), "not a SealDrop envelope");
  ExpectFailure(Console(OpenArgs(work_ / "missing", work_ / "out")), "cannot read");
}

TEST_F(ConsoleCli, OutputsAreNeverOverwritten) {
  WriteFileOrDie(work_ / "in", "report");
  WriteFileOrDie(work_ / "taken", "precious");
  ExpectFailure(Console(SealArgs(work_ / "in", work_ / "taken")), "already exists");
  EXPECT_EQ(ReadFileOrDie(work_ / "taken"), "precious");
}

TEST_F(ConsoleCli, SealRefusesUnknownForcesAndBadDirectories) {
  WriteFileOrDie(work_ / "in", "report");
  ExpectFailure(Console(SealArgs(work_ / "in", work_ / "out", "KEN")), "unknown force code");
  std::string dir = ReadFileOrDie(P("directory.signed"));
  dir.replace(dir.find("Metropolitan"), 1, "N");
  WriteFileOrDie(work_ / "tampered.signed", dir);
  auto args = SealArgs(work_ / "in", work_ / "out");
  args[2] = work_ / "tampered.signed";
  ExpectFailure(Console(args), "altered");
  WriteFileOrDie(work_ / "unsigned.json", ReadFileOrDie(P("forces.json")));
  args[2] = work_ / "unsigned.json";
  ExpectFailure(Console(args), "not a signed SealDrop force directory");
  EXPECT_FALSE(std::filesystem::exists(work_ / "out"));
}

TEST_F(ConsoleCli, DirectoryVerifyChecksTheRootKey) {
  const auto ok = Console({"directory", "verify", "--root-pub", P("keys/root.public"), "--in",
                           P("directory.signed")});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("2 forces"), std::string::npos);
  EXPECT_NE(ok.out.find("NATIONAL"), std::string::npos);
  // A different pinned root refuses the same file. Reuse a decryption key file as the wrong
  // kind of key to check role handling, then a real but different root key.
  ExpectFailure(Console({"directory", "verify", "--root-pub", P("keys/MET.public"), "--in",
                         P("directory.signed")}),
                "wrong kind of public key");
  Must({"root-keygen", "--out", work_ / "other", "--passphrase-file", P("pass")});
  ExpectFailure(Console({"directory", "verify", "--root-pub", work_ / "other/root.public", "--in",
                         P("directory.signed")}),
                "different root key");
}

TEST_F(ConsoleCli, DirectoryRenewGivesAHigherSerialAndANewExpiryEvenToAnExpiredOne) {
  const auto renew = [&](const std::string& in, const std::string& out,
                         const std::string& key = "keys/root.secret") {
    return Console({"directory", "renew", "--root-key", P(key), "--in", in, "--out", out,
                    "--valid-days", "400", "--passphrase-file", P("pass")});
  };
  const auto renewed = renew(P("directory.signed"), work_ / "renewed.signed");
  ASSERT_EQ(renewed.exit_code, 0) << renewed.err;
  EXPECT_NE(renewed.out.find("serial 1 -> 2"), std::string::npos) << renewed.out;
  const auto verified = Console({"directory", "verify", "--root-pub", P("keys/root.public"),
                                 "--in", work_ / "renewed.signed"});
  ASSERT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_NE(verified.out.find("serial 2, issued " + TodayUtc() + ", expires " +
                              AddDays(TodayUtc(), 400) + ", 2 forces"),
            std::string::npos) << verified.out;

  // A directory that expired yesterday (signed as on its issue day, 400 days ago).
  auto body = nlohmann::json::parse(ReadFileOrDie(P("forces.json")));
  body["issued"] = AddDays(TodayUtc(), -400);
  body["expires"] = AddDays(TodayUtc(), -1);
  for (auto& f : body["forces"]) {
    f["valid_from"] = AddDays(TodayUtc(), -400);
    f["valid_until"] = AddDays(TodayUtc(), -1);
  }
  auto root = ReadSecretKeyFile(P("keys/root.secret"),
                                SecretBuffer::CopyOf("correct horse battery staple"), KeyRole::kRoot);
  ASSERT_TRUE(root.ok());
  auto expired = ForceDirectory::Sign(body.dump(), *root, AddDays(TodayUtc(), -400));
  ASSERT_TRUE(expired.ok()) << expired.error().message;
  WriteFileOrDie(work_ / "expired.signed", *expired);
  ExpectFailure(Console({"directory", "verify", "--root-pub", P("keys/root.public"), "--in",
                         work_ / "expired.signed"}),
                "expired");
  ASSERT_EQ(renew(work_ / "expired.signed", work_ / "revived.signed").exit_code, 0);
  const auto revived = Console({"directory", "verify", "--root-pub", P("keys/root.public"),
                                "--in", work_ / "revived.signed"});
  EXPECT_EQ(revived.exit_code, 0) << revived.err;
  EXPECT_NE(revived.out.find("2 forces"), std::string::npos) << revived.out;

  // Never over an existing file; never with another root's key.
  ExpectFailure(renew(P("directory.signed"), work_ / "renewed.signed"), "already exists");
  Must({"root-keygen", "--out", work_ / "usurper", "--passphrase-file", P("pass")});
  ExpectFailure(Console({"directory", "renew", "--root-key", work_ / "usurper/root.secret", "--in",
                         P("directory.signed"), "--out", work_ / "usurped.signed",
                         "--passphrase-file", P("pass")}),
                "different root key");
  EXPECT_FALSE(std::filesystem::exists(work_ / "usurped.signed"));
}

// A console made by the first schema (no version in its header, none of version 2's tables)
// opens with today's console and is migrated; one from a newer console is refused untouched.
TEST_F(ConsoleCli, AConsoleOfThePreviousSchemaIsMigratedAndANewerOneRefused) {
  const std::string data = work_ / "old-console";
  Must({"init", "--data", data});
  const std::string file = data + "/console.sqlite";
  const auto edit = [&](const char* sql) {
    auto db = sqlite::Database::Open(file, sqlite::OpenMode::kReadWrite, "test edit");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec(sql).ok()) << sql;
    ASSERT_TRUE(db->Close().ok());
  };
  const auto version = [&] {
    auto db = sqlite::Database::Open(file, sqlite::OpenMode::kReadOnly, "test read");
    return db ? db->UserVersion().value() : -1;
  };
  EXPECT_EQ(version(), 2);
  edit("DROP TABLE followup_unread; DROP TABLE risk_raised; DROP TABLE delivery; "
       "DROP TABLE push_results_read; DROP TABLE imported; PRAGMA user_version = 0;");
  const auto opened = Console({"audit", "verify", "--data", data});
  EXPECT_EQ(opened.exit_code, 0) << opened.err;
  EXPECT_NE(opened.out.find("audit log intact"), std::string::npos);
  EXPECT_EQ(version(), 2);
  {
    auto db = sqlite::Database::Open(file, sqlite::OpenMode::kReadOnly, "test read");
    ASSERT_TRUE(db.ok());
    auto q = db->Prepare("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name IN "
                         "('followup_unread', 'risk_raised', 'delivery', 'push_results_read', 'imported')");
    ASSERT_TRUE(q.ok());
    ASSERT_TRUE(q->ForEach([&] {
      EXPECT_EQ(q->Int64(0), 5);
      return Status::Ok();
    }));
  }
  edit("PRAGMA user_version = 9;");
  ExpectFailure(Console({"audit", "verify", "--data", data}), "made by a newer SealDrop (schema 9)");
  EXPECT_EQ(version(), 9);
}

TEST_F(ConsoleCli, DirectorySignNeedsTheRightPassphraseAndRootKey) {
  ExpectFailure(Console({"directory", "sign", "--root-key", P("keys/root.secret"), "--in",
                         P("forces.json"), "--out", work_ / "d", "--passphrase-file",
                         P("wrong-pass")}),
                "wrong passphrase");
  ExpectFailure(Console({"directory", "sign", "--root-key", P("keys/MET-transfer.secret"),
                         "--in", P("forces.json"), "--out", work_ / "d", "--passphrase-file",
                         P("pass")}),
                "wrong kind of secret key");
  EXPECT_FALSE(std::filesystem::exists(work_ / "d"));
}

TEST_F(ConsoleCli, UsageErrorsExitNonZero) {
  EXPECT_EQ(Console({}).exit_code, 2);
  EXPECT_EQ(Console({"seal"}).exit_code, 2);
  EXPECT_EQ(Console({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(Console({"--help"}).exit_code, 0);
}

}  // namespace
}  // namespace sealdrop
