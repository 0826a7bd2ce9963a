// Reading `cases` rows, for the ConsoleStore's files (console_store.cpp, followups.cpp): one
// column list and one reader, so that a query and the reader cannot disagree.
#pragma once

#include <vector>

#include "common/result.h"
#include "common/sqlite.h"
#include "journalist_console/core/store/console_store.h"

namespace sealdrop::console {

// The columns ReadCases expects, in order: "SELECT " + kCaseColumns + " FROM cases ...".
inline constexpr const char* kCaseColumns =
    "id, kind, received_day, sent_day, source_ref, category, urgent, status, outcome, summary";

// Every row of `q` (selected with kCaseColumns); an error unless the query read to its end.
Result<std::vector<CaseRow>> ReadCases(sqlite::Statement& q);

}  // namespace sealdrop::console
