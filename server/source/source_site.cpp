#include "server/source/source_site.h"

#include <charconv>

#include "server/i18n/language_path.h"
#include "server/log.h"
#include "server/multipart/multipart_parser.h"
#include "server/pages/embedded.h"
#include "server/source/form_page.h"
#include "server/source/inbox.h"
#include "server/source/onion_check.h"
#include "server/source/report_upload.h"
#include "server/source/responses.h"
#include "server/source/small_form.h"

namespace sealdrop::server {
namespace {

Response Plain(http::status status, unsigned version, std::string_view type,
               std::string_view body) {
  Response res{status, version};
  res.set(http::field::content_type, std::string(type));
  res.body() = std::string(body);
  return res;
}

std::optional<std::string> CookieSession(const Request& req) {
  const auto it = req.find(http::field::cookie);
  if (it == req.end()) return std::nullopt;
  return SessionIdFromCookieHeader(std::string_view(it->value().data(), it->value().size()));
}

std::string_view HeaderValue(const Request& req, http::field field) {
  const auto it = req.find(field);
  if (it == req.end()) return {};
  return {it->value().data(), it->value().size()};
}

// The announced body size, for the storage budgets' early check (the HTTP layer has already
// refused a malformed or doubled Content-Length; chunked bodies have none).
std::optional<std::uint64_t> ContentLength(const Request& req) {
  const std::string_view text = HeaderValue(req, http::field::content_length);
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

template <class Upload>
std::unique_ptr<Upload> WithOrigin(std::unique_ptr<Upload> upload, const Request& req,
                                   const ConnectionInfo& conn) {
  upload->SetOrigin({.circuit = conn.circuit_id, .content_length = ContentLength(req)});
  return upload;
}

bool IsUrlEncodedForm(std::string_view type) {
  constexpr std::string_view kType = "application/x-www-form-urlencoded";
  if (type.size() < kType.size()) return false;
  for (std::size_t i = 0; i < kType.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(type[i])) != kType[i]) return false;
  }
  return type.size() == kType.size() || type[kType.size()] == ';';
}

// The pages that only inform: the same for everyone.
struct InfoPage {
  std::string_view path;
  std::string_view template_name;
  const char* title;  // a msgid
};
constexpr InfoPage kInfoPages[] = {
    {.path = "/tor", .template_name = "tor", .title = N_("Using Tor Browser safely")},
    {.path = "/device-safety", .template_name = "device_safety",
     .title = N_("If someone may be watching your device")},
    {.path = "/privacy", .template_name = "privacy", .title = N_("Privacy notice")},
    {.path = "/accessibility", .template_name = "accessibility",
     .title = N_("Accessibility statement")},
};

// The warning goes at the top of the page's main content. GET pages are whole documents built
// by many routes; inserting it here keeps every one of them unaware of how the request came.
void WithNotOnionWarning(Response& res, Language language) {
  static const std::string warnings[] = {RenderFragment(Language::kEnglish, "tor_warning", {}),
                                         RenderFragment(Language::kWelsh, "tor_warning", {})};
  const std::string& warning = warnings[language == Language::kWelsh ? 1 : 0];
  constexpr std::string_view kMain = "<main id=\"main\" class=\"wrap\">\n";
  std::string& body = res.body();
  const std::size_t at = body.find(kMain);
  if (at == std::string::npos) return;  // not a page (a redirect, the stylesheet)
  body.insert(at + kMain.size(), warning);
}

}  // namespace

Response SourceSite::GetPage(Language lang, std::string_view target, const Request& req,
                             const ConnectionInfo& conn) {
  const unsigned v = req.version();
  if (target == "/") {
    // The same bytes for everyone in a language: rendered once (after main() has set the
    // site's face).
    static const std::string landing[] = {
        RenderPage({.language = Language::kEnglish, .path = "/"}, "landing", N_("Report safely"),
                   {}),
        RenderPage({.language = Language::kWelsh, .path = "/"}, "landing", N_("Report safely"),
                   {})};
    return HtmlResponse(http::status::ok, v, landing[lang == Language::kWelsh ? 1 : 0]);
  }
  // The report form needs no session: its token is signed and carries its own time.
  if (target == "/report") return ReportFormPage(ctx_, lang, v, nullptr, nullptr, false);
  if (target == "/login") return LoginFormPage(lang, req, conn);
  if (target == "/inbox") {
    const auto id = CookieSession(req);
    if (!id) return RedirectTo(lang, "/login", v);
    return InboxPage(ctx_, lang, v, *id);
  }
  for (const InfoPage& page : kInfoPages) {
    if (target == page.path) {
      return PageResponse({.language = lang, .path = std::string(page.path)}, http::status::ok,
                          v, page.template_name, page.title, {});
    }
  }
  if (target == "/static/style.css") {
    return Plain(http::status::ok, v, "text/css; charset=utf-8",
                 *FindEmbedded("static/style.css"));
  }
  if (target == "/robots.txt") {
    return Plain(http::status::ok, v, "text/plain; charset=utf-8",
                 "User-agent: *\nDisallow: /\n");
  }
  return ErrorPageFor(lang, http::status::not_found, v);
}

// Before routing the path is not known (a malformed request, headers too large): English.
Response SourceSite::ErrorPage(http::status status, unsigned version) {
  return ErrorPageFor(Language::kEnglish, status, version);
}

std::optional<SourceSite::FormSession> SourceSite::EnsureSession(const Request& req,
                                                                 const ConnectionInfo& conn) {
  if (auto id = CookieSession(req)) {
    if (auto view = ctx_.sessions.Find(*id)) return FormSession{std::move(*view), false};
  }
  if (conn.circuit_id && !ctx_.circuit_limiter.TryTake(*conn.circuit_id, CircuitAction::kSession)) {
    log::WarnRepeated("request refused: circuit session limit");
    return std::nullopt;
  }
  return FormSession{ctx_.sessions.Create(), true};
}

Response SourceSite::LoginFormPage(Language lang, const Request& req,
                                   const ConnectionInfo& conn) {
  const auto session = EnsureSession(req, conn);
  if (!session) return ErrorPageFor(lang, http::status::too_many_requests, req.version());
  Response res =
      LoginPage(ctx_, lang, http::status::ok, req.version(), session->view.csrf_token, "");
  if (session->is_new) res.set(http::field::set_cookie, SessionCookie(session->view.id));
  return res;
}

RouteResult SourceSite::Route(const Request& req, const ConnectionInfo& conn) {
  const unsigned v = req.version();
  std::string_view full(req.target().data(), req.target().size());
  // Routing ignores a query string; no page uses one.
  full = full.substr(0, full.find('?'));
  // The language is the path's prefix (/cy/...); the routes below see the rest.
  const LocalTarget local = SplitLanguagePrefix(full);
  const Language lang = local.language;
  const std::string_view target = local.path;
  const bool get = req.method() == http::verb::get || req.method() == http::verb::head;
  const bool post = req.method() == http::verb::post;

  if (get) {
    Response res = GetPage(lang, target, req, conn);
    const bool tor2web = req.find("X-Tor2web") != req.end();
    if (!CameThroughOnion(HeaderValue(req, http::field::host), tor2web,
                          {.onion_hostname = ctx_.onion_hostname, .behind_tor = ctx_.behind_tor})) {
      WithNotOnionWarning(res, lang);
    }
    return res;
  }

  // Per-circuit limits (with Tor's PROXY header; without it only the global limits apply).
  auto circuit_allows = [&](CircuitAction action) {
    return !conn.circuit_id || ctx_.circuit_limiter.TryTake(*conn.circuit_id, action);
  };
  if (post && (target == "/report" || target == "/followup" || target == "/login") &&
      !circuit_allows(target == "/login" ? CircuitAction::kLogin : CircuitAction::kReport)) {
    log::WarnRepeated("request refused: circuit limit");
    return ErrorPageFor(lang, http::status::too_many_requests, v);
  }

  if (post && (target == "/report" || target == "/followup")) {
    auto boundary = MultipartBoundary(HeaderValue(req, http::field::content_type));
    if (!boundary) {
      return ErrorPageWith(lang, http::status::bad_request, v,
                           N_("Your browser sent the form in a way this service could not read. "
                              "Nothing was kept."));
    }
    if (target == "/report") {
      return WithOrigin(
          std::make_unique<ReportUpload>(
              ctx_, lang, v, FormTokens::CookieNonce(HeaderValue(req, http::field::cookie)),
              std::move(*boundary)),
          req, conn);
    }
    // Logged in: the inbox's form. Otherwise the reporter's login ended: the form they got back
    // carries their codename (and an old inbox form's message comes back to them that way).
    const std::string session = CookieSession(req).value_or("");
    if (ctx_.sessions.WithIdentity(session, [](const SourceIdentity&) {})) {
      return WithOrigin(
          std::make_unique<FollowUpUpload>(ctx_, lang, v, session, std::move(*boundary)), req,
          conn);
    }
    return WithOrigin(
        FollowUpUpload::WithCodename(
            ctx_, lang, v, FormTokens::CookieNonce(HeaderValue(req, http::field::cookie)),
            std::move(*boundary)),
        req, conn);
  }
  if (post && (target == "/login" || target == "/logout" || target == "/inbox/delete-replies")) {
    const auto id = CookieSession(req);
    if (!id) return ErrorPageFor(lang, http::status::forbidden, v);
    if (!IsUrlEncodedForm(HeaderValue(req, http::field::content_type))) {
      return ErrorPageFor(lang, http::status::bad_request, v);
    }
    if (target == "/login") {
      return std::make_unique<LoginHandler>(ctx_, lang, v, *id, conn.circuit_id);
    }
    if (target == "/inbox/delete-replies") {
      return std::make_unique<DeleteRepliesHandler>(ctx_, lang, v, *id);
    }
    return std::make_unique<LogoutHandler>(ctx_, lang, v, *id);
  }
  return ErrorPageFor(lang, http::status::not_found, v);
}

}  // namespace sealdrop::server
