// SealedStore's retention: how long a reporter's conversation (their `sources` row and the
// replies addressed to them) stays on the server without activity, and a reporter deleting the
// replies they have read. Spec: docs/server.md "Retention". Every SQLite step is checked; rows go
// in one transaction, then their blobs (a blob left by a crash names no row and is removed at the
// next start).
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <set>

#include "common/clock.h"
#include "crypto/keys.h"
#include "server/storage/store.h"

namespace sealdrop::server {
namespace {

Error RetentionError(sqlite3* db, const char* what) {
  return MakeError(ErrorCode::kIo, std::string("index database: ") + what + ": " + sqlite3_errmsg(db));
}

struct Statement {
  sqlite3_stmt* s = nullptr;
  ~Statement() { sqlite3_finalize(s); }
};

// Runs a statement to SQLITE_DONE.
bool StepDone(sqlite3_stmt* s) { return sqlite3_step(s) == SQLITE_DONE; }

}  // namespace

Status SealedStore::MigrateSourceActivity() {
  // Stores made before retention have no last_active_day: add it, starting from the day made.
  Statement info;
  if (sqlite3_prepare_v2(db_, "SELECT 1 FROM pragma_table_info('sources') WHERE name = 'last_active_day'",
                         -1, &info.s, nullptr) != SQLITE_OK) {
    return RetentionError(db_, "schema");
  }
  const int rc = sqlite3_step(info.s);
  if (rc == SQLITE_ROW) return Status::Ok();
  if (rc != SQLITE_DONE) return RetentionError(db_, "schema");
  if (sqlite3_exec(db_,
                   "BEGIN IMMEDIATE;"
                   "ALTER TABLE sources ADD COLUMN last_active_day TEXT NOT NULL DEFAULT '';"
                   "UPDATE sources SET last_active_day = day;"
                   "COMMIT;",
                   nullptr, nullptr, nullptr) != SQLITE_OK) {
    Error e = RetentionError(db_, "migrate sources");
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return e;
  }
  return Status::Ok();
}

Status SealedStore::TouchSource(const std::array<std::uint8_t, 32>& lookup, const std::string& day) {
  if (!IsValidDay(day)) Die("SealedStore: bad day");
  std::lock_guard lock(mu_);
  Statement q;
  if (sqlite3_prepare_v2(db_, "UPDATE sources SET last_active_day = ? WHERE lookup_id = ? AND last_active_day < ?",
                         -1, &q.s, nullptr) != SQLITE_OK ||
      sqlite3_bind_text(q.s, 1, day.c_str(), -1, SQLITE_TRANSIENT) != SQLITE_OK ||
      sqlite3_bind_blob(q.s, 2, lookup.data(), 32, SQLITE_TRANSIENT) != SQLITE_OK ||
      sqlite3_bind_text(q.s, 3, day.c_str(), -1, SQLITE_TRANSIENT) != SQLITE_OK || !StepDone(q.s)) {
    return RetentionError(db_, "touch source");
  }
  return Status::Ok();
}

Status SealedStore::UnlinkBlobs(const std::vector<std::string>& ids) {
  for (const auto& id : ids) {
    if (::unlink(BlobPath(id).c_str()) != 0 && errno != ENOENT) {
      return MakeError(ErrorCode::kIo, "cannot remove a blob");
    }
  }
  if (ids.empty()) return Status::Ok();
  return SyncDirectory(dir_ + "/blobs");
}

Result<std::size_t> SealedStore::DeleteReplies(const std::array<std::uint8_t, 32>& lookup,
                                               const std::vector<std::string>& ids) {
  std::vector<std::string> deleted;
  {
    std::lock_guard lock(mu_);
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
      return RetentionError(db_, "begin");
    }
    auto fail = [&](const char* what) -> Error {
      Error e = RetentionError(db_, what);
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return e;
    };
    Statement del;
    if (sqlite3_prepare_v2(db_, "DELETE FROM items WHERE id = ? AND kind = 'reply' AND lookup_id = ?",
                           -1, &del.s, nullptr) != SQLITE_OK) {
      return fail("delete replies");
    }
    for (const auto& id : std::set<std::string>(ids.begin(), ids.end())) {
      if (!IsValidItemId(id)) continue;  // nothing of this reporter's can have such a name
      if (sqlite3_reset(del.s) != SQLITE_OK ||
          sqlite3_bind_text(del.s, 1, id.c_str(), -1, SQLITE_TRANSIENT) != SQLITE_OK ||
          sqlite3_bind_blob(del.s, 2, lookup.data(), 32, SQLITE_TRANSIENT) != SQLITE_OK ||
          !StepDone(del.s)) {
        return fail("delete replies");
      }
      if (sqlite3_changes(db_) > 0) deleted.push_back(id);
    }
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return fail("commit");
  }
  if (auto st = UnlinkBlobs(deleted); !st) return st.error();
  return deleted.size();
}

Result<RetentionOutcome> SealedStore::ForgetInactiveSources(const std::string& before_day) {
  if (!IsValidDay(before_day)) Die("SealedStore: bad day");
  RetentionOutcome outcome;
  std::vector<std::string> replies;
  {
    std::lock_guard lock(mu_);
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
      return RetentionError(db_, "begin");
    }
    auto fail = [&](const char* what) -> Error {
      Error e = RetentionError(db_, what);
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return e;
    };
    {
      Statement q;
      if (sqlite3_prepare_v2(db_,
                             "SELECT i.id FROM items i JOIN sources s ON s.lookup_id = i.lookup_id "
                             "WHERE i.kind = 'reply' AND s.last_active_day < ?",
                             -1, &q.s, nullptr) != SQLITE_OK ||
          sqlite3_bind_text(q.s, 1, before_day.c_str(), -1, SQLITE_TRANSIENT) != SQLITE_OK) {
        return fail("retention");
      }
      int rc;
      while ((rc = sqlite3_step(q.s)) == SQLITE_ROW) {
        const auto* id = sqlite3_column_text(q.s, 0);
        if (!id) return fail("retention");
        replies.emplace_back(reinterpret_cast<const char*>(id));
      }
      if (rc != SQLITE_DONE) return fail("retention");
    }
    Statement del_items, del_sources;
    if (sqlite3_prepare_v2(db_,
                           "DELETE FROM items WHERE kind = 'reply' AND lookup_id IN "
                           "(SELECT lookup_id FROM sources WHERE last_active_day < ?)",
                           -1, &del_items.s, nullptr) != SQLITE_OK ||
        sqlite3_bind_text(del_items.s, 1, before_day.c_str(), -1, SQLITE_TRANSIENT) != SQLITE_OK ||
        !StepDone(del_items.s)) {
      return fail("retention");
    }
    if (static_cast<std::size_t>(sqlite3_changes(db_)) != replies.size()) return fail("retention");
    if (sqlite3_prepare_v2(db_, "DELETE FROM sources WHERE last_active_day < ?", -1,
                           &del_sources.s, nullptr) != SQLITE_OK ||
        sqlite3_bind_text(del_sources.s, 1, before_day.c_str(), -1, SQLITE_TRANSIENT) != SQLITE_OK ||
        !StepDone(del_sources.s)) {
      return fail("retention");
    }
    outcome.sources = static_cast<std::size_t>(sqlite3_changes(db_));
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return fail("commit");
  }
  outcome.replies = replies.size();
  if (auto st = UnlinkBlobs(replies); !st) return st.error();
  return outcome;
}

}  // namespace sealdrop::server
