#include "server/source/report_upload.h"

#include "common/clock.h"
#include "server/i18n/catalogue.h"
#include "server/log.h"
#include "server/source/conversation_record.h"
#include "server/source/inbox.h"
#include "server/source/responses.h"

namespace sealdrop::server {
namespace {

// Used forms are remembered one day longer than a form token lives.
constexpr int kForgetUsedFormsAfterDays = 3;

}  // namespace

ReportUpload::ReportUpload(SiteContext& ctx, Language language, unsigned version,
                           std::optional<FormNonce> cookie, std::string boundary)
    : SealedUpload(ctx, language, version, "", std::move(boundary), ReportFormFields()),
      cookie_(cookie) {}

void ReportUpload::Prepare(Ready ready) {
  // Already refusing (the body is too large): only the text fields will be read, for nothing.
  if (refusing()) return ready(std::nullopt);
  if (!cookie_) {
    Refuse(ExpiredFormProblem(language_));
    return ready(std::nullopt);
  }
  // A reload or a second click of a form whose report is already in: no second codename.
  auto used = ctx_.store.FormUsed(ctx_.form_tokens.UsedKey(*cookie_));
  if (!used) {
    log::Error("cannot read the index");
    Refuse({http::status::service_unavailable,
            Translate(language_,
                      "The service cannot store reports right now, so nothing was sent. Please "
                      "try again later."),
            ""});
    return ready(std::nullopt);
  }
  if (*used) return ready(AlreadyReceived());
  codename_ = GenerateCodename();
  const bool queued = ctx_.kdf_pool.TrySubmitFor(circuit_, [this, ready] {
    auto identity = ctx_.deriver.Derive(codename_.view());
    if (!identity) {
      log::Error("codename derivation failed");
      Refuse(BusyFormProblem(language_));
      return ready(std::nullopt);
    }
    identity_.emplace(std::move(*identity));
    ready(std::nullopt);
  });
  if (!queued) {
    log::WarnRepeated("report refused: derivation queue full");
    Refuse(BusyFormProblem(language_));
    ready(std::nullopt);
  }
}

Status ReportUpload::CheckToken(std::string_view token) {
  auto nonce = ctx_.form_tokens.Check(token, cookie_);
  if (!nonce) {
    return MakeError(ErrorCode::kExpired, ExpiredFormProblem(language_).message);
  }
  used_ = UsedForm{ctx_.form_tokens.UsedKey(*nonce), ctx_.today(),
                   AddDays(ctx_.today(), -kForgetUsedFormsAfterDays)};
  return Status::Ok();
}

Result<EnvelopePlan> ReportUpload::Plan(const FieldCollector& fields, bool) {
  const std::string_view code = fields.Get("force");
  if (code.empty()) {
    return FieldProblem("force", ErrorCode::kInvalidArgument,
                        N_("Choose a force, or \"I don't know which force\"."));
  }
  const auto directory = ctx_.directory.Current();  // held while `force` points into it
  if (directory->expired()) {
    return MakeError(ErrorCode::kIo, ExpiredDirectoryProblem(language_).message);
  }
  auto force = directory->Find(code);
  if (!force) {
    return FieldProblem("force", ErrorCode::kInvalidArgument,
                        N_("The force you chose is not one this service can send reports to. "
                           "Choose a force from the list, or \"I don't know which force\"."));
  }
  if (IsBlankText(fields.Get("what"))) {
    return FieldProblem("what", ErrorCode::kInvalidArgument,
                        N_("Describe what happened: that part of the form was empty."));
  }
  const std::string day = ctx_.today();
  const SourceRef source{identity_->lookup_id, identity_->key_pair.public_key};
  auto meta = ReportMetadataJson(fields, (*force)->code, day, source, language_);
  if (!meta) return meta.error();
  force_name_ = ForceName(language_, (*force)->name);
  // The same rule as ReportMetadataJson: details go in only when chosen; blank ones say nothing.
  contact_kept_ = fields.Get("contact") == "details" &&
                  !(IsBlankText(fields.Get("contact_name")) &&
                    IsBlankText(fields.Get("contact_phone")) &&
                    IsBlankText(fields.Get("contact_email")) &&
                    IsBlankText(fields.Get("contact_times")));
  EnvelopePlan plan;
  plan.recipients = (*force)->decryption_keys;
  plan.metadata_json = std::move(*meta);
  plan.row.force = (*force)->code;
  plan.row.day = day;
  plan.row.kind = ItemKind::kReport;
  plan.new_source = SourceRow{identity_->lookup_id, (*force)->code, day};
  // The reporter's record begins with this report (read only with the codename).
  plan.record = RecordEdit{
      identity_->lookup_id,
      [source = identity_->key_pair.public_key, day](const std::string& item_id, std::span<const std::uint8_t>)
          -> std::optional<std::vector<std::uint8_t>> {
        return SealRecord({{RecordKind::kReport, item_id, day}}, source);
      }};
  return plan;
}

Response ReportUpload::Success() {
  log::InfoCounted("report stored");
  PageData data;
  data.set("codename", std::string(codename_.view()));
  data.set("force_name", force_name_);
  // What arrived, never its sizes (a screenshot or a shoulder-surfer learns no more than that).
  const std::size_t files = file_count();
  data.set("has_files", files > 0);
  data.set("files_received",
           TranslatePlural(language_, "Your report, with {n} file.", "Your report, with {n} files.",
                           files));
  data.set("contact_kept", contact_kept_);
  // This page cannot be shown again: the language link opens the login page in a new tab.
  return PageResponse({.language = language_, .path = "/login", .switch_in_new_tab = true},
                      http::status::ok, version_, "codename", N_("Your codename"),
                      std::move(data));
}

Response ReportUpload::FormAgain(const FormValues& values, const FormProblem& problem,
                                 bool files_dropped) {
  return ReportFormPage(ctx_, language_, version_, &values, &problem, files_dropped);
}

Response ReportUpload::AlreadyReceived() {
  return PageResponse({.language = language_, .path = "/login"}, http::status::conflict, version_,
                      "already_received", N_("Report already received"), {});
}

FollowUpUpload::FollowUpUpload(SiteContext& ctx, Language language, unsigned version,
                               std::string session_id, std::string boundary)
    : SealedUpload(ctx, language, version, std::move(session_id), std::move(boundary),
                   FollowUpFormFields()),
      with_codename_(false) {}

FollowUpUpload::FollowUpUpload(SiteContext& ctx, Language language, unsigned version,
                               std::optional<FormNonce> cookie, std::string boundary)
    : SealedUpload(ctx, language, version, "", std::move(boundary),
                   FollowUpWithCodenameFormFields()),
      with_codename_(true),
      cookie_(cookie) {}

std::unique_ptr<FollowUpUpload> FollowUpUpload::WithCodename(SiteContext& ctx, Language language,
                                                             unsigned version,
                                                             std::optional<FormNonce> cookie,
                                                             std::string boundary) {
  return std::unique_ptr<FollowUpUpload>(
      new FollowUpUpload(ctx, language, version, cookie, std::move(boundary)));
}

namespace {

FormProblem LoggedOutProblem(Language language) {
  return {http::status::forbidden,
          Translate(language,
                    "You were logged out, so your message was not sent. Enter your codename to "
                    "send it."),
          "codename"};
}

FormProblem CannotStoreProblem(Language language) {
  return {http::status::service_unavailable,
          Translate(language,
                    "The service cannot take messages right now, so nothing was sent. Please try "
                    "again later."),
          ""};
}

}  // namespace

void FollowUpUpload::Prepare(Ready ready) {
  if (refusing()) return ready(std::nullopt);
  if (with_codename_) {
    if (!cookie_) Refuse(LoggedOutProblem(language_));
    return ready(std::nullopt);
  }
  const bool logged_in = ctx_.sessions.WithIdentity(session_id_, [&](const SourceIdentity& id) {
    source_ = SourceRef{id.lookup_id, id.key_pair.public_key};
    source_key_.emplace(KeyPair{id.key_pair.public_key, SecretBuffer::CopyOf(id.key_pair.secret.span())});
  });
  if (!logged_in) {
    Refuse(LoggedOutProblem(language_));
    return ready(std::nullopt);
  }
  AddSender(CodenameSender(source_->lookup_id));
  auto force = ctx_.store.SourceForce(source_->lookup_id);
  if (!force) {
    Refuse(CannotStoreProblem(language_));
    return ready(std::nullopt);
  }
  force_ = std::move(*force);
  ready(std::nullopt);
}

Status FollowUpUpload::CheckToken(std::string_view token) {
  if (with_codename_) {
    if (!ctx_.form_tokens.Check(token, cookie_)) {
      return MakeError(ErrorCode::kExpired, LoggedOutProblem(language_).message);
    }
    return Status::Ok();
  }
  if (!ctx_.sessions.CheckCsrf(session_id_, std::string(token))) {
    // A form from before the login ended (or another browser): the message comes back.
    if (!ctx_.sessions.WithIdentity(session_id_, [](const SourceIdentity&) {})) {
      return MakeError(ErrorCode::kExpired, LoggedOutProblem(language_).message);
    }
    return MakeError(ErrorCode::kExpired, ExpiredFormProblem(language_).message);
  }
  return Status::Ok();
}

void FollowUpUpload::BeforeSeal(const FieldCollector& fields, Next next) {
  if (!with_codename_) return next(std::nullopt);
  const FormProblem not_recognised{
      http::status::forbidden,
      Translate(language_,
                "That codename was not recognised. Check the seven words and try again."),
      "codename"};
  auto canonical = NormalizeCodename(fields.Get("codename"));
  if (!canonical) return next(not_recognised);
  // The same throttle as the login form's, keyed by this form (there is no session yet).
  const std::string throttle_key(reinterpret_cast<const char*>(cookie_->data()), cookie_->size());
  if (!ctx_.login_throttle.TryAttempt(throttle_key)) {
    log::WarnRepeated("login refused: throttled");
    return next(FormProblem{http::status::too_many_requests,
                            Translate(language_,
                                      "There have been too many attempts. Wait a few minutes, "
                                      "then try again."),
                            "codename"});
  }
  auto shared = std::make_shared<SecretBuffer>(std::move(*canonical));
  const bool queued = ctx_.kdf_pool.TrySubmitFor(circuit_, [this, shared, next, throttle_key, not_recognised] {
    auto identity = ctx_.deriver.Derive(shared->view());
    if (!identity) return next(BusyFormProblem(language_));
    auto force = ctx_.store.SourceForce(identity->lookup_id);
    if (!force) {
      if (force.error().code != ErrorCode::kNotFound) return next(CannotStoreProblem(language_));
      ctx_.login_throttle.RecordFailure(throttle_key);
      log::InfoCounted("login failed");
      return next(not_recognised);
    }
    source_ = SourceRef{identity->lookup_id, identity->key_pair.public_key};
    source_key_.emplace(
        KeyPair{identity->key_pair.public_key, SecretBuffer::CopyOf(identity->key_pair.secret.span())});
    AddSender(CodenameSender(source_->lookup_id));
    force_ = std::move(*force);
    const SessionView fresh = ctx_.sessions.Create();
    auto view = ctx_.sessions.LogIn(fresh.id, std::move(*identity));
    if (!view) return next(BusyFormProblem(language_));
    new_session_ = view->id;
    ctx_.login_throttle.Forget(throttle_key);
    log::InfoCounted("login");
    next(std::nullopt);
  });
  if (!queued) {
    log::WarnRepeated("login refused: derivation pool full");
    next(BusyFormProblem(language_));
  }
}

Result<EnvelopePlan> FollowUpUpload::Plan(const FieldCollector& fields, bool has_files) {
  if (with_codename_ && has_files) {
    return FieldProblem("codename", ErrorCode::kInvalidArgument,
                        N_("Log in first: files can be sent from your inbox afterwards."));
  }
  if (!has_files && IsBlankText(fields.Get("message"))) {
    return FieldProblem("message", ErrorCode::kInvalidArgument,
                        N_("Write a message or attach a file."));
  }
  const auto directory = ctx_.directory.Current();  // held while `force` points into it
  if (directory->expired()) {
    return MakeError(ErrorCode::kIo, ExpiredDirectoryProblem(language_).message);
  }
  auto force = directory->Find(force_);
  if (!force) {
    return MakeError(ErrorCode::kIo, N_("The service cannot send this to the force right now. "
                                        "Nothing was kept. Please try again later."));
  }
  const std::string day = ctx_.today();
  auto meta = FollowUpMetadataJson(fields, force_, day, *source_);
  if (!meta) return meta.error();
  EnvelopePlan plan;
  plan.recipients = (*force)->decryption_keys;
  plan.metadata_json = std::move(*meta);
  plan.row.force = force_;
  plan.row.day = day;
  plan.row.kind = ItemKind::kFollowUp;
  // The follow-up joins the reporter's record (sealed: opened and resealed with their key). A
  // record that cannot be opened is left as it is: the follow-up itself is what matters.
  plan.record = RecordEdit{
      source_->lookup_id,
      [this, day](const std::string& item_id, std::span<const std::uint8_t> current)
          -> std::optional<std::vector<std::uint8_t>> {
        std::vector<RecordEntry> entries;
        if (!current.empty()) {
          auto opened = OpenRecord(current, *source_key_);
          if (!opened) {
            log::Warn("a reporter's record could not be opened: left as it was");
            return std::nullopt;
          }
          entries = std::move(*opened);
        }
        AppendRecordEntry(entries, {RecordKind::kFollowUp, item_id, day});
        return SealRecord(entries, source_key_->public_key);
      }};
  return plan;
}

Response FollowUpUpload::Success() {
  log::InfoCounted("follow-up stored");
  if (auto st = ctx_.store.TouchSource(source_->lookup_id, ctx_.today()); !st) {
    log::Error("cannot record a follow-up's day");
  }
  Response res = PageResponse({.language = language_, .path = "/inbox"}, http::status::ok,
                              version_, "followup_sent", N_("Sent"), {});
  if (!new_session_.empty()) res.set(http::field::set_cookie, SessionCookie(new_session_));
  return res;
}

Response FollowUpUpload::FormAgain(const FormValues& values, const FormProblem& problem,
                                   bool files_dropped) {
  return InboxPage(ctx_, language_, version_, with_codename_ ? "" : session_id_,
                   InboxDraft{&values, &problem, files_dropped});
}

}  // namespace sealdrop::server
