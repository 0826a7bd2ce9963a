// HttpServer: Boost.Beast HTTP/1.1 on a loopback TCP port or a unix socket (Tor's
// "HiddenServicePort 80 unix:PATH"). Modelled on Beast's advanced server example: a listener, a
// session per connection on its own strand, a fresh parser per request with a header limit, a
// deadline on every step, and bodies read incrementally into a per-route BodyHandler so that
// uploads stream in constant memory.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>

#include "common/result.h"

namespace sealdrop::server {

namespace http = boost::beast::http;
using Request = http::request_header<>;
using Response = http::response<http::string_body>;

struct HttpLimits {
  std::size_t header_limit = 8 * 1024;
  std::chrono::seconds header_timeout{10};   // slowloris: the whole header within this
  std::chrono::seconds idle_timeout{30};     // between requests on a kept-alive connection
  std::chrono::seconds body_idle_timeout{60};  // no body bytes for this long: give up
  std::chrono::seconds write_timeout{60};
  std::size_t max_connections = 256;
  int max_requests_per_connection = 100;
  // Every connection must begin with Tor's PROXY header (server/http/proxy_header.h); one that
  // does not is closed without an answer.
  bool require_proxy_header = false;
  // Request bodies' own share of the connection cap (server/http/upload_slots.h): 0 means half of
  // max_connections.
  std::size_t max_uploads = 0;
  std::size_t uploads_per_circuit = 2;
  std::chrono::seconds upload_grace{5};
  std::uint64_t upload_floor_bytes_per_second = 1024;
};

// What the server knows of a connection: never an address; with a PROXY header from Tor, the
// client's circuit id.
struct ConnectionInfo {
  std::optional<std::uint32_t> circuit_id;
};

// Consumes one request's body as it arrives. The HTTP session owns the handler and calls it on
// the connection's strand, one call at a time. Start() and Finish() may complete later, on any
// thread (e.g. after Argon2id on a worker pool): the session waits, reading nothing, until the
// callback runs. The callback keeps the session (and so the handler) alive until then.
class BodyHandler {
 public:
  using Ready = std::function<void(std::optional<Response> early_answer)>;
  using Respond = std::function<void(Response)>;

  virtual ~BodyHandler() = default;
  // Bytes beyond this get a 413 and the connection is closed.
  virtual std::uint64_t body_limit() const = 0;
  // Called once before any body byte is read. `ready(nullopt)` starts reading the body;
  // `ready(response)` answers at once and closes the connection without reading it.
  virtual void Start(Ready ready) { ready(std::nullopt); }
  // An error stops reading; ErrorResponse() then answers.
  virtual Status OnData(std::span<const std::uint8_t> bytes) = 0;
  // The whole body has arrived: answer through `respond` (exactly once).
  virtual void Finish(Respond respond) = 0;
  virtual Response ErrorResponse(const Error& error) = 0;
  // The body is larger than body_limit(): its Content-Length says so (asked before Start), or it
  // has grown past it. A handler that needs the start of the body first (a form's text fields,
  // to give the form back filled in) returns true: it has switched to refusing, its body_limit()
  // is now small, and it answers through ErrorResponse() or Finish(). Past that smaller limit,
  // or when this returns false, the session answers TooLarge() and closes.
  virtual bool KeepReadingWhenTooLarge() { return false; }
  // No upload slot is free (server/http/upload_slots.h), asked before Start. A handler that can
  // give its form back filled in returns true: it has switched to refusing (body_limit() small,
  // the text fields only) and answers through ErrorResponse() or Finish(); the connection can
  // then be evicted like one waiting for a header. When this returns false the session answers
  // 503 at once.
  virtual bool KeepReadingWhenBusy() { return false; }
  virtual Response TooLarge() = 0;
};

// A response whose body is a file, sent from disk in constant memory (sealed blobs for the force
// API). If the file cannot be opened the client gets the router's 404 page.
struct FileResponse {
  std::string path;
  std::string content_type = "application/octet-stream";
};

using RouteResult = std::variant<Response, std::unique_ptr<BodyHandler>, FileResponse>;

class Router {
 public:
  virtual ~Router() = default;
  // Called for GET, HEAD and POST (other methods get 405 before routing). Returning a
  // BodyHandler is only allowed for POST.
  virtual RouteResult Route(const Request& request, const ConnectionInfo& connection) = 0;
  // A page for protocol-level errors (400, 405, 408, 413, 431, 503).
  virtual Response ErrorPage(http::status status, unsigned version) = 0;
};

// Adds the security headers every response carries (CSP, no-referrer, nosniff, no-store, ...).
void AddSecurityHeaders(http::response_header<>& response);

class HttpServer {
 public:
  // Listens on "127.0.0.1:PORT" (PORT may be 0) or "unix:/path/to/socket".
  static Result<std::unique_ptr<HttpServer>> Listen(boost::asio::io_context& io,
                                                    const std::string& address, Router& router,
                                                    HttpLimits limits);
  virtual ~HttpServer() = default;
  // The bound address, e.g. "127.0.0.1:43121" or "unix:/run/sealdrop/source.sock".
  virtual std::string address() const = 0;
  // Stops accepting; sessions in progress finish their current request.
  virtual void Stop() = 0;
  virtual std::size_t active_connections() const = 0;
};

}  // namespace sealdrop::server
