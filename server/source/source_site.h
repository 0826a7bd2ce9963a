// The source interface's routes: what a reporter's browser talks to.
//
//   GET  /                 landing page
//   GET  /report           the report form (a stateless form token and its cookie: no session)
//   POST /report           multipart: sealed while it streams; answers with the codename
//   GET  /login            codename form
//   POST /login            urlencoded: codename → session logged in → 303 /inbox
//   GET  /inbox            replies, follow-up form, log-out form (logged in only)
//   POST /followup         multipart: sealed to the conversation's force
//   POST /logout           urlencoded: ends the session → 303 /
//   POST /inbox/delete-replies  urlencoded: deletes the replies the inbox showed
//   GET  /tor, /device-safety, /privacy, /accessibility   guidance, notice and statement
//   GET  /static/style.css, /robots.txt
// Every route is also under /cy, in Welsh (/cy/, /cy/report, ...: server/i18n/language_path.h).
// Every GET page carries a warning when the request did not come through the onion
// (onion_check.h).
#pragma once

#include <optional>
#include <string_view>

#include "common/language.h"
#include "server/http/http_server.h"
#include "server/source/site_context.h"

namespace sealdrop::server {

class SourceSite : public Router {
 public:
  explicit SourceSite(SiteContext& ctx) : ctx_(ctx) {}
  RouteResult Route(const Request& request, const ConnectionInfo& connection) override;
  Response ErrorPage(http::status status, unsigned version) override;

 private:
  struct FormSession {
    SessionView view;
    bool is_new;  // its cookie must be set on the page
  };
  // The request's live session, or a new one; nullopt when the circuit has opened too many
  // sessions (CircuitAction::kSession).
  std::optional<FormSession> EnsureSession(const Request& request,
                                           const ConnectionInfo& connection);
  // Every GET route's page (source_site.cpp adds the not-onion warning to it).
  Response GetPage(Language language, std::string_view target, const Request& request,
                   const ConnectionInfo& connection);
  Response LoginFormPage(Language language, const Request& request,
                         const ConnectionInfo& connection);

  SiteContext& ctx_;
};

}  // namespace sealdrop::server
