#include "server/source/small_form.h"

#include <sodium.h>

#include "server/i18n/catalogue.h"
#include "server/log.h"
#include "server/source/responses.h"
#include "server/source/session_store.h"

namespace sealdrop::server {
namespace {

// One sentence for every way a codename can be wrong: it says nothing about which word.
constexpr const char* kNotRecognised =
    N_("That codename was not recognised. Check the seven words and try again.");

void Wipe(std::string& s) {
  if (!s.empty()) sodium_memzero(s.data(), s.size());
  s.clear();
}

Response Expired(Language language, unsigned version) {
  return ErrorPageFor(language, http::status::forbidden, version);
}

}  // namespace

SmallFormHandler::SmallFormHandler(SiteContext& ctx, Language language, unsigned version,
                                   std::string session_id)
    : ctx_(ctx), language_(language), version_(version), session_id_(std::move(session_id)) {}

SmallFormHandler::~SmallFormHandler() { Wipe(body_); }

Status SmallFormHandler::OnData(std::span<const std::uint8_t> bytes) {
  body_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return Status::Ok();
}

void SmallFormHandler::Finish(Respond respond) {
  auto fields = ParseUrlEncodedForm(body_);
  Wipe(body_);
  if (!fields) return respond(ErrorPageFor(language_, http::status::bad_request, version_));
  const auto csrf = SingleField(*fields, "csrf");
  const bool ok = csrf && ctx_.sessions.CheckCsrf(session_id_, std::string(*csrf));
  if (ok) Handle(*fields, respond);
  for (auto& [name, value] : *fields) Wipe(value);
  if (!ok) respond(Expired(language_, version_));
}

Response SmallFormHandler::ErrorResponse(const Error&) {
  return ErrorPageFor(language_, http::status::bad_request, version_);
}

Response SmallFormHandler::TooLarge() {
  return ErrorPageFor(language_, http::status::payload_too_large, version_);
}

Response LoginPage(SiteContext&, Language language, http::status status, unsigned version,
                   const std::string& csrf, const std::string& error) {
  PageData data;
  data.set("csrf", csrf);
  // A mustache section shows for any string, even "": only false hides the error box.
  if (error.empty()) {
    data.set("error", PageData::type::bool_false);
  } else {
    data.set("error", error);
  }
  return PageResponse({.language = language, .path = "/login"}, status, version, "login",
                      N_("Log in with your codename"), std::move(data));
}

void LoginHandler::Start(Ready ready) {
  if (!ctx_.sessions.Find(session_id_)) return ready(Expired(language_, version_));
  if (!ctx_.login_throttle.TryAttempt(session_id_)) {
    log::WarnRepeated("login refused: throttled");
    return ready(ErrorPageFor(language_, http::status::too_many_requests, version_));
  }
  ready(std::nullopt);
}

Response LoginHandler::Refused() {
  ctx_.login_throttle.RecordFailure(session_id_);
  auto view = ctx_.sessions.Find(session_id_);
  if (!view) return Expired(language_, version_);
  return LoginPage(ctx_, language_, http::status::forbidden, version_, view->csrf_token,
                   Translate(language_, kNotRecognised));
}

Response LoginHandler::Busy() {
  auto view = ctx_.sessions.Find(session_id_);
  if (!view) return ErrorPageFor(language_, http::status::service_unavailable, version_);
  // The codename typed is never written into a page: the reporter types it again.
  return LoginPage(ctx_, language_, http::status::service_unavailable, version_,
                   view->csrf_token,
                   Translate(language_,
                             "The service is very busy and could not check your codename just "
                             "now. Wait a minute, then enter it again."));
}

void LoginHandler::Handle(const FormFields& fields, Respond respond) {
  const auto typed = SingleField(fields, "codename");
  if (!typed) return respond(Refused());
  // Normalising is cheap and tells an attacker nothing they did not type: only a well-formed
  // codename costs a derivation.
  auto canonical = NormalizeCodename(*typed);
  if (!canonical) return respond(Refused());
  auto shared = std::make_shared<SecretBuffer>(std::move(*canonical));
  const bool queued = ctx_.kdf_pool.TrySubmitFor(circuit_, [this, shared, respond] {
    auto identity = ctx_.deriver.Derive(shared->view());
    if (!identity) {
      log::Error("codename derivation failed");
      return respond(Busy());
    }
    auto force = ctx_.store.SourceForce(identity->lookup_id);
    if (!force) {
      if (force.error().code != ErrorCode::kNotFound) {
        return respond(ErrorPageFor(language_, http::status::service_unavailable, version_));
      }
      log::InfoCounted("login failed");
      return respond(Refused());
    }
    // A login is activity: the conversation's retention period starts again (docs/server.md).
    if (auto st = ctx_.store.TouchSource(identity->lookup_id, ctx_.today()); !st) {
      log::Error("cannot record a login's day");
    }
    auto view = ctx_.sessions.LogIn(session_id_, std::move(*identity));
    if (!view) return respond(Expired(language_, version_));
    ctx_.login_throttle.Forget(session_id_);
    log::InfoCounted("login");
    Response res = RedirectTo(language_, "/inbox", version_);
    res.set(http::field::set_cookie, SessionCookie(view->id));
    respond(std::move(res));
  });
  if (!queued) {
    log::WarnRepeated("login refused: derivation pool full");
    respond(Busy());
  }
}

void LogoutHandler::Handle(const FormFields&, Respond respond) {
  ctx_.sessions.Destroy(session_id_);
  ctx_.login_throttle.Forget(session_id_);
  Response res = RedirectTo(language_, "/", version_);
  res.set(http::field::set_cookie, ExpiredSessionCookie());
  respond(std::move(res));
}

void DeleteRepliesHandler::Handle(const FormFields& fields, Respond respond) {
  std::optional<std::array<std::uint8_t, kLookupIdBytes>> lookup;
  ctx_.sessions.WithIdentity(session_id_, [&](const SourceIdentity& id) { lookup = id.lookup_id; });
  if (!lookup) return respond(RedirectTo(language_, "/login", version_));
  const auto listed = SingleField(fields, "replies");
  if (!listed) return respond(ErrorPageFor(language_, http::status::bad_request, version_));
  std::vector<std::string> ids;
  std::string_view rest = *listed;
  while (!rest.empty()) {
    const auto space = rest.find(' ');
    if (space != 0) ids.emplace_back(rest.substr(0, space));
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
  }
  auto deleted = ctx_.store.DeleteReplies(*lookup, ids);
  if (!deleted) {
    log::Error("cannot delete replies");
    return respond(ErrorPageWith(language_, http::status::service_unavailable, version_,
                                 N_("The replies could not be deleted just now. Nothing was "
                                    "deleted. Please try again later.")));
  }
  log::InfoCounted("replies deleted by their reader");
  respond(PageResponse({.language = language_, .path = "/inbox"}, http::status::ok, version_,
                       "replies_deleted", N_("Replies deleted"), {}));
}

}  // namespace sealdrop::server
