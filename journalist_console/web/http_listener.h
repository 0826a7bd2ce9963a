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

// A response body written while it is made (a page showing an import's progress): after the
// head is sent with "Transfer-Encoding: chunked" and "Connection: close", the listener calls
// the handler's StreamFn on the same thread, which writes the body in chunks. Each Write blocks
// until the chunk is sent or the write deadline passes. The console does one command at a
// time, so the whole server waits for the stream to end: that is the point, not an accident
// (nothing else may touch the store mid-import). Once a Write fails (the browser went away, the
// deadline passed) it returns false and every later Write does nothing: the work goes on to
// its end, which keeps an import all or nothing; the connection is closed afterwards.
class ChunkWriter {
 public:
  virtual ~ChunkWriter() = default;
  virtual bool Write(std::string_view chunk) = 0;
};
using StreamFn = std::function<void(ChunkWriter& out)>;

// What a handler returns: a whole response, or (with `stream` set) a response head whose body
// `stream` writes; the head's own body is then ignored.
struct Reply {
  Reply(Response r) : response(std::move(r)) {}  // NOLINT: every whole response is a Reply
  Reply(Response head, StreamFn s) : response(std::move(head)), stream(std::move(s)) {}
  Response response;
  StreamFn stream;
};

// Called for every complete request (security headers are the handler's).
using Handler = std::function<Reply(Request& request)>;

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
