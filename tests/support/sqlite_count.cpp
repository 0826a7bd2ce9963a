#include "tests/support/sqlite_count.h"

#include <sqlite3.h>

namespace sealdrop::testing {

namespace {

// Runs `sql` read-only and hands its first row to `read`; false on any error or no row.
template <class Read>
bool QueryFirstRow(const std::string& db_file, const std::string& sql, Read read) {
  sqlite3* db = nullptr;
  bool ok = false;
  if (sqlite3_open_v2(db_file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* q = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &q, nullptr) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW) {
      read(q);
      ok = true;
    }
    sqlite3_finalize(q);
  }
  sqlite3_close(db);
  return ok;
}

}  // namespace

long long QueryCount(const std::string& db_file, const std::string& sql) {
  long long n = -1;
  QueryFirstRow(db_file, sql, [&](sqlite3_stmt* q) { n = sqlite3_column_int64(q, 0); });
  return n;
}

std::string QueryText(const std::string& db_file, const std::string& sql) {
  std::string text;
  QueryFirstRow(db_file, sql, [&](sqlite3_stmt* q) {
    const auto* p = sqlite3_column_text(q, 0);
    if (p) text = reinterpret_cast<const char*>(p);
  });
  return text;
}

}  // namespace sealdrop::testing
