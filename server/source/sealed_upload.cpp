#include "server/source/sealed_upload.h"

#include "common/utf8.h"
#include "server/log.h"
#include "server/source/form_urlencoded.h"
#include "server/source/responses.h"

namespace sealdrop::server {

// Counts the sealed bytes on their way to the blob (the index records the sealed size).
namespace {

// What a reporter reads when the disk fails or is full: never the system's own message.
Error StorageError() {
  return MakeError(ErrorCode::kIo, "The service cannot store reports right now. Nothing was "
                                   "kept. Please try again later.");
}

}  // namespace

class SealedUpload::CountingSink final : public ByteSink {
 public:
  explicit CountingSink(ByteSink& inner) : inner_(inner) {}
  Status Write(std::span<const std::uint8_t> bytes) override {
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
  std::uint64_t count_ = 0;
};

namespace {

constexpr std::string_view kCsrfField = "csrf";
constexpr std::size_t kCsrfMaxBytes = 64;

Error Expired() {
  return MakeError(ErrorCode::kExpired,
                   "This form has expired or was not sent from this site. Nothing was kept. "
                   "Go back, reload the page and try again.");
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

SealedUpload::SealedUpload(SiteContext& ctx, unsigned version, std::string session_id,
                           std::string boundary, std::span<const FieldRule> fields)
    : ctx_(ctx), version_(version), session_id_(std::move(session_id)),
      parser_(std::move(boundary), *this), fields_(fields) {}

SealedUpload::~SealedUpload() = default;

void SealedUpload::Start(Ready ready) {
  if (!ctx_.sessions.Find(session_id_)) return ready(ErrorPageForError(Expired(), version_));
  Prepare(std::move(ready));
}

Status SealedUpload::OnData(std::span<const std::uint8_t> bytes) { return parser_.Feed(bytes); }

Status SealedUpload::OnPartBegin(const PartHeaders& headers) {
  const bool first = !any_part_;
  any_part_ = true;
  if (first) {
    // The token comes first so that nothing is parsed, buffered or sealed for a forged form.
    if (headers.name != kCsrfField || headers.filename) return Expired();
    mode_ = PartMode::kCsrf;
    field_value_.clear();
    field_limit_ = kCsrfMaxBytes;
    return Status::Ok();
  }
  if (headers.filename) {
    if (headers.name != "file") {
      return MakeError(ErrorCode::kInvalidArgument, "The form had a field this service does not know.");
    }
    // A file input left empty is sent as a part with an empty file name and no content.
    if (headers.filename->empty()) {
      mode_ = PartMode::kSkippedEmptyFile;
      return Status::Ok();
    }
    if (auto st = CheckUploadFileName(*headers.filename); !st) return st;
    if (!writer_) {
      if (auto st = BeginEnvelope(/*has_files=*/true); !st) return st;
    }
    ++files_;
    mode_ = PartMode::kFile;
    return writer_->BeginPart({*headers.filename, SafeMediaType(headers.content_type)});
  }
  if (writer_) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "The form's answers came after its files. Please use the form on this site.");
  }
  const FieldRule* rule = fields_.RuleFor(headers.name);
  if (!rule) {
    return MakeError(ErrorCode::kInvalidArgument, "The form had a field this service does not know.");
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
    case PartMode::kField:
      if (field_value_.size() + data.size() > field_limit_) {
        if (mode_ == PartMode::kCsrf) return Expired();
        return MakeError(ErrorCode::kLimitExceeded,
                         "One of the answers is longer than this service accepts. Please shorten it.");
      }
      field_value_.append(reinterpret_cast<const char*>(data.data()), data.size());
      return Status::Ok();
    case PartMode::kFile:
      return writer_->Write(data);
    case PartMode::kSkippedEmptyFile:
      if (!data.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "A file without a name cannot be accepted.");
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
    if (!ctx_.sessions.CheckCsrf(session_id_, field_value_)) return Expired();
    csrf_ok_ = true;
  } else if (mode == PartMode::kField) {
    if (auto st = fields_.Add(field_name_, std::move(field_value_)); !st) return st;
    field_value_.clear();
  }
  return Status::Ok();
}

Status SealedUpload::BeginEnvelope(bool has_files) {
  if (!csrf_ok_) return Expired();
  auto plan = Plan(fields_, has_files);
  if (!plan) return plan.error();
  plan_ = std::move(*plan);
  auto blob = ctx_.store.Begin();
  if (!blob) {
    log::Error("cannot create a blob");
    return StorageError();
  }
  blob_.emplace(std::move(*blob));
  sink_ = std::make_unique<CountingSink>(blob_->sink());
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
    log::Error("cannot finish an envelope");
    return st.error().code == ErrorCode::kIo ? StorageError() : st.error();
  }
  plan_->row.size = sink_->count();
  auto st = ctx_.store.Commit(std::move(*blob_), plan_->row,
                              plan_->new_source ? &*plan_->new_source : nullptr);
  blob_.reset();
  if (!st) {
    log::Error("cannot commit an item");
    return StorageError();
  }
  return Status::Ok();
}

void SealedUpload::Finish(Respond respond) {
  if (auto st = parser_.Finish(); !st) return respond(ErrorResponse(st.error()));
  if (!csrf_ok_) return respond(ErrorResponse(Expired()));
  const bool queued = ctx_.disk_pool.TrySubmit([this, respond] {
    if (auto st = FinishEnvelope(); !st) return respond(ErrorResponse(st.error()));
    respond(Success());
  });
  if (!queued) respond(ErrorPageFor(http::status::service_unavailable, version_));
}

Response SealedUpload::ErrorResponse(const Error& error) {
  // The multipart parser's own errors are terse and technical; a reporter gets a sentence.
  if (error.code == ErrorCode::kMalformed) {
    return ErrorPageWith(http::status::bad_request, version_,
                         "Your browser sent the form in a way this service could not read. "
                         "Nothing was kept. Go back and try again.");
  }
  return ErrorPageForError(error, version_);
}

Response SealedUpload::TooLarge() {
  return ErrorPageWith(http::status::payload_too_large, version_,
                       "The files are larger than this service accepts in one go. Nothing was "
                       "kept. Send fewer or smaller files, and send the rest afterwards with "
                       "your codename.");
}

}  // namespace sealdrop::server
