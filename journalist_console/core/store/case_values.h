// The domain values of a case row, as types: what an item is and where its triage stands. Each
// has one table of the names the store, the command line, the pages and case.json write, so a
// misspelt "followup" cannot compile and an unknown name read back is an error, never a guess.
#pragma once

#include <optional>
#include <string_view>

namespace sealdrop::console {

// What a pulled item is: a report, or a reporter's follow-up to their report.
enum class CaseKind { kReport, kFollowUp };
// Where a report stands: new, triaged (an outcome recorded), or forwarded to another force.
enum class CaseStatus { kNew, kTriaged, kForwarded };

// "report" | "followup".
std::string_view Name(CaseKind kind);
// "new" | "triaged" | "forwarded".
std::string_view Name(CaseStatus status);
std::optional<CaseKind> ParseCaseKind(std::string_view name);
std::optional<CaseStatus> ParseCaseStatus(std::string_view name);

}  // namespace sealdrop::console
