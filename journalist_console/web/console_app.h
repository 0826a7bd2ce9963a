// The console's web face: routes, sessions and pages over the console core, the same calls the
// command line makes (core/case_actions.h, core/case_view.h). Routes (docs/console.md "Web face"):
//
//   GET  /                      -> /cases, or /sign-in
//   GET  /sign-in               sign-in form          POST /sign-in    name + passphrase
//   POST /sign-out              ends the session, wipes the key
//   GET  /cases?FILTERS&page=N  case list, 100 a page POST /search    search text (kept in the session)
//   GET  /cases/ID              the whole conversation, triage and reply forms
//   POST /cases/ID/triage       outcome + note        POST /cases/ID/reply   reply text
//   POST /cases/ID/forward      to (a force code from the signed directory)
//   POST /cases/ID/archive      the whole case as a ZIP download (sealed with age when a
//                               passphrase is given): docs/console.md §7
//   POST /cases/ID/attachments/N/safe-copy   a safe copy of attachment N of case item ID, in
//                               the session's memory; GET /downloads/TOKEN saves it
//   GET  /stats                 counts and charts
//   GET  /media                 bundles and push results on the removable media (serve --media)
//   POST /media/import          name (one the listing shows)   POST /media/outbox
//                               both answer with a streamed page: progress in bytes, then the result
//   GET  /static/style.css, /static/console.css
//
// Every response carries strict security headers (CSP default-src 'none', no framing, no
// referrer, no caching). Every POST needs the form's CSRF token and, when the browser sends one,
// a same-origin Origin; every request on TCP needs a Host naming 127.0.0.1 or localhost with the
// listening port (DNS rebinding). Notes, replies and the passphrase arrive in POST bodies only.
#pragma once

#include <kainjow/mustache.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "journalist_console/core/store/console_store.h"
#include "journalist_console/web/form.h"
#include "journalist_console/web/http_listener.h"
#include "journalist_console/web/sessions.h"
#include "journalist_console/web/sign_in.h"

namespace sealdrop::console::web {

using PageData = kainjow::mustache::data;
// `text`, or false when it is empty: kainjow renders a section for an empty string, so every
// value that a template shows only when present ({{#x}}...{{/x}}) goes through this.
PageData Optional(const std::string& text);

struct WebConfig {
  std::chrono::seconds idle{15 * 60};
  std::string media;  // the removable media's mount point (serve --media); empty: none
};

class ConsoleApp {
 public:
  ConsoleApp(ConsoleStore& store, WebConfig config, Clock clock);
  // The listening address, for the Host check ("127.0.0.1:PORT" or "unix:PATH").
  void SetListenAddress(const std::string& address);
  Reply Handle(Request& request);
  // Locks idle sessions (called every few seconds).
  void Sweep() { sessions_.Sweep(); }

 private:
  struct Context {
    Request& request;
    std::string_view path;
    std::string_view query;
    std::vector<std::string_view> segments;  // path split on '/'
    Session* session = nullptr;
    std::string token;  // the session cookie's value
    Form form;          // a POST's body (CSRF checked before the route runs)
  };
  using RouteFn = Response (ConsoleApp::*)(Context&);
  using StreamRouteFn = Reply (ConsoleApp::*)(Context&);  // may answer with a streamed body
  struct Route {
    http::verb method;
    const char* pattern;  // "/cases/*/triage": '*' matches one segment
    bool signed_in;       // needs a session
    RouteFn fn;
    StreamRouteFn stream_fn = nullptr;  // instead of fn
  };
  static const std::vector<Route>& Routes();

  // console_app.cpp
  Response GetRoot(Context& c);
  Response GetSignIn(Context& c);
  Response PostSignIn(Context& c);
  Response PostSignOut(Context& c);
  Response GetStatic(Context& c);
  Response SignInPage(http::status status, const std::string& error, std::string_view officer,
                      bool locked, bool signed_out);
  bool HostAllowed(const Request& request) const;
  bool OriginAllowed(const Request& request) const;
  // pages_cases.cpp
  Response GetCases(Context& c);
  Response PostSearch(Context& c);
  Status BuildSearchIndex(Session& session);
  // pages_case.cpp
  Response GetCase(Context& c);
  Response PostTriage(Context& c);
  Response PostReply(Context& c);
  Response PostForward(Context& c);
  Response CasePage(Context& c, const std::string& id, http::status status, std::string_view done,
                    const std::string& error, const char* error_field, std::string_view note,
                    std::string_view outcome, std::string_view reply, std::string_view forward_to = "");
  // pages_stats.cpp
  Response GetStats(Context& c);
  // pages_archive.cpp
  Response PostArchive(Context& c);
  // pages_media.cpp
  Response GetMedia(Context& c);
  Reply PostMediaImport(Context& c);
  Reply PostMediaOutbox(Context& c);
  // pages_safe_copy.cpp
  Response PostSafeCopy(Context& c);
  Response GetDownload(Context& c);

  // The page `name` inside the layout, for `session` (nullptr: signed out).
  Response Page(http::status status, std::string_view name, const std::string& title, PageData data,
                const Session* session);
  Response ErrorPage(http::status status, const std::string& heading, const std::string& message,
                     const Session* session);

  ConsoleStore& store_;
  WebConfig config_;
  SessionTable sessions_;
  std::string listen_address_;
  std::string force_;  // the console's force code, for the header (set by the first import too)
};

// Adds the headers every response carries.
void AddSecurityHeaders(Response& response);
// A 303 to `location` (a path on this console).
Response RedirectTo(const std::string& location);
// Set-Cookie value: HttpOnly, SameSite=Strict, Path=/; an empty value clears the cookie.
std::string CookieHeader(std::string_view name, std::string_view value);
// The value of cookie `name` in the request's Cookie header, "" when absent.
std::string CookieValue(const Request& request, std::string_view name);

}  // namespace sealdrop::console::web
