// The two kinds of SealedUpload a reporter makes:
//   ReportUpload   POST /report   — a new report. Its form carries a stateless form token
//                  (form_token.h) bound to the sd_form cookie; a form whose report was already
//                  committed gets "already received", never a second codename. Before the body is
//                  read, a fresh codename is made and derived (Argon2id, on the KDF pool) so that
//                  the source key and lookup id can go into the sealed metadata; the lookup id is
//                  registered with the item, and the form marked used, in one transaction.
//   FollowUpUpload POST /followup — more information from a logged-in reporter, sealed to the
//                  force their conversation is with.
#pragma once

#include "crypto/secret_buffer.h"
#include "server/source/form_token.h"
#include "server/source/sealed_upload.h"

namespace sealdrop::server {

class ReportUpload final : public SealedUpload {
 public:
  ReportUpload(SiteContext& ctx, Language language, unsigned version,
               std::optional<FormNonce> cookie, std::string boundary);

 private:
  void Prepare(Ready ready) override;
  Status CheckToken(std::string_view token) override;
  Result<EnvelopePlan> Plan(const FieldCollector& fields, bool has_files) override;
  Response Success() override;
  Response FormAgain(const FormValues& values, const FormProblem& problem,
                     bool files_dropped) override;
  Response AlreadyReceived() override;
  const UsedForm* used_form() const override { return used_ ? &*used_ : nullptr; }

  std::optional<FormNonce> cookie_;
  std::optional<UsedForm> used_;
  SecretBuffer codename_;
  std::optional<SourceIdentity> identity_;
  std::string force_name_;
  bool contact_kept_ = false;  // contact details were sealed with the report
};

class FollowUpUpload final : public SealedUpload {
 public:
  // A logged-in reporter's follow-up (the inbox form, the session's CSRF token).
  FollowUpUpload(SiteContext& ctx, Language language, unsigned version, std::string session_id,
                 std::string boundary);
  // A reporter whose login ended sends the follow-up form they got back, with their codename
  // (a form token instead of a session: form_token.h). The codename is derived once the body is
  // in; a known one logs a new session in and the follow-up is sealed. Files come afterwards
  // from the inbox (the form has none).
  static std::unique_ptr<FollowUpUpload> WithCodename(SiteContext& ctx, Language language,
                                                      unsigned version,
                                                      std::optional<FormNonce> cookie,
                                                      std::string boundary);

 private:
  FollowUpUpload(SiteContext& ctx, Language language, unsigned version,
                 std::optional<FormNonce> cookie, std::string boundary);
  void Prepare(Ready ready) override;
  Status CheckToken(std::string_view token) override;
  Result<EnvelopePlan> Plan(const FieldCollector& fields, bool has_files) override;
  void BeforeSeal(const FieldCollector& fields, Next next) override;
  Response Success() override;
  Response FormAgain(const FormValues& values, const FormProblem& problem,
                     bool files_dropped) override;

  const bool with_codename_;
  std::optional<FormNonce> cookie_;
  std::string new_session_;  // set by a codename login: its cookie goes on the answer
  std::optional<SourceRef> source_;
  // The source key, copied from the session: opens and reseals the reporter's record when the
  // follow-up is committed (conversation_record.h).
  std::optional<KeyPair> source_key_;
  std::string force_;
};

}  // namespace sealdrop::server
