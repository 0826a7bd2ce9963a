#include "journalist_console/web/http_listener.h"

#include <poll.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <optional>

namespace sealdrop::console::web {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;

using ReadBuffer = beast::basic_flat_buffer<WipingAllocator<char>>;

template <class Protocol>
class Session : public std::enable_shared_from_this<Session<Protocol>> {
 public:
  using Stream = beast::basic_stream<Protocol, asio::any_io_executor, beast::unlimited_rate_policy>;

  Session(typename Protocol::socket socket, Handler handler, ListenerLimits limits)
      : stream_(std::move(socket)), handler_(std::move(handler)), limits_(limits) {}

  void Start() { DoRead(); }

 private:
  void DoRead() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(limits_.header_limit));
    parser_->body_limit(limits_.body_limit);
    stream_.expires_after(limits_.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       self->OnRead(ec);
                     });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::eof) {
      return Close();
    }
    if (ec) {
      // Too large, malformed: one plain answer, then the connection closes.
      const bool too_large = ec == http::error::body_limit || ec == http::error::header_limit;
      Response res{too_large ? http::status::payload_too_large : http::status::bad_request, 11};
      res.set(http::field::content_type, "text/plain; charset=utf-8");
      res.body() = too_large ? "Too large\n" : "Bad request\n";
      res.keep_alive(false);
      return Write(std::move(res));
    }
    Request request = parser_->release();
    Reply reply = handler_(request);
    WipeString(request.body());
    WipeBuffer();
    if (reply.stream) return SendStreamed(reply);
    reply.response.keep_alive(request.keep_alive());
    Write(std::move(reply.response));
  }

  // A streamed body (see StreamFn): written synchronously on this thread with a deadline per
  // chunk, then the connection closes.
  void SendStreamed(Reply& reply) {
    reply.response.body().clear();
    std::string head = "HTTP/1.1 " + std::to_string(reply.response.result_int()) + " " +
                       std::string(reply.response.reason()) + "\r\n";
    for (const auto& field : reply.response) {
      if (field.name() == http::field::content_length || field.name() == http::field::connection ||
          field.name() == http::field::transfer_encoding) {
        continue;
      }
      head += std::string(field.name_string()) + ": " + std::string(field.value()) + "\r\n";
    }
    head += "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    DeadlineWriter out(stream_.socket().native_handle(), limits_.write_timeout);
    if (out.Send(head)) {
      reply.stream(out);
      out.Send("0\r\n\r\n");
    }
    Close();
  }

  // Chunks straight onto the socket (poll for room, then send), each within `timeout`: Beast's
  // deadlines apply to asynchronous operations only, and this one is synchronous by design.
  class DeadlineWriter final : public ChunkWriter {
   public:
    DeadlineWriter(int fd, std::chrono::seconds timeout) : fd_(fd), timeout_(timeout) {}
    bool Write(std::string_view chunk) override {
      if (chunk.empty()) return ok_;
      char size[20];
      std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
      return Send(size) && Send(chunk) && Send("\r\n");
    }
    bool Send(std::string_view bytes) {
      const auto deadline = std::chrono::steady_clock::now() + timeout_;
      while (ok_ && !bytes.empty()) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd p{.fd = fd_, .events = POLLOUT, .revents = 0};
        const int ready = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0 || (p.revents & (POLLERR | POLLHUP)) != 0) {
          ok_ = false;
          break;
        }
        const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
        if (n <= 0) {
          ok_ = false;
          break;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
      }
      return ok_;
    }

   private:
    int fd_;
    std::chrono::seconds timeout_;
    bool ok_ = true;
  };

  void Write(Response res) {
    res.prepare_payload();
    response_ = std::move(res);
    stream_.expires_after(limits_.write_timeout);
    http::async_write(stream_, *response_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        self->OnWrite(ec);
                      });
  }

  void OnWrite(beast::error_code ec) {
    const bool again = !ec && response_->keep_alive();
    // Pages and downloads carry opened case text and safe copies: wiped once sent.
    sodium_memzero(response_->body().data(), response_->body().size());
    response_.reset();
    if (again) return DoRead();
    Close();
  }

  void Close() {
    WipeBuffer();
    beast::error_code ignored;
    stream_.socket().shutdown(Protocol::socket::shutdown_both, ignored);
    stream_.close();
  }

  // The read buffer's memory still holds the request just handled: once nothing unread is
  // left in it (no pipelined request), it is freed, and the allocator zeroes it.
  void WipeBuffer() {
    if (buffer_.size() == 0) buffer_ = ReadBuffer();
  }

  Stream stream_;
  Handler handler_;
  ListenerLimits limits_;
  ReadBuffer buffer_;
  std::optional<http::request_parser<WipingBody>> parser_;
  std::optional<Response> response_;
};

template <class Protocol>
class Listener final : public HttpListener, public std::enable_shared_from_this<Listener<Protocol>> {
 public:
  Listener(asio::io_context& io, Handler handler, ListenerLimits limits, std::string unix_path)
      : io_(io), acceptor_(io), handler_(std::move(handler)), limits_(limits),
        unix_path_(std::move(unix_path)) {}
  ~Listener() override {
    if (!unix_path_.empty()) ::unlink(unix_path_.c_str());
  }

  Status Bind(const typename Protocol::endpoint& endpoint) {
    beast::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec && unix_path_.empty()) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return MakeError(ErrorCode::kIo, "cannot listen: " + ec.message());
    return Status::Ok();
  }

  void Accept() {
    acceptor_.async_accept(asio::make_strand(io_), [self = this->shared_from_this()](
                                                       beast::error_code ec, typename Protocol::socket s) {
      if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
      if (!ec) std::make_shared<Session<Protocol>>(std::move(s), self->handler_, self->limits_)->Start();
      self->Accept();
    });
  }

  std::string address() const override {
    if constexpr (std::is_same_v<Protocol, asio::ip::tcp>) {
      beast::error_code ec;
      const auto ep = acceptor_.local_endpoint(ec);
      return ep.address().to_string() + ":" + std::to_string(ep.port());
    } else {
      return "unix:" + unix_path_;
    }
  }

  void Stop() override {
    beast::error_code ignored;
    acceptor_.close(ignored);
  }

 private:
  asio::io_context& io_;
  typename Protocol::acceptor acceptor_;
  Handler handler_;
  ListenerLimits limits_;
  std::string unix_path_;
};

// Keeps the shared listener alive for as long as the caller holds the handle.
class ListenerHandle final : public HttpListener {
 public:
  explicit ListenerHandle(std::shared_ptr<HttpListener> inner) : inner_(std::move(inner)) {}
  ~ListenerHandle() override { inner_->Stop(); }
  std::string address() const override { return inner_->address(); }
  void Stop() override { inner_->Stop(); }

 private:
  std::shared_ptr<HttpListener> inner_;
};

}  // namespace

Status CheckLoopbackAddress(const std::string& address) {
  if (address.rfind("unix:", 0) == 0) {
    if (address.size() > 5 && address[5] == '/') return Status::Ok();
    return MakeError(ErrorCode::kInvalidArgument,
                     "the console listens on 127.0.0.1:PORT or unix:/PATH only: a unix socket needs "
                     "an absolute path");
  }
  const std::string prefix = "127.0.0.1:";
  const std::string port = address.rfind(prefix, 0) == 0 ? address.substr(prefix.size()) : "";
  const bool digits = !port.empty() && port.size() <= 5 &&
                      port.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || std::stoul(port) > 65535) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the console listens on 127.0.0.1:PORT or unix:/PATH only, never on " +
                         std::string(address.empty() ? "an empty address" : "'" + address + "'") +
                         ": it serves opened reports and must not be reachable from a network");
  }
  return Status::Ok();
}

Result<std::unique_ptr<HttpListener>> HttpListener::Listen(asio::io_context& io,
                                                           const std::string& address,
                                                           Handler handler, ListenerLimits limits) {
  if (auto st = CheckLoopbackAddress(address); !st) return st.error();
  if (address.rfind("unix:", 0) == 0) {
    const std::string path = address.substr(5);
    ::unlink(path.c_str());  // a socket left by an earlier run
    auto l = std::make_shared<Listener<asio::local::stream_protocol>>(io, std::move(handler), limits, path);
    if (auto st = l->Bind(asio::local::stream_protocol::endpoint(path)); !st) return st.error();
    l->Accept();
    return std::unique_ptr<HttpListener>(new ListenerHandle(l));
  }
  const auto port = static_cast<unsigned short>(std::stoul(address.substr(address.find(':') + 1)));
  auto l = std::make_shared<Listener<asio::ip::tcp>>(io, std::move(handler), limits, "");
  if (auto st = l->Bind({asio::ip::make_address_v4("127.0.0.1"), port}); !st) return st.error();
  l->Accept();
  return std::unique_ptr<HttpListener>(new ListenerHandle(l));
}

}  // namespace sealdrop::console::web
