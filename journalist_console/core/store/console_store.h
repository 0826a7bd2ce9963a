// ConsoleStore: the PSD console's state. Spec: docs/console.md.
//
// Layout of the console directory (0700):
//   keyslots         the force key wrapped once per officer (core/officers.h, docs/console.md §5)
//   console.sqlite   SQLite (WAL, synchronous=FULL): cases, triage history, outbox, audit chain,
//                    the officer register
//   sealed/ID        every imported envelope exactly as it arrived: reports stay sealed at rest
//   outbox/ID        sealed replies and forwards waiting for `outbox`
// The `imported` table lists every item imported since receipts began, with the day of the pull
// bundle it came from, until a later pull shows the server deleted it (its receipt came back).
// Values that are content (summaries, notes, reply texts) are stored sealed by FieldSealer; the
// coarse triage fields (kind, days, category, urgency, status, outcome) are in clear so that
// counts need no key.
//
// Files are written (fsync, link) before the rows that name them are committed; Open() removes
// files that no row names, so a crash leaves either the whole import or nothing.
// Not thread-safe: the console is one command at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/sqlite.h"
#include "journalist_console/bundle/push_result.h"
#include "journalist_console/core/store/case_values.h"

namespace sealdrop::console {

struct CaseRow {
  std::string id;            // the server's item id (32 hex)
  CaseKind kind = CaseKind::kReport;
  std::string received_day;  // day of import
  std::string sent_day;      // day the server sealed it
  std::string source_ref;    // the reporter's conversation (64 hex)
  std::string category;      // report form value, "" for follow-ups
  bool urgent = false;       // someone at risk of harm now
  CaseStatus status = CaseStatus::kNew;
  std::string outcome;       // triage outcome, "" until triaged
  std::vector<std::uint8_t> summary;  // sealed (FieldSealer, ad "ID|summary")
};

struct TriageRow {
  std::int64_t seq = 0;
  std::string day;
  std::string outcome;
  std::vector<std::uint8_t> note;  // sealed (ad "ID|note|SEQ")
  std::string officer;             // who recorded it ("" before officers)
};

struct OutboxRow {
  std::string id;       // outbox item id (32 hex)
  std::string kind;     // "reply" | "forward"
  std::string case_id;  // the case it answers or forwards
  std::string to;       // source ref (reply) or force code (forward)
  std::string source;   // forward: the conversation that moves with it
  std::string day;
  bool exported = false;
  std::vector<std::uint8_t> text;  // reply: sealed reply text (ad "ID|reply")
};

// A report raised to at-risk by a follow-up that said someone is at risk of harm now.
struct RiskRaise {
  std::string case_id;      // the report
  std::string day;          // the day the reporter said so (the follow-up's sent day)
  std::string followup_id;  // the follow-up that said it
};

// What the console knows of an outbox item's delivery, from push results (docs/bundle.md §4).
struct DeliveryRow {
  std::string id;  // outbox item id
  bundle::PushOutcome outcome = bundle::PushOutcome::kRetry;
  std::string reason;  // "" when delivered
  std::string day;     // the day of the push that said so
  int failures = 0;    // pushes that did not deliver it
};

// What applying one push result changed.
struct PushResultEffect {
  bool already_read = false;          // the same result was applied before: nothing changed
  std::vector<DeliveryRow> changed;   // rows whose state this result set
  std::size_t unknown = 0;            // items this console never made (another console's)
};

// An officer in the register (the key slots file holds their wrapped key).
struct OfficerRow {
  std::string name;
  std::string role;         // "assessor" | "supervisor"
  std::string added_day;
  std::string added_by;     // the supervisor who added them (themselves for the first)
  std::string removed_day;  // "" while they may sign in
};

struct AuditEntry {
  std::int64_t seq = 0;
  std::string at;      // UTC, YYYY-MM-DDTHH:MM:SSZ
  std::string actor;   // the signed-in officer (consoles before officers: the login name)
  std::string action;  // init, import, show, export, triage, reply, forward, outbox
  std::string item;    // case id or ""
  std::string detail;  // non-secret detail (outcome, counts, bundle digest)
  std::string prev;    // previous entry's hash (64 hex; 64 zeros for the first)
  std::string hash;
};

class ConsoleStore {
 public:
  // Creates a new console directory; fails (kAlreadyExists) if one is there. `officer` is named
  // by the first audit entry.
  static Result<std::unique_ptr<ConsoleStore>> Init(const std::string& dir,
                                                    const std::string& officer);
  // Opens an existing one and removes files no row names.
  static Result<std::unique_ptr<ConsoleStore>> Open(const std::string& dir);
  ~ConsoleStore();

  std::string SealedPath(const std::string& id) const;
  std::string OutboxPath(const std::string& id) const;
  const std::string& dir() const { return dir_; }

  Result<std::optional<std::string>> GetMeta(const std::string& key) const;
  Status SetMeta(const std::string& key, const std::string& value);

  Result<bool> HasCase(const std::string& id) const;
  // Inserts rows whose blobs are already durable at SealedPath(id), all in one transaction,
  // each also recorded as imported from the pull bundle of `pull_day` (to be receipted). In the
  // same transaction new follow-ups are marked unread, and a report whose conversation has a
  // follow-up saying someone is at risk is raised to at-risk (appended to `raised`).
  Status AddCases(const std::vector<CaseRow>& rows, const std::string& pull_day,
                  std::vector<RiskRaise>* raised = nullptr);
  Result<std::vector<CaseRow>> Cases() const;
  // The case whose id is `id_or_prefix` or starts with it (≥ 6 hex digits, unambiguous).
  Result<CaseRow> FindCase(const std::string& id_or_prefix) const;
  Result<std::vector<CaseRow>> FollowUps(const std::string& source_ref) const;
  // Follow-ups per source reference, in one query (for `list`).
  Result<std::map<std::string, std::size_t>> FollowUpCounts() const;
  // Changes whenever text a search reads is added: a case imported, a triage recorded, a reply
  // or forward sealed (the three tables only grow). The web face rebuilds its in-memory search
  // index only when this differs from the one it was built at.
  Result<std::string> SearchableVersion() const;

  // Unread follow-ups (not yet printed by `show`) per source reference.
  Result<std::map<std::string, std::size_t>> UnreadFollowUpCounts() const;
  Result<std::vector<std::string>> UnreadFollowUps() const;
  Status MarkFollowUpsRead(const std::vector<std::string>& ids);
  // Reports raised to at-risk by a follow-up, by case id.
  Result<std::map<std::string, RiskRaise>> RiskRaises() const;

  Status AddTriage(const std::string& id, const std::string& day, const std::string& outcome,
                   const std::string& officer,
                   const std::function<std::vector<std::uint8_t>(std::int64_t seq)>& seal_note);
  Result<std::vector<TriageRow>> Triage(const std::string& id) const;
  // The day of each case's first triage, by case id (cases never triaged are absent).
  Result<std::map<std::string, std::string>> FirstTriageDays() const;
  Status SetStatus(const std::string& id, CaseStatus status);

  // The blob must already be durable at OutboxPath(row.id).
  Status AddOutbox(const OutboxRow& row);
  Result<std::vector<OutboxRow>> Outbox(bool include_exported) const;
  Status MarkExported(const std::vector<std::string>& ids);
  // Forwards of case `case_id` or of its conversation `source_ref` that the server has not
  // refused for good (a refused forward moved nothing).
  Result<std::vector<OutboxRow>> LiveForwards(const std::string& case_id,
                                              const std::string& source_ref) const;

  // Delivery state per outbox item id (items without a push result are absent).
  Result<std::map<std::string, DeliveryRow>> Deliveries() const;
  // Records one push result (`digest`: SHA-256 hex of its file) in one transaction. Delivered and
  // refused are final; a retry counts a failure and puts the item back in the outbox (it goes
  // out again with the next `outbox`); a forward refused for good un-forwards its case.
  // Applying the same result twice changes nothing.
  Result<PushResultEffect> ApplyPushResult(const std::string& digest, const bundle::PushResult& result);

  // Import receipts (docs/console.md §3). An imported item is receipted in every outbox until
  // the console imports a pull bundle written on a later day than the one it came from that no
  // longer lists it: the server deleted it, so the receipt was honoured.
  // Marks as confirmed every unconfirmed import from a pull of a day before `pull_day` that is
  // not in `listed` (the ids of a pull bundle of `pull_day`). Returns how many.
  Result<std::size_t> ConfirmReceipted(const std::string& pull_day,
                                       const std::vector<std::string>& listed);
  // Imported items not yet confirmed, oldest pull first, at most `limit`.
  Result<std::vector<std::string>> UnconfirmedImports(std::size_t limit) const;

  // The officer register (officers.cpp). Adding a removed officer again restores them.
  Result<std::vector<OfficerRow>> Officers() const;
  Status AddOfficer(const OfficerRow& row);
  Status MarkOfficerRemoved(const std::string& name, const std::string& day);

  // Appends an entry naming `officer`, the one signed in.
  Status Audit(const std::string& officer, const std::string& action, const std::string& item,
               const std::string& detail);
  Result<std::vector<AuditEntry>> AuditLog() const;

 private:
  Result<std::map<std::string, std::size_t>> CountsBySource(const char* sql) const;
  ConsoleStore(std::string dir, sqlite::Database db) : dir_(std::move(dir)), db_(std::move(db)) {}
  Status Exec(const char* sql);
  Status RecordImported(const std::string& id, const std::string& pull_day);
  Status RemoveUnreferencedFiles();
  Status MarkUnreadAndRaiseLocked(const std::vector<CaseRow>& rows, std::vector<RiskRaise>* raised);
  Status RaiseIfCalmLocked(const std::string& report_id, const CaseRow& followup,
                           std::vector<RiskRaise>* raised);
  Status UnforwardLocked(const std::string& forward_id);
  Result<bool> ApplyDeliveryLocked(const bundle::PushItemResult& item, const std::string& day,
                                   PushResultEffect& effect);

  std::string dir_;
  sqlite::Database db_;
};

// The hash of an audit entry (docs/console.md §4).
std::string AuditHash(const AuditEntry& e);

}  // namespace sealdrop::console
