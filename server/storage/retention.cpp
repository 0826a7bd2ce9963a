// SealedStore's retention: how long a reporter's conversation (their `sources` row and the
// replies addressed to them) stays on the server without activity, and a reporter deleting the
// replies they have read. Spec: docs/server.md "Retention". Every SQLite step is checked; rows go
// in one transaction, then their blobs (a blob left by a crash names no row and is removed at the
// next start).
#include <unistd.h>

#include <cerrno>
#include <set>

#include "common/clock.h"
#include "common/sqlite.h"
#include "crypto/keys.h"
#include "server/storage/store.h"

namespace sealdrop::server {

Status SealedStore::TouchSource(const std::array<std::uint8_t, 32>& lookup, const std::string& day) {
  if (!IsValidDay(day)) Die("SealedStore: bad day");
  std::lock_guard lock(mu_);
  auto q = db_.Prepare(
      "UPDATE sources SET active_month = ?1 WHERE lookup_id = ?2 AND active_month < ?1");
  if (!q) return q.error();
  if (auto st = q->Bind(1, MonthOf(day)).Bind(2, lookup).Run(); !st) return st;
  if (db_.Changes() > 0) Tidy();
  return Status::Ok();
}

Status SealedStore::UnlinkThenTidy(const std::vector<std::string>& ids) {
  if (ids.empty()) return Status::Ok();
  const Status removed = files_.Remove(ids);
  Tidy();  // the rows went in any case: their traces in the index go now
  return removed;
}

Result<std::size_t> SealedStore::DeleteReplies(const std::array<std::uint8_t, 32>& lookup,
                                               const std::vector<std::string>& ids) {
  std::vector<std::string> deleted;
  {
    std::lock_guard lock(mu_);
    auto tx = sqlite::Transaction::Begin(db_);  // rolls back on every early return
    if (!tx) return tx.error();
    for (const auto& id : std::set<std::string>(ids.begin(), ids.end())) {
      if (!IsValidItemId(id)) continue;  // nothing of this reporter's can have such a name
      auto del = db_.Prepare("DELETE FROM items WHERE id = ? AND kind = 'reply' AND lookup_id = ?");
      if (!del) return del.error();
      if (auto st = del->Bind(1, id).Bind(2, lookup).Run(); !st) return st.error();
      if (db_.Changes() > 0) deleted.push_back(id);
    }
    if (auto st = tx->Commit(); !st) return st.error();
    if (auto st = UnlinkThenTidy(deleted); !st) return st.error();
  }
  return deleted.size();
}

Result<RetentionOutcome> SealedStore::ForgetInactiveSources(const std::string& before_day) {
  if (!IsValidDay(before_day)) Die("SealedStore: bad day");
  const std::string before_month = MonthOf(before_day);
  RetentionOutcome outcome;
  std::vector<std::string> replies;
  {
    std::lock_guard lock(mu_);
    auto tx = sqlite::Transaction::Begin(db_);  // rolls back on every early return
    if (!tx) return tx.error();
    {
      // The blobs removed below are these: the list must be whole, or nothing is deleted.
      auto q = db_.Prepare(
          "SELECT i.id FROM items i JOIN sources s ON s.lookup_id = i.lookup_id "
          "WHERE i.kind = 'reply' AND s.active_month < ?");
      if (!q) return q.error();
      if (auto st = q->Bind(1, before_month).ForEach([&]() -> Status {
            if (q->IsNull(0)) return MakeError(ErrorCode::kMalformed, "index database: retention: a reply without an id");
            replies.push_back(q->Text(0));
            return Status::Ok();
          });
          !st) {
        return st.error();
      }
    }
    auto del_items = db_.Prepare(
        "DELETE FROM items WHERE kind = 'reply' AND lookup_id IN "
        "(SELECT lookup_id FROM sources WHERE active_month < ?)");
    if (!del_items) return del_items.error();
    if (auto st = del_items->Bind(1, before_month).Run(); !st) return st.error();
    if (static_cast<std::size_t>(db_.Changes()) != replies.size()) {
      return MakeError(ErrorCode::kIo, "index database: retention: the replies changed while deleting");
    }
    auto del_sources = db_.Prepare("DELETE FROM sources WHERE active_month < ?");
    if (!del_sources) return del_sources.error();
    if (auto st = del_sources->Bind(1, before_month).Run(); !st) return st.error();
    outcome.sources = static_cast<std::size_t>(db_.Changes());
    if (auto st = tx->Commit(); !st) return st.error();
    if (outcome.sources > 0) {
      if (auto st = UnlinkThenTidy(replies); !st) return st.error();
    }
  }
  outcome.replies = replies.size();
  return outcome;
}

}  // namespace sealdrop::server
