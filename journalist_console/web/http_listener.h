// The web face's HTTP/1.1 (Boost.Beast) on 127.0.0.1 or a unix socket only: a listener and a
// session per connection, all on one thread (the console store is one command at a time, so a
// request is handled whole before the next), a fresh parser per request with header and body
// limits, a deadline on every read and write. Request bodies (notes, replies, the passphrase) are
// held in wiping memory (crypto/wiping_memory.h). Any other address is refused before anything is bound.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/http.hpp>

#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "crypto/wiping_memory.h"

namespace sealdrop::console::web {

namespace http = boost::beast::http;
using WipingBody = http::basic_string_body<char, std::char_traits<char>, WipingAllocator<char>>;
using Request = http::request<WipingBody>;
using Response = http::response<http::string_body>;

// Called for every complete request; returns the response (security headers are the handler's).
using Handler = std::function<Response(Request& request)>;

struct ListenerLimits {
  std::size_t header_limit = 16 * 1024;
  std::size_t body_limit = 256 * 1024;  // a reply is at most 100,000 bytes, form-encoded
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds write_timeout{30};
};

// Whether `address` is one the console may listen on: "127.0.0.1:PORT" (PORT may be 0) or
// "unix:/path". kInvalidArgument with a message naming the rule otherwise.
Status CheckLoopbackAddress(const std::string& address);

class HttpListener {
 public:
  static Result<std::unique_ptr<HttpListener>> Listen(boost::asio::io_context& io,
                                                      const std::string& address, Handler handler,
                                                      ListenerLimits limits);
  virtual ~HttpListener() = default;
  // "127.0.0.1:43121" or "unix:/path" (the port chosen when 0 was asked for).
  virtual std::string address() const = 0;
  virtual void Stop() = 0;
};

}  // namespace sealdrop::console::web
