// Counts rows in a program's SQLite file from a test, over a separate read-only connection
// (WAL lets it read while the program writes).
#pragma once

#include <string>

namespace sealdrop::testing {

// The single integer `sql` returns (e.g. "SELECT COUNT(*) FROM items"), or -1 on any error.
long long QueryCount(const std::string& db_file, const std::string& sql);
// The single text value `sql` returns, or "" on any error.
std::string QueryText(const std::string& db_file, const std::string& sql);

}  // namespace sealdrop::testing
