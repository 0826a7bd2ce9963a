#include "tests/support/sqlite_count.h"

#include "common/sqlite.h"

namespace sealdrop::testing {

namespace {

// Runs `sql` read-only and hands its first row to `read`; false on any error or no row.
template <class Read>
bool QueryFirstRow(const std::string& db_file, const std::string& sql, Read read) {
  auto db = sqlite::Database::Open(db_file, sqlite::OpenMode::kReadOnly, "test query");
  if (!db) return false;
  // The server's index has a rollback journal: a read waits while the server commits.
  if (!db->SetBusyTimeout(10000).ok()) return false;
  auto q = db->Prepare(sql);
  if (!q) return false;
  bool got = false;
  const Status st = q->ForEach([&] {
    if (!got) read(*q);
    got = true;
    return Status::Ok();
  });
  return st.ok() && got;
}

}  // namespace

long long QueryCount(const std::string& db_file, const std::string& sql) {
  long long n = -1;
  if (!QueryFirstRow(db_file, sql, [&](sqlite::Statement& q) { n = q.Int64(0); })) return -1;
  return n;
}

std::string QueryText(const std::string& db_file, const std::string& sql) {
  std::string text;
  if (!QueryFirstRow(db_file, sql, [&](sqlite::Statement& q) { text = q.Text(0); })) return "";
  return text;
}

}  // namespace sealdrop::testing
