#include "server/source/report_upload.h"

#include "server/log.h"
#include "server/source/responses.h"

namespace sealdrop::server {
namespace {

Error UnknownForce() {
  return MakeError(ErrorCode::kNotFound,
                   "The force you chose is not one this service can send reports to. Nothing "
                   "was kept. Go back and choose a force from the list, or choose \"I don't "
                   "know which force\".");
}

}  // namespace

ReportUpload::ReportUpload(SiteContext& ctx, unsigned version, std::string session_id,
                           std::string boundary)
    : SealedUpload(ctx, version, std::move(session_id), std::move(boundary), ReportFormFields()) {}

void ReportUpload::Prepare(Ready ready) {
  codename_ = GenerateCodename();
  const bool queued = ctx_.kdf_pool.TrySubmit([this, ready] {
    auto identity = ctx_.deriver.Derive(codename_.view());
    if (!identity) {
      log::Error("codename derivation failed");
      return ready(ErrorPageFor(http::status::service_unavailable, version_));
    }
    identity_.emplace(std::move(*identity));
    ready(std::nullopt);
  });
  if (!queued) {
    log::WarnRepeated("report refused: derivation pool full");
    ready(ErrorPageFor(http::status::service_unavailable, version_));
  }
}

Result<EnvelopePlan> ReportUpload::Plan(const FieldCollector& fields, bool) {
  const std::string_view code = fields.Get("force");
  if (code.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "Please choose a force, or \"I don't know which force\". Nothing was kept.");
  }
  auto force = ctx_.directory.Find(code);
  if (!force) return UnknownForce();
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

FollowUpUpload::FollowUpUpload(SiteContext& ctx, unsigned version, std::string session_id,
                               std::string boundary)
    : SealedUpload(ctx, version, std::move(session_id), std::move(boundary),
                   FollowUpFormFields()) {}

void FollowUpUpload::Prepare(Ready ready) {
  const bool logged_in = ctx_.sessions.WithIdentity(session_id_, [&](const SourceIdentity& id) {
    source_ = SourceRef{id.lookup_id, id.key_pair.public_key};
  });
  if (!logged_in) {
    return ready(ErrorPageWith(http::status::forbidden, version_,
                               "You are no longer logged in, so nothing was kept. Log in again "
                               "with your codename and send it again."));
  }
  auto force = ctx_.store.SourceForce(source_->lookup_id);
  if (!force) return ready(ErrorPageFor(http::status::service_unavailable, version_));
  force_ = std::move(*force);
  ready(std::nullopt);
}

Result<EnvelopePlan> FollowUpUpload::Plan(const FieldCollector& fields, bool has_files) {
  if (!has_files && IsBlankText(fields.Get("message"))) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "Please write a message or attach a file. Nothing was sent.");
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
  return PageResponse(http::status::ok, version_, "followup_sent", "Sent", {});
}

}  // namespace sealdrop::server
