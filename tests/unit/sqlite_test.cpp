// common/sqlite.h against real SQLite files in a temporary directory: every failure surfaces,
// a read that fails part-way is an error and never a short result, transactions roll back
// unless committed.
#include "common/sqlite.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace sealdrop::sqlite {
namespace {

namespace fs = std::filesystem;

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sealdrop-sqlite-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/test.sqlite";
  }
  void TearDown() override { fs::remove_all(dir_); }

  Database OpenOrDie() {
    auto db = Database::Open(path_, OpenMode::kReadWriteCreate, "test database");
    if (!db) ADD_FAILURE() << db.error().message;
    return std::move(db.value());
  }

  // A table `t` of `n` rows of ~300 bytes each: many leaf pages.
  void MakeTable(Database& db, int n) {
    ASSERT_TRUE(db.Exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)"));
    auto tx = Transaction::Begin(db);
    ASSERT_TRUE(tx);
    for (int i = 0; i < n; ++i) {
      auto q = db.Prepare("INSERT INTO t (k, v) VALUES (?, ?)");
      ASSERT_TRUE(q);
      ASSERT_TRUE(
          q->BindInt64(1, i).Bind(2, std::string(300, static_cast<char>('a' + i % 26))).Run());
    }
    ASSERT_TRUE(tx->Commit());
  }

  Status ReadAll(Database& db, std::vector<std::int64_t>& keys) {
    auto q = db.Prepare("SELECT k, v FROM t ORDER BY k");
    if (!q) return q.error();
    return q->ForEach([&] {
      keys.push_back(q->Int64(0));
      return Status::Ok();
    });
  }

  std::string dir_;
  std::string path_;
};

TEST_F(SqliteTest, ForEachReadsEveryRowAndEndsAtDone) {
  Database db = OpenOrDie();
  MakeTable(db, 50);
  std::vector<std::int64_t> keys;
  ASSERT_TRUE(ReadAll(db, keys));
  ASSERT_EQ(keys.size(), 50u);
  EXPECT_EQ(keys.front(), 0);
  EXPECT_EQ(keys.back(), 49);
}

TEST_F(SqliteTest, TextAndBlobRoundTripIncludingEmptyAndNull) {
  Database db = OpenOrDie();
  ASSERT_TRUE(db.Exec("CREATE TABLE b (t TEXT, b BLOB)"));
  const std::vector<std::uint8_t> bytes{0, 1, 2, 255};
  auto ins = db.Prepare("INSERT INTO b VALUES (?, ?), (?, ?), (?, ?)");
  ASSERT_TRUE(ins);
  ins->Bind(1, std::string("with\0nul", 8)).Bind(2, bytes);
  ins->Bind(3, "").Bind(4, std::vector<std::uint8_t>{});
  ASSERT_TRUE(ins->BindNull(5).BindNull(6).Run());
  auto q = db.Prepare("SELECT t, b, typeof(b) FROM b ORDER BY rowid");
  ASSERT_TRUE(q);
  std::vector<std::string> texts, types;
  std::vector<std::vector<std::uint8_t>> blobs;
  std::vector<bool> nulls;
  ASSERT_TRUE(q->ForEach([&] {
    texts.push_back(q->Text(0));
    blobs.push_back(q->Blob(1));
    types.push_back(q->Text(2));
    nulls.push_back(q->IsNull(0));
    return Status::Ok();
  }));
  ASSERT_EQ(texts.size(), 3u);
  EXPECT_EQ(texts[0], std::string("with\0nul", 8));
  EXPECT_EQ(blobs[0], bytes);
  EXPECT_EQ(types[1], "blob");  // an empty vector is an empty blob, not NULL
  EXPECT_TRUE(blobs[1].empty());
  EXPECT_EQ(nulls, (std::vector<bool>{false, false, true}));
}

TEST_F(SqliteTest, AnEmptyViewIsEmptyTextNotNull) {
  Database db = OpenOrDie();
  ASSERT_TRUE(db.Exec("CREATE TABLE e (t TEXT)"));
  auto ins = db.Prepare("INSERT INTO e VALUES (?)");
  ASSERT_TRUE(ins);
  ASSERT_TRUE(ins->Bind(1, std::string_view{}).Run());
  auto q = db.Prepare("SELECT typeof(t) FROM e");
  ASSERT_TRUE(q);
  std::string type;
  ASSERT_TRUE(q->ForEach([&] {
    type = q->Text(0);
    return Status::Ok();
  }));
  EXPECT_EQ(type, "text");
}

TEST_F(SqliteTest, PrepareErrorNamesTheDatabaseAndWhat) {
  Database db = OpenOrDie();
  auto q = db.Prepare("SELECT x FROM no_such_table");
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().code, ErrorCode::kIo);
  EXPECT_NE(q.error().message.find("test database: prepare: no such table"), std::string::npos)
      << q.error().message;
}

TEST_F(SqliteTest, ABindFailureIsReturnedByTheNextStep) {
  Database db = OpenOrDie();
  MakeTable(db, 1);
  auto q = db.Prepare("INSERT INTO t (k, v) VALUES (?, ?)");
  ASSERT_TRUE(q);
  q->BindInt64(1, 7).Bind(2, "x").Bind(3, "no such parameter");
  const Status st = q->Run();
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("bind"), std::string::npos) << st.error().message;
  std::vector<std::int64_t> keys;
  ASSERT_TRUE(ReadAll(db, keys));
  EXPECT_EQ(keys.size(), 1u) << "the statement must not have run";
}

TEST_F(SqliteTest, ConstraintViolationIsAlreadyExists) {
  Database db = OpenOrDie();
  MakeTable(db, 1);
  auto q = db.Prepare("INSERT INTO t (k, v) VALUES (0, 'again')");
  ASSERT_TRUE(q);
  const Status st = q->Run();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kAlreadyExists);
}

TEST_F(SqliteTest, NextTellsRowFromDone) {
  Database db = OpenOrDie();
  MakeTable(db, 1);
  auto q = db.Prepare("SELECT v FROM t WHERE k = ?");
  ASSERT_TRUE(q);
  auto first = q->BindInt64(1, 0).Next();
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, Statement::Step::kRow);
  auto second = q->Next();
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, Statement::Step::kDone);
}

TEST_F(SqliteTest, AnErrorFromTheCallbackStopsForEach) {
  Database db = OpenOrDie();
  MakeTable(db, 10);
  auto q = db.Prepare("SELECT k FROM t");
  ASSERT_TRUE(q);
  int seen = 0;
  const Status st = q->ForEach([&]() -> Status {
    if (++seen == 3) return MakeError(ErrorCode::kMalformed, "row 3 is bad");
    return Status::Ok();
  });
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(seen, 3);
}

TEST_F(SqliteTest, TransactionRollsBackUnlessCommitted) {
  Database db = OpenOrDie();
  MakeTable(db, 2);
  {
    auto tx = Transaction::Begin(db);
    ASSERT_TRUE(tx);
    auto del = db.Prepare("DELETE FROM t");
    ASSERT_TRUE(del);
    ASSERT_TRUE(del->Run());
    EXPECT_EQ(db.Changes(), 2);
  }  // an early return: no Commit
  std::vector<std::int64_t> keys;
  ASSERT_TRUE(ReadAll(db, keys));
  EXPECT_EQ(keys.size(), 2u);
  {
    auto tx = Transaction::Begin(db);
    ASSERT_TRUE(tx);
    auto del = db.Prepare("DELETE FROM t WHERE k = 0");
    ASSERT_TRUE(del);
    ASSERT_TRUE(del->Run());
    ASSERT_TRUE(tx->Commit());
  }
  keys.clear();
  ASSERT_TRUE(ReadAll(db, keys));
  EXPECT_EQ(keys, (std::vector<std::int64_t>{1}));
  {
    auto tx = Transaction::Begin(db);
    ASSERT_TRUE(tx);
    auto del = db.Prepare("DELETE FROM t");
    ASSERT_TRUE(del);
    ASSERT_TRUE(del->Run());
    ASSERT_TRUE(tx->Rollback());  // explicit, and checked
  }
  keys.clear();
  ASSERT_TRUE(ReadAll(db, keys));
  EXPECT_EQ(keys, (std::vector<std::int64_t>{1}));
}

TEST_F(SqliteTest, AFullDatabaseFailsTheWriteAndKeepsWhatWasCommitted) {
  Database db = OpenOrDie();
  MakeTable(db, 5);
  // max_page_count caps the file as a full disk would: SQLite answers SQLITE_FULL.
  ASSERT_TRUE(db.Exec("PRAGMA max_page_count = 4"));
  {
    auto tx = Transaction::Begin(db);
    ASSERT_TRUE(tx);
    Status failed = Status::Ok();
    for (int i = 100; i < 200 && failed; ++i) {
      auto q = db.Prepare("INSERT INTO t (k, v) VALUES (?, ?)");
      ASSERT_TRUE(q);
      failed = q->BindInt64(1, i).Bind(2, std::string(3000, 'z')).Run();
    }
    ASSERT_FALSE(failed) << "the cap never filled";
    EXPECT_NE(failed.error().message.find("full"), std::string::npos) << failed.error().message;
  }  // rolled back
  std::vector<std::int64_t> keys;
  ASSERT_TRUE(ReadAll(db, keys));
  EXPECT_EQ(keys.size(), 5u);
}

// Overwrites the middle leaf page of table `t` with garbage, as a failing disk would.
void CorruptMiddleLeafOfT(const std::string& path) {
  SCOPED_TRACE("corrupting " + path);
  std::int64_t page_size = 0;
  std::vector<std::int64_t> leaves;
  {
    auto db = Database::Open(path, OpenMode::kReadWrite, "test database");
    ASSERT_TRUE(db);
    {
      auto ps = db->Prepare("PRAGMA page_size");
      ASSERT_TRUE(ps);
      ASSERT_TRUE(ps->ForEach([&] {
        page_size = ps->Int64(0);
        return Status::Ok();
      }));
      auto q = db->Prepare(
          "SELECT pageno FROM dbstat WHERE name = 't' AND pagetype = 'leaf' "
          "ORDER BY pageno");
      ASSERT_TRUE(q);
      ASSERT_TRUE(q->ForEach([&] {
        leaves.push_back(q->Int64(0));
        return Status::Ok();
      }));
    }
    ASSERT_TRUE(db->Close());
  }
  ASSERT_GE(leaves.size(), 3u);
  ASSERT_FALSE(fs::exists(path + "-wal") && fs::file_size(path + "-wal") > 0);
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(f);
  f.seekp((leaves[leaves.size() / 2] - 1) * page_size);
  const std::string garbage(static_cast<std::size_t>(page_size), '\xA5');
  f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  ASSERT_TRUE(f.flush());
}

TEST_F(SqliteTest, ACorruptPageMidwayIsAnErrorNotAShortResult) {
  {
    Database db = OpenOrDie();
    MakeTable(db, 200);
    ASSERT_TRUE(db.Close());
  }
  ASSERT_NO_FATAL_FAILURE(CorruptMiddleLeafOfT(path_));
  auto db = Database::Open(path_, OpenMode::kReadWrite, "test database");
  ASSERT_TRUE(db) << db.error().message;
  std::vector<std::int64_t> keys;
  const Status st = ReadAll(*db, keys);
  ASSERT_FALSE(st) << "read " << keys.size() << " of 200 rows and called it complete";
  EXPECT_NE(st.error().message.find("test database: step"), std::string::npos)
      << st.error().message;
  EXPECT_GT(keys.size(), 0u) << "the rows before the damage were readable";
  EXPECT_LT(keys.size(), 200u);
}

TEST_F(SqliteTest, OpeningSomethingThatIsNotADatabaseFails) {
  {
    std::ofstream f(path_, std::ios::binary);
    f << std::string(8192, 'x');
  }
  auto db = Database::Open(path_, OpenMode::kReadWrite, "test database");
  Status st = Status::Ok();
  if (db) st = db->Exec("SELECT * FROM sqlite_master");  // SQLite reads the header lazily
  ASSERT_FALSE(st && db) << "a file of x's was accepted as a database";
}

TEST_F(SqliteTest, OpeningAMissingFileWithoutCreateFails) {
  auto db = Database::Open(dir_ + "/missing.sqlite", OpenMode::kReadWrite, "test database");
  ASSERT_FALSE(db);
  EXPECT_NE(db.error().message.find("test database: open"), std::string::npos);
}

}  // namespace
}  // namespace sealdrop::sqlite
