#include "journalist_console/core/store/console_schema.h"

#include <string>

namespace sealdrop::console {
namespace {

constexpr const char* kVersion1 = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE cases (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, received_day TEXT NOT NULL, sent_day TEXT NOT NULL,
  source_ref TEXT NOT NULL, category TEXT NOT NULL, urgent INTEGER NOT NULL,
  status TEXT NOT NULL, outcome TEXT NOT NULL, summary BLOB NOT NULL) WITHOUT ROWID;
CREATE INDEX cases_source ON cases(source_ref);
CREATE TABLE triage (
  seq INTEGER PRIMARY KEY, case_id TEXT NOT NULL, day TEXT NOT NULL, outcome TEXT NOT NULL,
  note BLOB NOT NULL);
CREATE TABLE outbox (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, case_id TEXT NOT NULL, dest TEXT NOT NULL,
  source TEXT NOT NULL, day TEXT NOT NULL, exported INTEGER NOT NULL, text BLOB NOT NULL)
  WITHOUT ROWID;
CREATE TABLE audit (
  seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  item TEXT NOT NULL, detail TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL);
)sql";

// Version 2's tables. IF NOT EXISTS: consoles made between their introduction and schema
// versions (user_version 0) may hold some of them already.
constexpr const char* kVersion2 = R"sql(
CREATE TABLE IF NOT EXISTS followup_unread (id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS risk_raised (
  case_id TEXT PRIMARY KEY, day TEXT NOT NULL, followup_id TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS delivery (
  id TEXT PRIMARY KEY, outcome TEXT NOT NULL, reason TEXT NOT NULL, day TEXT NOT NULL,
  failures INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS push_results_read (digest TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS imported (
  id TEXT PRIMARY KEY, pull_day TEXT NOT NULL, confirmed_day TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS imported_open ON imported(confirmed_day, pull_day);
)sql";

// Version 3: officer accounts (IF NOT EXISTS, as for version 2). The key slots file holds each officer's wrapped key; this register
// says who was added by whom and when, and who was removed (a removed officer stays named).
constexpr const char* kVersion3 = R"sql(
CREATE TABLE IF NOT EXISTS officers (
  name TEXT PRIMARY KEY, role TEXT NOT NULL, added_day TEXT NOT NULL, added_by TEXT NOT NULL,
  removed_day TEXT NOT NULL) WITHOUT ROWID;
)sql";

// Version 3 also names the officer who recorded each triage ('' for earlier rows). A console
// marked older may have the column already (see kVersion2): added only when missing.
Status AddTriageOfficerColumn(sqlite::Database& db) {
  auto q = db.Prepare("SELECT COUNT(*) FROM pragma_table_info('triage') WHERE name = 'officer'");
  if (!q) return q.error();
  std::int64_t present = 0;
  if (auto st = q->ForEach([&] {
        present = q->Int64(0);
        return Status::Ok();
      });
      !st) {
    return st;
  }
  if (present > 0) return Status::Ok();
  return db.Exec("ALTER TABLE triage ADD COLUMN officer TEXT NOT NULL DEFAULT '';");
}

}  // namespace

Status CreateConsoleSchema(sqlite::Database& db) {
  auto tx = sqlite::Transaction::Begin(db);
  if (!tx) return tx.error();
  if (auto st = db.Exec(kVersion1); !st) return st;
  if (auto st = db.Exec(kVersion2); !st) return st;
  if (auto st = db.Exec(kVersion3); !st) return st;
  if (auto st = AddTriageOfficerColumn(db); !st) return st;
  if (auto st = db.SetUserVersion(kConsoleSchemaVersion); !st) return st;
  return tx->Commit();
}

Status MigrateConsole(sqlite::Database& db) {
  auto version = db.UserVersion();
  if (!version) return version.error();
  if (*version == kConsoleSchemaVersion) return Status::Ok();
  if (*version > kConsoleSchemaVersion) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "console database: made by a newer SealDrop (schema " +
                         std::to_string(*version) + "); this one knows up to " +
                         std::to_string(kConsoleSchemaVersion) + ": install the newer console");
  }
  auto tx = sqlite::Transaction::Begin(db);  // rolls back on every early return
  if (!tx) return tx.error();
  if (*version < 2) {
    if (auto st = db.Exec(kVersion2); !st) return st;
  }
  if (auto st = db.Exec(kVersion3); !st) return st;
  if (auto st = AddTriageOfficerColumn(db); !st) return st;
  if (auto st = db.SetUserVersion(kConsoleSchemaVersion); !st) return st;
  return tx->Commit();
}

}  // namespace sealdrop::console
