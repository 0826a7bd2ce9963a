// ConsoleStore's deliveries (schema version 2, console_schema.h): live forwards, and what the
// server's push results say became of each outbox item.
#include "journalist_console/core/store/console_store.h"

namespace sealdrop::console {

using sqlite::Statement;

Result<std::vector<OutboxRow>> ConsoleStore::LiveForwards(const std::string& case_id,
                                                          const std::string& source_ref) const {
  auto q = db_.Prepare(
      "SELECT o.id, o.kind, o.case_id, o.dest, o.source, o.day, o.exported FROM outbox o "
      "LEFT JOIN delivery d ON d.id = o.id "
      "WHERE o.kind = 'forward' AND (o.case_id = ? OR (o.source = ? AND o.source != '')) "
      "AND COALESCE(d.outcome, '') != 'refused' ORDER BY o.day, o.id");
  if (!q) return q.error();
  std::vector<OutboxRow> out;
  if (auto st = q->Bind(1, case_id).Bind(2, source_ref).ForEach([&] {
        out.push_back({q->Text(0), q->Text(1), q->Text(2), q->Text(3), q->Text(4), q->Text(5),
                       q->Int64(6) != 0, {}});
        return Status::Ok();
      });
      !st) {
    return st.error();
  }
  return out;
}

Result<std::map<std::string, DeliveryRow>> ConsoleStore::Deliveries() const {
  auto q = db_.Prepare("SELECT id, outcome, reason, day, failures FROM delivery");
  if (!q) return q.error();
  std::map<std::string, DeliveryRow> out;
  if (auto st = q->ForEach([&]() -> Status {
        const auto outcome = bundle::PushOutcomeFromName(q->Text(1));
        if (!outcome) {
          return MakeError(ErrorCode::kMalformed, "console database: unknown delivery outcome");
        }
        DeliveryRow d{q->Text(0), *outcome, q->Text(2), q->Text(3), static_cast<int>(q->Int64(4))};
        out[d.id] = d;
        return Status::Ok();
      });
      !st) {
    return st.error();
  }
  return out;
}

// A forward refused for good moved nothing: its case is no longer "forwarded" unless another
// forward of it still stands. REQUIRES: in a transaction, the refusal already recorded.
Status ConsoleStore::UnforwardLocked(const std::string& forward_id) {
  auto q = db_.Prepare(
      "UPDATE cases SET status = CASE WHEN outcome = '' THEN 'new' ELSE 'triaged' END "
      "WHERE status = 'forwarded' AND id = (SELECT case_id FROM outbox WHERE id = ?) "
      "AND NOT EXISTS (SELECT 1 FROM outbox o LEFT JOIN delivery d ON d.id = o.id "
      "WHERE o.kind = 'forward' AND o.case_id = cases.id AND COALESCE(d.outcome, '') != 'refused')");
  if (!q) return q.error();
  return q->Bind(1, forward_id).Run();
}

// One item of a push result; true when it changed something. REQUIRES: in a transaction.
Result<bool> ConsoleStore::ApplyDeliveryLocked(const bundle::PushItemResult& item,
                                               const std::string& day, PushResultEffect& effect) {
  {
    auto q = db_.Prepare("SELECT 1 FROM outbox WHERE id = ? AND kind = ?");
    if (!q) return q.error();
    auto row = q->Bind(1, item.id).Bind(2, item.kind).Next();
    if (!row) return row.error();
    if (*row == Statement::Step::kDone) {
      ++effect.unknown;
      return false;
    }
  }
  DeliveryRow d{item.id, item.outcome, item.reason, day, 0};
  {
    auto q = db_.Prepare("SELECT outcome, failures FROM delivery WHERE id = ?");
    if (!q) return q.error();
    std::optional<bundle::PushOutcome> now;
    bool known = false;
    if (auto st = q->Bind(1, item.id).ForEach([&] {
          known = true;
          now = bundle::PushOutcomeFromName(q->Text(0));
          d.failures = static_cast<int>(q->Int64(1));
          return Status::Ok();
        });
        !st) {
      return st.error();
    }
    if (known && now != bundle::PushOutcome::kRetry) return false;  // delivered and refused are final
  }
  if (d.outcome != bundle::PushOutcome::kDelivered) ++d.failures;
  auto up = db_.Prepare("INSERT OR REPLACE INTO delivery (id, outcome, reason, day, failures) VALUES (?,?,?,?,?)");
  if (!up) return up.error();
  up->Bind(1, d.id).Bind(2, bundle::PushOutcomeName(d.outcome)).Bind(3, d.reason).Bind(4, d.day);
  if (auto st = up->BindInt64(5, d.failures).Run(); !st) return st.error();
  if (d.outcome == bundle::PushOutcome::kRetry) {
    auto back = db_.Prepare("UPDATE outbox SET exported = 0 WHERE id = ?");
    if (!back) return back.error();
    if (auto st = back->Bind(1, d.id).Run(); !st) return st.error();
  }
  if (d.outcome == bundle::PushOutcome::kRefused && item.kind == "forward") {
    if (auto st = UnforwardLocked(d.id); !st) return st.error();
  }
  effect.changed.push_back(std::move(d));
  return true;
}

Result<PushResultEffect> ConsoleStore::ApplyPushResult(const std::string& digest,
                                                       const bundle::PushResult& result) {
  PushResultEffect effect;
  auto tx = sqlite::Transaction::Begin(db_);  // rolls back on every early return
  if (!tx) return tx.error();
  auto seen = db_.Prepare("INSERT OR IGNORE INTO push_results_read (digest) VALUES (?)");
  if (!seen) return seen.error();
  if (auto st = seen->Bind(1, digest).Run(); !st) return st.error();
  if (db_.Changes() == 0) {
    effect.already_read = true;
    if (auto st = tx->Rollback(); !st) return st.error();
    return effect;
  }
  for (const auto& item : result.items) {
    if (auto changed = ApplyDeliveryLocked(item, result.day, effect); !changed) {
      return changed.error();
    }
  }
  if (auto st = tx->Commit(); !st) return st.error();
  return effect;
}

}  // namespace sealdrop::console
