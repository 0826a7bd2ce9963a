#include "server/storage/store.h"

#include <sodium.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <set>

#include "crypto/directory.h"
#include "crypto/keys.h"

namespace sealdrop::server {
namespace {

Error DbError(sqlite3* db, const char* what) {
  return MakeError(ErrorCode::kIo, std::string("index database: ") + what + ": " +
                                       (db ? sqlite3_errmsg(db) : "cannot open"));
}

// Finalises a statement on scope exit.
struct Stmt {
  sqlite3_stmt* s = nullptr;
  ~Stmt() { sqlite3_finalize(s); }
};

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS items (
  id        TEXT PRIMARY KEY,
  force     TEXT NOT NULL,
  day       TEXT NOT NULL,
  size      INTEGER NOT NULL,
  kind      TEXT NOT NULL CHECK (kind IN ('report', 'followup', 'reply')),
  lookup_id BLOB
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS items_force ON items(force);
CREATE INDEX IF NOT EXISTS items_lookup ON items(lookup_id);
CREATE TABLE IF NOT EXISTS sources (
  lookup_id BLOB PRIMARY KEY CHECK (length(lookup_id) = 32),
  force     TEXT NOT NULL,
  day       TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS used_forms (
  key BLOB PRIMARY KEY CHECK (length(key) = 16),
  day TEXT NOT NULL
) WITHOUT ROWID;
)sql";

ItemKind KindFromName(const std::string& name) {
  if (name == "followup") return ItemKind::kFollowUp;
  if (name == "reply") return ItemKind::kReply;
  return ItemKind::kReport;
}

}  // namespace

const char* ItemKindName(ItemKind kind) {
  switch (kind) {
    case ItemKind::kReport: return "report";
    case ItemKind::kFollowUp: return "followup";
    case ItemKind::kReply: return "reply";
  }
  return "report";
}

bool IsValidItemId(const std::string& id) {
  if (id.size() != 32) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<std::unique_ptr<SealedStore>> SealedStore::Open(const std::string& data_dir,
                                                       RecoveryReport* report) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir + "/blobs", ec);
  if (ec) return MakeError(ErrorCode::kIo, "cannot create the data directory: " + ec.message());
  ::chmod(data_dir.c_str(), 0700);
  ::chmod((data_dir + "/blobs").c_str(), 0700);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2((data_dir + "/index.sqlite").c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    Error e = DbError(db, "open");
    sqlite3_close(db);
    return e;
  }
  std::unique_ptr<SealedStore> store(new SealedStore(data_dir, db));
  sqlite3_busy_timeout(db, 5000);
  char* err = nullptr;
  const std::string setup = std::string("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                                        "PRAGMA secure_delete=ON; ") + kSchema;
  if (sqlite3_exec(db, setup.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    sqlite3_free(err);
    return DbError(db, "set-up");
  }
  if (auto st = store->MigrateSourceActivity(); !st) return st.error();
  RecoveryReport local;
  if (auto st = store->Recover(report ? *report : local); !st) return st.error();
  return store;
}

Result<std::unique_ptr<SealedStore>> SealedStore::OpenReadOnly(const std::string& data_dir) {
  const std::string path = data_dir + "/index.sqlite";
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return MakeError(ErrorCode::kNotFound, data_dir + " holds no SealDrop index");
  }
  // Even a read-only SQLite connection creates the WAL's -wal and -shm files when they are
  // missing (the server stopped). Made by another user (root), they would lock the server out of
  // its own index.
  if (st.st_uid != ::geteuid()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "run this as the user that owns " + path + " (for example sudo -u USER)");
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX, nullptr) !=
      SQLITE_OK) {
    Error e = DbError(db, "open");
    sqlite3_close(db);
    return e;
  }
  sqlite3_busy_timeout(db, 5000);
  return std::unique_ptr<SealedStore>(new SealedStore(data_dir, db));
}

SealedStore::~SealedStore() { sqlite3_close(db_); }

Status SealedStore::Recover(RecoveryReport& report) {
  std::set<std::string> rows;
  {
    Stmt q;
    if (sqlite3_prepare_v2(db_, "SELECT id FROM items", -1, &q.s, nullptr) != SQLITE_OK) {
      return DbError(db_, "recover");
    }
    while (sqlite3_step(q.s) == SQLITE_ROW) {
      rows.insert(reinterpret_cast<const char*>(sqlite3_column_text(q.s, 0)));
    }
  }
  std::set<std::string> blobs;
  for (const auto& e : std::filesystem::directory_iterator(dir_ + "/blobs")) {
    const std::string name = e.path().filename().string();
    if (IsValidItemId(name)) {
      blobs.insert(name);
      continue;
    }
    // Anything else is a temporary file from an interrupted write (or junk): remove it.
    std::error_code ec;
    std::filesystem::remove(e.path(), ec);
    ++report.temp_files_removed;
  }
  for (const auto& b : blobs) {
    if (!rows.count(b)) {
      // Blob durable but its row never committed: the sender never saw success.
      ::unlink(BlobPath(b).c_str());
      ++report.orphan_blobs_removed;
    }
  }
  for (const auto& r : rows) {
    if (!blobs.count(r)) {
      Stmt del;
      sqlite3_prepare_v2(db_, "DELETE FROM items WHERE id = ?", -1, &del.s, nullptr);
      sqlite3_bind_text(del.s, 1, r.c_str(), -1, SQLITE_TRANSIENT);
      if (sqlite3_step(del.s) != SQLITE_DONE) return DbError(db_, "recover");
      ++report.rows_without_blob_removed;
    }
  }
  return SyncDirectory(dir_ + "/blobs");
}

Result<PendingBlob> SealedStore::Begin(const std::string& chosen_id) {
  std::string id = chosen_id;
  if (id.empty()) {
    std::uint8_t rnd[16];
    randombytes_buf(rnd, sizeof rnd);
    id = HexEncode(rnd);
  }
  if (!IsValidItemId(id)) return MakeError(ErrorCode::kInvalidArgument, "bad item id");
  if (PathExists(BlobPath(id))) return MakeError(ErrorCode::kAlreadyExists, "item exists");
  auto file = AtomicFile::Create(BlobPath(id), 0600, /*overwrite=*/false);
  if (!file) return file.error();
  return PendingBlob(id, std::move(*file));
}

Status SealedStore::Commit(PendingBlob blob, ItemRow row, const SourceRow* new_source,
                           const UsedForm* used_form) {
  if (!IsValidForceCode(row.force) || !IsValidDay(row.day)) Die("SealedStore: bad row");
  if (new_source && (!IsValidForceCode(new_source->force) || !IsValidDay(new_source->day))) {
    Die("SealedStore: bad source row");
  }
  if (auto st = blob.file_->Commit(); !st) return st;
  std::lock_guard lock(mu_);
  // On any failure below the transaction is rolled back and the blob unlinked: the item never
  // became visible, and recovery would remove the blob anyway.
  auto fail = [&](Error e) -> Status {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    ::unlink(BlobPath(blob.id_).c_str());
    return e;
  };
  if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
    ::unlink(BlobPath(blob.id_).c_str());
    return DbError(db_, "begin");
  }
  if (used_form) {
    if (auto st = RecordUsedForm(*used_form); !st) return fail(st.error());
  }
  if (new_source) {
    Stmt src;
    sqlite3_prepare_v2(db_, "INSERT INTO sources (lookup_id, force, day, last_active_day) VALUES (?, ?, ?, ?3)", -1,
                       &src.s, nullptr);
    sqlite3_bind_blob(src.s, 1, new_source->lookup_id.data(), 32, SQLITE_TRANSIENT);
    sqlite3_bind_text(src.s, 2, new_source->force.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(src.s, 3, new_source->day.c_str(), -1, SQLITE_TRANSIENT);
    const int rc = sqlite3_step(src.s);
    if (rc == SQLITE_CONSTRAINT) {
      return fail(MakeError(ErrorCode::kAlreadyExists, "source already registered"));
    }
    if (rc != SQLITE_DONE) return fail(DbError(db_, "insert source"));
  }
  Stmt ins;
  sqlite3_prepare_v2(db_,
                     "INSERT INTO items (id, force, day, size, kind, lookup_id) "
                     "VALUES (?, ?, ?, ?, ?, ?)",
                     -1, &ins.s, nullptr);
  sqlite3_bind_text(ins.s, 1, blob.id_.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(ins.s, 2, row.force.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(ins.s, 3, row.day.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(ins.s, 4, static_cast<sqlite3_int64>(row.size));
  sqlite3_bind_text(ins.s, 5, ItemKindName(row.kind), -1, SQLITE_STATIC);
  if (row.lookup_id) {
    sqlite3_bind_blob(ins.s, 6, row.lookup_id->data(), 32, SQLITE_TRANSIENT);
  } else {
    sqlite3_bind_null(ins.s, 6);
  }
  if (sqlite3_step(ins.s) != SQLITE_DONE) return fail(DbError(db_, "insert"));
  if (row.kind == ItemKind::kReply && row.lookup_id) {
    // A reply keeps its reporter's conversation alive: they have a whole retention period to read it.
    Stmt touch;
    if (sqlite3_prepare_v2(db_, "UPDATE sources SET last_active_day = ? WHERE lookup_id = ? "
                                "AND last_active_day < ?", -1, &touch.s, nullptr) != SQLITE_OK ||
        sqlite3_bind_text(touch.s, 1, row.day.c_str(), -1, SQLITE_TRANSIENT) != SQLITE_OK ||
        sqlite3_bind_blob(touch.s, 2, row.lookup_id->data(), 32, SQLITE_TRANSIENT) != SQLITE_OK ||
        sqlite3_bind_text(touch.s, 3, row.day.c_str(), -1, SQLITE_TRANSIENT) != SQLITE_OK ||
        sqlite3_step(touch.s) != SQLITE_DONE) {
      return fail(DbError(db_, "touch source"));
    }
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return fail(DbError(db_, "commit"));
  }
  return Status::Ok();
}

Status SealedStore::RecordUsedForm(const UsedForm& form) {
  if (!IsValidDay(form.day) || !IsValidDay(form.forget_before)) Die("SealedStore: bad day");
  Stmt forget;
  if (sqlite3_prepare_v2(db_, "DELETE FROM used_forms WHERE day < ?", -1, &forget.s, nullptr) !=
          SQLITE_OK ||
      sqlite3_bind_text(forget.s, 1, form.forget_before.c_str(), -1, SQLITE_TRANSIENT) !=
          SQLITE_OK ||
      sqlite3_step(forget.s) != SQLITE_DONE) {
    return DbError(db_, "forget used forms");
  }
  Stmt ins;
  if (sqlite3_prepare_v2(db_, "INSERT INTO used_forms (key, day) VALUES (?, ?)", -1, &ins.s,
                         nullptr) != SQLITE_OK ||
      sqlite3_bind_blob(ins.s, 1, form.key.data(), static_cast<int>(form.key.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK ||
      sqlite3_bind_text(ins.s, 2, form.day.c_str(), -1, SQLITE_TRANSIENT) != SQLITE_OK) {
    return DbError(db_, "record used form");
  }
  const int rc = sqlite3_step(ins.s);
  if (rc == SQLITE_CONSTRAINT) return MakeError(ErrorCode::kExpired, "form already used");
  if (rc != SQLITE_DONE) return DbError(db_, "record used form");
  return Status::Ok();
}

Result<bool> SealedStore::FormUsed(const std::array<std::uint8_t, 16>& key) const {
  std::lock_guard lock(mu_);
  Stmt q;
  if (sqlite3_prepare_v2(db_, "SELECT 1 FROM used_forms WHERE key = ?", -1, &q.s, nullptr) !=
          SQLITE_OK ||
      sqlite3_bind_blob(q.s, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT) !=
          SQLITE_OK) {
    return DbError(db_, "query used form");
  }
  const int rc = sqlite3_step(q.s);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return DbError(db_, "query used form");
}

Result<std::string> SealedStore::SourceForce(const std::array<std::uint8_t, 32>& lookup) const {
  std::lock_guard lock(mu_);
  Stmt q;
  if (sqlite3_prepare_v2(db_, "SELECT force FROM sources WHERE lookup_id = ?", -1, &q.s,
                         nullptr) != SQLITE_OK) {
    return DbError(db_, "query source");
  }
  sqlite3_bind_blob(q.s, 1, lookup.data(), 32, SQLITE_TRANSIENT);
  const int rc = sqlite3_step(q.s);
  if (rc == SQLITE_DONE) return MakeError(ErrorCode::kNotFound, "no such source");
  if (rc != SQLITE_ROW) return DbError(db_, "query source");
  return std::string(reinterpret_cast<const char*>(sqlite3_column_text(q.s, 0)));
}

Result<std::vector<ItemRow>> SealedStore::Query(const char* sql, const std::string* text,
                                                const std::array<std::uint8_t, 32>* blob) const {
  std::lock_guard lock(mu_);
  Stmt q;
  if (sqlite3_prepare_v2(db_, sql, -1, &q.s, nullptr) != SQLITE_OK) return DbError(db_, "query");
  if (text) sqlite3_bind_text(q.s, 1, text->c_str(), -1, SQLITE_TRANSIENT);
  if (blob) sqlite3_bind_blob(q.s, 1, blob->data(), 32, SQLITE_TRANSIENT);
  std::vector<ItemRow> out;
  int rc;
  while ((rc = sqlite3_step(q.s)) == SQLITE_ROW) {
    ItemRow r;
    r.id = reinterpret_cast<const char*>(sqlite3_column_text(q.s, 0));
    r.force = reinterpret_cast<const char*>(sqlite3_column_text(q.s, 1));
    r.day = reinterpret_cast<const char*>(sqlite3_column_text(q.s, 2));
    r.size = static_cast<std::uint64_t>(sqlite3_column_int64(q.s, 3));
    r.kind = KindFromName(reinterpret_cast<const char*>(sqlite3_column_text(q.s, 4)));
    if (sqlite3_column_bytes(q.s, 5) == 32) {
      std::array<std::uint8_t, 32> id{};
      std::memcpy(id.data(), sqlite3_column_blob(q.s, 5), 32);
      r.lookup_id = id;
    }
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return DbError(db_, "query");
  return out;
}

Result<std::vector<ItemRow>> SealedStore::ListForForce(const std::string& force) const {
  return Query("SELECT id, force, day, size, kind, lookup_id FROM items WHERE force = ? "
               "AND kind != 'reply' ORDER BY day, id",
               &force, nullptr);
}

Result<std::vector<ItemRow>> SealedStore::ListForLookup(
    const std::array<std::uint8_t, 32>& lookup) const {
  return Query("SELECT id, force, day, size, kind, lookup_id FROM items WHERE lookup_id = ? "
               "AND kind = 'reply' ORDER BY day, id",
               nullptr, &lookup);
}

Status SealedStore::MoveSource(const std::array<std::uint8_t, 32>& lookup,
                               const std::string& from, const std::string& to) {
  if (!IsValidForceCode(to)) Die("SealedStore: bad force code");
  std::lock_guard lock(mu_);
  Stmt q;
  sqlite3_prepare_v2(db_, "UPDATE sources SET force = ? WHERE lookup_id = ? AND force = ?", -1,
                     &q.s, nullptr);
  sqlite3_bind_text(q.s, 1, to.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob(q.s, 2, lookup.data(), 32, SQLITE_TRANSIENT);
  sqlite3_bind_text(q.s, 3, from.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(q.s) != SQLITE_DONE) return DbError(db_, "move source");
  if (sqlite3_changes(db_) == 0) return MakeError(ErrorCode::kNotFound, "no such source here");
  return Status::Ok();
}

Result<ItemRow> SealedStore::Get(const std::string& id) const {
  if (!IsValidItemId(id)) return MakeError(ErrorCode::kNotFound, "no such item");
  auto rows = Query("SELECT id, force, day, size, kind, lookup_id FROM items WHERE id = ?", &id,
                    nullptr);
  if (!rows) return rows.error();
  if (rows->empty()) return MakeError(ErrorCode::kNotFound, "no such item");
  return std::move(rows->front());
}

std::string SealedStore::BlobPath(const std::string& id) const {
  if (!IsValidItemId(id)) Die("SealedStore: bad item id");
  return dir_ + "/blobs/" + id;
}

Status SealedStore::Delete(const std::string& id) {
  if (!IsValidItemId(id)) return MakeError(ErrorCode::kInvalidArgument, "bad item id");
  {
    std::lock_guard lock(mu_);
    Stmt del;
    sqlite3_prepare_v2(db_, "DELETE FROM items WHERE id = ?", -1, &del.s, nullptr);
    sqlite3_bind_text(del.s, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(del.s) != SQLITE_DONE) return DbError(db_, "delete");
    if (sqlite3_changes(db_) == 0) return MakeError(ErrorCode::kNotFound, "no such item");
  }
  if (::unlink(BlobPath(id).c_str()) != 0 && errno != ENOENT) {
    return MakeError(ErrorCode::kIo, "cannot remove blob");
  }
  return SyncDirectory(dir_ + "/blobs");
}

Result<std::size_t> SealedStore::Count() const {
  std::lock_guard lock(mu_);
  Stmt q;
  sqlite3_prepare_v2(db_, "SELECT COUNT(*) FROM items", -1, &q.s, nullptr);
  if (sqlite3_step(q.s) != SQLITE_ROW) return DbError(db_, "count");
  return static_cast<std::size_t>(sqlite3_column_int64(q.s, 0));
}

// ---------------------------------------------------------------------------------------------
// Import receipts and the operator's view of what waits: kept apart from the item life cycle
// above so that each query is easy to find and check.

Result<ReceiptOutcome> SealedStore::DeleteReceipted(const std::string& force,
                                                    const std::vector<std::string>& ids) {
  if (!IsValidForceCode(force)) Die("SealedStore: bad force code");
  for (const auto& id : ids) {
    if (!IsValidItemId(id)) return MakeError(ErrorCode::kInvalidArgument, "bad item id");
  }
  ReceiptOutcome outcome;
  std::vector<std::string> deleted;
  {
    std::lock_guard lock(mu_);
    auto fail = [&](const char* what) -> Error {
      Error e = DbError(db_, what);
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return e;
    };
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
      return DbError(db_, "begin");
    }
    Stmt del;
    if (sqlite3_prepare_v2(db_,
                           "DELETE FROM items WHERE id = ? AND force = ? AND kind != 'reply'",
                           -1, &del.s, nullptr) != SQLITE_OK) {
      return fail("receipt");
    }
    for (const auto& id : ids) {
      if (sqlite3_reset(del.s) != SQLITE_OK ||
          sqlite3_bind_text(del.s, 1, id.c_str(), -1, SQLITE_TRANSIENT) != SQLITE_OK ||
          sqlite3_bind_text(del.s, 2, force.c_str(), -1, SQLITE_TRANSIENT) != SQLITE_OK ||
          sqlite3_step(del.s) != SQLITE_DONE) {
        return fail("receipt");
      }
      if (sqlite3_changes(db_) > 0) {
        deleted.push_back(id);
      } else {
        ++outcome.gone;
      }
    }
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return fail("commit");
  }
  // The rows are gone for good: now the blobs. One left behind (an I/O error) names no row and
  // is removed by the next start's recovery; it is already unreachable.
  for (const auto& id : deleted) {
    if (::unlink(BlobPath(id).c_str()) != 0 && errno != ENOENT) {
      return MakeError(ErrorCode::kIo, "cannot remove a blob");
    }
  }
  outcome.deleted = deleted.size();
  if (!deleted.empty()) {
    if (auto st = SyncDirectory(dir_ + "/blobs"); !st) return st.error();
  }
  return outcome;
}

Result<std::vector<ForceBacklog>> SealedStore::WaitingByForce() const {
  std::lock_guard lock(mu_);
  Stmt q;
  if (sqlite3_prepare_v2(db_,
                         "SELECT force, COUNT(*), MIN(day) FROM items WHERE kind != 'reply' "
                         "GROUP BY force ORDER BY force",
                         -1, &q.s, nullptr) != SQLITE_OK) {
    return DbError(db_, "backlog");
  }
  std::vector<ForceBacklog> out;
  int rc;
  while ((rc = sqlite3_step(q.s)) == SQLITE_ROW) {
    const auto* force = sqlite3_column_text(q.s, 0);
    const auto* day = sqlite3_column_text(q.s, 2);
    if (!force || !day) return DbError(db_, "backlog");
    out.push_back({reinterpret_cast<const char*>(force),
                   static_cast<std::size_t>(sqlite3_column_int64(q.s, 1)),
                   reinterpret_cast<const char*>(day)});
  }
  if (rc != SQLITE_DONE) return DbError(db_, "backlog");
  return out;
}

}  // namespace sealdrop::server
