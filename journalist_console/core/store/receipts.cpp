// ConsoleStore's import receipts (docs/console.md §3 "Receipts"): which imported items the server
// may not yet have deleted.
#include <set>

#include "journalist_console/core/store/console_store.h"

namespace sealdrop::console {

// REQUIRES: inside AddCases' transaction, so a case and its receipt duty commit together.
Status ConsoleStore::RecordImported(const std::string& id, const std::string& pull_day) {
  auto q = db_.Prepare("INSERT INTO imported (id, pull_day, confirmed_day) VALUES (?, ?, '')");
  if (!q) return q.error();
  return q->Bind(1, id).Bind(2, pull_day).Run();
}

Result<std::size_t> ConsoleStore::ConfirmReceipted(const std::string& pull_day,
                                                   const std::vector<std::string>& listed) {
  const std::set<std::string> in_bundle(listed.begin(), listed.end());
  auto tx = sqlite::Transaction::Begin(db_);  // rolls back on every early return
  if (!tx) return tx.error();
  // Strictly earlier pulls only: a pull of the same day may have been written before the item
  // reached the server.
  std::vector<std::string> confirmed;
  {
    auto q = db_.Prepare("SELECT id FROM imported WHERE confirmed_day = '' AND pull_day < ?");
    if (!q) return q.error();
    if (auto st = q->Bind(1, pull_day).ForEach([&] {
          std::string id = q->Text(0);
          if (!in_bundle.count(id)) confirmed.push_back(std::move(id));
          return Status::Ok();
        });
        !st) {
      return st.error();
    }
  }
  for (const auto& id : confirmed) {
    auto up = db_.Prepare("UPDATE imported SET confirmed_day = ? WHERE id = ?");
    if (!up) return up.error();
    if (auto st = up->Bind(1, pull_day).Bind(2, id).Run(); !st) return st.error();
  }
  if (auto st = tx->Commit(); !st) return st.error();
  return confirmed.size();
}

Result<std::vector<std::string>> ConsoleStore::UnconfirmedImports(std::size_t limit) const {
  auto q = db_.Prepare(
      "SELECT id FROM imported WHERE confirmed_day = '' ORDER BY pull_day, id LIMIT ?");
  if (!q) return q.error();
  std::vector<std::string> out;
  if (auto st = q->BindInt64(1, static_cast<std::int64_t>(limit)).ForEach([&] {
        out.push_back(q->Text(0));
        return Status::Ok();
      });
      !st) {
    return st.error();
  }
  return out;
}

}  // namespace sealdrop::console
