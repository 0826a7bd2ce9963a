// Strict HTTP/1.1 request framing (RFC 9112), beyond what Boost.Beast 1.74 refuses itself.
//
// A request whose body length or host a proxy in front of us could read differently from us is
// the raw material of request smuggling; RFC 9112 says to answer 400 and close the connection.
// Beast 1.74 already refuses a malformed or conflicting Content-Length, a Content-Length after
// `Transfer-Encoding: chunked` (and the reverse), a repeated `chunked`, whitespace before a
// field's colon, and broken chunk framing. It accepts, and this module catches:
//  - a Transfer-Encoding whose final coding is not `chunked` (`xchunked`, `chunked, identity`):
//    Beast then reads no body, so the body would be taken for the next request;
//  - any coding besides `chunked` (`gzip, chunked`; Beast decodes none), Transfer-Encoding in
//    more than one field, or together with Content-Length, or in an HTTP/1.0 request;
//  - no Host in an HTTP/1.1 request, more than one Host, or a Host that is not `host[:port]`;
//  - a folded field line (obs-fold: a line of the head that starts with SP or HTAB), which Beast
//    silently joins to the line before. Only the raw bytes show it, so RequestHeadScan watches
//    them before Beast parses the head.
// (Folded lines in a chunked body's trailer are not looked for: they come after the body's end
// is known, and no route reads trailers.)
#pragma once

#include <cstddef>

#include "server/http/http_server.h"

namespace sealdrop::server {

// False when the parsed head's Transfer-Encoding, Content-Length or Host break the rules above.
bool HasUnambiguousFraming(const Request& request);

// Reads the bytes of a request head one at a time, as they arrive, from its first byte: finds
// the blank line that ends it and notes a line that begins with SP or HTAB.
class RequestHeadScan {
 public:
  explicit RequestHeadScan(std::size_t limit) : limit_(limit) {}

  // True when no more bytes need to be seen: the head has ended, or `limit` bytes have passed
  // without its end (the parser then reports the head as too large).
  bool Feed(char c);
  bool folded() const { return folded_; }

 private:
  std::size_t limit_;
  std::size_t seen_ = 0;
  bool line_start_ = false;  // the previous byte ended a line
  bool line_blank_ = false;  // nothing but CR on this line so far (after a line ended)
  bool folded_ = false;
};

}  // namespace sealdrop::server
