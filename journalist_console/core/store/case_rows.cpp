#include "journalist_console/core/store/case_rows.h"

namespace sealdrop::console {
namespace {

Result<CaseRow> ReadCase(sqlite::Statement& s) {
  CaseRow r;
  r.id = s.Text(0);
  const auto kind = ParseCaseKind(s.Text(1));
  const auto status = ParseCaseStatus(s.Text(7));
  if (!kind || !status) return MakeError(ErrorCode::kMalformed, "a case in the console store has an unknown kind or status");
  r.kind = *kind;
  r.received_day = s.Text(2);
  r.sent_day = s.Text(3);
  r.source_ref = s.Text(4);
  r.category = s.Text(5);
  r.urgent = s.Int64(6) != 0;
  r.status = *status;
  r.outcome = s.Text(8);
  r.summary = s.Blob(9);
  return r;
}

}  // namespace

Result<std::vector<CaseRow>> ReadCases(sqlite::Statement& q) {
  std::vector<CaseRow> out;
  if (auto st = q.ForEach([&] {
        auto row = ReadCase(q);
        if (!row) return Status(row.error());
        out.push_back(std::move(*row));
        return Status::Ok();
      });
      !st) {
    return st.error();
  }
  return out;
}

}  // namespace sealdrop::console
