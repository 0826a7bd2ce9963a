// The strict-HTTP cases of the hostile-input suites (server/http/strict_http.h), shared by the
// source site's (tests/integration/bad_input_test.cpp) and the force API's
// (hostile_api_test.cpp). Each case turns a request the listener would answer with 200 into one
// whose framing or Host RFC 9112 says to refuse with 400 and then close the connection; a second,
// smuggled request follows it in the same bytes and must never be answered.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <vector>

#include "tests/support/server_process.h"

namespace sealdrop::testing {

struct StrictHttpCase {
  const char* name;
  // `valid`: a whole request (head, blank line, body) without "Connection: close".
  std::function<std::string(const std::string& valid)> make;
};

// Sent straight after each case's request.
inline const std::string kSmuggledRequest =
    "GET /smuggled HTTP/1.1\r\nHost: x.onion\r\nConnection: close\r\n\r\n";

namespace strict_http_detail {
// `lines` (each ending CRLF) inserted after the request line.
inline std::string AddFields(std::string r, const std::string& lines) {
  return r.insert(r.find("\r\n") + 2, lines);
}
inline std::string RemoveField(std::string r, const std::string& name) {
  const auto at = r.find("\r\n" + name + ":");
  return r.erase(at + 2, r.find("\r\n", at + 2) - at);
}
inline std::string ReplaceFirst(std::string r, const std::string& from, const std::string& to) {
  return r.replace(r.find(from), from.size(), to);
}
}  // namespace strict_http_detail

inline const std::vector<StrictHttpCase>& StrictHttpCases() {
  using namespace strict_http_detail;
  static const std::vector<StrictHttpCase> cases = {
      // Beast reads no body for these, so the body is read as the next request.
      {"TransferEncodingUnknown",
       [](const std::string& r) { return AddFields(r, "Transfer-Encoding: xchunked\r\n"); }},
      {"TransferEncodingChunkedNotLast",
       [](const std::string& r) { return AddFields(r, "Transfer-Encoding: chunked, identity\r\n"); }},
      {"TransferEncodingChunkedTwice",
       [](const std::string& r) { return AddFields(r, "Transfer-Encoding: chunked, chunked\r\n"); }},
      // A coding nobody here decodes.
      {"TransferEncodingGzipThenChunked",
       [](const std::string& r) { return AddFields(r, "Transfer-Encoding: gzip, chunked\r\n"); }},
      {"TransferEncodingInTwoFields",
       [](const std::string& r) {
         return AddFields(r, "Transfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n");
       }},
      // Two framings at once.
      {"TransferEncodingWithContentLength",
       [](const std::string& r) {
         return AddFields(r, "Transfer-Encoding: xchunked\r\nContent-Length: 0\r\n");
       }},
      {"ChunkedAfterContentLength",
       [](const std::string& r) {
         return AddFields(r, "Content-Length: 0\r\nTransfer-Encoding: chunked\r\n");
       }},
      {"TransferEncodingInHttp10",
       [](const std::string& r) {
         return AddFields(ReplaceFirst(r, " HTTP/1.1\r\n", " HTTP/1.0\r\n"),
                          "Connection: keep-alive\r\nTransfer-Encoding: chunked\r\n");
       }},
      {"SpaceBeforeTheColon",
       [](const std::string& r) { return AddFields(r, "Transfer-Encoding : chunked\r\n"); }},
      // Folded lines (obs-fold), which Beast joins silently.
      {"FoldedField",
       [](const std::string& r) { return AddFields(r, "X-Note: one\r\n two\r\n"); }},
      {"FoldedFieldWithATab",
       [](const std::string& r) { return AddFields(r, "X-Note: one\r\n\ttwo\r\n"); }},
      {"FoldedTransferEncoding",
       [](const std::string& r) { return AddFields(r, "Transfer-Encoding:\r\n chunked\r\n"); }},
      // Host.
      {"NoHost", [](const std::string& r) { return RemoveField(r, "Host"); }},
      {"TwoHosts", [](const std::string& r) { return AddFields(r, "Host: y.onion\r\n"); }},
      {"HostWithAPath",
       [](const std::string& r) { return AddFields(RemoveField(r, "Host"), "Host: x.onion/admin\r\n"); }},
  };
  return cases;
}

struct StrictHttpExchange {
  std::string bytes;        // everything the server sent
  bool closed = false;      // the server closed the connection (rather than our wait ending)
  int answers = 0;          // status lines in `bytes`
};

// Sends `raw` on a fresh connection and reads until the server closes it (or 10 s pass).
inline StrictHttpExchange SendAndReadToClose(const std::string& address, const std::string& raw) {
  StrictHttpExchange x;
  const int fd = ConnectTo(address);
  if (fd < 0) return x;
  std::size_t sent = 0;
  while (sent < raw.size()) {
    const ssize_t n = send(fd, raw.data() + sent, raw.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  char buf[65536];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 10000) <= 0) break;
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      x.closed = true;
      break;
    }
    x.bytes.append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  for (std::size_t at = 0; (at = x.bytes.find("HTTP/1.", at)) != std::string::npos; ++at) {
    if (at == 0 || x.bytes[at - 1] == '\n') ++x.answers;
  }
  return x;
}

}  // namespace sealdrop::testing
