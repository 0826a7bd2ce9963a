#include "server/source/responses.h"

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
    case http::status::too_many_requests:
      return {"Too many attempts", "There have been too many attempts. Please wait a few "
                                   "minutes and try again."};
    case http::status::forbidden:
      return {"Form expired", "This form has expired or was not sent from this site. "
                              "Nothing was kept. Go back, reload the page and try again."};
    case http::status::request_timeout:
      return {"Too slow", "Your browser took too long to send the request. Nothing was kept."};
    default:
      return {"Something was wrong with that request",
              "The service could not understand what your browser sent. Nothing was kept."};
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

Response PageResponse(http::status status, unsigned version, std::string_view name,
                      const std::string& title, PageData data) {
  return HtmlResponse(status, version, RenderPage(name, title, std::move(data)));
}

Response ErrorPageFor(http::status status, unsigned version) {
  return ErrorPageWith(status, version, TextFor(status).message);
}

Response ErrorPageWith(http::status status, unsigned version, std::string_view message) {
  const ErrorText text = TextFor(status);
  PageData data;
  data.set("heading", text.heading);
  data.set("message", std::string(message));
  return PageResponse(status, version, "error", text.heading, std::move(data));
}

Response ErrorPageForError(const Error& error, unsigned version) {
  return ErrorPageWith(StatusFor(error.code), version, error.message);
}

Response RedirectTo(std::string_view path, unsigned version) {
  Response res{http::status::see_other, version};
  res.set(http::field::location, std::string(path));
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.body() = "See " + std::string(path) + "\n";
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
