#include "server/source/report_upload.h"

#include "common/clock.h"
#include "server/log.h"
#include "server/source/inbox.h"
#include "server/source/responses.h"

namespace sealdrop::server {
namespace {

// Used forms are remembered one day longer than a form token lives.
constexpr int kForgetUsedFormsAfterDays = 3;

}  // namespace

ReportUpload::ReportUpload(SiteContext& ctx, unsigned version, std::optional<FormNonce> cookie,
                           std::string boundary)
    : SealedUpload(ctx, version, "", std::move(boundary), ReportFormFields()),
      cookie_(cookie) {}

void ReportUpload::Prepare(Ready ready) {
  // Already refusing (the body is too large): only the text fields will be read, for nothing.
  if (refusing()) return ready(std::nullopt);
  if (!cookie_) {
    Refuse(ExpiredFormProblem());
    return ready(std::nullopt);
  }
  // A reload or a second click of a form whose report is already in: no second codename.
  auto used = ctx_.store.FormUsed(ctx_.form_tokens.UsedKey(*cookie_));
  if (!used) {
    log::Error("cannot read the index");
    Refuse({http::status::service_unavailable,
            "The service cannot store reports right now, so nothing was sent. Please try again "
            "later.",
            ""});
    return ready(std::nullopt);
  }
  if (*used) return ready(AlreadyReceived());
  codename_ = GenerateCodename();
  const bool queued = ctx_.kdf_pool.TrySubmit([this, ready] {
    auto identity = ctx_.deriver.Derive(codename_.view());
    if (!identity) {
      log::Error("codename derivation failed");
      Refuse(BusyFormProblem());
      return ready(std::nullopt);
    }
    identity_.emplace(std::move(*identity));
    ready(std::nullopt);
  });
  if (!queued) {
    log::WarnRepeated("report refused: derivation queue full");
    Refuse(BusyFormProblem());
    ready(std::nullopt);
  }
}

Status ReportUpload::CheckToken(std::string_view token) {
  auto nonce = ctx_.form_tokens.Check(token, cookie_);
  if (!nonce) {
    return MakeError(ErrorCode::kExpired, ExpiredFormProblem().message);
  }
  used_ = UsedForm{ctx_.form_tokens.UsedKey(*nonce), ctx_.today(),
                   AddDays(ctx_.today(), -kForgetUsedFormsAfterDays)};
  return Status::Ok();
}

Result<EnvelopePlan> ReportUpload::Plan(const FieldCollector& fields, bool) {
  const std::string_view code = fields.Get("force");
  if (code.empty()) {
    return FieldProblem("force", ErrorCode::kInvalidArgument,
                        "Choose a force, or \"I don't know which force\".");
  }
  auto force = ctx_.directory.Find(code);
  if (!force) {
    return FieldProblem("force", ErrorCode::kInvalidArgument,
                        "The force you chose is not one this service can send reports to. Choose "
                        "a force from the list, or \"I don't know which force\".");
  }
  if (IsBlankText(fields.Get("what"))) {
    return FieldProblem("what", ErrorCode::kInvalidArgument,
                        "Describe what happened: that part of the form was empty.");
  }
  const std::string day = ctx_.today();
  const SourceRef source{identity_->lookup_id, identity_->key_pair.public_key};
  auto meta = ReportMetadataJson(fields, (*force)->code, day, source);
  if (!meta) return meta.error();
  force_name_ = (*force)->name;
  EnvelopePlan plan;
  plan.recipients = (*force)->decryption_keys;
  plan.metadata_json = std::move(*meta);
  plan.row.force = (*force)->code;
  plan.row.day = day;
  plan.row.kind = ItemKind::kReport;
  plan.new_source = SourceRow{identity_->lookup_id, (*force)->code, day};
  return plan;
}

Response ReportUpload::Success() {
  log::Info("report stored");
  PageData data;
  data.set("codename", std::string(codename_.view()));
  data.set("force_name", force_name_);
  return PageResponse(http::status::ok, version_, "codename", "Your codename", std::move(data));
}

Response ReportUpload::FormAgain(const FormValues& values, const FormProblem& problem,
                                 bool files_dropped) {
  return ReportFormPage(ctx_, version_, &values, &problem, files_dropped);
}

Response ReportUpload::AlreadyReceived() {
  return PageResponse(http::status::conflict, version_, "already_received",
                      "Report already received", {});
}

FollowUpUpload::FollowUpUpload(SiteContext& ctx, unsigned version, std::string session_id,
                               std::string boundary)
    : SealedUpload(ctx, version, std::move(session_id), std::move(boundary),
                   FollowUpFormFields()) {}

FormProblem LoggedOutProblem() {
  return {http::status::forbidden,
          "You were logged out, so your message was not sent. Log in again with your codename, "
          "then send it.",
          "codename"};
}

void FollowUpUpload::Prepare(Ready ready) {
  if (refusing()) return ready(std::nullopt);
  const bool logged_in = ctx_.sessions.WithIdentity(session_id_, [&](const SourceIdentity& id) {
    source_ = SourceRef{id.lookup_id, id.key_pair.public_key};
  });
  if (!logged_in) {
    Refuse(LoggedOutProblem());
    return ready(std::nullopt);
  }
  auto force = ctx_.store.SourceForce(source_->lookup_id);
  if (!force) {
    Refuse({http::status::service_unavailable,
            "The service cannot take messages right now, so nothing was sent. Please try again "
            "later.",
            ""});
    return ready(std::nullopt);
  }
  force_ = std::move(*force);
  ready(std::nullopt);
}

Status FollowUpUpload::CheckToken(std::string_view token) {
  if (!ctx_.sessions.CheckCsrf(session_id_, std::string(token))) {
    return MakeError(ErrorCode::kExpired, ExpiredFormProblem().message);
  }
  return Status::Ok();
}

Result<EnvelopePlan> FollowUpUpload::Plan(const FieldCollector& fields, bool has_files) {
  if (!has_files && IsBlankText(fields.Get("message"))) {
    return FieldProblem("message", ErrorCode::kInvalidArgument,
                        "Write a message or attach a file.");
  }
  auto force = ctx_.directory.Find(force_);
  if (!force) {
    return MakeError(ErrorCode::kIo, "The service cannot send this to the force right now. "
                                     "Nothing was kept. Please try again later.");
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
  return plan;
}

Response FollowUpUpload::Success() {
  log::Info("follow-up stored");
  if (auto st = ctx_.store.TouchSource(source_->lookup_id, ctx_.today()); !st) {
    log::Error("cannot record a follow-up's day");
  }
  return PageResponse(http::status::ok, version_, "followup_sent", "Sent", {});
}

Response FollowUpUpload::FormAgain(const FormValues& values, const FormProblem& problem,
                                   bool files_dropped) {
  return InboxPage(ctx_, version_, session_id_, InboxDraft{&values, &problem, files_dropped});
}

}  // namespace sealdrop::server
