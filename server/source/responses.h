// The source interface's responses: HTML pages, error pages with a reporter-friendly message,
// redirects. Every error a reporter can meet is one of these pages: never a stack trace or a
// blank page.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "server/http/http_server.h"
#include "server/pages/pages.h"

namespace sealdrop::server {

// A rendered HTML page with `status`.
Response HtmlResponse(http::status status, unsigned version, std::string html);
// templates/<name>.mustache inside the layout.
Response PageResponse(http::status status, unsigned version, std::string_view name,
                      const std::string& title, PageData data);
// The standard error page for `status`.
Response ErrorPageFor(http::status status, unsigned version);
// An error page with its own message (a sentence safe to show: no content, no secrets).
Response ErrorPageWith(http::status status, unsigned version, std::string_view message);
// The error page for an Error value from a handler: its code picks the status (kInvalidArgument
// and kMalformed 400, kLimitExceeded 413, kNotFound 400, kIo 503, ...), its message the text.
Response ErrorPageForError(const Error& error, unsigned version);
// 303 See Other to a local path.
Response RedirectTo(std::string_view path, unsigned version);

}  // namespace sealdrop::server

namespace sealdrop::server {
// "2 GB", "50 MB", "4 KB": a configured limit for a page (rounded down, binary units).
std::string HumanSize(std::uint64_t bytes);
}  // namespace sealdrop::server
