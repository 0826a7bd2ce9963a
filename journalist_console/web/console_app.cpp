#include "journalist_console/web/console_app.h"

#include <sodium.h>

#include "journalist_console/core/case_files.h"
#include "journalist_console/web/embedded.h"

namespace sealdrop::console::web {
namespace {

constexpr std::string_view kSessionCookie = "sdc_session";
// Sign-in's own CSRF token (there is no session yet): a cookie and the form's hidden field must match.
constexpr std::string_view kSignInCookie = "sdc_signin";

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path.front() == '/') path.remove_prefix(1);
    const std::size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  }
  return out;
}

bool Matches(const char* pattern, const std::vector<std::string_view>& segments) {
  const auto parts = Split(pattern);
  if (parts.size() != segments.size()) return false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (parts[i] != "*" && parts[i] != segments[i]) return false;
  }
  return true;
}

const std::string& TemplateText(std::string_view name) {
  static std::map<std::string, std::string, std::less<>> cache;
  const auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  const auto text = FindEmbedded("templates/" + std::string(name) + ".mustache");
  if (!text) Die("missing console page template");
  return cache.emplace(std::string(name), std::string(*text)).first->second;
}

}  // namespace

std::optional<std::string_view> FindEmbedded(std::string_view name) {
  for (std::size_t i = 0; i < kEmbeddedFileCount; ++i) {
    if (kEmbeddedFiles[i].name == name) return kEmbeddedFiles[i].contents;
  }
  return std::nullopt;
}

PageData Optional(const std::string& text) { return text.empty() ? PageData(false) : PageData(text); }

void AddSecurityHeaders(Response& res) {
  res.set("Content-Security-Policy",
          "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; "
          "base-uri 'none'");
  res.set("Referrer-Policy", "no-referrer");
  res.set("X-Content-Type-Options", "nosniff");
  res.set(http::field::cache_control, "no-store");
  res.set(http::field::x_frame_options, "DENY");
  res.set("Cross-Origin-Opener-Policy", "same-origin");
  res.set("Cross-Origin-Resource-Policy", "same-origin");
  res.set("Permissions-Policy", "camera=(), geolocation=(), microphone=(), usb=()");
}

Response RedirectTo(const std::string& location) {
  Response res{http::status::see_other, 11};
  res.set(http::field::location, location);
  AddSecurityHeaders(res);
  return res;
}

std::string CookieHeader(std::string_view name, std::string_view value) {
  std::string c = std::string(name) + "=" + std::string(value) + "; Path=/; HttpOnly; SameSite=Strict";
  if (value.empty()) c += "; Max-Age=0";
  return c;
}

std::string CookieValue(const Request& request, std::string_view name) {
  const auto it = request.find(http::field::cookie);
  if (it == request.end()) return "";
  std::string_view all(it->value().data(), it->value().size());
  while (!all.empty()) {
    const std::size_t semi = all.find(';');
    std::string_view pair = all.substr(0, semi);
    all = semi == std::string_view::npos ? std::string_view() : all.substr(semi + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
  }
  return "";
}

ConsoleApp::ConsoleApp(ConsoleStore& store, WebConfig config, Clock clock)
    : store_(store), config_(std::move(config)), sessions_(config_.idle, std::move(clock)) {
  auto force = store_.GetMeta("force");
  force_ = force && *force ? **force : "";
}

void ConsoleApp::SetListenAddress(const std::string& address) { listen_address_ = address; }

const std::vector<ConsoleApp::Route>& ConsoleApp::Routes() {
  using V = http::verb;
  static const std::vector<Route> routes = {
      {V::get, "/", false, &ConsoleApp::GetRoot},
      {V::get, "/sign-in", false, &ConsoleApp::GetSignIn},
      {V::post, "/sign-in", false, &ConsoleApp::PostSignIn},
      {V::post, "/sign-out", true, &ConsoleApp::PostSignOut},
      {V::get, "/static/*", false, &ConsoleApp::GetStatic},
      {V::get, "/cases", true, &ConsoleApp::GetCases},
      {V::post, "/search", true, &ConsoleApp::PostSearch},
      {V::get, "/cases/*", true, &ConsoleApp::GetCase},
      {V::post, "/cases/*/triage", true, &ConsoleApp::PostTriage},
      {V::post, "/cases/*/reply", true, &ConsoleApp::PostReply},
      {V::post, "/cases/*/forward", true, &ConsoleApp::PostForward},
      {V::post, "/cases/*/archive", true, &ConsoleApp::PostArchive},
      {V::post, "/cases/*/attachments/*/safe-copy", true, &ConsoleApp::PostSafeCopy},
      {V::get, "/downloads/*", true, &ConsoleApp::GetDownload},
      {V::get, "/stats", true, &ConsoleApp::GetStats},
      {V::get, "/media", true, &ConsoleApp::GetMedia},
      {V::post, "/media/import", true, nullptr, &ConsoleApp::PostMediaImport},
      {V::post, "/media/outbox", true, nullptr, &ConsoleApp::PostMediaOutbox},
  };
  return routes;
}

bool ConsoleApp::HostAllowed(const Request& request) const {
  if (listen_address_.rfind("unix:", 0) == 0) return true;  // reached through a local proxy only
  const auto it = request.find(http::field::host);
  if (it == request.end()) return false;
  const std::string_view host(it->value().data(), it->value().size());
  const std::string port = listen_address_.substr(listen_address_.find(':') + 1);
  return host == "127.0.0.1:" + port || host == "localhost:" + port;
}

bool ConsoleApp::OriginAllowed(const Request& request) const {
  const auto it = request.find(http::field::origin);
  if (it == request.end()) return true;  // browsers send one with every form POST; tools may not
  const std::string_view origin(it->value().data(), it->value().size());
  // Under "Referrer-Policy: no-referrer" browsers send "Origin: null" even from this console's
  // own pages (Fetch, "serializing a request origin"): the CSRF token decides then.
  if (origin == "null") return true;
  const auto host = request.find(http::field::host);
  return host != request.end() && origin == "http://" + std::string(host->value());
}

Reply ConsoleApp::Handle(Request& request) {
  if (!HostAllowed(request)) {
    return ErrorPage(http::status::bad_request, "Wrong address",
                     "Open the console at the address sealdrop-console serve printed.", nullptr);
  }
  const std::string_view target(request.target().data(), request.target().size());
  const std::size_t q = target.find('?');
  Context c{.request = request,
            .path = target.substr(0, q),
            .query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1),
            .segments = {},
            .session = nullptr,
            .token = "",
            .form = Form()};
  c.segments = Split(c.path);
  const http::verb method = request.method() == http::verb::head ? http::verb::get : request.method();
  const Route* route = nullptr;
  bool path_known = false;
  for (const auto& r : Routes()) {
    if (!Matches(r.pattern, c.segments)) continue;
    path_known = true;
    if (r.method == method) route = &r;
  }
  if (!route) {
    return path_known ? ErrorPage(http::status::method_not_allowed, "Not allowed",
                                  "This page cannot be used that way.", nullptr)
                      : ErrorPage(http::status::not_found, "Page not found",
                                  "There is no page at this address.", nullptr);
  }
  if (route->signed_in) {
    c.token = CookieValue(request, kSessionCookie);
    switch (sessions_.Find(c.token, &c.session)) {
      case SessionTable::Found::kNone:
        return RedirectTo("/sign-in");
      case SessionTable::Found::kLocked: {
        Response res = RedirectTo("/sign-in?locked=1");
        res.set(http::field::set_cookie, CookieHeader(kSessionCookie, ""));
        return res;
      }
      case SessionTable::Found::kActive:
        break;
    }
    // An officer removed (`officer remove`) while signed in here is signed out at their next
    // request: the removal takes the key from them at once, not at the idle lock.
    auto still = StillAnOfficer(store_, c.session->officer().name());
    if (!still) {
      return ErrorPage(http::status::internal_server_error, "The console store could not be read",
                       still.error().message, nullptr);
    }
    if (!*still) {
      sessions_.Remove(c.token);  // the key and the search index are wiped here
      Response res = RedirectTo("/sign-in");
      res.set(http::field::set_cookie, CookieHeader(kSessionCookie, ""));
      return res;
    }
  }
  if (method == http::verb::post) {
    const auto type = request.find(http::field::content_type);
    const bool form_encoded =
        type != request.end() &&
        std::string_view(type->value().data(), type->value().size()).rfind("application/x-www-form-urlencoded", 0) == 0;
    auto form = form_encoded ? Form::Parse(request.body()) : Result<Form>(MakeError(ErrorCode::kInvalidArgument, ""));
    if (!form) {
      return ErrorPage(http::status::bad_request, "The form could not be read",
                       "Go back and send it again.", c.session);
    }
    c.form = std::move(*form);
    const std::string expected = c.session ? c.session->csrf : CookieValue(request, kSignInCookie);
    if (!OriginAllowed(request) || !TokensEqual(c.form.Get("csrf"), expected)) {
      return ErrorPage(http::status::forbidden, "This form has expired",
                       "Nothing was changed. Open the page again and send the form from there.", c.session);
    }
  }
  if (route->stream_fn) return (this->*(route->stream_fn))(c);
  Response res = (this->*(route->fn))(c);
  if (request.method() == http::verb::head) {
    sodium_memzero(res.body().data(), res.body().size());  // a download's bytes, too
    res.body().clear();
  }
  return res;
}

Response ConsoleApp::Page(http::status status, std::string_view name, const std::string& title,
                          PageData data, const Session* session) {
  if (data.get("csrf") == nullptr) data.set("csrf", session ? session->csrf : "");
  kainjow::mustache::mustache body(TemplateText(name));
  if (!body.is_valid()) Die("invalid console page template");
  const std::string inner = body.render(data);
  PageData layout_data;
  layout_data.set("title", title);
  layout_data.set("body", inner);
  layout_data.set("force", force_.empty() ? std::string("PSD") : force_ + " PSD");
  layout_data.set("idle_minutes", std::to_string(std::max<long long>(1, config_.idle.count() / 60)));
  if (session) {
    layout_data.set("officer", session->officer().name());
    layout_data.set("csrf", session->csrf);
  }
  kainjow::mustache::mustache layout(TemplateText("layout"));
  if (!layout.is_valid()) Die("invalid console layout template");
  Response res{status, 11};
  res.set(http::field::content_type, "text/html; charset=utf-8");
  res.body() = layout.render(layout_data);
  AddSecurityHeaders(res);
  return res;
}

Response ConsoleApp::ErrorPage(http::status status, const std::string& heading,
                               const std::string& message, const Session* session) {
  PageData d;
  d.set("heading", heading);
  d.set("message", message);
  return Page(status, "error", heading, std::move(d), session);
}

Response ConsoleApp::GetRoot(Context& c) {
  Session* s = nullptr;
  const bool active = sessions_.Find(CookieValue(c.request, kSessionCookie), &s) == SessionTable::Found::kActive;
  return RedirectTo(active ? "/cases" : "/sign-in");
}

Response ConsoleApp::GetStatic(Context& c) {
  const std::string_view file = c.segments[1];
  if (file != "style.css" && file != "console.css") {
    return ErrorPage(http::status::not_found, "Page not found", "There is no page at this address.", nullptr);
  }
  // The source interface's stylesheet is embedded from server/static (see embedded.h).
  const auto text = FindEmbedded(file == "style.css" ? "../../server/static/style.css" : "static/console.css");
  if (!text) Die("missing console stylesheet");
  Response res{http::status::ok, 11};
  res.set(http::field::content_type, "text/css; charset=utf-8");
  res.body() = std::string(*text);
  AddSecurityHeaders(res);
  return res;
}

Response ConsoleApp::SignInPage(http::status status, const std::string& error, std::string_view officer,
                                bool locked, bool signed_out) {
  const std::string token = RandomToken();
  PageData d;
  d.set("error", Optional(error));
  d.set("officer_value", std::string(officer));
  d.set("locked", locked);
  d.set("signed_out", signed_out);
  d.set("idle_minutes", std::to_string(std::max<long long>(1, config_.idle.count() / 60)));
  d.set("csrf", token);  // the page's token, in the form and in a cookie
  Response res = Page(status, "sign_in", "Sign in", std::move(d), nullptr);
  res.set(http::field::set_cookie, CookieHeader(kSignInCookie, token));
  return res;
}

Response ConsoleApp::GetSignIn(Context& c) {
  Session* s = nullptr;
  if (sessions_.Find(CookieValue(c.request, kSessionCookie), &s) == SessionTable::Found::kActive) {
    return RedirectTo("/cases");
  }
  auto query = Form::Parse(c.query);
  const bool locked = query && query->Get("locked") == "1";
  const bool signed_out = query && query->Get("signed_out") == "1";
  return SignInPage(http::status::ok, "", "", locked, signed_out);
}

Response ConsoleApp::PostSignIn(Context& c) {
  const std::string_view officer = c.form.Get("officer");
  const SecretBuffer passphrase = SecretBuffer::CopyOf(c.form.Get("passphrase"));
  auto signed_in = SignIn(store_, officer, passphrase);
  if (!signed_in) {
    const bool refused = signed_in.error().code == ErrorCode::kWrongPassphrase ||
                         signed_in.error().code == ErrorCode::kInvalidArgument;
    return SignInPage(refused ? http::status::unauthorized : http::status::internal_server_error,
                      refused ? signed_in.error().message
                              : "The force key could not be opened: " + signed_in.error().message,
                      officer, false, false);
  }
  const std::string token = sessions_.Create(std::move(*signed_in));
  Response res = RedirectTo("/cases");
  res.insert(http::field::set_cookie, CookieHeader(kSessionCookie, token));
  res.insert(http::field::set_cookie, CookieHeader(kSignInCookie, ""));
  return res;
}

Response ConsoleApp::PostSignOut(Context& c) {
  const std::string officer = c.session->officer().name();
  sessions_.Remove(c.token);  // the key and the search index are wiped here
  if (auto st = store_.Audit(officer, "sign-out", "", "web"); !st) {
    return ErrorPage(http::status::internal_server_error, "Signed out, but not recorded",
                     "The audit log could not be written: " + st.error().message, nullptr);
  }
  Response res = RedirectTo("/sign-in?signed_out=1");
  res.set(http::field::set_cookie, CookieHeader(kSessionCookie, ""));
  return res;
}

}  // namespace sealdrop::console::web
