#include "server/http/strict_http.h"

#include <boost/beast/core/string.hpp>

#include <string_view>

namespace sealdrop::server {
namespace {

// RFC 9110 §7.2: Host = uri-host [ ":" port ], uri-host an IP literal, IPv4 address or reg-name
// (unreserved, pct-encoded, sub-delims). The characters of those, and no others: no space, no
// "/", "@", "?" or "#" that could smuggle a path or user info past a proxy. Empty is allowed (a
// target without an authority).
bool IsHostValue(std::string_view v) {
  for (const char ch : v) {
    const auto c = static_cast<unsigned char>(ch);
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("-._~%!$&'()*+,;=:[]").find(ch) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool HasUnambiguousFraming(const Request& req) {
  const std::size_t hosts = req.count(http::field::host);
  if (hosts > 1 || (hosts == 0 && req.version() >= 11)) return false;
  if (hosts == 1) {
    const auto host = req[http::field::host];
    if (!IsHostValue({host.data(), host.size()})) return false;
  }
  const std::size_t codings = req.count(http::field::transfer_encoding);
  if (codings == 0) return true;
  // One field, exactly `chunked` (the only coding Beast decodes; it trims the value's OWS).
  return codings == 1 && req.version() >= 11 && req.count(http::field::content_length) == 0 &&
         boost::beast::iequals(req[http::field::transfer_encoding], "chunked");
}

bool RequestHeadScan::Feed(char c) {
  ++seen_;
  if (c == '\n') {
    if (line_blank_) return true;  // CRLF CRLF (or a bare LF's equivalent): the head ends
    line_start_ = true;
    line_blank_ = true;
  } else {
    if (line_start_ && (c == ' ' || c == '\t')) folded_ = true;
    line_start_ = false;
    if (c != '\r') line_blank_ = false;
  }
  return seen_ >= limit_;
}

}  // namespace sealdrop::server
