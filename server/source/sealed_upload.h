// SealedUpload: a multipart/form-data POST sealed into one envelope while it streams in — the
// core of the report and follow-up routes.
//
// The body is parsed incrementally. The first part must be the form's CSRF token (checked at
// once); the text fields that follow are checked and held in memory (bounded: docs/report.md);
// at the first file — or at the end when there is none — the kind's Plan() fixes the recipients
// and the metadata, the envelope begins in a spare blob file (storage/blob_files.h), and every
// file byte goes straight into the envelope writer: memory stays constant whatever the upload
// size. A text
// field after a file is refused (the metadata record is already sealed). Finishing the envelope
// (padding, fsync, index row) runs on the disk pool; the reporter sees success only once
// the item is durable. On any error the spare is emptied again: nothing is left behind.
//
// Nothing typed is lost to an error: every refusal (form expired, service busy, too large, a
// field to fix, cannot store now) answers with the form again, every text field and choice as
// sent and the problem at the top (FormAgain). A problem known before the text fields have all
// arrived (a busy derivation pool, an expired form, a Content-Length over the limit) does not
// answer at once: the upload goes on reading the text fields only — nothing is sealed — and
// answers at the first file or at the end of the body. The browser cannot keep the files, so the
// page says they must be chosen again.
//
// Storage budgets (storage_budget.h): an upload over its sender's or the server's budget is
// refused the same way — before the body is read when its Content-Length says so, else at the
// first sealed byte past the budget: the spare is emptied and the form comes back.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "crypto/envelope_writer.h"
#include "report/report_schema.h"
#include "server/http/http_server.h"
#include "server/multipart/multipart_parser.h"
#include "server/source/form_page.h"
#include "server/source/site_context.h"
#include "server/source/storage_budget.h"

namespace sealdrop::server {

// What a kind of upload decides once its text fields are known.
struct EnvelopePlan {
  std::vector<PublicKey> recipients;
  std::string metadata_json;
  ItemRow row;                          // size is filled in by SealedUpload
  std::optional<SourceRow> new_source;  // a report registers its codename's lookup id
  std::optional<RecordEdit> record;     // the reporter's record gains the item (conversation_record.h)
};

// Where an upload comes from, for the storage budgets.
struct UploadOrigin {
  std::optional<std::uint32_t> circuit;         // Tor's circuit id, when the PROXY header gave one
  std::optional<std::uint64_t> content_length;  // the body's announced size, if any
};

class SealedUpload : public BodyHandler, private MultipartHandler {
 public:
  // `language`: the form's (its path's); every page this upload answers with is in it.
  SealedUpload(SiteContext& ctx, Language language, unsigned version, std::string session_id,
               std::string boundary, std::span<const FieldRule> fields);
  ~SealedUpload() override;
  // REQUIRES: before Start().
  void SetOrigin(const UploadOrigin& origin);

  std::uint64_t body_limit() const override;
  void Start(Ready ready) final;
  Status OnData(std::span<const std::uint8_t> bytes) final;
  void Finish(Respond respond) final;
  Response ErrorResponse(const Error& error) final;
  bool KeepReadingWhenTooLarge() final;
  bool KeepReadingWhenBusy() final;
  Response TooLarge() final;

 protected:
  // Kind-specific work before the body is read (e.g. deriving a codename). Calls `ready` once:
  // ready(nullopt) to read the body; a Refuse()d upload then reads the text fields only.
  virtual void Prepare(Ready ready) = 0;
  // Checks the form's first part (its token). An error's problem comes back with the form.
  virtual Status CheckToken(std::string_view token) = 0;
  // Called once, at the first file or at the end of the body. A FieldProblem() error points the
  // reporter at a field.
  virtual Result<EnvelopePlan> Plan(const FieldCollector& fields, bool has_files) = 0;
  // The page shown once the item is durable.
  virtual Response Success() = 0;
  // The form again, filled in with `fields` as sent, `problem` at the top. `files_dropped`: the
  // reporter had chosen files, which must be chosen again.
  virtual Response FormAgain(const FormValues& values, const FormProblem& problem,
                             bool files_dropped) = 0;
  // A store commit that failed with kExpired: the form was already used (a reload, a double
  // click). The default is a storage failure.
  virtual Response AlreadyReceived();
  // Work between the end of the body and sealing, e.g. a login by codename (Argon2id on the KDF
  // pool). Calls `next` once: with nullopt to seal, or with a problem to give the form back.
  using Next = std::function<void(std::optional<FormProblem>)>;
  virtual void BeforeSeal(const FieldCollector& fields, Next next);
  // Commit options of this kind (a report records its form).
  virtual const UsedForm* used_form() const { return nullptr; }

  // Files sealed into the envelope so far (all of them, once Success() is called).
  std::size_t file_count() const { return files_; }
  // Remembers `problem` (the first one wins) and reads on to the end of the text fields.
  void Refuse(FormProblem problem);
  bool refusing() const { return refused_.has_value(); }
  // An error that points at `field`.
  Error FieldProblem(std::string field, ErrorCode code, std::string message);
  // A sender whose storage budget this upload also spends (a follow-up's codename). REQUIRES:
  // before the envelope begins.
  void AddSender(SenderKey key) { senders_.push_back(std::move(key)); }

  SiteContext& ctx_;
  const Language language_;
  const unsigned version_;
  const std::string session_id_;
  std::optional<std::uint32_t> circuit_;

 private:
  class CountingSink;
  Status OnPartBegin(const PartHeaders& headers) override;
  Status OnPartData(std::span<const std::uint8_t> data) override;
  Status OnPartEnd() override;
  Status BeginEnvelope(bool has_files);
  Status FinishEnvelope();
  FormProblem ProblemFor(const Error& error) const;
  Response Again(const FormProblem& problem);

  enum class PartMode { kNone, kCsrf, kField, kSkippedField, kFile, kSkippedEmptyFile };
  MultipartParser parser_;
  std::span<const FieldRule> rules_;
  FieldCollector fields_;
  bool csrf_ok_ = false;
  bool any_part_ = false;
  PartMode mode_ = PartMode::kNone;
  std::string field_name_;
  std::string field_value_;
  std::size_t field_limit_ = 0;
  std::size_t files_ = 0;
  bool files_dropped_ = false;   // a file was chosen but will not be kept
  bool too_large_ = false;       // over the limit: reading the text fields only
  bool busy_ = false;            // no upload slot: reading the text fields only
  std::optional<FormProblem> refused_;
  std::string problem_field_;    // the field a FieldProblem() error is about
  std::map<std::string, std::string, std::less<>> unaccepted_;  // values Add() refused, for refill
  std::optional<EnvelopePlan> plan_;
  // Declared before the sink that charges it, so that it outlives the sink and the writer.
  std::optional<StorageBudget::Reservation> reservation_;
  std::optional<PendingBlob> blob_;
  std::unique_ptr<CountingSink> sink_;
  std::optional<SealedEnvelopeWriter> writer_;
  std::vector<SenderKey> senders_;
  std::optional<std::uint64_t> announced_bytes_;
};

// The problems every form can meet, in `language`.
FormProblem ExpiredFormProblem(Language language);
FormProblem BusyFormProblem(Language language);
// A storage budget refused the upload: kSender "you have sent a lot … wait `sender_window`",
// else "the service is full".
FormProblem BudgetProblem(Language language, BudgetLimit limit,
                          std::chrono::seconds sender_window);

// The part's media type if it is a plain "type/subtype" token pair, else
// "application/octet-stream".
std::string SafeMediaType(std::string_view content_type);

}  // namespace sealdrop::server
