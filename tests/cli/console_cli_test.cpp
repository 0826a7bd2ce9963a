// sealdrop-console end to end: real binary, real files, real Argon2id (MODERATE) key files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

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
    WriteFileOrDie(P("alice-pass"), "alice's own passphrase\n");
    WriteFileOrDie(P("bob-pass"), "bob's own passphrase\n");
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

  // A new console at `data` with MET's key, `officer` (passphrase file P(officer-pass)) its first
  // supervisor.
  static std::vector<std::string> InitArgs(const std::string& data, const std::string& officer) {
    return {"init", "--data", data, "--officer", officer, "--passphrase-file", P(officer + "-pass"),
            "--key", P("keys/MET.secret"), "--key-passphrase-file", P("pass")};
  }
  // `args` signed in as `officer` with their passphrase file.
  static std::vector<std::string> SignedIn(std::vector<std::string> args, const std::string& officer) {
    args.insert(args.end(), {"--officer", officer, "--passphrase-file", P(officer + "-pass")});
    return args;
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

// A console made by the first schema (no version in its header, none of version 2's tables) or
// by the second (one key file, no officers) opens with today's console and is migrated; one from
// a newer console is refused untouched.
TEST_F(ConsoleCli, ConsolesOfEarlierSchemasAreMigratedAndANewerOneRefused) {
  const std::string data = work_ / "old-console";
  Must(InitArgs(data, "alice"));
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
  const auto count_of = [&](const std::string& sql) {
    auto db = sqlite::Database::Open(file, sqlite::OpenMode::kReadOnly, "test read");
    EXPECT_TRUE(db.ok());
    long long n = -1;
    auto q = db->Prepare(sql);
    EXPECT_TRUE(q.ok());
    EXPECT_TRUE(q->ForEach([&] {
      n = q->Int64(0);
      return Status::Ok();
    }));
    return n;
  };
  EXPECT_EQ(version(), 3);
  const std::string every_table =
      "'followup_unread', 'risk_raised', 'delivery', 'push_results_read', 'imported', 'officers'";
  // Back to version 2 (the last one without officers: the key named by its file), or to
  // version 1 (none of version 2's tables either).
  for (const int previous : {2, 1}) {
    SCOPED_TRACE("schema " + std::to_string(previous));
    std::filesystem::remove(data + "/keyslots");
    // The triage table as versions 1 and 2 made it, without the officer who recorded each.
    edit("DROP TABLE officers; DROP TABLE triage; CREATE TABLE triage (seq INTEGER PRIMARY KEY, "
         "case_id TEXT NOT NULL, day TEXT NOT NULL, outcome TEXT NOT NULL, note BLOB NOT NULL);");
    if (previous == 1) {
      edit("DROP TABLE followup_unread; DROP TABLE risk_raised; DROP TABLE delivery; "
           "DROP TABLE push_results_read; DROP TABLE imported; PRAGMA user_version = 0;");
    } else {
      edit("PRAGMA user_version = 2;");
    }
    edit(("INSERT OR REPLACE INTO meta (key, value) VALUES ('key_path', '" + P("keys/MET.secret") +
          "')").c_str());
    // Opened (and migrated) by any command; it has no officer yet, so none can sign in.
    ExpectFailure(Console(SignedIn({"list", "--data", data}, "alice")), "no officers yet");
    EXPECT_EQ(version(), 3);
    EXPECT_EQ(count_of("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name IN (" +
                       every_table + ")"),
              6);
    EXPECT_EQ(count_of("SELECT COUNT(*) FROM pragma_table_info('triage') WHERE name = 'officer'"), 1);
    // Its single key file, opened once by its passphrase, becomes the first supervisor's slot.
    Must({"officer", "init", "--data", data, "--officer", "alice", "--passphrase-file",
          P("alice-pass"), "--key-passphrase-file", P("pass")});
    Must(SignedIn({"audit", "verify", "--data", data}, "alice"));
  }
  ExpectFailure(Console({"officer", "init", "--data", data, "--officer", "eve", "--passphrase-file",
                         P("bob-pass"), "--key-passphrase-file", P("pass")}),
                "has officers already");
  const auto listed = Console({"officer", "list", "--data", data});
  EXPECT_NE(listed.out.find("alice"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("supervisor"), std::string::npos) << listed.out;

  edit("PRAGMA user_version = 9;");
  ExpectFailure(Console(SignedIn({"audit", "verify", "--data", data}, "alice")),
                "made by a newer SealDrop (schema 9)");
  EXPECT_EQ(version(), 9);
}

// Each officer unlocks the one force key with their own passphrase; roles limit what they may do;
// the audit names who did what; a removed officer's passphrase unlocks nothing, even with a copy
// of the key slots file from before the removal.
TEST_F(ConsoleCli, OfficersHaveTheirOwnPassphrasesAndARemovedOneUnlocksNothing) {
  const std::string data = work_ / "console";
  Must(InitArgs(data, "alice"));
  EXPECT_EQ(std::filesystem::status(data + "/keyslots").permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  Must(SignedIn({"officer", "add", "--data", data, "bob", "--role", "assessor",
                 "--new-passphrase-file", P("bob-pass")},
                "alice"));
  // Bob signs in with his passphrase, not alice's or the key file's.
  Must(SignedIn({"stats", "--data", data}, "bob"));
  ExpectFailure(Console({"stats", "--data", data, "--officer", "bob", "--passphrase-file",
                         P("alice-pass")}),
                "wrong passphrase for officer 'bob'");
  ExpectFailure(Console({"stats", "--data", data, "--officer", "mallory", "--passphrase-file",
                         P("pass")}),
                "no officer 'mallory'");
  // An assessor neither adds officers nor reads the audit.
  ExpectFailure(Console(SignedIn({"officer", "add", "--data", data, "carol", "--role", "supervisor",
                                  "--new-passphrase-file", P("bob-pass")},
                                 "bob")),
                "only a supervisor can add officers");
  ExpectFailure(Console(SignedIn({"audit", "verify", "--data", data}, "bob")),
                "only a supervisor can read the audit");
  ExpectFailure(Console(SignedIn({"audit", "list", "--data", data}, "bob")),
                "only a supervisor can read the audit");
  ExpectFailure(Console(SignedIn({"officer", "remove", "--data", data, "alice"}, "bob")),
                "only a supervisor can remove officers");
  // Bob changes his own passphrase: the old one stops working.
  WriteFileOrDie(work_ / "bob-new", "bob's second passphrase\n");
  Must(SignedIn({"officer", "passwd", "--data", data, "--new-passphrase-file", work_ / "bob-new"},
                "bob"));
  ExpectFailure(Console(SignedIn({"stats", "--data", data}, "bob")), "wrong passphrase");
  Must({"stats", "--data", data, "--officer", "bob", "--passphrase-file", work_ / "bob-new"});

  const std::string before = ReadFileOrDie(data + "/keyslots");
  Must(SignedIn({"officer", "remove", "--data", data, "bob"}, "alice"));
  ExpectFailure(Console({"stats", "--data", data, "--officer", "bob", "--passphrase-file",
                         work_ / "bob-new"}),
                "no officer 'bob'");
  // The removed slot is gone from the file: bob's passphrase opens no slot left in it.
  EXPECT_EQ(ReadFileOrDie(data + "/keyslots").find("bob"), std::string::npos);
  ExpectFailure(Console({"stats", "--data", data, "--officer", "alice", "--passphrase-file",
                         work_ / "bob-new"}),
                "wrong passphrase");
  // A copy of the file from before the removal, put back: the register still refuses bob, and
  // the file is refused as older than the console's record of it.
  const std::string current = ReadFileOrDie(data + "/keyslots");
  WriteFileOrDie(data + "/keyslots", before);
  ExpectFailure(Console({"stats", "--data", data, "--officer", "bob", "--passphrase-file",
                         work_ / "bob-new"}),
                "was removed");
  ExpectFailure(Console(SignedIn({"stats", "--data", data}, "alice")), "an old copy was put back");
  // A slot edited by someone without the key (bob made a supervisor) is refused as a whole.
  std::string promoted = before;
  const std::size_t bob_slot = promoted.find("bob") - 2;
  promoted[bob_slot] = 2;
  WriteFileOrDie(data + "/keyslots", promoted);
  ExpectFailure(Console(SignedIn({"stats", "--data", data}, "alice")), "changed by someone");
  WriteFileOrDie(data + "/keyslots", current);

  // The audit names each officer for what they did.
  const auto audit = Console(SignedIn({"audit", "list", "--data", data}, "alice"));
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  const auto has_entry = [&](const std::string& officer, const std::string& action) {
    std::istringstream lines(audit.out);
    std::string line, seq, day, who, what;
    while (std::getline(lines, line)) {
      std::istringstream fields(line);
      if (fields >> seq >> day >> who >> what && who == officer && what == action) return true;
    }
    return false;
  };
  EXPECT_TRUE(has_entry("alice", "init")) << audit.out;
  EXPECT_TRUE(has_entry("alice", "officer-add")) << audit.out;
  EXPECT_TRUE(has_entry("bob", "officer-passwd")) << audit.out;
  EXPECT_TRUE(has_entry("alice", "officer-remove")) << audit.out;
  EXPECT_EQ(audit.out.find("unknown"), std::string::npos) << audit.out;
  Must(SignedIn({"audit", "verify", "--data", data}, "alice"));
  const auto listed = Console({"officer", "list", "--data", data});
  EXPECT_NE(listed.out.find("(removed "), std::string::npos) << listed.out;
  // A supervisor cannot remove themselves (the console would be left without one).
  ExpectFailure(Console(SignedIn({"officer", "remove", "--data", data, "alice"}, "alice")),
                "cannot remove themselves");
}

// Notes and replies come only on standard input: the old argv and file flags are usage errors.
TEST_F(ConsoleCli, NotesAndRepliesAreNeverTakenFromTheCommandLine) {
  const std::string data = work_ / "console";
  Must(InitArgs(data, "alice"));
  EXPECT_EQ(Console(SignedIn({"triage", "--data", data, "abcdef", "--outcome", "record", "--note",
                              "secret"},
                             "alice"))
                .exit_code,
            2);
  WriteFileOrDie(work_ / "reply.txt", "hello");
  EXPECT_EQ(Console(SignedIn({"reply", "--data", data, "abcdef", "--in", work_ / "reply.txt"},
                             "alice"))
                .exit_code,
            2);
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
