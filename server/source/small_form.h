// SmallFormHandler: a POST whose body is a small application/x-www-form-urlencoded form (login,
// log-out). The body is held in memory up to the route's small limit and wiped afterwards: a
// login body carries a codename.
//
// LoginHandler   POST /login  — CSRF, throttle, codename → Argon2id on the KDF pool → a known
//                lookup id logs the session in (new session id) and redirects to /inbox; anything
//                else gets one generic error.
// LogoutHandler  POST /logout — CSRF, then the session (and the source key in it) is destroyed.
// DeleteRepliesHandler POST /inbox/delete-replies — CSRF, then the shown replies are deleted.
#pragma once

#include <string>

#include "common/language.h"
#include "server/http/http_server.h"
#include "server/source/form_urlencoded.h"
#include "server/source/site_context.h"

namespace sealdrop::server {

class SmallFormHandler : public BodyHandler {
 public:
  // `language`: the form's (its path's), for every page it answers with.
  SmallFormHandler(SiteContext& ctx, Language language, unsigned version,
                   std::string session_id);
  ~SmallFormHandler() override;  // wipes the body

  std::uint64_t body_limit() const override { return ctx_.limits.max_small_form_bytes; }
  Status OnData(std::span<const std::uint8_t> bytes) final;
  void Finish(Respond respond) final;
  Response ErrorResponse(const Error& error) final;
  Response TooLarge() final;

 protected:
  // Called with the parsed fields once the CSRF token has been checked.
  virtual void Handle(const FormFields& fields, Respond respond) = 0;

  SiteContext& ctx_;
  const Language language_;
  const unsigned version_;
  const std::string session_id_;

 private:
  std::string body_;
};

class LoginHandler final : public SmallFormHandler {
 public:
  // `circuit`: from Tor's PROXY header; the derivation queue is fair across circuits.
  LoginHandler(SiteContext& ctx, Language language, unsigned version, std::string session_id,
               std::optional<std::uint32_t> circuit)
      : SmallFormHandler(ctx, language, version, std::move(session_id)), circuit_(circuit) {}
  void Start(Ready ready) override;

 private:
  const std::optional<std::uint32_t> circuit_;
  void Handle(const FormFields& fields, Respond respond) override;
  Response Refused();
  // The login form again, with a "very busy" problem (503): a full derivation queue.
  Response Busy();
};

class LogoutHandler final : public SmallFormHandler {
 public:
  using SmallFormHandler::SmallFormHandler;

 private:
  void Handle(const FormFields& fields, Respond respond) override;
};

// POST /inbox/delete-replies — a logged-in reporter deletes the replies the inbox showed them
// (their ids are in the form: one that arrived since is not deleted unseen). For someone who may
// be made to log in and show their replies.
class DeleteRepliesHandler final : public SmallFormHandler {
 public:
  using SmallFormHandler::SmallFormHandler;

 private:
  void Handle(const FormFields& fields, Respond respond) override;
};

// The login page for `session` (with its CSRF token) and an optional error sentence (in
// `language` already).
Response LoginPage(SiteContext& ctx, Language language, http::status status, unsigned version,
                   const std::string& csrf, const std::string& error);

}  // namespace sealdrop::server
