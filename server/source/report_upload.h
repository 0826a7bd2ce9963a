// The two kinds of SealedUpload a reporter makes:
//   ReportUpload   POST /report   — a new report. Before the body is read, a fresh codename is
//                  made and derived (Argon2id, on the KDF pool) so that the source key and lookup
//                  id can go into the sealed metadata; the lookup id is registered with the item.
//   FollowUpUpload POST /followup — more information from a logged-in reporter, sealed to the
//                  force their conversation is with.
#pragma once

#include "crypto/secret_buffer.h"
#include "server/source/sealed_upload.h"

namespace sealdrop::server {

class ReportUpload final : public SealedUpload {
 public:
  ReportUpload(SiteContext& ctx, unsigned version, std::string session_id, std::string boundary);

 private:
  void Prepare(Ready ready) override;
  Result<EnvelopePlan> Plan(const FieldCollector& fields, bool has_files) override;
  Response Success() override;

  SecretBuffer codename_;
  std::optional<SourceIdentity> identity_;
  std::string force_name_;
};

class FollowUpUpload final : public SealedUpload {
 public:
  FollowUpUpload(SiteContext& ctx, unsigned version, std::string session_id,
                 std::string boundary);

 private:
  void Prepare(Ready ready) override;
  Result<EnvelopePlan> Plan(const FieldCollector& fields, bool has_files) override;
  Response Success() override;

  std::optional<SourceRef> source_;
  std::string force_;
};

}  // namespace sealdrop::server
