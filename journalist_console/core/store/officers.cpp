// ConsoleStore's officer register (docs/console.md §5): who may sign in, added by whom and when.
#include "journalist_console/core/store/console_store.h"

namespace sealdrop::console {

Result<std::vector<OfficerRow>> ConsoleStore::Officers() const {
  auto q = db_.Prepare(
      "SELECT name, role, added_day, added_by, removed_day FROM officers ORDER BY name");
  if (!q) return q.error();
  std::vector<OfficerRow> out;
  if (auto st = q->ForEach([&] {
        out.push_back({.name = q->Text(0), .role = q->Text(1), .added_day = q->Text(2),
                       .added_by = q->Text(3), .removed_day = q->Text(4)});
        return Status::Ok();
      });
      !st) {
    return st.error();
  }
  return out;
}

Status ConsoleStore::AddOfficer(const OfficerRow& row) {
  auto q = db_.Prepare(
      "INSERT INTO officers (name, role, added_day, added_by, removed_day) VALUES (?,?,?,?,'') "
      "ON CONFLICT(name) DO UPDATE SET role = excluded.role, added_day = excluded.added_day, "
      "added_by = excluded.added_by, removed_day = ''");
  if (!q) return q.error();
  return q->Bind(1, row.name).Bind(2, row.role).Bind(3, row.added_day).Bind(4, row.added_by).Run();
}

Status ConsoleStore::MarkOfficerRemoved(const std::string& name, const std::string& day) {
  auto q = db_.Prepare("UPDATE officers SET removed_day = ? WHERE name = ?");
  if (!q) return q.error();
  return q->Bind(1, day).Bind(2, name).Run();
}

}  // namespace sealdrop::console
