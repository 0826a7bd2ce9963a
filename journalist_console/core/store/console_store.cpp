#include "journalist_console/core/store/console_store.h"

#include "journalist_console/core/store/case_rows.h"
#include "journalist_console/core/store/console_schema.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "common/clock.h"
#include "common/io.h"
#include "crypto/keys.h"
#include "crypto/signed_request.h"

namespace sealdrop::console {
namespace {

namespace fs = std::filesystem;

using sqlite::Statement;

Result<sqlite::Database> OpenDb(const std::string& path, bool create) {
  auto db = sqlite::Database::Open(
      path, create ? sqlite::OpenMode::kReadWriteCreate : sqlite::OpenMode::kReadWrite,
      "console database");
  if (!db) return db.error();
  if (auto st = db->SetBusyTimeout(5000); !st) return st.error();
  if (auto st = db->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA secure_delete=ON;");
      !st) {
    return st.error();
  }
  return db;
}

}  // namespace

std::string AuditHash(const AuditEntry& e) {
  const std::string text = "SealDrop audit v1\n" + std::to_string(e.seq) + "\n" + e.at + "\n" +
                           e.actor + "\n" + e.action + "\n" + e.item + "\n" + e.detail + "\n" +
                           e.prev;
  return HexEncode(Sha256(AsBytes(text)));
}

Result<std::unique_ptr<ConsoleStore>> ConsoleStore::Init(const std::string& dir,
                                                         const std::string& officer) {
  if (PathExists(dir + "/console.sqlite")) {
    return MakeError(ErrorCode::kAlreadyExists, dir + " already holds a console: refusing to touch it");
  }
  std::error_code ec;
  fs::create_directories(dir + "/sealed", ec);
  if (!ec) fs::create_directories(dir + "/outbox", ec);
  if (ec) return MakeError(ErrorCode::kIo, "cannot create " + dir + ": " + ec.message());
  for (const std::string& d : {dir, dir + "/sealed", dir + "/outbox"}) ::chmod(d.c_str(), 0700);
  // Build the database under a temporary name and link it in place only when complete.
  const std::string temp = dir + "/.console.sqlite.init";
  fs::remove(temp, ec);
  auto db = OpenDb(temp, /*create=*/true);
  if (!db) return db.error();
  std::unique_ptr<ConsoleStore> store(new ConsoleStore(dir, std::move(*db)));
  if (auto st = CreateConsoleSchema(store->db_); !st) return st.error();
  if (auto st = store->Audit(officer, "init", "", ""); !st) return st.error();
  if (auto st = store->db_.Close(); !st) return st.error();
  ::chmod(temp.c_str(), 0600);
  if (::link(temp.c_str(), (dir + "/console.sqlite").c_str()) != 0) {
    return MakeError(ErrorCode::kAlreadyExists, dir + " already holds a console: refusing to touch it");
  }
  ::unlink(temp.c_str());
  if (auto st = SyncDirectory(dir); !st) return st.error();
  return Open(dir);
}

Result<std::unique_ptr<ConsoleStore>> ConsoleStore::Open(const std::string& dir) {
  if (!PathExists(dir + "/console.sqlite")) {
    return MakeError(ErrorCode::kNotFound,
                     dir + " is not a console directory (make one with: sealdrop-console init --data " +
                         dir + ")");
  }
  auto db = OpenDb(dir + "/console.sqlite", /*create=*/false);
  if (!db) return db.error();
  std::unique_ptr<ConsoleStore> store(new ConsoleStore(dir, std::move(*db)));
  if (auto st = MigrateConsole(store->db_); !st) return st.error();
  if (auto st = store->RemoveUnreferencedFiles(); !st) return st.error();
  return store;
}

ConsoleStore::~ConsoleStore() = default;

Status ConsoleStore::Exec(const char* sql) { return db_.Exec(sql); }

std::string ConsoleStore::SealedPath(const std::string& id) const { return dir_ + "/sealed/" + id; }
std::string ConsoleStore::OutboxPath(const std::string& id) const { return dir_ + "/outbox/" + id; }

Status ConsoleStore::RemoveUnreferencedFiles() {
  // Files are removed on the strength of these lists: each must be read to its end, so a read
  // error stops here before anything is deleted.
  std::set<std::string> named;
  for (const char* sql : {"SELECT id FROM cases", "SELECT id FROM outbox"}) {
    auto q = db_.Prepare(sql);
    if (!q) return q.error();
    if (auto st = q->ForEach([&] {
          named.insert(q->Text(0));
          return Status::Ok();
        });
        !st) {
      return st;
    }
  }
  for (const char* sub : {"/sealed", "/outbox"}) {
    std::error_code ec;
    for (fs::directory_iterator it(dir_ + sub, ec), end; !ec && it != end; it.increment(ec)) {
      if (named.count(it->path().filename().string())) continue;
      std::error_code rm;
      if (!fs::remove(it->path(), rm) && rm) {
        return MakeError(ErrorCode::kIo, "cannot remove an unreferenced file in " + dir_ + sub +
                                             ": " + rm.message());
      }
    }
    if (ec) return MakeError(ErrorCode::kIo, "cannot list " + dir_ + sub + ": " + ec.message());
  }
  return Status::Ok();
}

Result<std::optional<std::string>> ConsoleStore::GetMeta(const std::string& key) const {
  auto q = db_.Prepare("SELECT value FROM meta WHERE key = ?");
  if (!q) return q.error();
  std::optional<std::string> value;
  if (auto st = q->Bind(1, key).ForEach([&] {
        value = q->Text(0);
        return Status::Ok();
      });
      !st) {
    return st.error();
  }
  return value;
}

Status ConsoleStore::SetMeta(const std::string& key, const std::string& value) {
  auto q = db_.Prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
  if (!q) return q.error();
  return q->Bind(1, key).Bind(2, value).Run();
}

Result<bool> ConsoleStore::HasCase(const std::string& id) const {
  auto q = db_.Prepare("SELECT 1 FROM cases WHERE id = ?");
  if (!q) return q.error();
  bool found = false;
  if (auto st = q->Bind(1, id).ForEach([&] {
        found = true;
        return Status::Ok();
      });
      !st) {
    return st.error();
  }
  return found;
}

Status ConsoleStore::AddCases(const std::vector<CaseRow>& rows, const std::string& pull_day,
                              std::vector<RiskRaise>* raised) {
  auto tx = sqlite::Transaction::Begin(db_);
  if (!tx) return tx.error();
  for (const auto& r : rows) {
    auto q = db_.Prepare(
        "INSERT INTO cases (id, kind, received_day, sent_day, source_ref, category, "
        "urgent, status, outcome, summary) VALUES (?,?,?,?,?,?,?,?,?,?)");
    if (!q) return q.error();
    q->Bind(1, r.id).Bind(2, Name(r.kind)).Bind(3, r.received_day).Bind(4, r.sent_day);
    q->Bind(5, r.source_ref).Bind(6, r.category).BindInt64(7, r.urgent ? 1 : 0);
    q->Bind(8, Name(r.status)).Bind(9, r.outcome).Bind(10, r.summary);
    if (auto st = q->Run(); !st) return st;  // the transaction rolls back
    if (auto st = RecordImported(r.id, pull_day); !st) return st;
  }
  if (auto st = MarkUnreadAndRaiseLocked(rows, raised); !st) return st;  // rolls back
  return tx->Commit();
}

Result<std::vector<CaseRow>> ConsoleStore::Cases() const {
  auto q = db_.Prepare(std::string("SELECT ") + kCaseColumns + " FROM cases");
  if (!q) return q.error();
  return ReadCases(*q);
}

Result<CaseRow> ConsoleStore::FindCase(const std::string& prefix) const {
  if (prefix.size() < 6 || prefix.size() > 32 ||
      prefix.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "a case id is 6 to 32 lower-case hex digits (as `list` shows it)");
  }
  auto q = db_.Prepare(std::string("SELECT ") + kCaseColumns +
                       " FROM cases WHERE id >= ? AND id < ? LIMIT 2");
  if (!q) return q.error();
  q->Bind(1, prefix).Bind(2, prefix + "g");
  auto found = ReadCases(*q);
  if (!found) return found.error();
  if (found->empty()) return MakeError(ErrorCode::kNotFound, "no case " + prefix);
  if (found->size() > 1) return MakeError(ErrorCode::kInvalidArgument, "more than one case starts with " + prefix + ": give more digits");
  return std::move(found->front());
}

Result<std::vector<CaseRow>> ConsoleStore::FollowUps(const std::string& source_ref) const {
  auto q = db_.Prepare(std::string("SELECT ") + kCaseColumns +
                       " FROM cases WHERE source_ref = ? AND kind = 'followup' ORDER BY sent_day, id");
  if (!q) return q.error();
  q->Bind(1, source_ref);
  return ReadCases(*q);
}

// Rows of (source_ref, count) as a map.
Result<std::map<std::string, std::size_t>> ConsoleStore::CountsBySource(const char* sql) const {
  auto q = db_.Prepare(sql);
  if (!q) return q.error();
  std::map<std::string, std::size_t> out;
  if (auto st = q->ForEach([&] {
        out[q->Text(0)] = static_cast<std::size_t>(q->Int64(1));
        return Status::Ok();
      });
      !st) {
    return st.error();
  }
  return out;
}

Result<std::map<std::string, std::size_t>> ConsoleStore::FollowUpCounts() const {
  return CountsBySource(
      "SELECT source_ref, COUNT(*) FROM cases WHERE kind = 'followup' GROUP BY source_ref");
}

Result<std::string> ConsoleStore::SearchableVersion() const {
  auto q = db_.Prepare(
      "SELECT (SELECT COUNT(*) FROM cases) || ':' || (SELECT COUNT(*) FROM triage) || ':' || "
      "(SELECT COUNT(*) FROM outbox)");
  if (!q) return q.error();
  std::string version;
  if (auto st = q->ForEach([&] {
        version = q->Text(0);
        return Status::Ok();
      });
      !st) {
    return st.error();
  }
  return version;
}

Status ConsoleStore::AddTriage(const std::string& id, const std::string& day,
                               const std::string& outcome, const std::string& officer,
                               const std::function<std::vector<std::uint8_t>(std::int64_t)>& seal) {
  auto tx = sqlite::Transaction::Begin(db_);
  if (!tx) return tx.error();
  std::int64_t seq = 1;
  {
    auto q = db_.Prepare("SELECT COALESCE(MAX(seq), 0) + 1 FROM triage");
    if (!q) return q.error();
    if (auto st = q->ForEach([&] {
          seq = q->Int64(0);
          return Status::Ok();
        });
        !st) {
      return st;
    }
  }
  auto ins = db_.Prepare(
      "INSERT INTO triage (seq, case_id, day, outcome, note, officer) VALUES (?,?,?,?,?,?)");
  if (!ins) return ins.error();
  ins->BindInt64(1, seq).Bind(2, id).Bind(3, day).Bind(4, outcome).Bind(5, seal(seq));
  ins->Bind(6, officer);
  if (auto st = ins->Run(); !st) return st;
  auto up = db_.Prepare("UPDATE cases SET outcome = ?, status = 'triaged' WHERE id = ?");
  if (!up) return up.error();
  if (auto st = up->Bind(1, outcome).Bind(2, id).Run(); !st) return st;
  return tx->Commit();
}

Result<std::map<std::string, std::string>> ConsoleStore::FirstTriageDays() const {
  auto q = db_.Prepare("SELECT case_id, MIN(day) FROM triage GROUP BY case_id");
  if (!q) return q.error();
  std::map<std::string, std::string> out;
  if (auto st = q->ForEach([&] {
        out.emplace(q->Text(0), q->Text(1));
        return Status::Ok();
      });
      !st) {
    return st.error();
  }
  return out;
}

Result<std::vector<TriageRow>> ConsoleStore::Triage(const std::string& id) const {
  auto q = db_.Prepare(
      "SELECT day, outcome, note, seq, officer FROM triage WHERE case_id = ? ORDER BY seq");
  if (!q) return q.error();
  std::vector<TriageRow> out;
  if (auto st = q->Bind(1, id).ForEach([&] {
        out.push_back({.seq = q->Int64(3), .day = q->Text(0), .outcome = q->Text(1),
                       .note = q->Blob(2), .officer = q->Text(4)});
        return Status::Ok();
      });
      !st) {
    return st.error();
  }
  return out;
}

Status ConsoleStore::SetStatus(const std::string& id, CaseStatus status) {
  auto q = db_.Prepare("UPDATE cases SET status = ? WHERE id = ?");
  if (!q) return q.error();
  return q->Bind(1, Name(status)).Bind(2, id).Run();
}

Status ConsoleStore::AddOutbox(const OutboxRow& r) {
  auto q = db_.Prepare(
      "INSERT INTO outbox (id, kind, case_id, dest, source, day, exported, text) "
      "VALUES (?,?,?,?,?,?,0,?)");
  if (!q) return q.error();
  q->Bind(1, r.id).Bind(2, r.kind).Bind(3, r.case_id).Bind(4, r.to).Bind(5, r.source);
  q->Bind(6, r.day).Bind(7, r.text);
  return q->Run();
}

Result<std::vector<OutboxRow>> ConsoleStore::Outbox(bool include_exported) const {
  auto q = db_.Prepare(
      std::string("SELECT id, kind, case_id, dest, source, day, exported, text FROM outbox") +
      (include_exported ? "" : " WHERE exported = 0") + " ORDER BY day, id");
  if (!q) return q.error();
  std::vector<OutboxRow> out;
  if (auto st = q->ForEach([&] {
        out.push_back({q->Text(0), q->Text(1), q->Text(2), q->Text(3), q->Text(4), q->Text(5),
                       q->Int64(6) != 0, q->Blob(7)});
        return Status::Ok();
      });
      !st) {
    return st.error();
  }
  return out;
}

Status ConsoleStore::MarkExported(const std::vector<std::string>& ids) {
  auto tx = sqlite::Transaction::Begin(db_);
  if (!tx) return tx.error();
  for (const auto& id : ids) {
    auto q = db_.Prepare("UPDATE outbox SET exported = 1 WHERE id = ?");
    if (!q) return q.error();
    if (auto st = q->Bind(1, id).Run(); !st) return st;  // the transaction rolls back
  }
  return tx->Commit();
}

Status ConsoleStore::Audit(const std::string& officer, const std::string& action,
                           const std::string& item, const std::string& detail) {
  AuditEntry e;
  e.at = NowUtcTimestamp();
  e.actor = officer;
  e.action = action;
  e.item = item;
  e.detail = detail;
  e.prev = std::string(64, '0');
  e.seq = 1;
  {
    // A failed read here must not start a second chain at seq 1: it fails the entry instead.
    auto q = db_.Prepare("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
    if (!q) return q.error();
    if (auto st = q->ForEach([&] {
          e.seq = q->Int64(0) + 1;
          e.prev = q->Text(1);
          return Status::Ok();
        });
        !st) {
      return st;
    }
  }
  e.hash = AuditHash(e);
  auto ins = db_.Prepare(
      "INSERT INTO audit (seq, at, actor, action, item, detail, prev, hash) "
      "VALUES (?,?,?,?,?,?,?,?)");
  if (!ins) return ins.error();
  ins->BindInt64(1, e.seq).Bind(2, e.at).Bind(3, e.actor).Bind(4, e.action).Bind(5, e.item);
  ins->Bind(6, e.detail).Bind(7, e.prev).Bind(8, e.hash);
  return ins->Run();
}

Result<std::vector<AuditEntry>> ConsoleStore::AuditLog() const {
  // `audit verify` says "intact" on the strength of this list: it is the whole chain or an error.
  auto q = db_.Prepare("SELECT seq, at, actor, action, item, detail, prev, hash FROM audit ORDER BY seq");
  if (!q) return q.error();
  std::vector<AuditEntry> out;
  if (auto st = q->ForEach([&] {
        out.push_back({q->Int64(0), q->Text(1), q->Text(2), q->Text(3), q->Text(4), q->Text(5),
                       q->Text(6), q->Text(7)});
        return Status::Ok();
      });
      !st) {
    return st.error();
  }
  return out;
}

}  // namespace sealdrop::console
