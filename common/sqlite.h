// A small checked wrapper over SQLite, used by every store (server index, console state).
//
// Its point: no SQLite result can be dropped, so a read error can never turn into a short
// result. Prepare returns a Result; a failed Bind is remembered by the statement and returned
// by the next Step/Run/ForEach (so a chain of binds needs no check each); Step tells a row from
// the end from an error; ForEach succeeds only when the last step was SQLITE_DONE; a column
// that SQLite could not produce (out of memory) fails the statement too. Errors carry the
// database's label ("index database", "console database"), what was being done and SQLite's
// message: never a value, so they may be printed or logged.
//
// Database, Statement and Transaction are move-only owners; a Statement or Transaction must not
// outlive its Database. Thread-safety: as SQLite's (the server opens with FULLMUTEX and also
// serialises its own use); a Statement is used by one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace sealdrop::sqlite {

class Statement;

enum class OpenMode {
  kReadWrite,        // the file must exist
  kReadWriteCreate,  // created when missing
  kReadOnly,         // never written (another process's file, read beside it under WAL)
};

class Database {
 public:
  // Opens `path`. `label` names the database in every error ("console database").
  // `serialized`: SQLITE_OPEN_FULLMUTEX, for a handle shared by threads.
  static Result<Database> Open(const std::string& path, OpenMode mode, std::string label,
                               bool serialized = false);
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();  // closes; see Close() to learn whether closing succeeded

  // Runs one or more statements that return no rows (schema, PRAGMAs, BEGIN/COMMIT).
  Status Exec(const char* sql);
  // Compiles one statement. Errors: kIo with SQLite's message (including a corrupt schema).
  // Const: reading through a handle does not change what the handle is.
  Result<Statement> Prepare(std::string_view sql) const;
  // The schema version an application keeps in the file's header (PRAGMA user_version).
  Result<int> UserVersion() const;
  Status SetUserVersion(int version);
  // Rows changed by the last INSERT, UPDATE or DELETE on this handle.
  std::int64_t Changes() const;
  // Waits up to `ms` for another process's lock instead of failing at once.
  Status SetBusyTimeout(int ms);
  // Closes now; fails (and still releases the handle) if SQLite reports an error.
  Status Close();
  bool is_open() const { return db_ != nullptr; }

  // The error for the handle's last failure, labelled: "LABEL: WHAT: SQLITE MESSAGE".
  // SQLITE_CONSTRAINT becomes kAlreadyExists, anything else kIo.
  Error LastError(std::string_view what) const;

 private:
  Database(sqlite3* db, std::string label) : db_(db), label_(std::move(label)) {}
  friend class Statement;
  sqlite3* db_ = nullptr;
  std::string label_;
};

class Statement {
 public:
  enum class Step { kRow, kDone };

  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binds parameter `index` (1-based). A failure is kept and returned by the next step.
  Statement& Bind(int index, std::string_view text);
  // A blob; an empty span binds an empty blob, never NULL.
  Statement& Bind(int index, std::span<const std::uint8_t> blob);
  Statement& BindInt64(int index, std::int64_t value);
  Statement& BindNull(int index);

  // One step: a row is ready to read, or the statement is done; or an error.
  Result<Step> Next();
  // Runs a statement that returns no rows (INSERT, UPDATE, DELETE) to SQLITE_DONE.
  Status Run();
  // Steps to SQLITE_DONE, calling `row` for each row; stops at the first error (from SQLite,
  // a column, or `row` itself) and returns it. Success means every row was read.
  Status ForEach(const std::function<Status()>& row);

  // Column readers for the current row (0-based). NULL reads as "" / empty / 0.
  std::string Text(int column);
  std::vector<std::uint8_t> Blob(int column);
  std::int64_t Int64(int column);
  bool IsNull(int column);

 private:
  friend class Database;
  Statement(const Database& db, sqlite3_stmt* stmt) : db_(&db), stmt_(stmt) {}
  // Keeps SQLite's last error as the pending one (the first wins): the next step returns it.
  void KeepError(std::string_view what);
  const Database* db_;
  sqlite3_stmt* stmt_ = nullptr;
  // The first failed bind or column read, reported by the next step or at the end of ForEach.
  std::optional<Error> pending_;
  bool done_ = false;
};

// BEGIN on construction, ROLLBACK on destruction unless Commit() succeeded: every early return
// undoes the transaction.
class Transaction {
 public:
  enum class Kind { kDeferred, kImmediate };
  static Result<Transaction> Begin(Database& db, Kind kind = Kind::kImmediate);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  // Rolls back unless committed. A failed ROLLBACK cannot be reported here; SQLite then rolls
  // the transaction back itself when the connection closes, so nothing uncommitted survives.
  ~Transaction();
  Status Commit();
  // Undoes the transaction now, for a caller that wants to know the ROLLBACK worked.
  Status Rollback();

 private:
  explicit Transaction(Database& db) : db_(&db) {}
  Database* db_;
  bool open_ = true;
};

}  // namespace sealdrop::sqlite
