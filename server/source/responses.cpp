#include "server/source/responses.h"

#include "server/i18n/catalogue.h"
#include "server/i18n/language_path.h"

namespace sealdrop::server {
namespace {

struct ErrorText {
  const char* heading;
  const char* message;
};

ErrorText TextFor(http::status status) {
  switch (status) {
    case http::status::not_found:
      return {N_("Page not found"), N_("There is no page at this address.")};
    case http::status::method_not_allowed:
      return {N_("Not allowed"), N_("This kind of request is not accepted here.")};
    case http::status::payload_too_large:
      return {N_("Too large"),
              N_("What you sent is larger than this service accepts. Nothing was kept.")};
    case http::status::request_header_fields_too_large:
      return {N_("Request too large"), N_("Your browser sent more than this service accepts.")};
    case http::status::service_unavailable:
      return {N_("Service busy"), N_("The service cannot take this right now. Nothing was kept. "
                                  "Please try again later.")};
    case http::status::too_many_requests:
      return {N_("Too many attempts"), N_("There have been too many attempts. Please wait a few "
                                       "minutes and try again.")};
    case http::status::forbidden:
      return {N_("Form expired"), N_("This form has expired or was not sent from this site. "
                                  "Nothing was kept. Go back, reload the page and try again.")};
    case http::status::request_timeout:
      return {N_("Too slow"),
              N_("Your browser took too long to send the request. Nothing was kept.")};
    default:
      return {N_("Something was wrong with that request"),
              N_("The service could not understand what your browser sent. Nothing was kept.")};
  }
}

http::status StatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kLimitExceeded: return http::status::payload_too_large;
    case ErrorCode::kIo: return http::status::service_unavailable;
    case ErrorCode::kExpired: return http::status::forbidden;
    case ErrorCode::kBadSignature: return http::status::forbidden;
    default: return http::status::bad_request;
  }
}

}  // namespace

Response HtmlResponse(http::status status, unsigned version, std::string html) {
  Response res{status, version};
  res.set(http::field::content_type, "text/html; charset=utf-8");
  res.body() = std::move(html);
  return res;
}

Response PageResponse(const PageLanguage& page, http::status status, unsigned version,
                      std::string_view name, std::string_view title_msgid, PageData data) {
  return HtmlResponse(status, version, RenderPage(page, name, title_msgid, std::move(data)));
}

Response ErrorPageFor(Language language, http::status status, unsigned version) {
  return ErrorPageWith(language, status, version, TextFor(status).message);
}

Response ErrorPageWith(Language language, http::status status, unsigned version,
                       std::string_view message_msgid) {
  const ErrorText text = TextFor(status);
  PageData data;
  data.set("heading", Translate(language, text.heading));
  data.set("message", Translate(language, message_msgid));
  // The switch link goes to the other language's landing page: an error has no page of its own.
  return PageResponse({.language = language, .path = "/"}, status, version, "error",
                      text.heading, std::move(data));
}

Response ErrorPageForError(Language language, const Error& error, unsigned version) {
  return ErrorPageWith(language, StatusFor(error.code), version, error.message);
}

Response RedirectTo(Language language, std::string_view path, unsigned version) {
  const std::string target = LocalPath(language, path);
  Response res{http::status::see_other, version};
  res.set(http::field::location, target);
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.body() = "See " + target + "\n";
  return res;
}

}  // namespace sealdrop::server

namespace sealdrop::server {
std::string HumanSize(std::uint64_t bytes) {
  if (bytes >= (1ull << 30)) return std::to_string(bytes >> 30) + " GB";
  if (bytes >= (1ull << 20)) return std::to_string(bytes >> 20) + " MB";
  return std::to_string(bytes >> 10) + " KB";
}
}  // namespace sealdrop::server
