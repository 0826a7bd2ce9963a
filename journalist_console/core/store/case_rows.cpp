#include "journalist_console/core/store/case_rows.h"

namespace sealdrop::console {
namespace {

CaseRow ReadCase(sqlite::Statement& s) {
  CaseRow r;
  r.id = s.Text(0);
  r.kind = s.Text(1);
  r.received_day = s.Text(2);
  r.sent_day = s.Text(3);
  r.source_ref = s.Text(4);
  r.category = s.Text(5);
  r.urgent = s.Int64(6) != 0;
  r.status = s.Text(7);
  r.outcome = s.Text(8);
  r.summary = s.Blob(9);
  return r;
}

}  // namespace

Result<std::vector<CaseRow>> ReadCases(sqlite::Statement& q) {
  std::vector<CaseRow> out;
  if (auto st = q.ForEach([&] {
        out.push_back(ReadCase(q));
        return Status::Ok();
      });
      !st) {
    return st.error();
  }
  return out;
}

}  // namespace sealdrop::console
