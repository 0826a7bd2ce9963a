#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <map>

#include "common/sqlite.h"
#include "crypto/keys.h"
#include "server/storage/index_schema.h"
#include "server/storage/store.h"
#include "tests/support/process.h"

namespace sealdrop::server {
namespace {

using testing::ListDir;
using testing::ListItemBlobs;
using testing::TempDir;
using testing::WriteFileOrDie;

ItemRow Row(const std::string& force, ItemKind kind = ItemKind::kReport) {
  ItemRow r;
  r.force = force;
  r.day = "2026-11-22";
  r.size = 131252;
  r.kind = kind;
  return r;
}

std::string Put(SealedStore& store, ItemRow row, const std::string& bytes = "sealed") {
  auto blob = store.Begin();
  EXPECT_TRUE(blob.ok());
  EXPECT_TRUE(blob->sink().Write(AsBytes(bytes)).ok());
  const std::string id = blob->id();
  EXPECT_TRUE(store.Commit(std::move(*blob), std::move(row)).ok());
  return id;
}

TEST(SealedStore, CommitsItemsAndListsThemPerForce) {
  TempDir dir;
  auto store = SealedStore::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  const std::string a = Put(**store, Row("MET"));
  Put(**store, Row("KEN"));
  auto met = (*store)->ListForForce("MET");
  ASSERT_TRUE(met.ok());
  ASSERT_EQ(met->size(), 1u);
  EXPECT_EQ((*met)[0].id, a);
  EXPECT_EQ((*met)[0].day, "2026-11-22");
  EXPECT_EQ(testing::ReadFileOrDie((*store)->BlobPath(a)), "sealed");
  EXPECT_EQ((*store)->Count().value(), 2u);
}

TEST(SealedStore, AnUncommittedBlobLeavesNothing) {
  TempDir dir;
  auto store = SealedStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  {
    auto blob = (*store)->Begin();
    ASSERT_TRUE(blob.ok());
    ASSERT_TRUE(blob->sink().Write(AsBytes("half an upload")).ok());
  }
  // Its file is an empty spare again: no bytes, no new name.
  EXPECT_TRUE(ListItemBlobs(dir.path()).empty());
  EXPECT_EQ(ListDir(dir / "blobs").size(), BlobFiles::kBatch);
  EXPECT_EQ((*store)->Count().value(), 0u);
}

TEST(SealedStore, RecoversFromACrashAtAnyPoint) {
  TempDir dir;
  std::string kept, lost_blob;
  {
    auto store = SealedStore::Open(dir.path());
    ASSERT_TRUE(store.ok());
    kept = Put(**store, Row("MET"));
    lost_blob = Put(**store, Row("MET"));
  }
  // Crash after an upload was written into a spare but before its row: bytes without a row.
  WriteFileOrDie(dir / "blobs/0123456789abcdef0123456789abcdef", "orphan");
  // Crash during a write on a file system without O_TMPFILE: a temporary file.
  WriteFileOrDie(dir / "blobs/.0123456789abcdef0123456789abcdef.tmp-1", "partial");
  // A row whose blob vanished.
  ASSERT_EQ(::unlink((dir / "blobs/" + lost_blob).c_str()), 0);
  RecoveryReport report;
  auto store = SealedStore::Open(dir.path(), &report);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(report.orphan_blobs_removed, 1u);
  EXPECT_EQ(report.temp_files_removed, 1u);
  EXPECT_EQ(report.rows_without_blob_removed, 1u);
  EXPECT_EQ(ListItemBlobs(dir.path()), std::vector<std::string>{kept});
  EXPECT_EQ((*store)->Count().value(), 1u);
  // The orphan's bytes are gone; its file is a spare now.
  EXPECT_EQ(testing::ReadFileOrDie(dir / "blobs/0123456789abcdef0123456789abcdef"), "");
}

TEST(SealedStore, RepliesAreFoundByLookupIdOnly) {
  TempDir dir;
  auto store = SealedStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  std::array<std::uint8_t, 32> me{1}, other{2};
  ItemRow reply = Row("MET", ItemKind::kReply);
  reply.lookup_id = me;
  const std::string id = Put(**store, reply);
  ItemRow report = Row("MET");
  report.lookup_id = me;  // reports carry it too, but are never shown in an inbox
  Put(**store, report);
  auto mine = (*store)->ListForLookup(me);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].id, id);
  EXPECT_TRUE((*store)->ListForLookup(other)->empty());
  // A force's pending list holds reports and follow-ups, not replies.
  EXPECT_EQ((*store)->ListForForce("MET")->size(), 1u);
}

TEST(SealedStore, DeleteRemovesRowAndBlob) {
  TempDir dir;
  auto store = SealedStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  const std::string id = Put(**store, Row("MET"));
  ASSERT_TRUE((*store)->Delete(id).ok());
  EXPECT_TRUE(ListItemBlobs(dir.path()).empty());
  EXPECT_FALSE(PathExists(dir / ("blobs/" + id)));
  EXPECT_EQ((*store)->Delete(id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ((*store)->Delete("../../etc/passwd").error().code, ErrorCode::kInvalidArgument);
}

TEST(SealedStore, TheIndexHoldsNothingButTheAllowedColumns) {
  TempDir dir;
  { ASSERT_TRUE(SealedStore::Open(dir.path()).ok()); }
  auto db = sqlite::Database::Open(dir / "index.sqlite", sqlite::OpenMode::kReadOnly, "test");
  ASSERT_TRUE(db.ok());
  auto q = db->Prepare("SELECT name FROM pragma_table_info('items') ORDER BY name");
  ASSERT_TRUE(q.ok());
  std::vector<std::string> cols;
  ASSERT_TRUE(q->ForEach([&] {
    cols.push_back(q->Text(0));
    return Status::Ok();
  }));
  EXPECT_EQ(cols, (std::vector<std::string>{"day", "force", "id", "kind", "lookup_id", "size"}));
  // A conversation keeps no day, only the month of its last activity, and the reporter's record
  // sealed to their source key (conversation_record.h).
  auto s = db->Prepare("SELECT name FROM pragma_table_info('sources') ORDER BY name");
  ASSERT_TRUE(s.ok());
  cols.clear();
  ASSERT_TRUE(s->ForEach([&] {
    cols.push_back(s->Text(0));
    return Status::Ok();
  }));
  EXPECT_EQ(cols, (std::vector<std::string>{"active_month", "force", "lookup_id", "record"}));
}

// The first column of the first row, as text ("" on any error).
std::string QueryText(const std::string& index, const char* sql) {
  auto db = sqlite::Database::Open(index, sqlite::OpenMode::kReadOnly, "test");
  if (!db) return "";
  auto q = db->Prepare(sql);
  if (!q) return "";
  std::string text;
  if (!q->ForEach([&] {
        if (text.empty()) text = q->Text(0);
        return Status::Ok();
      })) {
    return "";
  }
  return text;
}

struct FileTimes {
  ino_t inode;
  std::int64_t mtime;
  std::int64_t ctime_ns;
};

std::map<std::string, FileTimes> Stat(const std::string& blobs) {
  std::map<std::string, FileTimes> out;
  for (const auto& name : ListDir(blobs)) {
    struct stat st {};
    EXPECT_EQ(::stat((blobs + "/" + name).c_str(), &st), 0);
    out[name] = {st.st_ino, st.st_mtim.tv_sec,
                 st.st_ctim.tv_sec * 1'000'000'000LL + st.st_ctim.tv_nsec};
  }
  return out;
}

TEST(SealedStore, AnItemIsWrittenIntoASpareMadeBeforeItAndEveryFileKeepsSettledTimes) {
  TempDir dir;
  auto store = SealedStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  const auto before = Stat(dir / "blobs");
  ASSERT_EQ(before.size(), BlobFiles::kBatch);
  ::usleep(20'000);
  const std::string a = Put(**store, Row("MET"));
  ::usleep(20'000);
  const std::string b = Put(**store, Row("MET"));
  const auto after = Stat(dir / "blobs");
  // No file was made for them: each took a spare's name and inode.
  ASSERT_TRUE(before.count(a) && before.count(b));
  EXPECT_EQ(after.at(a).inode, before.at(a).inode);
  EXPECT_EQ(after.size(), before.size());
  // Every file, item or spare: the same settled mtime, and ctimes from one pass (after b).
  std::int64_t lo = INT64_MAX, hi = 0;
  for (const auto& [name, t] : after) {
    EXPECT_EQ(t.mtime, BlobFiles::kSettledTime) << name;
    lo = std::min(lo, t.ctime_ns);
    hi = std::max(hi, t.ctime_ns);
  }
  EXPECT_LT(hi - lo, 20'000'000) << "ctimes span more than the last pass";
}

TEST(SealedStore, AReplyTakesTheNameTheForceChoseAndRefusesOneInUse) {
  TempDir dir;
  auto store = SealedStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  const std::string chosen = "00112233445566778899aabbccddeeff";
  auto blob = (*store)->Begin(chosen);
  ASSERT_TRUE(blob.ok());
  ASSERT_TRUE(blob->sink().Write(AsBytes("reply")).ok());
  ASSERT_TRUE((*store)->Commit(std::move(*blob), Row("MET", ItemKind::kReply)).ok());
  EXPECT_EQ(testing::ReadFileOrDie((*store)->BlobPath(chosen)), "reply");
  EXPECT_EQ((*store)->Begin(chosen).error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(ListDir(dir / "blobs").size(), BlobFiles::kBatch);
}

TEST(SealedStore, AnIndexOfTheFirstSchemaIsMigratedKeepingOnlyTheMonth) {
  TempDir dir;
  ASSERT_EQ(::mkdir((dir / "blobs").c_str(), 0700), 0);
  {
    // What version 1 made (sources with a day and a last active day), with a WAL.
    auto db = sqlite::Database::Open(dir / "index.sqlite", sqlite::OpenMode::kReadWriteCreate, "v1");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec(R"sql(
      PRAGMA journal_mode=WAL;
      CREATE TABLE items (id TEXT PRIMARY KEY, force TEXT NOT NULL, day TEXT NOT NULL,
        size INTEGER NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('report', 'followup', 'reply')),
        lookup_id BLOB) WITHOUT ROWID;
      CREATE INDEX items_force ON items(force);
      CREATE INDEX items_lookup ON items(lookup_id);
      CREATE TABLE sources (lookup_id BLOB PRIMARY KEY CHECK (length(lookup_id) = 32),
        force TEXT NOT NULL, day TEXT NOT NULL, last_active_day TEXT NOT NULL DEFAULT '')
        WITHOUT ROWID;
      CREATE TABLE used_forms (key BLOB PRIMARY KEY CHECK (length(key) = 16), day TEXT NOT NULL)
        WITHOUT ROWID;
      INSERT INTO sources VALUES (zeroblob(32), 'MET', '2025-03-04', '2026-01-15');
      INSERT INTO items VALUES ('0123456789abcdef0123456789abcdef', 'MET', '2026-01-15', 5,
        'report', NULL);
    )sql").ok());
    ASSERT_TRUE(db->Close().ok());
  }
  WriteFileOrDie(dir / "blobs/0123456789abcdef0123456789abcdef", "kept!");
  auto store = SealedStore::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_EQ((*store)->Count().value(), 1u);
  store->reset();
  const std::string index = dir / "index.sqlite";
  EXPECT_EQ(QueryText(index, "PRAGMA user_version"), std::to_string(kIndexSchemaVersion));
  EXPECT_EQ(QueryText(index, "SELECT force || ' ' || active_month || ' ' || (record IS NULL) FROM sources"),
            "MET 2026-01 1");
  // The write-ahead log is gone (rollback journal mode is a setting of each connection; WAL
  // mode alone is recorded in the file), and the journal is empty.
  EXPECT_FALSE(PathExists(index + "-wal"));
  EXPECT_FALSE(PathExists(index + "-shm"));
  EXPECT_EQ(testing::ReadFileOrDie(index + "-journal"), "");
  // Nothing of the old days is left anywhere in the file.
  EXPECT_EQ(testing::ReadFileOrDie(index).find("2025-03-04"), std::string::npos);
}

TEST(SealedStore, AnIndexOfTheSecondSchemaGainsTheReportersRecord) {
  TempDir dir;
  ASSERT_EQ(::mkdir((dir / "blobs").c_str(), 0700), 0);
  const std::array<std::uint8_t, 32> lookup{7};
  {
    // What version 2 made: sources with the month of their last activity, no record.
    auto db = sqlite::Database::Open(dir / "index.sqlite", sqlite::OpenMode::kReadWriteCreate, "v2");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec(R"sql(
      CREATE TABLE items (id TEXT PRIMARY KEY, force TEXT NOT NULL, day TEXT NOT NULL,
        size INTEGER NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('report', 'followup', 'reply')),
        lookup_id BLOB) WITHOUT ROWID;
      CREATE INDEX items_force ON items(force);
      CREATE INDEX items_lookup ON items(lookup_id);
      CREATE TABLE sources (lookup_id BLOB PRIMARY KEY CHECK (length(lookup_id) = 32),
        force TEXT NOT NULL, active_month TEXT NOT NULL CHECK (length(active_month) = 7))
        WITHOUT ROWID;
      CREATE TABLE used_forms (key BLOB PRIMARY KEY CHECK (length(key) = 16), day TEXT NOT NULL)
        WITHOUT ROWID;
      INSERT INTO sources VALUES (X'0700000000000000000000000000000000000000000000000000000000000000',
        'MET', '2026-11');
      PRAGMA user_version = 2;
    )sql").ok());
    ASSERT_TRUE(db->Close().ok());
  }
  auto store = SealedStore::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto record = (*store)->SourceRecord(lookup);
  ASSERT_TRUE(record.ok()) << record.error().message;
  EXPECT_TRUE(record->empty()) << "a conversation begun before version 3 has no record";
  EXPECT_EQ((*store)->SourceForce(lookup).value(), "MET");
  // A follow-up's edit, in the follow-up's transaction, gives it one.
  auto blob = (*store)->Begin();
  ASSERT_TRUE(blob.ok());
  const std::string id = blob->id();
  std::string seen_id;
  const RecordEdit edit{lookup, [&](const std::string& item_id, std::span<const std::uint8_t> current)
                                    -> std::optional<std::vector<std::uint8_t>> {
                          seen_id = item_id;
                          EXPECT_TRUE(current.empty());
                          return std::vector<std::uint8_t>{1, 2, 3};
                        }};
  ASSERT_TRUE((*store)->Commit(std::move(*blob), Row("MET", ItemKind::kFollowUp), nullptr, nullptr, &edit).ok());
  EXPECT_EQ(seen_id, id);
  EXPECT_EQ((*store)->SourceRecord(lookup).value(), (std::vector<std::uint8_t>{1, 2, 3}));
  EXPECT_EQ((*store)->SourceRecord(std::array<std::uint8_t, 32>{8}).error().code, ErrorCode::kNotFound);
  store->reset();
  EXPECT_EQ(QueryText(dir / "index.sqlite", "PRAGMA user_version"), std::to_string(kIndexSchemaVersion));
}

TEST(SealedStore, AnIndexFromANewerVersionIsRefused) {
  TempDir dir;
  ASSERT_EQ(::mkdir((dir / "blobs").c_str(), 0700), 0);
  {
    auto db = sqlite::Database::Open(dir / "index.sqlite", sqlite::OpenMode::kReadWriteCreate, "v9");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("PRAGMA user_version = 9").ok());
    ASSERT_TRUE(db->Close().ok());
  }
  auto store = SealedStore::Open(dir.path());
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find("newer SealDrop"), std::string::npos) << store.error().message;
}

}  // namespace
}  // namespace sealdrop::server
