// SealedUpload: a multipart/form-data POST sealed into one envelope while it streams in — the
// core of the report and follow-up routes.
//
// The body is parsed incrementally. The first part must be the form's CSRF token (checked at
// once); the text fields that follow are checked and held in memory (bounded: docs/report.md);
// at the first file — or at the end when there is none — the kind's Plan() fixes the recipients
// and the metadata, the envelope begins in a fresh unnamed blob, and every file byte goes
// straight into the envelope writer: memory stays constant whatever the upload size. A text
// field after a file is refused (the metadata record is already sealed). Finishing the envelope
// (padding, fsync, rename, index row) runs on the disk pool; the reporter sees success only once
// the item is durable. On any error the unnamed blob is dropped: nothing is left behind.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "crypto/envelope_writer.h"
#include "report/report_schema.h"
#include "server/http/http_server.h"
#include "server/multipart/multipart_parser.h"
#include "server/source/site_context.h"

namespace sealdrop::server {

// What a kind of upload decides once its text fields are known.
struct EnvelopePlan {
  std::vector<PublicKey> recipients;
  std::string metadata_json;
  ItemRow row;                          // size is filled in by SealedUpload
  std::optional<SourceRow> new_source;  // a report registers its codename's lookup id
};

class SealedUpload : public BodyHandler, private MultipartHandler {
 public:
  SealedUpload(SiteContext& ctx, unsigned version, std::string session_id, std::string boundary,
               std::span<const FieldRule> fields);
  ~SealedUpload() override;

  std::uint64_t body_limit() const override { return ctx_.limits.max_upload_bytes; }
  void Start(Ready ready) final;
  Status OnData(std::span<const std::uint8_t> bytes) final;
  void Finish(Respond respond) final;
  Response ErrorResponse(const Error& error) final;
  Response TooLarge() final;

 protected:
  // Kind-specific work before the body is read (e.g. deriving a codename). Calls `ready` once.
  virtual void Prepare(Ready ready) = 0;
  // Called once, at the first file or at the end of the body.
  virtual Result<EnvelopePlan> Plan(const FieldCollector& fields, bool has_files) = 0;
  // The page shown once the item is durable.
  virtual Response Success() = 0;

  SiteContext& ctx_;
  const unsigned version_;
  const std::string session_id_;

 private:
  class CountingSink;
  Status OnPartBegin(const PartHeaders& headers) override;
  Status OnPartData(std::span<const std::uint8_t> data) override;
  Status OnPartEnd() override;
  Status BeginEnvelope(bool has_files);
  Status FinishEnvelope();

  enum class PartMode { kNone, kCsrf, kField, kFile, kSkippedEmptyFile };
  MultipartParser parser_;
  FieldCollector fields_;
  bool csrf_ok_ = false;
  bool any_part_ = false;
  PartMode mode_ = PartMode::kNone;
  std::string field_name_;
  std::string field_value_;
  std::size_t field_limit_ = 0;
  std::size_t files_ = 0;
  std::optional<EnvelopePlan> plan_;
  std::optional<PendingBlob> blob_;
  std::unique_ptr<CountingSink> sink_;
  std::optional<SealedEnvelopeWriter> writer_;
};

// The part's media type if it is a plain "type/subtype" token pair, else
// "application/octet-stream".
std::string SafeMediaType(std::string_view content_type);

}  // namespace sealdrop::server
