// ConsoleStore's follow-up bookkeeping (schema version 2, console_schema.h): the follow-ups not
// yet shown to an officer, and the cases a follow-up's "someone is at risk" raised.
#include "journalist_console/core/store/case_rows.h"
#include "journalist_console/core/store/console_store.h"

namespace sealdrop::console {

Status ConsoleStore::RaiseIfCalmLocked(const std::string& report_id, const CaseRow& followup,
                                       std::vector<RiskRaise>* raised) {
  auto up = db_.Prepare("UPDATE cases SET urgent = 1 WHERE id = ? AND kind = 'report' AND urgent = 0");
  if (!up) return up.error();
  if (auto st = up->Bind(1, report_id).Run(); !st) return st;
  if (db_.Changes() != 1) return Status::Ok();  // already at risk
  auto ins = db_.Prepare("INSERT INTO risk_raised (case_id, day, followup_id) VALUES (?, ?, ?)");
  if (!ins) return ins.error();
  if (auto st = ins->Bind(1, report_id).Bind(2, followup.sent_day).Bind(3, followup.id).Run(); !st) {
    return st;
  }
  if (raised) raised->push_back({report_id, followup.sent_day, followup.id});
  return Status::Ok();
}

// REQUIRES: inside AddCases' transaction, after `rows` were inserted.
Status ConsoleStore::MarkUnreadAndRaiseLocked(const std::vector<CaseRow>& rows,
                                              std::vector<RiskRaise>* raised) {
  for (const auto& r : rows) {
    if (r.kind != CaseKind::kFollowUp) continue;
    auto ins = db_.Prepare("INSERT INTO followup_unread (id) VALUES (?)");
    if (!ins) return ins.error();
    if (auto st = ins->Bind(1, r.id).Run(); !st) return st;
  }
  // A follow-up saying someone is at risk raises its report, whichever of the two came first.
  for (const auto& r : rows) {
    if (r.source_ref.empty()) continue;
    if (r.kind == CaseKind::kFollowUp && r.urgent) {
      auto q = db_.Prepare(
          "SELECT id FROM cases WHERE kind = 'report' AND source_ref = ? AND urgent = 0 ORDER BY id");
      if (!q) return q.error();
      std::vector<std::string> reports;
      if (auto st = q->Bind(1, r.source_ref).ForEach([&] {
            reports.push_back(q->Text(0));
            return Status::Ok();
          });
          !st) {
        return st;
      }
      for (const auto& id : reports) {
        if (auto st = RaiseIfCalmLocked(id, r, raised); !st) return st;
      }
    } else if (r.kind == CaseKind::kReport && !r.urgent) {
      auto q = db_.Prepare(std::string("SELECT ") + kCaseColumns +
                           " FROM cases WHERE kind = 'followup' AND source_ref = ? AND urgent = 1 "
                           "ORDER BY sent_day, id LIMIT 1");
      if (!q) return q.error();
      q->Bind(1, r.source_ref);
      auto found = ReadCases(*q);
      if (!found) return found.error();
      if (found->empty()) continue;
      if (auto st = RaiseIfCalmLocked(r.id, found->front(), raised); !st) return st;
    }
  }
  return Status::Ok();
}

Result<std::map<std::string, std::size_t>> ConsoleStore::UnreadFollowUpCounts() const {
  return CountsBySource(
      "SELECT c.source_ref, COUNT(*) FROM followup_unread u JOIN cases c ON c.id = u.id "
      "GROUP BY c.source_ref");
}

Result<std::vector<std::string>> ConsoleStore::UnreadFollowUps() const {
  auto q = db_.Prepare("SELECT id FROM followup_unread ORDER BY id");
  if (!q) return q.error();
  std::vector<std::string> out;
  if (auto st = q->ForEach([&] {
        out.push_back(q->Text(0));
        return Status::Ok();
      });
      !st) {
    return st.error();
  }
  return out;
}

Status ConsoleStore::MarkFollowUpsRead(const std::vector<std::string>& ids) {
  if (ids.empty()) return Status::Ok();
  auto tx = sqlite::Transaction::Begin(db_);
  if (!tx) return tx.error();
  for (const auto& id : ids) {
    auto q = db_.Prepare("DELETE FROM followup_unread WHERE id = ?");
    if (!q) return q.error();
    if (auto st = q->Bind(1, id).Run(); !st) return st;  // rolls back
  }
  return tx->Commit();
}

Result<std::map<std::string, RiskRaise>> ConsoleStore::RiskRaises() const {
  auto q = db_.Prepare("SELECT case_id, day, followup_id FROM risk_raised");
  if (!q) return q.error();
  std::map<std::string, RiskRaise> out;
  if (auto st = q->ForEach([&] {
        RiskRaise r{q->Text(0), q->Text(1), q->Text(2)};
        out[r.case_id] = r;
        return Status::Ok();
      });
      !st) {
    return st.error();
  }
  return out;
}

}  // namespace sealdrop::console
