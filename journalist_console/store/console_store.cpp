#include "journalist_console/store/console_store.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "common/clock.h"
#include "common/io.h"
#include "crypto/keys.h"
#include "crypto/signed_request.h"

namespace sealdrop::console {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSchema = R"sql(
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

struct Stmt {
  sqlite3_stmt* s = nullptr;
  ~Stmt() { sqlite3_finalize(s); }
};

Error DbError(sqlite3* db, const char* what) {
  return MakeError(ErrorCode::kIo, std::string("console database: ") + what + ": " +
                                       (db ? sqlite3_errmsg(db) : "cannot open"));
}

std::string Text(sqlite3_stmt* s, int col) {
  const auto* p = sqlite3_column_text(s, col);
  return p ? reinterpret_cast<const char*>(p) : "";
}

std::vector<std::uint8_t> Blob(sqlite3_stmt* s, int col) {
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(s, col));
  const int n = sqlite3_column_bytes(s, col);
  return p ? std::vector<std::uint8_t>(p, p + n) : std::vector<std::uint8_t>{};
}

void Bind(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.c_str(), -1, SQLITE_TRANSIENT);
}
void Bind(sqlite3_stmt* s, int i, const std::vector<std::uint8_t>& v) {
  // An empty vector's data() may be null, which SQLite would store as NULL, not as an empty blob.
  if (v.empty()) {
    sqlite3_bind_zeroblob(s, i, 0);
  } else {
    sqlite3_bind_blob(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
}

// A statement whose every call is checked, for the SQL of the tables added after v1 (followups
// unread, risk raises, deliveries). A failed prepare or bind makes Step fail: a read error can
// never become a short result.
class Query {
 public:
  Query(sqlite3* db, const char* sql) : db_(db) {
    ok_ = sqlite3_prepare_v2(db, sql, -1, &stmt_.s, nullptr) == SQLITE_OK;
  }
  Query& Bind(const std::string& v) {
    if (ok_) ok_ = sqlite3_bind_text(stmt_.s, ++bound_, v.c_str(), -1, SQLITE_TRANSIENT) == SQLITE_OK;
    return *this;
  }
  Query& Bind(std::int64_t v) {
    if (ok_) ok_ = sqlite3_bind_int64(stmt_.s, ++bound_, v) == SQLITE_OK;
    return *this;
  }
  // true: a row is there; false: done.
  Result<bool> Step(const char* what) {
    if (!ok_) return DbError(db_, what);
    const int rc = sqlite3_step(stmt_.s);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    ok_ = false;
    return DbError(db_, what);
  }
  // A statement that returns no rows.
  Status Run(const char* what) {
    auto row = Step(what);
    if (!row) return row.error();
    if (*row) return DbError(db_, what);
    return Status::Ok();
  }
  sqlite3_stmt* get() const { return stmt_.s; }

 private:
  sqlite3* db_;
  Stmt stmt_;
  bool ok_ = false;
  int bound_ = 0;
};

// Tables added after the first release: created when a console is opened, so that an existing
// console gains them (follow-ups imported before then count as read).
constexpr const char* kLaterTables = R"sql(
CREATE TABLE IF NOT EXISTS followup_unread (id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS risk_raised (
  case_id TEXT PRIMARY KEY, day TEXT NOT NULL, followup_id TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS delivery (
  id TEXT PRIMARY KEY, outcome TEXT NOT NULL, reason TEXT NOT NULL, day TEXT NOT NULL,
  failures INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS push_results_read (digest TEXT PRIMARY KEY) WITHOUT ROWID;
)sql";

CaseRow ReadCase(sqlite3_stmt* s) {
  CaseRow r;
  r.id = Text(s, 0);
  r.kind = Text(s, 1);
  r.received_day = Text(s, 2);
  r.sent_day = Text(s, 3);
  r.source_ref = Text(s, 4);
  r.category = Text(s, 5);
  r.urgent = sqlite3_column_int(s, 6) != 0;
  r.status = Text(s, 7);
  r.outcome = Text(s, 8);
  r.summary = Blob(s, 9);
  return r;
}

constexpr const char* kCaseColumns =
    "id, kind, received_day, sent_day, source_ref, category, urgent, status, outcome, summary";

std::string Actor() {
  const char* user = std::getenv("USER");
  if (!user || !*user) user = std::getenv("LOGNAME");
  std::string a = user && *user ? user : "unknown";
  for (char& c : a) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return a.substr(0, 64);
}

Result<sqlite3*> OpenDb(const std::string& path, bool create) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    Error e = DbError(db, "open");
    sqlite3_close(db);
    return e;
  }
  sqlite3_busy_timeout(db, 5000);
  if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA secure_delete=ON;",
                   nullptr, nullptr, nullptr) != SQLITE_OK) {
    Error e = DbError(db, "set-up");
    sqlite3_close(db);
    return e;
  }
  return db;
}

}  // namespace

std::string AuditHash(const AuditEntry& e) {
  const std::string text = "SealDrop audit v1\n" + std::to_string(e.seq) + "\n" + e.at + "\n" +
                           e.actor + "\n" + e.action + "\n" + e.item + "\n" + e.detail + "\n" +
                           e.prev;
  return HexEncode(Sha256(AsBytes(text)));
}

Result<std::unique_ptr<ConsoleStore>> ConsoleStore::Init(const std::string& dir) {
  if (PathExists(dir + "/console.sqlite")) {
    return MakeError(ErrorCode::kAlreadyExists, dir + " already holds a console: refusing to touch it");
  }
  std::error_code ec;
  fs::create_directories(dir + "/sealed", ec);
  if (!ec) fs::create_directories(dir + "/outbox", ec);
  if (ec) return MakeError(ErrorCode::kIo, "cannot create " + dir + ": " + ec.message());
  for (const std::string& d : {dir, dir + "/sealed", dir + "/outbox"}) ::chmod(d.c_str(), 0700);
  // Build the database under a temporary name and link it in place only when complete.
  const std::string temp = dir + "/.console.sqlite.init";
  fs::remove(temp, ec);
  auto db = OpenDb(temp, /*create=*/true);
  if (!db) return db.error();
  std::unique_ptr<ConsoleStore> store(new ConsoleStore(dir, *db));
  if (auto st = store->Exec(kSchema); !st) return st.error();
  if (auto st = store->Audit("init", "", ""); !st) return st.error();
  sqlite3_close(store->db_);
  store->db_ = nullptr;
  ::chmod(temp.c_str(), 0600);
  if (::link(temp.c_str(), (dir + "/console.sqlite").c_str()) != 0) {
    return MakeError(ErrorCode::kAlreadyExists, dir + " already holds a console: refusing to touch it");
  }
  ::unlink(temp.c_str());
  if (auto st = SyncDirectory(dir); !st) return st.error();
  return Open(dir);
}

Result<std::unique_ptr<ConsoleStore>> ConsoleStore::Open(const std::string& dir) {
  if (!PathExists(dir + "/console.sqlite")) {
    return MakeError(ErrorCode::kNotFound,
                     dir + " is not a console directory (make one with: sealdrop-console init --data " +
                         dir + ")");
  }
  auto db = OpenDb(dir + "/console.sqlite", /*create=*/false);
  if (!db) return db.error();
  std::unique_ptr<ConsoleStore> store(new ConsoleStore(dir, *db));
  if (auto st = store->EnsureReceiptTable(); !st) return st.error();
  if (auto st = store->CreateLaterTables(); !st) return st.error();
  if (auto st = store->RemoveUnreferencedFiles(); !st) return st.error();
  return store;
}

ConsoleStore::~ConsoleStore() {
  if (db_) sqlite3_close(db_);
}

Status ConsoleStore::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    sqlite3_free(err);
    return DbError(db_, "statement");
  }
  return Status::Ok();
}

std::string ConsoleStore::SealedPath(const std::string& id) const { return dir_ + "/sealed/" + id; }
std::string ConsoleStore::OutboxPath(const std::string& id) const { return dir_ + "/outbox/" + id; }

Status ConsoleStore::RemoveUnreferencedFiles() {
  std::set<std::string> named;
  for (const char* sql : {"SELECT id FROM cases", "SELECT id FROM outbox"}) {
    Stmt q;
    if (sqlite3_prepare_v2(db_, sql, -1, &q.s, nullptr) != SQLITE_OK) return DbError(db_, "recover");
    while (sqlite3_step(q.s) == SQLITE_ROW) named.insert(Text(q.s, 0));
  }
  for (const char* sub : {"/sealed", "/outbox"}) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_ + sub, ec)) {
      if (!named.count(e.path().filename().string())) fs::remove(e.path(), ec);
    }
  }
  return Status::Ok();
}

Result<std::optional<std::string>> ConsoleStore::GetMeta(const std::string& key) const {
  Stmt q;
  sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key = ?", -1, &q.s, nullptr);
  Bind(q.s, 1, key);
  const int rc = sqlite3_step(q.s);
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return DbError(db_, "meta");
  return std::optional<std::string>(Text(q.s, 0));
}

Status ConsoleStore::SetMeta(const std::string& key, const std::string& value) {
  Stmt q;
  sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", -1, &q.s, nullptr);
  Bind(q.s, 1, key);
  Bind(q.s, 2, value);
  if (sqlite3_step(q.s) != SQLITE_DONE) return DbError(db_, "meta");
  return Status::Ok();
}

bool ConsoleStore::HasCase(const std::string& id) const {
  Stmt q;
  sqlite3_prepare_v2(db_, "SELECT 1 FROM cases WHERE id = ?", -1, &q.s, nullptr);
  Bind(q.s, 1, id);
  return sqlite3_step(q.s) == SQLITE_ROW;
}

Status ConsoleStore::AddCases(const std::vector<CaseRow>& rows, const std::string& pull_day,
                              std::vector<RiskRaise>* raised) {
  if (auto st = Exec("BEGIN IMMEDIATE"); !st) return st;
  for (const auto& r : rows) {
    Stmt q;
    sqlite3_prepare_v2(db_,
                       "INSERT INTO cases (id, kind, received_day, sent_day, source_ref, category, "
                       "urgent, status, outcome, summary) VALUES (?,?,?,?,?,?,?,?,?,?)",
                       -1, &q.s, nullptr);
    Bind(q.s, 1, r.id);
    Bind(q.s, 2, r.kind);
    Bind(q.s, 3, r.received_day);
    Bind(q.s, 4, r.sent_day);
    Bind(q.s, 5, r.source_ref);
    Bind(q.s, 6, r.category);
    sqlite3_bind_int(q.s, 7, r.urgent ? 1 : 0);
    Bind(q.s, 8, r.status);
    Bind(q.s, 9, r.outcome);
    Bind(q.s, 10, r.summary);
    if (sqlite3_step(q.s) != SQLITE_DONE) {
      Error e = DbError(db_, "import");
      (void)Exec("ROLLBACK");
      return e;
    }
    if (auto st = RecordImported(r.id, pull_day); !st) {
      (void)Exec("ROLLBACK");
      return st;
    }
  }
  if (auto st = MarkUnreadAndRaiseLocked(rows, raised); !st) {
    (void)Exec("ROLLBACK");
    return st;
  }
  return Exec("COMMIT");
}

Result<std::vector<CaseRow>> ConsoleStore::Cases() const {
  Stmt q;
  const std::string sql = std::string("SELECT ") + kCaseColumns + " FROM cases";
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &q.s, nullptr) != SQLITE_OK) return DbError(db_, "list");
  std::vector<CaseRow> out;
  int rc;
  while ((rc = sqlite3_step(q.s)) == SQLITE_ROW) out.push_back(ReadCase(q.s));
  if (rc != SQLITE_DONE) return DbError(db_, "list");
  return out;
}

Result<CaseRow> ConsoleStore::FindCase(const std::string& prefix) const {
  if (prefix.size() < 6 || prefix.size() > 32 ||
      prefix.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "a case id is 6 to 32 lower-case hex digits (as `list` shows it)");
  }
  Stmt q;
  const std::string sql = std::string("SELECT ") + kCaseColumns + " FROM cases WHERE id >= ? AND id < ? LIMIT 2";
  sqlite3_prepare_v2(db_, sql.c_str(), -1, &q.s, nullptr);
  Bind(q.s, 1, prefix);
  Bind(q.s, 2, prefix + "g");
  std::vector<CaseRow> found;
  while (sqlite3_step(q.s) == SQLITE_ROW) found.push_back(ReadCase(q.s));
  if (found.empty()) return MakeError(ErrorCode::kNotFound, "no case " + prefix);
  if (found.size() > 1) return MakeError(ErrorCode::kInvalidArgument, "more than one case starts with " + prefix + ": give more digits");
  return found.front();
}

Result<std::vector<CaseRow>> ConsoleStore::FollowUps(const std::string& source_ref) const {
  Stmt q;
  const std::string sql = std::string("SELECT ") + kCaseColumns +
                          " FROM cases WHERE source_ref = ? AND kind = 'followup' ORDER BY sent_day, id";
  sqlite3_prepare_v2(db_, sql.c_str(), -1, &q.s, nullptr);
  Bind(q.s, 1, source_ref);
  std::vector<CaseRow> out;
  while (sqlite3_step(q.s) == SQLITE_ROW) out.push_back(ReadCase(q.s));
  return out;
}

Result<std::map<std::string, std::size_t>> ConsoleStore::FollowUpCounts() const {
  Stmt q;
  if (sqlite3_prepare_v2(db_, "SELECT source_ref, COUNT(*) FROM cases WHERE kind = 'followup' "
                              "GROUP BY source_ref", -1, &q.s, nullptr) != SQLITE_OK) {
    return DbError(db_, "list");
  }
  std::map<std::string, std::size_t> out;
  while (sqlite3_step(q.s) == SQLITE_ROW) {
    out[Text(q.s, 0)] = static_cast<std::size_t>(sqlite3_column_int64(q.s, 1));
  }
  return out;
}

Status ConsoleStore::AddTriage(const std::string& id, const std::string& day,
                               const std::string& outcome,
                               const std::function<std::vector<std::uint8_t>(std::int64_t)>& seal) {
  if (auto st = Exec("BEGIN IMMEDIATE"); !st) return st;
  std::int64_t seq = 1;
  {
    Stmt q;
    sqlite3_prepare_v2(db_, "SELECT COALESCE(MAX(seq), 0) + 1 FROM triage", -1, &q.s, nullptr);
    if (sqlite3_step(q.s) == SQLITE_ROW) seq = sqlite3_column_int64(q.s, 0);
  }
  Stmt ins;
  sqlite3_prepare_v2(db_, "INSERT INTO triage (seq, case_id, day, outcome, note) VALUES (?,?,?,?,?)",
                     -1, &ins.s, nullptr);
  sqlite3_bind_int64(ins.s, 1, seq);
  Bind(ins.s, 2, id);
  Bind(ins.s, 3, day);
  Bind(ins.s, 4, outcome);
  Bind(ins.s, 5, seal(seq));
  Stmt up;
  sqlite3_prepare_v2(db_, "UPDATE cases SET outcome = ?, status = 'triaged' WHERE id = ?", -1, &up.s,
                     nullptr);
  Bind(up.s, 1, outcome);
  Bind(up.s, 2, id);
  if (sqlite3_step(ins.s) != SQLITE_DONE || sqlite3_step(up.s) != SQLITE_DONE) {
    Error e = DbError(db_, "triage");
    (void)Exec("ROLLBACK");
    return e;
  }
  return Exec("COMMIT");
}

Result<std::vector<TriageRow>> ConsoleStore::Triage(const std::string& id) const {
  Stmt q;
  sqlite3_prepare_v2(db_, "SELECT day, outcome, note, seq FROM triage WHERE case_id = ? ORDER BY seq",
                     -1, &q.s, nullptr);
  Bind(q.s, 1, id);
  std::vector<TriageRow> out;
  while (sqlite3_step(q.s) == SQLITE_ROW) {
    out.push_back({sqlite3_column_int64(q.s, 3), Text(q.s, 0), Text(q.s, 1), Blob(q.s, 2)});
  }
  return out;
}

Status ConsoleStore::SetStatus(const std::string& id, const std::string& status) {
  Stmt q;
  sqlite3_prepare_v2(db_, "UPDATE cases SET status = ? WHERE id = ?", -1, &q.s, nullptr);
  Bind(q.s, 1, status);
  Bind(q.s, 2, id);
  if (sqlite3_step(q.s) != SQLITE_DONE) return DbError(db_, "status");
  return Status::Ok();
}

Status ConsoleStore::AddOutbox(const OutboxRow& r) {
  Stmt q;
  sqlite3_prepare_v2(db_,
                     "INSERT INTO outbox (id, kind, case_id, dest, source, day, exported, text) "
                     "VALUES (?,?,?,?,?,?,0,?)",
                     -1, &q.s, nullptr);
  Bind(q.s, 1, r.id);
  Bind(q.s, 2, r.kind);
  Bind(q.s, 3, r.case_id);
  Bind(q.s, 4, r.to);
  Bind(q.s, 5, r.source);
  Bind(q.s, 6, r.day);
  Bind(q.s, 7, r.text);
  if (sqlite3_step(q.s) != SQLITE_DONE) return DbError(db_, "outbox");
  return Status::Ok();
}

Result<std::vector<OutboxRow>> ConsoleStore::Outbox(bool include_exported) const {
  Stmt q;
  const std::string sql = std::string("SELECT id, kind, case_id, dest, source, day, exported, text FROM outbox") +
                          (include_exported ? "" : " WHERE exported = 0") + " ORDER BY day, id";
  sqlite3_prepare_v2(db_, sql.c_str(), -1, &q.s, nullptr);
  std::vector<OutboxRow> out;
  while (sqlite3_step(q.s) == SQLITE_ROW) {
    out.push_back({Text(q.s, 0), Text(q.s, 1), Text(q.s, 2), Text(q.s, 3), Text(q.s, 4),
                   Text(q.s, 5), sqlite3_column_int(q.s, 6) != 0, Blob(q.s, 7)});
  }
  return out;
}

Status ConsoleStore::MarkExported(const std::vector<std::string>& ids) {
  if (auto st = Exec("BEGIN IMMEDIATE"); !st) return st;
  for (const auto& id : ids) {
    Stmt q;
    sqlite3_prepare_v2(db_, "UPDATE outbox SET exported = 1 WHERE id = ?", -1, &q.s, nullptr);
    Bind(q.s, 1, id);
    if (sqlite3_step(q.s) != SQLITE_DONE) {
      Error e = DbError(db_, "outbox");
      (void)Exec("ROLLBACK");
      return e;
    }
  }
  return Exec("COMMIT");
}

Status ConsoleStore::Audit(const std::string& action, const std::string& item,
                           const std::string& detail) {
  AuditEntry e;
  e.at = NowUtcTimestamp();
  e.actor = Actor();
  e.action = action;
  e.item = item;
  e.detail = detail;
  e.prev = std::string(64, '0');
  e.seq = 1;
  {
    Stmt q;
    sqlite3_prepare_v2(db_, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", -1, &q.s, nullptr);
    if (sqlite3_step(q.s) == SQLITE_ROW) {
      e.seq = sqlite3_column_int64(q.s, 0) + 1;
      e.prev = Text(q.s, 1);
    }
  }
  e.hash = AuditHash(e);
  Stmt ins;
  sqlite3_prepare_v2(db_,
                     "INSERT INTO audit (seq, at, actor, action, item, detail, prev, hash) "
                     "VALUES (?,?,?,?,?,?,?,?)",
                     -1, &ins.s, nullptr);
  sqlite3_bind_int64(ins.s, 1, e.seq);
  Bind(ins.s, 2, e.at);
  Bind(ins.s, 3, e.actor);
  Bind(ins.s, 4, e.action);
  Bind(ins.s, 5, e.item);
  Bind(ins.s, 6, e.detail);
  Bind(ins.s, 7, e.prev);
  Bind(ins.s, 8, e.hash);
  if (sqlite3_step(ins.s) != SQLITE_DONE) return DbError(db_, "audit");
  return Status::Ok();
}

Result<std::vector<AuditEntry>> ConsoleStore::AuditLog() const {
  Stmt q;
  sqlite3_prepare_v2(db_, "SELECT seq, at, actor, action, item, detail, prev, hash FROM audit ORDER BY seq",
                     -1, &q.s, nullptr);
  std::vector<AuditEntry> out;
  while (sqlite3_step(q.s) == SQLITE_ROW) {
    out.push_back({sqlite3_column_int64(q.s, 0), Text(q.s, 1), Text(q.s, 2), Text(q.s, 3),
                   Text(q.s, 4), Text(q.s, 5), Text(q.s, 6), Text(q.s, 7)});
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Import receipts: which imported items the server may not yet have deleted. Kept apart from the
// case queries above; every step's result is checked.

// Consoles made before receipts existed get the table on their next Open (their earlier imports
// were deleted from the server when they were pulled: nothing to receipt).
Status ConsoleStore::EnsureReceiptTable() {
  return Exec(
      "CREATE TABLE IF NOT EXISTS imported ("
      " id TEXT PRIMARY KEY, pull_day TEXT NOT NULL, confirmed_day TEXT NOT NULL) WITHOUT ROWID;"
      "CREATE INDEX IF NOT EXISTS imported_open ON imported(confirmed_day, pull_day);");
}

// REQUIRES: inside AddCases' transaction, so a case and its receipt duty commit together.
Status ConsoleStore::RecordImported(const std::string& id, const std::string& pull_day) {
  Stmt q;
  if (sqlite3_prepare_v2(db_, "INSERT INTO imported (id, pull_day, confirmed_day) VALUES (?, ?, '')",
                         -1, &q.s, nullptr) != SQLITE_OK) {
    return DbError(db_, "import");
  }
  Bind(q.s, 1, id);
  Bind(q.s, 2, pull_day);
  if (sqlite3_step(q.s) != SQLITE_DONE) return DbError(db_, "import");
  return Status::Ok();
}

Result<std::size_t> ConsoleStore::ConfirmReceipted(const std::string& pull_day,
                                                   const std::vector<std::string>& listed) {
  const std::set<std::string> in_bundle(listed.begin(), listed.end());
  if (auto st = Exec("BEGIN IMMEDIATE"); !st) return st.error();
  auto fail = [this](const char* what) -> Error {
    Error e = DbError(db_, what);
    (void)Exec("ROLLBACK");
    return e;
  };
  // Strictly earlier pulls only: a pull of the same day may have been written before the item
  // reached the server.
  std::vector<std::string> confirmed;
  {
    Stmt q;
    if (sqlite3_prepare_v2(db_, "SELECT id FROM imported WHERE confirmed_day = '' AND pull_day < ?",
                           -1, &q.s, nullptr) != SQLITE_OK) {
      return fail("receipts");
    }
    Bind(q.s, 1, pull_day);
    int rc;
    while ((rc = sqlite3_step(q.s)) == SQLITE_ROW) {
      std::string id = Text(q.s, 0);
      if (!in_bundle.count(id)) confirmed.push_back(std::move(id));
    }
    if (rc != SQLITE_DONE) return fail("receipts");
  }
  Stmt up;
  if (sqlite3_prepare_v2(db_, "UPDATE imported SET confirmed_day = ? WHERE id = ?", -1, &up.s,
                         nullptr) != SQLITE_OK) {
    return fail("receipts");
  }
  for (const auto& id : confirmed) {
    if (sqlite3_reset(up.s) != SQLITE_OK) return fail("receipts");
    Bind(up.s, 1, pull_day);
    Bind(up.s, 2, id);
    if (sqlite3_step(up.s) != SQLITE_DONE) return fail("receipts");
  }
  if (auto st = Exec("COMMIT"); !st) {
    (void)Exec("ROLLBACK");
    return st.error();
  }
  return confirmed.size();
}

Result<std::vector<std::string>> ConsoleStore::UnconfirmedImports(std::size_t limit) const {
  Stmt q;
  if (sqlite3_prepare_v2(db_,
                         "SELECT id FROM imported WHERE confirmed_day = '' ORDER BY pull_day, id "
                         "LIMIT ?",
                         -1, &q.s, nullptr) != SQLITE_OK) {
    return DbError(db_, "receipts");
  }
  sqlite3_bind_int64(q.s, 1, static_cast<sqlite3_int64>(limit));
  std::vector<std::string> out;
  int rc;
  while ((rc = sqlite3_step(q.s)) == SQLITE_ROW) out.push_back(Text(q.s, 0));
  if (rc != SQLITE_DONE) return DbError(db_, "receipts");
  return out;
}

// Follow-ups unread, risk raised by a follow-up, deliveries (tables of kLaterTables).

Status ConsoleStore::CreateLaterTables() { return Exec(kLaterTables); }

Status ConsoleStore::RaiseIfCalmLocked(const std::string& report_id, const CaseRow& followup,
                                       std::vector<RiskRaise>* raised) {
  Query up(db_, "UPDATE cases SET urgent = 1 WHERE id = ? AND kind = 'report' AND urgent = 0");
  if (auto st = up.Bind(report_id).Run("at-risk"); !st) return st;
  if (sqlite3_changes(db_) != 1) return Status::Ok();  // already at risk
  Query ins(db_, "INSERT INTO risk_raised (case_id, day, followup_id) VALUES (?, ?, ?)");
  if (auto st = ins.Bind(report_id).Bind(followup.sent_day).Bind(followup.id).Run("at-risk"); !st) {
    return st;
  }
  if (raised) raised->push_back({report_id, followup.sent_day, followup.id});
  return Status::Ok();
}

// REQUIRES: inside AddCases' transaction, after `rows` were inserted.
Status ConsoleStore::MarkUnreadAndRaiseLocked(const std::vector<CaseRow>& rows,
                                              std::vector<RiskRaise>* raised) {
  for (const auto& r : rows) {
    if (r.kind != "followup") continue;
    Query ins(db_, "INSERT INTO followup_unread (id) VALUES (?)");
    if (auto st = ins.Bind(r.id).Run("unread"); !st) return st;
  }
  // A follow-up saying someone is at risk raises its report, whichever of the two came first.
  for (const auto& r : rows) {
    if (r.source_ref.empty()) continue;
    if (r.kind == "followup" && r.urgent) {
      Query q(db_, "SELECT id FROM cases WHERE kind = 'report' AND source_ref = ? AND urgent = 0 ORDER BY id");
      q.Bind(r.source_ref);
      std::vector<std::string> reports;
      for (;;) {
        auto row = q.Step("at-risk");
        if (!row) return row.error();
        if (!*row) break;
        reports.push_back(Text(q.get(), 0));
      }
      for (const auto& id : reports) {
        if (auto st = RaiseIfCalmLocked(id, r, raised); !st) return st;
      }
    } else if (r.kind == "report" && !r.urgent) {
      const std::string sql = std::string("SELECT ") + kCaseColumns +
                              " FROM cases WHERE kind = 'followup' AND source_ref = ? AND urgent = 1 "
                              "ORDER BY sent_day, id LIMIT 1";
      Query q(db_, sql.c_str());
      q.Bind(r.source_ref);
      auto row = q.Step("at-risk");
      if (!row) return row.error();
      if (!*row) continue;
      const CaseRow followup = ReadCase(q.get());
      if (auto st = RaiseIfCalmLocked(r.id, followup, raised); !st) return st;
    }
  }
  return Status::Ok();
}

Result<std::map<std::string, std::size_t>> ConsoleStore::UnreadFollowUpCounts() const {
  Query q(db_, "SELECT c.source_ref, COUNT(*) FROM followup_unread u JOIN cases c ON c.id = u.id "
               "GROUP BY c.source_ref");
  std::map<std::string, std::size_t> out;
  for (;;) {
    auto row = q.Step("unread");
    if (!row) return row.error();
    if (!*row) return out;
    out[Text(q.get(), 0)] = static_cast<std::size_t>(sqlite3_column_int64(q.get(), 1));
  }
}

Result<std::vector<std::string>> ConsoleStore::UnreadFollowUps() const {
  Query q(db_, "SELECT id FROM followup_unread ORDER BY id");
  std::vector<std::string> out;
  for (;;) {
    auto row = q.Step("unread");
    if (!row) return row.error();
    if (!*row) return out;
    out.push_back(Text(q.get(), 0));
  }
}

Status ConsoleStore::MarkFollowUpsRead(const std::vector<std::string>& ids) {
  if (ids.empty()) return Status::Ok();
  if (auto st = Exec("BEGIN IMMEDIATE"); !st) return st;
  for (const auto& id : ids) {
    Query q(db_, "DELETE FROM followup_unread WHERE id = ?");
    if (auto st = q.Bind(id).Run("unread"); !st) {
      (void)Exec("ROLLBACK");
      return st;
    }
  }
  return Exec("COMMIT");
}

Result<std::map<std::string, RiskRaise>> ConsoleStore::RiskRaises() const {
  Query q(db_, "SELECT case_id, day, followup_id FROM risk_raised");
  std::map<std::string, RiskRaise> out;
  for (;;) {
    auto row = q.Step("at-risk");
    if (!row) return row.error();
    if (!*row) return out;
    RiskRaise r{Text(q.get(), 0), Text(q.get(), 1), Text(q.get(), 2)};
    out[r.case_id] = r;
  }
}

Result<std::vector<OutboxRow>> ConsoleStore::LiveForwards(const std::string& case_id,
                                                          const std::string& source_ref) const {
  Query q(db_,
          "SELECT o.id, o.kind, o.case_id, o.dest, o.source, o.day, o.exported FROM outbox o "
          "LEFT JOIN delivery d ON d.id = o.id "
          "WHERE o.kind = 'forward' AND (o.case_id = ? OR (o.source = ? AND o.source != '')) "
          "AND COALESCE(d.outcome, '') != 'refused' ORDER BY o.day, o.id");
  q.Bind(case_id).Bind(source_ref);
  std::vector<OutboxRow> out;
  for (;;) {
    auto row = q.Step("forwards");
    if (!row) return row.error();
    if (!*row) return out;
    sqlite3_stmt* s = q.get();
    out.push_back({Text(s, 0), Text(s, 1), Text(s, 2), Text(s, 3), Text(s, 4), Text(s, 5),
                   sqlite3_column_int(s, 6) != 0, {}});
  }
}

Result<std::map<std::string, DeliveryRow>> ConsoleStore::Deliveries() const {
  Query q(db_, "SELECT id, outcome, reason, day, failures FROM delivery");
  std::map<std::string, DeliveryRow> out;
  for (;;) {
    auto row = q.Step("delivery");
    if (!row) return row.error();
    if (!*row) return out;
    sqlite3_stmt* s = q.get();
    const auto outcome = bundle::PushOutcomeFromName(Text(s, 1));
    if (!outcome) return MakeError(ErrorCode::kMalformed, "console database: unknown delivery outcome");
    DeliveryRow d{Text(s, 0), *outcome, Text(s, 2), Text(s, 3), sqlite3_column_int(s, 4)};
    out[d.id] = d;
  }
}

// A forward refused for good moved nothing: its case is no longer "forwarded" unless another
// forward of it still stands. REQUIRES: in a transaction, the refusal already recorded.
Status ConsoleStore::UnforwardLocked(const std::string& forward_id) {
  Query q(db_,
          "UPDATE cases SET status = CASE WHEN outcome = '' THEN 'new' ELSE 'triaged' END "
          "WHERE status = 'forwarded' AND id = (SELECT case_id FROM outbox WHERE id = ?) "
          "AND NOT EXISTS (SELECT 1 FROM outbox o LEFT JOIN delivery d ON d.id = o.id "
          "WHERE o.kind = 'forward' AND o.case_id = cases.id AND COALESCE(d.outcome, '') != 'refused')");
  return q.Bind(forward_id).Run("delivery");
}

// One item of a push result; true when it changed something. REQUIRES: in a transaction.
Result<bool> ConsoleStore::ApplyDeliveryLocked(const bundle::PushItemResult& item,
                                               const std::string& day, PushResultEffect& effect) {
  {
    Query q(db_, "SELECT 1 FROM outbox WHERE id = ? AND kind = ?");
    auto row = q.Bind(item.id).Bind(item.kind).Step("delivery");
    if (!row) return row.error();
    if (!*row) {
      ++effect.unknown;
      return false;
    }
  }
  DeliveryRow d{item.id, item.outcome, item.reason, day, 0};
  {
    Query q(db_, "SELECT outcome, failures FROM delivery WHERE id = ?");
    auto row = q.Bind(item.id).Step("delivery");
    if (!row) return row.error();
    if (*row) {
      const auto now = bundle::PushOutcomeFromName(Text(q.get(), 0));
      if (now != bundle::PushOutcome::kRetry) return false;  // delivered and refused are final
      d.failures = sqlite3_column_int(q.get(), 1);
    }
  }
  if (d.outcome != bundle::PushOutcome::kDelivered) ++d.failures;
  Query up(db_, "INSERT OR REPLACE INTO delivery (id, outcome, reason, day, failures) VALUES (?,?,?,?,?)");
  if (auto st = up.Bind(d.id)
                    .Bind(std::string(bundle::PushOutcomeName(d.outcome)))
                    .Bind(d.reason)
                    .Bind(d.day)
                    .Bind(std::int64_t{d.failures})
                    .Run("delivery");
      !st) {
    return st.error();
  }
  if (d.outcome == bundle::PushOutcome::kRetry) {
    Query back(db_, "UPDATE outbox SET exported = 0 WHERE id = ?");
    if (auto st = back.Bind(d.id).Run("delivery"); !st) return st.error();
  }
  if (d.outcome == bundle::PushOutcome::kRefused && item.kind == "forward") {
    if (auto st = UnforwardLocked(d.id); !st) return st.error();
  }
  effect.changed.push_back(std::move(d));
  return true;
}

Result<PushResultEffect> ConsoleStore::ApplyPushResult(const std::string& digest,
                                                       const bundle::PushResult& result) {
  PushResultEffect effect;
  if (auto st = Exec("BEGIN IMMEDIATE"); !st) return st.error();
  auto fail = [&](const Error& e) -> Result<PushResultEffect> {
    (void)Exec("ROLLBACK");
    return e;
  };
  Query seen(db_, "INSERT OR IGNORE INTO push_results_read (digest) VALUES (?)");
  if (auto st = seen.Bind(digest).Run("delivery"); !st) return fail(st.error());
  if (sqlite3_changes(db_) == 0) {
    effect.already_read = true;
    if (auto st = Exec("ROLLBACK"); !st) return st.error();
    return effect;
  }
  for (const auto& item : result.items) {
    if (auto changed = ApplyDeliveryLocked(item, result.day, effect); !changed) {
      return fail(changed.error());
    }
  }
  if (auto st = Exec("COMMIT"); !st) return fail(st.error());
  return effect;
}

}  // namespace sealdrop::console
