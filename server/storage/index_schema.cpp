#include "server/storage/index_schema.h"

#include <string>

namespace sealdrop::server {
namespace {

constexpr const char* kItems = R"sql(
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
CREATE TABLE IF NOT EXISTS used_forms (
  key BLOB PRIMARY KEY CHECK (length(key) = 16),
  day TEXT NOT NULL
) WITHOUT ROWID;
)sql";

constexpr const char* kSourcesV2 = R"sql(
CREATE TABLE sources (
  lookup_id    BLOB PRIMARY KEY CHECK (length(lookup_id) = 32),
  force        TEXT NOT NULL,
  active_month TEXT NOT NULL CHECK (length(active_month) = 7)
) WITHOUT ROWID;
)sql";

// Version 3: the reporter's record of their conversation, sealed to their source key
// (server/source/conversation_record.h); NULL for conversations begun before it.
constexpr const char* kSourcesV3 = "ALTER TABLE sources ADD COLUMN record BLOB;";

Result<bool> HasColumn(const sqlite::Database& db, const char* table, const char* column) {
  auto q = db.Prepare("SELECT 1 FROM pragma_table_info(?) WHERE name = ?");
  if (!q) return q.error();
  auto step = q->Bind(1, std::string(table)).Bind(2, std::string(column)).Next();
  if (!step) return step.error();
  return *step == sqlite::Statement::Step::kRow;
}

// Version 1 → 2: each source keeps the month of its last activity (or of the day it was made,
// for stores older than retention) and nothing else of time.
Status SourcesToMonths(sqlite::Database& db) {
  auto had_activity = HasColumn(db, "sources", "last_active_day");
  if (!had_activity) return had_activity.error();
  const std::string from = *had_activity ? "last_active_day" : "day";
  const std::string sql = "ALTER TABLE sources RENAME TO sources_v1;" + std::string(kSourcesV2) +
                          "INSERT INTO sources (lookup_id, force, active_month) "
                          "SELECT lookup_id, force, substr(" + from + ", 1, 7) FROM sources_v1;"
                          "DROP TABLE sources_v1;";
  return db.Exec(sql.c_str());
}

}  // namespace

Status MigrateIndex(sqlite::Database& db) {
  auto version = db.UserVersion();
  if (!version) return version.error();
  if (*version == kIndexSchemaVersion) return Status::Ok();
  if (*version > kIndexSchemaVersion) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "index database: made by a newer SealDrop (schema " +
                         std::to_string(*version) + "); this one knows up to " +
                         std::to_string(kIndexSchemaVersion));
  }
  auto tx = sqlite::Transaction::Begin(db);  // rolls back on every early return
  if (!tx) return tx.error();
  auto existing = HasColumn(db, "sources", "lookup_id");
  if (!existing) return existing.error();
  if (!*existing) {
    if (auto st = db.Exec(kSourcesV2); !st) return st;
  } else if (*version < 2) {
    if (auto st = SourcesToMonths(db); !st) return st;
  }
  if (auto st = db.Exec(kSourcesV3); !st) return st;
  if (auto st = db.Exec(kItems); !st) return st;
  if (auto st = db.SetUserVersion(kIndexSchemaVersion); !st) return st;
  return tx->Commit();
}

}  // namespace sealdrop::server
