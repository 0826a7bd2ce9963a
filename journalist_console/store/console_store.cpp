#include "journalist_console/store/console_store.h"

#include "journalist_console/store/console_schema.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
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

CaseRow ReadCase(Statement& s) {
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

// Every row of `q` through ReadCase; an error unless the query read to its end.
Result<std::vector<CaseRow>> ReadCases(Statement& q) {
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

constexpr const char* kCaseColumns =
    "id, kind, received_day, sent_day, source_ref, category, urgent, status, outcome, summary";

std::string Actor() {
  const char* user = std::getenv("USER");
  if (!user || !*user) user = std::getenv("LOGNAME");
  std::string a = user && *user ? user : "unknown";
  for (char& c : a) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return a.substr(0, 64);
}

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

Result<std::unique_ptr<ConsoleStore>> ConsoleStore::Init(const std::string& dir) {
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
  if (auto st = store->Audit("init", "", ""); !st) return st.error();
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
    q->Bind(1, r.id).Bind(2, r.kind).Bind(3, r.received_day).Bind(4, r.sent_day);
    q->Bind(5, r.source_ref).Bind(6, r.category).BindInt64(7, r.urgent ? 1 : 0);
    q->Bind(8, r.status).Bind(9, r.outcome).Bind(10, r.summary);
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

Status ConsoleStore::AddTriage(const std::string& id, const std::string& day,
                               const std::string& outcome,
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
  auto ins = db_.Prepare("INSERT INTO triage (seq, case_id, day, outcome, note) VALUES (?,?,?,?,?)");
  if (!ins) return ins.error();
  ins->BindInt64(1, seq).Bind(2, id).Bind(3, day).Bind(4, outcome).Bind(5, seal(seq));
  if (auto st = ins->Run(); !st) return st;
  auto up = db_.Prepare("UPDATE cases SET outcome = ?, status = 'triaged' WHERE id = ?");
  if (!up) return up.error();
  if (auto st = up->Bind(1, outcome).Bind(2, id).Run(); !st) return st;
  return tx->Commit();
}

Result<std::vector<TriageRow>> ConsoleStore::Triage(const std::string& id) const {
  auto q = db_.Prepare("SELECT day, outcome, note, seq FROM triage WHERE case_id = ? ORDER BY seq");
  if (!q) return q.error();
  std::vector<TriageRow> out;
  if (auto st = q->Bind(1, id).ForEach([&] {
        out.push_back({q->Int64(3), q->Text(0), q->Text(1), q->Blob(2)});
        return Status::Ok();
      });
      !st) {
    return st.error();
  }
  return out;
}

Status ConsoleStore::SetStatus(const std::string& id, const std::string& status) {
  auto q = db_.Prepare("UPDATE cases SET status = ? WHERE id = ?");
  if (!q) return q.error();
  return q->Bind(1, status).Bind(2, id).Run();
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

Status ConsoleStore::Audit(const std::string& action, const std::string& item,
                           const std::string& detail) {
  AuditEntry e;
  e.at = NowUtcTimestamp();
  e.actor = Actor();
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

// ---------------------------------------------------------------------------------------------
// Import receipts: which imported items the server may not yet have deleted. Kept apart from the
// case queries above; every step's result is checked.

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

// Follow-ups unread, risk raised by a follow-up, deliveries (schema version 2: console_schema.h).


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
    if (r.kind != "followup") continue;
    auto ins = db_.Prepare("INSERT INTO followup_unread (id) VALUES (?)");
    if (!ins) return ins.error();
    if (auto st = ins->Bind(1, r.id).Run(); !st) return st;
  }
  // A follow-up saying someone is at risk raises its report, whichever of the two came first.
  for (const auto& r : rows) {
    if (r.source_ref.empty()) continue;
    if (r.kind == "followup" && r.urgent) {
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
    } else if (r.kind == "report" && !r.urgent) {
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
