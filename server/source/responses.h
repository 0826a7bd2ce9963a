// The source interface's responses: HTML pages, error pages with a reporter-friendly message,
// redirects. Every error a reporter can meet is one of these pages: never a stack trace or a
// blank page.
#pragma once

#include <string>
#include <string_view>

#include "common/language.h"
#include "common/result.h"
#include "server/http/http_server.h"
#include "server/pages/pages.h"

namespace sealdrop::server {

// A rendered HTML page with `status`.
Response HtmlResponse(http::status status, unsigned version, std::string html);
// templates/<name>.mustache inside the layout, in the page's language; `title_msgid` is English
// (translated here).
Response PageResponse(const PageLanguage& page, http::status status, unsigned version,
                      std::string_view name, std::string_view title_msgid, PageData data);
// The standard error page for `status`, in `language`.
Response ErrorPageFor(Language language, http::status status, unsigned version);
// An error page with its own message (a sentence safe to show: no content, no secrets): an
// English msgid, translated here.
Response ErrorPageWith(Language language, http::status status, unsigned version,
                       std::string_view message_msgid);
// The error page for an Error value from a handler: its code picks the status (kInvalidArgument
// and kMalformed 400, kLimitExceeded 413, kNotFound 400, kIo 503, ...), its message (an English
// msgid) the text.
Response ErrorPageForError(Language language, const Error& error, unsigned version);
// 303 See Other to a local path (without language prefix), in `language`: "/inbox" in Welsh
// goes to "/cy/inbox".
Response RedirectTo(Language language, std::string_view path, unsigned version);

}  // namespace sealdrop::server

namespace sealdrop::server {
// "2 GB", "50 MB", "4 KB": a configured limit for a page (rounded down, binary units).
std::string HumanSize(std::uint64_t bytes);
}  // namespace sealdrop::server
