#include "server/forceapi/envelope_upload.h"

#include "crypto/envelope_format.h"
#include "server/log.h"

namespace sealdrop::server {
namespace {

// The padded envelope of the longest reply (100,000 bytes of text, 1 MiB of metadata at most)
// is far below this.
constexpr std::uint64_t kMaxReplyEnvelopeBytes = 4u << 20;

// Fixed events only (server/log.h takes string literals).
void LogStored(ItemKind kind, bool phone) {
  if (phone) {
    log::InfoCounted("force api: phone report stored");
  } else if (kind == ItemKind::kReply) {
    log::InfoCounted("force api: reply stored");
  } else {
    log::InfoCounted("force api: forward stored");
  }
}

}  // namespace

// A reply is text (docs/report.md §5) and is opened in full by the inbox on an I/O thread: it
// gets a small limit. A forward or a phone report is a whole report.
std::uint64_t EnvelopeUpload::body_limit() const {
  return plan_.row.kind == ItemKind::kReply ? kMaxReplyEnvelopeBytes : ctx_.max_upload_bytes;
}

bool EnvelopeUpload::LeavesReserve(std::uint64_t bytes) const {
  return !ctx_.free_bytes || server::LeavesReserve(ctx_.free_bytes, bytes, ctx_.reserve_bytes);
}

void EnvelopeUpload::Start(Ready ready) {
  auto blob = ctx_.store.Begin(plan_.chosen_id);
  if (!blob && blob.error().code == ErrorCode::kAlreadyExists) {
    // Sent before (a repeated push): read and authenticate the body, store nothing — so a push
    // repeated on a full disk still learns that its item is in.
    duplicate_ = true;
    return ready(std::nullopt);
  }
  if (!blob) {
    log::Error("force api: cannot create a blob");
    return ready(JsonError(http::status::service_unavailable, version_, "cannot store now"));
  }
  if (!LeavesReserve(0)) {
    log::WarnRepeated("force api: upload refused: disk reserve");
    return ready(JsonError(http::status::insufficient_storage, version_, "disk full"));
  }
  blob_.emplace(std::move(*blob));
  ready(std::nullopt);
}

Status EnvelopeUpload::OnData(std::span<const std::uint8_t> bytes) {
  hasher_.Update(bytes);
  for (std::size_t i = 0; preamble_.size() < envelope::kPreambleBytes && i < bytes.size(); ++i) {
    preamble_.push_back(bytes[i]);
  }
  size_ += bytes.size();
  if (duplicate_) return Status::Ok();
  if (!LeavesReserve(bytes.size())) {
    log::WarnRepeated("force api: upload refused: disk reserve");
    disk_full_ = true;
    return MakeError(ErrorCode::kIo, "disk full");
  }
  return blob_->sink().Write(bytes);
}

void EnvelopeUpload::Finish(Respond respond) {
  if (auto st = ctx_.auth.Finish(auth_, hasher_.Final()); !st) {
    log::WarnRepeated("force api: upload refused: signature");
    return respond(JsonError(AuthErrorStatus(st.error()), version_, st.error().message));
  }
  if (!envelope::HasEnvelopeShape(preamble_, size_)) {
    return respond(JsonError(http::status::bad_request, version_, "not a sealed envelope"));
  }
  if (duplicate_) {
    auto existing = ctx_.store.Get(plan_.chosen_id);
    if (existing && existing->force == plan_.row.force && existing->kind == plan_.row.kind &&
        existing->size == size_) {
      return respond(JsonOk(http::status::ok, version_, {{"id", plan_.chosen_id}, {"already", true}}));
    }
    return respond(JsonError(http::status::conflict, version_, "item id already used"));
  }
  if (!ctx_.disk_pool.TrySubmit([this, respond] { Commit(respond); })) {
    respond(JsonError(http::status::service_unavailable, version_, "busy"));
  }
}

void EnvelopeUpload::Commit(Respond respond) {
  plan_.row.size = size_;
  const std::string id = blob_->id();
  const SourceRow* source = plan_.new_source ? &*plan_.new_source : nullptr;
  if (auto st = ctx_.store.Commit(std::move(*blob_), plan_.row, source); !st) {
    if (st.error().code == ErrorCode::kAlreadyExists) {
      return respond(JsonError(http::status::conflict, version_,
                               "that codename is already registered: make a new one"));
    }
    log::Error("force api: cannot commit an upload");
    return respond(JsonError(http::status::service_unavailable, version_, "cannot store now"));
  }
  if (plan_.move_source) {
    // The conversation follows the report: the source's follow-ups now go to the new force.
    (void)ctx_.store.MoveSource(*plan_.move_source, auth_.fields.force, plan_.row.force);
  }
  LogStored(plan_.row.kind, source != nullptr);
  respond(JsonOk(http::status::created, version_, {{"id", id}}));
}

Response EnvelopeUpload::ErrorResponse(const Error&) {
  if (disk_full_) return JsonError(http::status::insufficient_storage, version_, "disk full");
  return JsonError(http::status::service_unavailable, version_, "cannot store now");
}

Response EnvelopeUpload::TooLarge() {
  return JsonError(http::status::payload_too_large, version_, "envelope too large");
}

}  // namespace sealdrop::server
