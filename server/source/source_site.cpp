#include "server/source/source_site.h"

#include "server/pages/embedded.h"
#include "server/pages/pages.h"

namespace sealdrop::server {
namespace {

struct ErrorText {
  const char* heading;
  const char* message;
};

ErrorText TextFor(http::status status) {
  switch (status) {
    case http::status::not_found:
      return {"Page not found", "There is no page at this address."};
    case http::status::method_not_allowed:
      return {"Not allowed", "This kind of request is not accepted here."};
    case http::status::payload_too_large:
      return {"Too large", "What you sent is larger than this service accepts. Nothing was kept."};
    case http::status::request_header_fields_too_large:
      return {"Request too large", "Your browser sent more than this service accepts."};
    case http::status::service_unavailable:
      return {"Service busy", "The service cannot take this right now. Nothing was kept. "
                              "Please try again later."};
    case http::status::forbidden:
      return {"Form expired", "This form has expired or was not sent from this site. "
                              "Go back, reload the page and try again."};
    default:
      return {"Something was wrong with that request",
              "The service could not understand what your browser sent. Nothing was kept."};
  }
}

Response Plain(http::status status, unsigned version, std::string_view type,
               std::string_view body) {
  Response res{status, version};
  res.set(http::field::content_type, std::string(type));
  res.body() = std::string(body);
  return res;
}

}  // namespace

Response HtmlResponse(http::status status, unsigned version, std::string html) {
  Response res{status, version};
  res.set(http::field::content_type, "text/html; charset=utf-8");
  res.body() = std::move(html);
  return res;
}

Response SourceSite::ErrorPage(http::status status, unsigned version) {
  const ErrorText text = TextFor(status);
  PageData data;
  data.set("heading", text.heading);
  data.set("message", text.message);
  return HtmlResponse(status, version, RenderPage("error", text.heading, data));
}

RouteResult SourceSite::Route(const Request& req) {
  const unsigned v = req.version();
  const std::string_view target(req.target().data(), req.target().size());
  const bool get = req.method() == http::verb::get || req.method() == http::verb::head;
  if (get && target == "/") {
    return HtmlResponse(http::status::ok, v, RenderPage("landing", "Report safely", {}));
  }
  if (get && target == "/static/style.css") {
    return Plain(http::status::ok, v, "text/css; charset=utf-8",
                 *FindEmbedded("static/style.css"));
  }
  if (get && target == "/robots.txt") {
    return Plain(http::status::ok, v, "text/plain; charset=utf-8", "User-agent: *\nDisallow: /\n");
  }
  return ErrorPage(http::status::not_found, v);
}

}  // namespace sealdrop::server
