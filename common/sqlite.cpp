#include "common/sqlite.h"

#include <sqlite3.h>

#include <utility>

namespace sealdrop::sqlite {
namespace {

Error Labelled(const std::string& label, std::string_view what, int code, const char* message) {
  const ErrorCode ours =
      (code & 0xff) == SQLITE_CONSTRAINT ? ErrorCode::kAlreadyExists : ErrorCode::kIo;
  return MakeError(ours,
                   label + ": " + std::string(what) + ": " + (message ? message : "unknown error"));
}

}  // namespace

Result<Database> Database::Open(const std::string& path, OpenMode mode, std::string label,
                                bool serialized) {
  sqlite3* db = nullptr;
  int flags = mode == OpenMode::kReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (mode == OpenMode::kReadWriteCreate) flags |= SQLITE_OPEN_CREATE;
  if (serialized) flags |= SQLITE_OPEN_FULLMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    // With a handle SQLite explains why; without one (out of memory) it has only the code.
    Error e = Labelled(label, "open", rc, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return e;
  }
  // Extended codes tell a full disk (SQLITE_FULL) from other I/O errors in messages.
  sqlite3_extended_result_codes(db, 1);
  return Database(db, std::move(label));
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), label_(std::move(other.label_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    if (db_) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    label_ = std::move(other.label_);
  }
  return *this;
}

Database::~Database() {
  if (db_) sqlite3_close_v2(db_);
}

Status Database::Close() {
  if (!db_) return Status::Ok();
  const int rc = sqlite3_close(db_);
  if (rc == SQLITE_OK) {
    db_ = nullptr;
    return Status::Ok();
  }
  Error e = LastError("close");
  // A statement is still open (a programming error); let SQLite free it when it is finalised.
  sqlite3_close_v2(db_);
  db_ = nullptr;
  return e;
}

Error Database::LastError(std::string_view what) const {
  if (!db_) return Labelled(label_, what, SQLITE_MISUSE, "the database is closed");
  return Labelled(label_, what, sqlite3_errcode(db_), sqlite3_errmsg(db_));
}

Status Database::Exec(const char* sql) {
  if (!db_) Die("sqlite::Database::Exec on a closed database");
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return Status::Ok();
  Error e = Labelled(label_, "statement", rc, message ? message : sqlite3_errmsg(db_));
  sqlite3_free(message);
  return e;
}

Result<int> Database::UserVersion() const {
  auto q = Prepare("PRAGMA user_version");
  if (!q) return q.error();
  int version = -1;
  if (auto st = q->ForEach([&] {
        version = static_cast<int>(q->Int64(0));
        return Status::Ok();
      });
      !st) {
    return st.error();
  }
  if (version < 0) return MakeError(ErrorCode::kIo, label_ + ": no schema version");
  return version;
}

Status Database::SetUserVersion(int version) {
  const std::string sql = "PRAGMA user_version = " + std::to_string(version);
  return Exec(sql.c_str());
}

Result<Statement> Database::Prepare(std::string_view sql) const {
  if (!db_) Die("sqlite::Database::Prepare on a closed database");
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return LastError("prepare");
  }
  if (!stmt) Die("sqlite::Database::Prepare: no statement in the SQL");
  return Statement(*this, stmt);
}

std::int64_t Database::Changes() const { return sqlite3_changes64(db_); }

Status Database::SetBusyTimeout(int ms) {
  if (sqlite3_busy_timeout(db_, ms) != SQLITE_OK) return LastError("busy timeout");
  return Status::Ok();
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      pending_(std::move(other.pending_)),
      done_(other.done_) {}

Statement::~Statement() {
  // The result of finalize repeats the last step's, which the caller has already seen.
  if (stmt_) sqlite3_finalize(stmt_);
}

void Statement::KeepError(std::string_view what) {
  if (!pending_) pending_ = db_->LastError(what);
}

Statement& Statement::Bind(int index, std::string_view text) {
  // A default string_view has no data(), which SQLite would store as NULL, not as "".
  const char* data = text.data() ? text.data() : "";
  if (sqlite3_bind_text64(stmt_, index, data, text.size(), SQLITE_TRANSIENT, SQLITE_UTF8) !=
      SQLITE_OK) {
    KeepError("bind");
  }
  return *this;
}

Statement& Statement::Bind(int index, std::span<const std::uint8_t> blob) {
  // An empty span's data() may be null, which SQLite would store as NULL, not an empty blob.
  const int rc =
      blob.empty() ? sqlite3_bind_zeroblob(stmt_, index, 0)
                   : sqlite3_bind_blob64(stmt_, index, blob.data(), blob.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) KeepError("bind");
  return *this;
}

Statement& Statement::BindInt64(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) KeepError("bind");
  return *this;
}

Statement& Statement::BindNull(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) KeepError("bind");
  return *this;
}

Result<Statement::Step> Statement::Next() {
  if (pending_) return *pending_;
  if (done_) Die("sqlite::Statement::Next after the statement was done");
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return Step::kRow;
  if (rc == SQLITE_DONE) {
    done_ = true;
    return Step::kDone;
  }
  Error e = db_->LastError("step");
  if (!pending_) pending_ = e;
  return e;
}

Status Statement::Run() {
  auto step = Next();
  if (!step) return step.error();
  if (*step == Step::kRow) Die("sqlite::Statement::Run on a statement that returns rows");
  return Status::Ok();
}

Status Statement::ForEach(const std::function<Status()>& row) {
  for (;;) {
    auto step = Next();
    if (!step) return step.error();
    if (*step == Step::kDone) return Status::Ok();
    if (auto st = row(); !st) return st;
    if (pending_) return *pending_;  // a column could not be read
  }
}

std::string Statement::Text(int column) {
  const auto* p = sqlite3_column_text(stmt_, column);
  if (!p) {
    if (sqlite3_column_type(stmt_, column) != SQLITE_NULL) KeepError("read column");
    return {};
  }
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::vector<std::uint8_t> Statement::Blob(int column) {
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, column));
  const int n = sqlite3_column_bytes(stmt_, column);
  if (!p) {
    // NULL and the empty blob both read as empty; anything else is SQLite out of memory.
    if (sqlite3_column_type(stmt_, column) != SQLITE_NULL && n != 0) KeepError("read column");
    return {};
  }
  return std::vector<std::uint8_t>(p, p + n);
}

std::int64_t Statement::Int64(int column) { return sqlite3_column_int64(stmt_, column); }

bool Statement::IsNull(int column) { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

Result<Transaction> Transaction::Begin(Database& db, Kind kind) {
  if (auto st = db.Exec(kind == Kind::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN"); !st) {
    return st.error();
  }
  return Transaction(db);
}

Transaction::Transaction(Transaction&& other) noexcept
    : db_(other.db_), open_(std::exchange(other.open_, false)) {}

Transaction::~Transaction() {
  if (open_) (void)db_->Exec("ROLLBACK");  // see the header: cannot fail silently into a commit
}

Status Transaction::Rollback() {
  if (!open_) Die("sqlite::Transaction::Rollback after the transaction ended");
  open_ = false;
  return db_->Exec("ROLLBACK");
}

Status Transaction::Commit() {
  if (!open_) Die("sqlite::Transaction::Commit twice");
  if (auto st = db_->Exec("COMMIT"); !st) return st;  // still open: the destructor rolls back
  open_ = false;
  return Status::Ok();
}

}  // namespace sealdrop::sqlite
