// SealedStore: where sealed envelopes live on the server. Spec of the guarantees: an item is
// visible (listed, counted, fetchable) only after its blob is fully written, fsynced and named,
// and its index row committed; a crash at any point leaves either the whole item or nothing.
//
// Layout under the data directory (what each part can tell whoever seizes the disk:
// docs/server.md "What a seized disk shows"):
//   index.sqlite      SQLite, rollback journal (TRUNCATE: the journal is emptied at every commit,
//                     no write-ahead log keeps history), synchronous=FULL, secure_delete, and a
//                     VACUUM after every change, so rows lie in key order (random ids), never in
//                     arrival order, and no freed page keeps an old row. `items`: one row per
//                     item, holding only the force code, the day (UTC, no time), the sealed size
//                     (already a coarse bucket), the kind and, for replies, the source lookup id.
//                     `sources`: one row per codename ever issued: its lookup id (an Argon2id
//                     output keyed by the secret instance salt, never the codename), the force
//                     its follow-ups go to, the month of its last activity (retention) and the
//                     reporter's record of what they sent, sealed to their source key
//                     (server/source/conversation_record.h). No day, no item id in clear: a
//                     conversation cannot be matched to a report by the day.
//                     `used_forms`: a keyed hash of each report form's nonce with its day, kept
//                     two days (one report per form). Nothing else. Schema versions:
//                     index_schema.h.
//   blobs/ID          one sealed envelope per file, ID = 32 random hex digits, written into a
//                     spare file made in advance, times settled (blob_files.h).
//
// Thread-safety: a SealedStore may be used from several threads; index access is serialised.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/io.h"
#include "common/result.h"
#include "common/sqlite.h"
#include "server/storage/blob_files.h"

namespace sealdrop::server {

enum class ItemKind { kReport, kFollowUp, kReply };
const char* ItemKindName(ItemKind kind);

struct ItemRow {
  std::string id;
  std::string force;
  std::string day;
  std::uint64_t size = 0;
  ItemKind kind = ItemKind::kReport;
  std::optional<std::array<std::uint8_t, 32>> lookup_id;  // replies: whose inbox
};

// A blob being written. Commit through SealedStore::Commit; dropping it discards everything.
class PendingBlob {
 public:
  ByteSink& sink() { return *writer_; }
  const std::string& id() const { return writer_->id(); }

 private:
  friend class SealedStore;
  explicit PendingBlob(BlobWriter writer)
      : writer_(std::make_unique<BlobWriter>(std::move(writer))) {}
  std::unique_ptr<BlobWriter> writer_;
};

// A reporter's conversation: created with their first report, in the same transaction. Of
// `day` (the report's) the store keeps the month only.
struct SourceRow {
  std::array<std::uint8_t, 32> lookup_id;
  std::string force;
  std::string day;
};

// An edit of a source's sealed record (server/source/conversation_record.h), made in the same
// transaction as an item: `edit` gets the new item's id and the current record (empty when the
// source has none) and returns the record to keep, or nothing to leave it as it is. Called with
// the store's lock held: it must not call the store.
struct RecordEdit {
  std::array<std::uint8_t, 32> lookup_id;
  std::function<std::optional<std::vector<std::uint8_t>>(const std::string& item_id,
                                                         std::span<const std::uint8_t> current)>
      edit;
};

// A form whose report is being committed (server/source/form_token.h): its keyed nonce hash is
// recorded in the same transaction, so the same form makes one report however often it is sent.
// Rows older than `forget_before` (a day) are removed then: the form's token has expired.
struct UsedForm {
  std::array<std::uint8_t, 16> key;
  std::string day;
  std::string forget_before;
};

// What an import receipt did (docs/force-api.md §1, POST /api/v1/receipts).
struct ReceiptOutcome {
  std::size_t deleted = 0;  // rows and blobs removed now
  std::size_t gone = 0;     // ids the store does not hold for the force: nothing done
};

// One force's items still waiting for its console (for the operator: counts and days, no ids).
struct ForceBacklog {
  std::string force;
  std::size_t waiting = 0;  // reports and follow-ups not yet receipted
  std::string oldest_day;   // the day the oldest of them arrived
};

// What a retention pass removed (docs/server.md "Retention").
struct RetentionOutcome {
  std::size_t sources = 0;  // conversations forgotten: their codenames no longer log in
  std::size_t replies = 0;  // replies addressed to them
};

struct RecoveryReport {
  std::size_t temp_files_removed = 0;
  std::size_t orphan_blobs_removed = 0;  // uploads that never got their row: emptied
  std::size_t rows_without_blob_removed = 0;
};

class SealedStore {
 public:
  // Opens (creating if needed) the store in `data_dir`, migrates an older index
  // (index_schema.h), then recovers from any crash: removes temporary files, empties blobs
  // without a row (they become spares), removes rows without a blob; then makes spares.
  static Result<std::unique_ptr<SealedStore>> Open(const std::string& data_dir,
                                                   RecoveryReport* report = nullptr);
  // Opens an existing store for reading only: no directory is made, nothing is recovered or
  // written (for `sealdrop-server status` beside a running server). kNotFound when `data_dir`
  // holds no index; kInvalidArgument unless the index belongs to this process's user (SQLite
  // may create the WAL's side files, which must stay the server's).
  static Result<std::unique_ptr<SealedStore>> OpenReadOnly(const std::string& data_dir);
  ~SealedStore();
  SealedStore(const SealedStore&) = delete;
  SealedStore& operator=(const SealedStore&) = delete;

  // A new blob with a fresh random id, or with `id` (kAlreadyExists if that blob exists).
  Result<PendingBlob> Begin(const std::string& id = "");
  // Makes the blob durable, then commits its row (and `new_source`, `used_form` and
  // `record_edit`, if given, in the same transaction; the edit after the new source). On failure
  // nothing of the item remains. Fails with kAlreadyExists, storing nothing, if `new_source`
  // names a lookup id that is already registered, and with kExpired, storing nothing, if
  // `used_form` was already used. An edit of a source that does not exist changes nothing.
  Status Commit(PendingBlob blob, ItemRow row, const SourceRow* new_source = nullptr,
                const UsedForm* used_form = nullptr, const RecordEdit* record_edit = nullptr);
  // True when a report was already committed from the form with this key.
  Result<bool> FormUsed(const std::array<std::uint8_t, 16>& key) const;

  // The force a registered source's follow-ups go to; kNotFound when the lookup id is unknown.
  Result<std::string> SourceForce(const std::array<std::uint8_t, 32>& lookup) const;
  // Moves a source's conversation from force `from` to force `to` (a forwarded report); fails
  // with kNotFound unless the source exists and is with `from`.
  Status MoveSource(const std::array<std::uint8_t, 32>& lookup, const std::string& from,
                    const std::string& to);
  // A source's sealed record; empty when it has none (begun before schema 3); kNotFound when the
  // lookup id is unknown.
  Result<std::vector<std::uint8_t>> SourceRecord(const std::array<std::uint8_t, 32>& lookup) const;
  // One item's row; kNotFound when there is none.
  Result<ItemRow> Get(const std::string& id) const;

  Result<std::vector<ItemRow>> ListForForce(const std::string& force) const;
  Result<std::vector<ItemRow>> ListForLookup(const std::array<std::uint8_t, 32>& lookup) const;
  std::string BlobPath(const std::string& id) const;
  // Removes the row, then the blob.
  Status Delete(const std::string& id);
  Result<std::size_t> Count() const;

  // Retention (server/storage/retention.cpp). A source's last activity (its report, a login, a
  // follow-up, a reply to it) is kept as a month; TouchSource moves it forward, never back.
  Status TouchSource(const std::array<std::uint8_t, 32>& lookup, const std::string& day);
  // Deletes the replies among `ids` that are addressed to `lookup` (anything else is ignored);
  // returns how many.
  Result<std::size_t> DeleteReplies(const std::array<std::uint8_t, 32>& lookup,
                                    const std::vector<std::string>& ids);
  // Forgets every source whose last active month ended before `before_day`, with the replies
  // addressed to it, in one transaction (so a source goes between 0 and 31 days after
  // `before_day` passes its last activity, never before). Reports and follow-ups are untouched: they leave only on a force's receipt.
  Result<RetentionOutcome> ForgetInactiveSources(const std::string& before_day);

  // An import receipt of `force`: deletes those of `ids` that are `force`'s reports and
  // follow-ups, every row in one transaction (all or none), then their blobs. Any other id —
  // already deleted, never stored, another force's item, a reply — is counted as gone and not
  // touched, with the same answer whichever it is. A blob that cannot be unlinked after its row
  // is gone is removed by the next Open()'s recovery.
  Result<ReceiptOutcome> DeleteReceipted(const std::string& force,
                                         const std::vector<std::string>& ids);
  // Per force with anything waiting: the count and the oldest day, forces in code order.
  Result<std::vector<ForceBacklog>> WaitingByForce() const;
  // Spares up to a batch (the daily pass calls this, so batches are made at times unrelated to
  // any upload).
  Status ReplenishSpares();
  // The sealed bytes of every report and follow-up waiting (the storage budget's "stored").
  Result<std::uint64_t> StoredBytes() const;

 private:
  SealedStore(std::string data_dir, sqlite::Database db)
      : dir_(std::move(data_dir)), db_(std::move(db)), files_(dir_ + "/blobs") {}
  Status SetJournalMode();
  Status Recover(RecoveryReport& report);
  // After every change: VACUUM (rows in key order, no freed page, the journal emptied) and the
  // blobs' times settled. The change is committed already, so a failure here is logged, not
  // returned: the item is safe, only its traces last until the next change. REQUIRES: mu_ held.
  void Tidy();
  // After rows were deleted: their blob files go, then Tidy(), so that neither the files nor the
  // rows' traces outlive the change by more than the call. REQUIRES: mu_ held.
  Status UnlinkThenTidy(const std::vector<std::string>& ids);
  Status RecordUsedForm(const UsedForm& form);  // REQUIRES: mu_ held, in a transaction
  Status EditRecord(const RecordEdit& edit, const std::string& item_id);  // the same
  Result<std::vector<ItemRow>> Query(const char* sql, const std::string* text,
                                     const std::array<std::uint8_t, 32>* blob) const;

  std::string dir_;
  sqlite::Database db_;
  BlobFiles files_;
  mutable std::mutex mu_;
};

bool IsValidItemId(const std::string& id);

}  // namespace sealdrop::server
