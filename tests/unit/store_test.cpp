#include <gtest/gtest.h>
#include <unistd.h>

#include "common/sqlite.h"
#include "crypto/keys.h"
#include "server/storage/store.h"
#include "tests/support/process.h"

namespace sealdrop::server {
namespace {

using testing::ListDir;
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
  EXPECT_TRUE(ListDir(dir / "blobs").empty());
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
  // Crash after the blob was named but before its row: a blob without a row.
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
  EXPECT_EQ(ListDir(dir / "blobs"), std::vector<std::string>{kept});
  EXPECT_EQ((*store)->Count().value(), 1u);
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
  EXPECT_TRUE(ListDir(dir / "blobs").empty());
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
}

}  // namespace
}  // namespace sealdrop::server
