#include "server/storage/store.h"

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <set>

#include "crypto/directory.h"
#include "crypto/keys.h"
#include "server/log.h"
#include "server/storage/index_schema.h"

namespace sealdrop::server {
namespace {

ItemKind KindFromName(const std::string& name) {
  if (name == "followup") return ItemKind::kFollowUp;
  if (name == "reply") return ItemKind::kReply;
  return ItemKind::kReport;
}

}  // namespace

const char* ItemKindName(ItemKind kind) {
  switch (kind) {
    case ItemKind::kReport: return "report";
    case ItemKind::kFollowUp: return "followup";
    case ItemKind::kReply: return "reply";
  }
  return "report";
}

bool IsValidItemId(const std::string& id) {
  if (id.size() != 32) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<std::unique_ptr<SealedStore>> SealedStore::Open(const std::string& data_dir,
                                                       RecoveryReport* report) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir + "/blobs", ec);
  if (ec) return MakeError(ErrorCode::kIo, "cannot create the data directory: " + ec.message());
  ::chmod(data_dir.c_str(), 0700);
  ::chmod((data_dir + "/blobs").c_str(), 0700);
  auto db = sqlite::Database::Open(data_dir + "/index.sqlite", sqlite::OpenMode::kReadWriteCreate,
                                   "index database", /*serialized=*/true);
  if (!db) return db.error();
  std::unique_ptr<SealedStore> store(new SealedStore(data_dir, std::move(*db)));
  if (auto st = store->db_.SetBusyTimeout(5000); !st) return st.error();
  // No write-ahead log: it would keep every change in arrival order until overwritten. The
  // rollback journal is emptied at each commit; VACUUM runs in memory, never in a temp file.
  if (auto st = store->SetJournalMode(); !st) return st.error();
  if (auto st = store->db_.Exec("PRAGMA synchronous=FULL; PRAGMA secure_delete=ON; "
                                "PRAGMA temp_store=MEMORY;");
      !st) {
    return st.error();
  }
  if (auto st = MigrateIndex(store->db_); !st) return st.error();
  RecoveryReport local;
  if (auto st = store->Recover(report ? *report : local); !st) return st.error();
  if (auto st = store->files_.Replenish(); !st) return st.error();
  std::lock_guard lock(store->mu_);
  store->Tidy();
  return store;
}

Status SealedStore::SetJournalMode() {
  auto q = db_.Prepare("PRAGMA journal_mode=TRUNCATE");
  if (!q) return q.error();
  std::string mode;
  if (auto st = q->ForEach([&] {
        mode = q->Text(0);
        return Status::Ok();
      });
      !st) {
    return st;
  }
  // SQLite leaves WAL mode only when no other connection has the index open.
  if (mode != "truncate") {
    return MakeError(ErrorCode::kIo, "index database: cannot leave journal mode '" + mode +
                                         "' (is another process using it?)");
  }
  return Status::Ok();
}

Result<std::unique_ptr<SealedStore>> SealedStore::OpenReadOnly(const std::string& data_dir) {
  const std::string path = data_dir + "/index.sqlite";
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return MakeError(ErrorCode::kNotFound, data_dir + " holds no SealDrop index");
  }
  // A read-only connection must not leave files of another user (root) beside the index: the
  // server could not then open its own index (an older store's WAL side files, a journal).
  if (st.st_uid != ::geteuid()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "run this as the user that owns " + path + " (for example sudo -u USER)");
  }
  auto db = sqlite::Database::Open(path, sqlite::OpenMode::kReadOnly, "index database",
                                   /*serialized=*/true);
  if (!db) return db.error();
  if (auto busy = db->SetBusyTimeout(5000); !busy) return busy.error();
  return std::unique_ptr<SealedStore>(new SealedStore(data_dir, std::move(*db)));
}

SealedStore::~SealedStore() = default;

Status SealedStore::Recover(RecoveryReport& report) {
  // Blobs are removed on the strength of this list: it must be the whole table, so any read
  // error stops recovery before anything is deleted.
  std::set<std::string> rows;
  {
    auto q = db_.Prepare("SELECT id FROM items");
    if (!q) return q.error();
    if (auto st = q->ForEach([&] {
          rows.insert(q->Text(0));
          return Status::Ok();
        });
        !st) {
      return st;
    }
  }
  auto adopted = files_.Adopt(rows);
  if (!adopted) return adopted.error();
  report.temp_files_removed += adopted->removed;
  report.orphan_blobs_removed += adopted->wiped;
  for (const auto& r : rows) {
    // An item's envelope is never empty: an empty file is a spare whose upload never finished.
    struct stat st {};
    if (::lstat(BlobPath(r).c_str(), &st) == 0 && st.st_size > 0) continue;
    auto del = db_.Prepare("DELETE FROM items WHERE id = ?");
    if (!del) return del.error();
    if (auto st2 = del->Bind(1, r).Run(); !st2) return st2;
    ++report.rows_without_blob_removed;
  }
  return Status::Ok();
}

void SealedStore::Tidy() {
  if (auto st = db_.Exec("VACUUM"); !st) log::WarnRepeated("index compaction failed");
  if (auto st = files_.Settle(); !st) log::WarnRepeated("settling blob times failed");
}

Status SealedStore::ReplenishSpares() {
  if (auto st = files_.Replenish(); !st) return st;
  std::lock_guard lock(mu_);
  Tidy();
  return Status::Ok();
}

Result<PendingBlob> SealedStore::Begin(const std::string& chosen_id) {
  auto writer = files_.Take(chosen_id);
  if (!writer) return writer.error();
  return PendingBlob(std::move(*writer));
}

Status SealedStore::Commit(PendingBlob blob, ItemRow row, const SourceRow* new_source,
                           const UsedForm* used_form, const RecordEdit* record_edit) {
  if (!IsValidForceCode(row.force) || !IsValidDay(row.day)) Die("SealedStore: bad row");
  if (new_source && (!IsValidForceCode(new_source->force) || !IsValidDay(new_source->day))) {
    Die("SealedStore: bad source row");
  }
  if (auto st = blob.writer_->Sync(); !st) return st;
  std::lock_guard lock(mu_);
  // On any failure below the transaction is rolled back (Transaction's destructor) and the blob,
  // never kept, is emptied back into the spares: the item never became visible.
  auto tx = sqlite::Transaction::Begin(db_);
  if (!tx) return tx.error();
  if (used_form) {
    if (auto st = RecordUsedForm(*used_form); !st) return st.error();
  }
  if (new_source) {
    auto src = db_.Prepare(
        "INSERT INTO sources (lookup_id, force, active_month) VALUES (?, ?, ?)");
    if (!src) return src.error();
    src->Bind(1, new_source->lookup_id).Bind(2, new_source->force);
    src->Bind(3, MonthOf(new_source->day));
    if (auto st = src->Run(); !st) {
      if (st.error().code == ErrorCode::kAlreadyExists) {
        return MakeError(ErrorCode::kAlreadyExists, "source already registered");
      }
      return st.error();
    }
  }
  auto ins = db_.Prepare(
      "INSERT INTO items (id, force, day, size, kind, lookup_id) VALUES (?, ?, ?, ?, ?, ?)");
  if (!ins) return ins.error();
  ins->Bind(1, blob.id()).Bind(2, row.force).Bind(3, row.day);
  ins->BindInt64(4, static_cast<std::int64_t>(row.size)).Bind(5, ItemKindName(row.kind));
  if (row.lookup_id) {
    ins->Bind(6, *row.lookup_id);
  } else {
    ins->BindNull(6);
  }
  if (auto st = ins->Run(); !st) return st.error();
  if (row.kind == ItemKind::kReply && row.lookup_id) {
    // A reply keeps its reporter's conversation alive: they have a whole retention period to read it.
    auto touch = db_.Prepare(
        "UPDATE sources SET active_month = ?1 WHERE lookup_id = ?2 AND active_month < ?1");
    if (!touch) return touch.error();
    touch->Bind(1, MonthOf(row.day)).Bind(2, *row.lookup_id);
    if (auto st = touch->Run(); !st) return st.error();
  }
  if (record_edit) {
    if (auto st = EditRecord(*record_edit, blob.id()); !st) return st.error();
  }
  if (auto st = tx->Commit(); !st) return st.error();
  blob.writer_->Keep();
  Tidy();
  return Status::Ok();
}

Status SealedStore::EditRecord(const RecordEdit& record_edit, const std::string& item_id) {
  auto q = db_.Prepare("SELECT record FROM sources WHERE lookup_id = ?");
  if (!q) return q.error();
  auto step = q->Bind(1, record_edit.lookup_id).Next();
  if (!step) return step.error();
  if (*step == sqlite::Statement::Step::kDone) return Status::Ok();
  const std::vector<std::uint8_t> current = q->Blob(0);
  if (auto done = q->Next(); !done) return done.error();
  auto edited = record_edit.edit(item_id, current);
  if (!edited) return Status::Ok();
  auto up = db_.Prepare("UPDATE sources SET record = ? WHERE lookup_id = ?");
  if (!up) return up.error();
  return up->Bind(1, *edited).Bind(2, record_edit.lookup_id).Run();
}

Result<std::vector<std::uint8_t>> SealedStore::SourceRecord(const std::array<std::uint8_t, 32>& lookup) const {
  std::lock_guard lock(mu_);
  auto q = db_.Prepare("SELECT record FROM sources WHERE lookup_id = ?");
  if (!q) return q.error();
  auto step = q->Bind(1, lookup).Next();
  if (!step) return step.error();
  if (*step == sqlite::Statement::Step::kDone) return MakeError(ErrorCode::kNotFound, "no such source");
  std::vector<std::uint8_t> record = q->Blob(0);
  if (auto done = q->Next(); !done) return done.error();
  return record;
}

Status SealedStore::RecordUsedForm(const UsedForm& form) {
  if (!IsValidDay(form.day) || !IsValidDay(form.forget_before)) Die("SealedStore: bad day");
  auto forget = db_.Prepare("DELETE FROM used_forms WHERE day < ?");
  if (!forget) return forget.error();
  if (auto st = forget->Bind(1, form.forget_before).Run(); !st) return st;
  auto ins = db_.Prepare("INSERT INTO used_forms (key, day) VALUES (?, ?)");
  if (!ins) return ins.error();
  if (auto st = ins->Bind(1, form.key).Bind(2, form.day).Run(); !st) {
    if (st.error().code == ErrorCode::kAlreadyExists) {
      return MakeError(ErrorCode::kExpired, "form already used");
    }
    return st;
  }
  return Status::Ok();
}

Result<bool> SealedStore::FormUsed(const std::array<std::uint8_t, 16>& key) const {
  std::lock_guard lock(mu_);
  auto q = db_.Prepare("SELECT 1 FROM used_forms WHERE key = ?");
  if (!q) return q.error();
  auto step = q->Bind(1, key).Next();
  if (!step) return step.error();
  return *step == sqlite::Statement::Step::kRow;
}

Result<std::string> SealedStore::SourceForce(const std::array<std::uint8_t, 32>& lookup) const {
  std::lock_guard lock(mu_);
  auto q = db_.Prepare("SELECT force FROM sources WHERE lookup_id = ?");
  if (!q) return q.error();
  auto step = q->Bind(1, lookup).Next();
  if (!step) return step.error();
  if (*step == sqlite::Statement::Step::kDone) {
    return MakeError(ErrorCode::kNotFound, "no such source");
  }
  std::string force = q->Text(0);
  if (auto done = q->Next(); !done) return done.error();  // a column read failure, if any
  return force;
}

Result<std::vector<ItemRow>> SealedStore::Query(const char* sql, const std::string* text,
                                                const std::array<std::uint8_t, 32>* blob) const {
  std::lock_guard lock(mu_);
  auto q = db_.Prepare(sql);
  if (!q) return q.error();
  if (text) q->Bind(1, *text);
  if (blob) q->Bind(1, *blob);
  std::vector<ItemRow> out;
  if (auto st = q->ForEach([&] {
        ItemRow r;
        r.id = q->Text(0);
        r.force = q->Text(1);
        r.day = q->Text(2);
        r.size = static_cast<std::uint64_t>(q->Int64(3));
        r.kind = KindFromName(q->Text(4));
        if (const auto lookup = q->Blob(5); lookup.size() == 32) {
          std::array<std::uint8_t, 32> id{};
          std::memcpy(id.data(), lookup.data(), 32);
          r.lookup_id = id;
        }
        out.push_back(std::move(r));
        return Status::Ok();
      });
      !st) {
    return st.error();
  }
  return out;
}

Result<std::vector<ItemRow>> SealedStore::ListForForce(const std::string& force) const {
  return Query("SELECT id, force, day, size, kind, lookup_id FROM items WHERE force = ? "
               "AND kind != 'reply' ORDER BY day, id",
               &force, nullptr);
}

Result<std::vector<ItemRow>> SealedStore::ListForLookup(
    const std::array<std::uint8_t, 32>& lookup) const {
  return Query("SELECT id, force, day, size, kind, lookup_id FROM items WHERE lookup_id = ? "
               "AND kind = 'reply' ORDER BY day, id",
               nullptr, &lookup);
}

Status SealedStore::MoveSource(const std::array<std::uint8_t, 32>& lookup,
                               const std::string& from, const std::string& to) {
  if (!IsValidForceCode(to)) Die("SealedStore: bad force code");
  std::lock_guard lock(mu_);
  auto q = db_.Prepare("UPDATE sources SET force = ? WHERE lookup_id = ? AND force = ?");
  if (!q) return q.error();
  if (auto st = q->Bind(1, to).Bind(2, lookup).Bind(3, from).Run(); !st) return st;
  if (db_.Changes() == 0) return MakeError(ErrorCode::kNotFound, "no such source here");
  Tidy();
  return Status::Ok();
}

Result<ItemRow> SealedStore::Get(const std::string& id) const {
  if (!IsValidItemId(id)) return MakeError(ErrorCode::kNotFound, "no such item");
  auto rows = Query("SELECT id, force, day, size, kind, lookup_id FROM items WHERE id = ?", &id,
                    nullptr);
  if (!rows) return rows.error();
  if (rows->empty()) return MakeError(ErrorCode::kNotFound, "no such item");
  return std::move(rows->front());
}

std::string SealedStore::BlobPath(const std::string& id) const {
  if (!IsValidItemId(id)) Die("SealedStore: bad item id");
  return files_.Path(id);
}

Status SealedStore::Delete(const std::string& id) {
  if (!IsValidItemId(id)) return MakeError(ErrorCode::kInvalidArgument, "bad item id");
  {
    std::lock_guard lock(mu_);
    auto del = db_.Prepare("DELETE FROM items WHERE id = ?");
    if (!del) return del.error();
    if (auto st = del->Bind(1, id).Run(); !st) return st;
    if (db_.Changes() == 0) return MakeError(ErrorCode::kNotFound, "no such item");
    return UnlinkThenTidy({id});
  }
}

Result<std::size_t> SealedStore::Count() const {
  std::lock_guard lock(mu_);
  auto q = db_.Prepare("SELECT COUNT(*) FROM items");
  if (!q) return q.error();
  std::int64_t count = -1;
  if (auto st = q->ForEach([&] {
        count = q->Int64(0);
        return Status::Ok();
      });
      !st) {
    return st.error();
  }
  if (count < 0) return MakeError(ErrorCode::kIo, "index database: count: no result");
  return static_cast<std::size_t>(count);
}

// ---------------------------------------------------------------------------------------------
// Import receipts and the operator's view of what waits: kept apart from the item life cycle
// above so that each query is easy to find and check.

Result<ReceiptOutcome> SealedStore::DeleteReceipted(const std::string& force,
                                                    const std::vector<std::string>& ids) {
  if (!IsValidForceCode(force)) Die("SealedStore: bad force code");
  for (const auto& id : ids) {
    if (!IsValidItemId(id)) return MakeError(ErrorCode::kInvalidArgument, "bad item id");
  }
  ReceiptOutcome outcome;
  std::vector<std::string> deleted;
  {
    std::lock_guard lock(mu_);
    auto tx = sqlite::Transaction::Begin(db_);  // rolls back on every early return
    if (!tx) return tx.error();
    for (const auto& id : ids) {
      auto del = db_.Prepare("DELETE FROM items WHERE id = ? AND force = ? AND kind != 'reply'");
      if (!del) return del.error();
      if (auto st = del->Bind(1, id).Bind(2, force).Run(); !st) return st.error();
      if (db_.Changes() > 0) {
        deleted.push_back(id);
      } else {
        ++outcome.gone;
      }
    }
    if (auto st = tx->Commit(); !st) return st.error();
    // The rows are gone for good: now the blobs. One left behind (an I/O error) names no row and
    // is emptied by the next start's recovery; it is already unreachable.
    if (auto st = UnlinkThenTidy(deleted); !st) return st.error();
  }
  outcome.deleted = deleted.size();
  return outcome;
}

Result<std::vector<ForceBacklog>> SealedStore::WaitingByForce() const {
  std::lock_guard lock(mu_);
  auto q = db_.Prepare(
      "SELECT force, COUNT(*), MIN(day) FROM items WHERE kind != 'reply' "
      "GROUP BY force ORDER BY force");
  if (!q) return q.error();
  std::vector<ForceBacklog> out;
  if (auto st = q->ForEach([&]() -> Status {
        if (q->IsNull(0) || q->IsNull(2)) {
          return MakeError(ErrorCode::kMalformed, "index database: backlog: a row without a force or day");
        }
        out.push_back({q->Text(0), static_cast<std::size_t>(q->Int64(1)), q->Text(2)});
        return Status::Ok();
      });
      !st) {
    return st.error();
  }
  return out;
}

Result<std::uint64_t> SealedStore::StoredBytes() const {
  std::lock_guard lock(mu_);
  auto q = db_.Prepare("SELECT COALESCE(SUM(size), 0) FROM items WHERE kind != 'reply'");
  if (!q) return q.error();
  std::int64_t total = -1;
  if (auto st = q->ForEach([&] {
        total = q->Int64(0);
        return Status::Ok();
      });
      !st) {
    return st.error();
  }
  if (total < 0) return MakeError(ErrorCode::kIo, "index database: stored bytes: no result");
  return static_cast<std::uint64_t>(total);
}

}  // namespace sealdrop::server
