#include "server/source/sealed_upload.h"

#include "common/utf8.h"
#include "server/i18n/catalogue.h"
#include "server/log.h"
#include "server/source/form_urlencoded.h"
#include "server/source/responses.h"

namespace sealdrop::server {

// Counts the sealed bytes on their way to the blob (the index records the sealed size).
namespace {

// What a reporter reads when the disk fails or is full: never the system's own message.
Error StorageError() {
  return MakeError(ErrorCode::kIo, N_("The service cannot store reports right now. Nothing was "
                                      "kept. Please try again later."));
}

}  // namespace

// Every sealed byte is charged to the storage budgets before it is written.
class SealedUpload::CountingSink final : public ByteSink {
 public:
  using OnRefused = std::function<void(BudgetLimit)>;
  CountingSink(ByteSink& inner, StorageBudget::Reservation* budget, OnRefused on_refused)
      : inner_(inner), budget_(budget), on_refused_(std::move(on_refused)) {}
  Status Write(std::span<const std::uint8_t> bytes) override {
    if (budget_) {
      if (auto refused = budget_->Charge(bytes.size())) {
        on_refused_(*refused);
        return MakeError(ErrorCode::kLimitExceeded, "over the storage budget");
      }
    }
    count_ += bytes.size();
    if (auto st = inner_.Write(bytes); !st) {
      log::Error("cannot write an envelope (disk full or failing)");
      return StorageError();
    }
    return Status::Ok();
  }
  std::uint64_t count() const { return count_; }

 private:
  ByteSink& inner_;
  StorageBudget::Reservation* budget_;  // null: no budgets (unit tests)
  OnRefused on_refused_;
  std::uint64_t count_ = 0;
};

namespace {

constexpr std::string_view kCsrfField = "csrf";
constexpr std::size_t kCsrfMaxBytes = 128;

}  // namespace

FormProblem ExpiredFormProblem(Language language) {
  return {http::status::forbidden,
          Translate(language,
                    "This form had expired or did not come from this site, so nothing was sent. "
                    "Check your answers below and send the form again."),
          ""};
}

FormProblem BusyFormProblem(Language language) {
  return {http::status::service_unavailable,
          Translate(language,
                    "The service is very busy and could not take this just now, so nothing was "
                    "sent. Wait a minute, then send the form again."),
          ""};
}

namespace {

// "a minute", "10 minutes", "an hour", "3 hours", "a day", "7 days": how long a sender's whole
// budget takes to refill, rounded up.
// The phrase goes into "Wait {wait}, then ..." (in Welsh "Arhoswch am {wait}", so the Welsh
// catalogue gives the forms that follow "am").
std::string WaitPhrase(Language language, std::chrono::seconds window) {
  const auto minutes = static_cast<std::uint64_t>((window.count() + 59) / 60);
  if (minutes <= 1) return Translate(language, "a minute");
  if (minutes < 60) return TranslatePlural(language, "{n} minute", "{n} minutes", minutes);
  const std::uint64_t hours = (minutes + 59) / 60;
  if (hours < 24) {
    return hours == 1 ? Translate(language, "an hour")
                      : TranslatePlural(language, "{n} hour", "{n} hours", hours);
  }
  const std::uint64_t days = (hours + 23) / 24;
  return days == 1 ? Translate(language, "a day")
                   : TranslatePlural(language, "{n} day", "{n} days", days);
}

}  // namespace

FormProblem BudgetProblem(Language language, BudgetLimit limit,
                          std::chrono::seconds sender_window) {
  if (limit == BudgetLimit::kSender) {
    std::string text = Translate(language,
                                 "You have sent a lot to this service in a short time, so this "
                                 "was not sent and nothing was kept. Wait {wait}, then send the "
                                 "form again.");
    constexpr std::string_view kWait = "{wait}";
    if (const auto at = text.find(kWait); at != std::string::npos) {
      text.replace(at, kWait.size(), WaitPhrase(language, sender_window));
    }
    return {http::status::too_many_requests, std::move(text), ""};
  }
  return {http::status::service_unavailable,
          Translate(language,
                    "This service is full for now, so it could not take this and nothing was "
                    "kept. Please try again in a few hours."),
          ""};
}

namespace {

// Fixed events (server/log.h): which kind of limit, never whose.
void LogBudgetRefusal(BudgetLimit limit) {
  switch (limit) {
    case BudgetLimit::kSender: log::WarnRepeated("upload refused: sender storage budget"); return;
    case BudgetLimit::kIntake: log::WarnRepeated("upload refused: daily intake budget"); return;
    case BudgetLimit::kStored: log::WarnRepeated("upload refused: stored bytes budget"); return;
    case BudgetLimit::kDisk: log::WarnRepeated("upload refused: disk reserve"); return;
  }
}

FormProblem TooLargeProblem(Language language) {
  return {http::status::payload_too_large,
          Translate(language,
                    "The files are larger than this service accepts in one go. Nothing was kept. "
                    "Choose fewer or smaller files, and send the rest afterwards with your "
                    "codename."),
          "file-1"};
}

bool IsTokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$&^_.+-").find(c) != std::string_view::npos;
}

}  // namespace

std::string SafeMediaType(std::string_view type) {
  const auto slash = type.find('/');
  if (type.empty() || type.size() > 127 || slash == std::string_view::npos || slash == 0 ||
      slash + 1 == type.size()) {
    return "application/octet-stream";
  }
  for (std::size_t i = 0; i < type.size(); ++i) {
    if (i != slash && !IsTokenChar(type[i])) return "application/octet-stream";
  }
  return std::string(type);
}

SealedUpload::SealedUpload(SiteContext& ctx, Language language, unsigned version,
                           std::string session_id, std::string boundary,
                           std::span<const FieldRule> fields)
    : ctx_(ctx), language_(language), version_(version), session_id_(std::move(session_id)),
      parser_(std::move(boundary), *this), rules_(fields), fields_(fields) {}

SealedUpload::~SealedUpload() = default;

std::uint64_t SealedUpload::body_limit() const {
  // Once over the limit only the text fields are read: they come first and are bounded.
  if (too_large_ || busy_) return 2 * kMaxFormTextBytes + (64u << 10);
  return ctx_.limits.max_upload_bytes;
}

void SealedUpload::Refuse(FormProblem problem) {
  if (!refused_) refused_ = std::move(problem);
}

Error SealedUpload::FieldProblem(std::string field, ErrorCode code, std::string message) {
  problem_field_ = std::move(field);
  return MakeError(code, std::move(message));
}

void SealedUpload::SetOrigin(const UploadOrigin& origin) {
  // The Tor circuit (PROXY header) it came on: its storage budget, and codename derivations are
  // queued fairly by circuit.
  circuit_ = origin.circuit;
  if (origin.circuit) senders_.push_back(CircuitSender(*origin.circuit));
  announced_bytes_ = origin.content_length;
}

// A problem known now saves the kind's work (a derivation) and the body's files.
void SealedUpload::Start(Ready ready) {
  if (ctx_.storage_budget && announced_bytes_) {
    if (auto refused = ctx_.storage_budget->Check(senders_, *announced_bytes_)) {
      LogBudgetRefusal(*refused);
      Refuse(BudgetProblem(language_, *refused, ctx_.storage_budget->limits().sender_window));
    }
  }
  Prepare(std::move(ready));
}

Status SealedUpload::OnData(std::span<const std::uint8_t> bytes) { return parser_.Feed(bytes); }

// Stops reading: the text fields are all in, and the form goes back with `refused_`.
static Error StopReading() { return MakeError(ErrorCode::kExpired, "refused"); }

Status SealedUpload::OnPartBegin(const PartHeaders& headers) {
  const bool first = !any_part_;
  any_part_ = true;
  if (first) {
    // The token comes first so that nothing is parsed, buffered or sealed for a forged form.
    if (headers.name != kCsrfField || headers.filename) {
      Refuse(ExpiredFormProblem(language_));
      return StopReading();  // not a form of this site: nothing of it is read
    }
    mode_ = PartMode::kCsrf;
    field_value_.clear();
    field_limit_ = kCsrfMaxBytes;
    return Status::Ok();
  }
  if (headers.filename) {
    if (headers.name != "file") {
      return MakeError(ErrorCode::kInvalidArgument,
                       N_("The form had a field this service does not know."));
    }
    // A file input left empty is sent as a part with an empty file name and no content.
    if (headers.filename->empty()) {
      mode_ = PartMode::kSkippedEmptyFile;
      return Status::Ok();
    }
    files_dropped_ = true;  // until the item is committed
    if (refused_ || too_large_) return StopReading();
    if (auto st = CheckUploadFileName(*headers.filename); !st) {
      return FieldProblem("file-1", st.error().code, st.error().message);
    }
    if (!writer_) {
      if (auto st = BeginEnvelope(/*has_files=*/true); !st) return st;
    }
    ++files_;
    mode_ = PartMode::kFile;
    return writer_->BeginPart({*headers.filename, SafeMediaType(headers.content_type)});
  }
  if (writer_) {
    return MakeError(ErrorCode::kInvalidArgument,
                     N_("The form's answers came after its files. Please use the form on this "
                        "site."));
  }
  const FieldRule* rule = fields_.RuleFor(headers.name);
  if (!rule) {
    return MakeError(ErrorCode::kInvalidArgument,
                     N_("The form had a field this service does not know."));
  }
  mode_ = PartMode::kField;
  field_name_ = headers.name;
  field_value_.clear();
  field_limit_ = rule->max_bytes * 2;  // CRLF line ends shrink when stored; FieldCollector has the last word
  return Status::Ok();
}

Status SealedUpload::OnPartData(std::span<const std::uint8_t> data) {
  switch (mode_) {
    case PartMode::kCsrf:
      if (field_value_.size() + data.size() > field_limit_) {
        Refuse(ExpiredFormProblem(language_));
        return StopReading();
      }
      field_value_.append(reinterpret_cast<const char*>(data.data()), data.size());
      return Status::Ok();
    case PartMode::kField:
      if (field_value_.size() + data.size() > field_limit_) {
        // Keep what fits, so that the reporter gets their words back to shorten.
        const std::size_t room = field_limit_ - std::min(field_limit_, field_value_.size());
        field_value_.append(reinterpret_cast<const char*>(data.data()), std::min(room, data.size()));
        unaccepted_[field_name_] = field_value_;
        Refuse({http::status::payload_too_large,
                Translate(language_,
                          "This answer is longer than this service accepts. Please shorten it."),
                field_name_});
        mode_ = PartMode::kSkippedField;
        return Status::Ok();
      }
      field_value_.append(reinterpret_cast<const char*>(data.data()), data.size());
      return Status::Ok();
    case PartMode::kSkippedField:
      return Status::Ok();
    case PartMode::kFile:
      return writer_->Write(data);
    case PartMode::kSkippedEmptyFile:
      if (!data.empty()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         N_("A file without a name cannot be accepted."));
      }
      return Status::Ok();
    case PartMode::kNone:
      break;
  }
  Die("SealedUpload: data outside a part");
}

Status SealedUpload::OnPartEnd() {
  const PartMode mode = mode_;
  mode_ = PartMode::kNone;
  if (mode == PartMode::kCsrf) {
    if (auto st = CheckToken(field_value_); !st) {
      Refuse(ProblemFor(st.error()));
    } else {
      csrf_ok_ = true;
    }
  } else if (mode == PartMode::kField) {
    const std::string value = field_value_;
    if (auto st = fields_.Add(field_name_, std::move(field_value_)); !st) {
      if (st.error().code == ErrorCode::kInvalidArgument &&
          st.error().message.find("twice") != std::string::npos) {
        return st;  // not a form of this site
      }
      unaccepted_[field_name_] = value;
      Refuse({st.error().code == ErrorCode::kLimitExceeded ? http::status::payload_too_large
                                                           : http::status::bad_request,
              Translate(language_, st.error().message), field_name_});
    }
    field_value_.clear();
  }
  return Status::Ok();
}

Status SealedUpload::BeginEnvelope(bool has_files) {
  if (refused_ || !csrf_ok_) return StopReading();
  auto plan = Plan(fields_, has_files);
  if (!plan) return plan.error();
  plan_ = std::move(*plan);
  if (ctx_.storage_budget) {
    // The senders are all known now (a follow-up's codename included): check the announced size
    // against every budget before anything is written.
    if (announced_bytes_) {
      if (auto refused = ctx_.storage_budget->Check(senders_, *announced_bytes_)) {
        LogBudgetRefusal(*refused);
        Refuse(BudgetProblem(language_, *refused, ctx_.storage_budget->limits().sender_window));
        return StopReading();
      }
    }
    reservation_.emplace(ctx_.storage_budget->Open(senders_));
  }
  auto blob = ctx_.store.Begin();
  if (!blob) {
    log::Error("cannot create a blob");
    return StorageError();
  }
  blob_.emplace(std::move(*blob));
  sink_ = std::make_unique<CountingSink>(
      blob_->sink(), reservation_ ? &*reservation_ : nullptr, [this](BudgetLimit limit) {
        LogBudgetRefusal(limit);
        Refuse(BudgetProblem(language_, limit, ctx_.storage_budget->limits().sender_window));
      });
  auto writer = SealedEnvelopeWriter::Begin(*sink_, plan_->recipients, plan_->metadata_json);
  if (!writer) return writer.error().code == ErrorCode::kIo ? StorageError() : writer.error();
  writer_.emplace(std::move(*writer));
  return Status::Ok();
}

Status SealedUpload::FinishEnvelope() {
  if (!writer_) {
    if (auto st = BeginEnvelope(/*has_files=*/files_ > 0); !st) return st;
  }
  if (auto st = writer_->Finish(); !st) {
    if (refused_) return StopReading();  // over a budget: logged, and the form goes back
    log::Error("cannot finish an envelope");
    return st.error().code == ErrorCode::kIo ? StorageError() : st.error();
  }
  plan_->row.size = sink_->count();
  auto st = ctx_.store.Commit(std::move(*blob_), plan_->row,
                              plan_->new_source ? &*plan_->new_source : nullptr, used_form(),
                              plan_->record ? &*plan_->record : nullptr);
  blob_.reset();
  if (!st) {
    if (st.error().code == ErrorCode::kExpired) return st.error();  // the form was used already
    log::Error("cannot commit an item");
    return StorageError();
  }
  if (reservation_) reservation_->Commit();
  files_dropped_ = false;
  return Status::Ok();
}

void SealedUpload::Finish(Respond respond) {
  if (auto st = parser_.Finish(); !st) return respond(ErrorResponse(st.error()));
  if (!refused_ && !csrf_ok_) Refuse(ExpiredFormProblem(language_));
  if (refused_) return respond(Again(*refused_));
  BeforeSeal(fields_, [this, respond](std::optional<FormProblem> problem) {
    if (problem) return respond(Again(*problem));
    const bool queued = ctx_.disk_pool.TrySubmit([this, respond] {
      if (auto st = FinishEnvelope(); !st) {
        if (st.error().code == ErrorCode::kExpired && !refused_) return respond(AlreadyReceived());
        return respond(ErrorResponse(st.error()));
      }
      respond(Success());
    });
    if (!queued) respond(Again(BusyFormProblem(language_)));
  });
}

void SealedUpload::BeforeSeal(const FieldCollector&, Next next) { next(std::nullopt); }

FormProblem SealedUpload::ProblemFor(const Error& error) const {
  switch (error.code) {
    case ErrorCode::kLimitExceeded:
      return {http::status::payload_too_large, Translate(language_, error.message),
              problem_field_};
    case ErrorCode::kIo:
      return {http::status::service_unavailable, Translate(language_, error.message),
              problem_field_};
    case ErrorCode::kExpired:
    case ErrorCode::kBadSignature:
    case ErrorCode::kNotFound:
      return {http::status::forbidden, Translate(language_, error.message), problem_field_};
    default:
      return {http::status::bad_request, Translate(language_, error.message), problem_field_};
  }
}

Response SealedUpload::Again(const FormProblem& problem) {
  FormValues values;
  for (const auto& rule : rules_) {
    if (rule.name == "codename") continue;  // never written into a page
    if (auto it = unaccepted_.find(rule.name); it != unaccepted_.end()) {
      values.emplace(std::string(rule.name), it->second);
    } else if (!fields_.Get(rule.name).empty()) {
      values.emplace(std::string(rule.name), std::string(fields_.Get(rule.name)));
    }
  }
  return FormAgain(values, problem, files_dropped_ || too_large_);
}

Response SealedUpload::ErrorResponse(const Error& error) {
  // The multipart parser's own errors mean the body was not a form from this site.
  if (error.code == ErrorCode::kMalformed) {
    return ErrorPageWith(language_, http::status::bad_request, version_,
                         N_("Your browser sent the form in a way this service could not read. "
                            "Nothing was kept. Go back and try again."));
  }
  if (refused_) return Again(*refused_);
  return Again(ProblemFor(error));
}

Response SealedUpload::AlreadyReceived() { return ErrorResponse(StorageError()); }

bool SealedUpload::KeepReadingWhenTooLarge() {
  // Past the first file the text fields are all in: answer now.
  if (too_large_ || writer_ || files_ > 0) return false;
  too_large_ = true;
  Refuse(TooLargeProblem(language_));
  return true;
}

bool SealedUpload::KeepReadingWhenBusy() {
  // No upload slot: nothing is sealed; the text fields are read (as for a body too large) to
  // give the form back with them.
  busy_ = true;
  Refuse(BusyFormProblem(language_));
  return true;
}

Response SealedUpload::TooLarge() {
  too_large_ = true;
  if (!refused_ || refused_->status != http::status::payload_too_large) {
    refused_ = TooLargeProblem(language_);
  }
  return Again(*refused_);
}

}  // namespace sealdrop::server
