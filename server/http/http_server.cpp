#include "server/http/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <unistd.h>

#include <array>
#include <limits>
#include <optional>

#include "server/http/proxy_header.h"
#include "server/http/strict_http.h"
#include "server/http/upload_slots.h"
#include "server/http/waiting_list.h"
#include "server/log.h"

namespace sealdrop::server {

namespace beast = boost::beast;
namespace asio = boost::asio;

void AddSecurityHeaders(http::response_header<>& res) {
  res.set("Content-Security-Policy",
          "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
          "frame-ancestors 'none'; base-uri 'none'");
  res.set("Referrer-Policy", "no-referrer");
  res.set("X-Content-Type-Options", "nosniff");
  res.set(http::field::cache_control, "no-store");
  res.set(http::field::x_frame_options, "DENY");
  res.set("Permissions-Policy",
          "accelerometer=(), camera=(), geolocation=(), gyroscope=(), microphone=(), "
          "payment=(), usb=(), interest-cohort=()");
  res.set("Cross-Origin-Opener-Policy", "same-origin");
  res.set("Cross-Origin-Resource-Policy", "same-origin");
  res.set("Cross-Origin-Embedder-Policy", "require-corp");
  res.erase(http::field::server);
}

namespace {

template <class Protocol>
class Session : public std::enable_shared_from_this<Session<Protocol>> {
 public:
  using Stream = beast::basic_stream<Protocol, asio::any_io_executor, beast::unlimited_rate_policy>;

  Session(typename Protocol::socket socket, Router& router, const HttpLimits& limits,
          std::shared_ptr<std::atomic<std::size_t>> active, std::shared_ptr<WaitingList> waiting,
          std::shared_ptr<UploadSlots> uploads)
      : stream_(std::move(socket)), router_(router), limits_(limits), active_(std::move(active)),
        waiting_(std::move(waiting)), uploads_(std::move(uploads)) {}

  ~Session() {
    StopWaiting();
    --*active_;
  }

  void Start() {
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(limits_.require_proxy_header ? &Session::ReadProxyLine
                                                                          : &Session::ReadHeader,
                                             this->shared_from_this()));
  }

 private:
  // While a request header is awaited the connection may be evicted (waiting_list.h).
  void StartWaiting() {
    if (waiting_id_ != 0) return;
    std::weak_ptr<Session> weak = this->shared_from_this();
    waiting_id_ = waiting_->Add([weak] {
      if (auto self = weak.lock()) {
        asio::post(self->stream_.get_executor(), [self] {
          log::WarnRepeated("connection evicted: it waited longest for a request at the connection cap");
          self->Close();
        });
      }
    });
  }
  void StopWaiting() {
    if (waiting_id_ != 0) waiting_->Remove(waiting_id_);
    waiting_id_ = 0;
  }

  // A body about to be read takes an upload slot (upload_slots.h). False: the session has
  // answered (503), or the handler reads on refusing.
  bool TakeUploadSlot() {
    std::weak_ptr<Session> weak = this->shared_from_this();
    const int request = requests_;
    auto admitted = uploads_->Admit(connection_.circuit_id, [weak, request] {
      if (auto self = weak.lock()) {
        asio::post(self->stream_.get_executor(), [self, request] { self->DropUpload(request); });
      }
    });
    if (admitted.ticket) {
      upload_.emplace(std::move(*admitted.ticket));
      return true;
    }
    if (admitted.admission == UploadSlots::Admission::kCircuitFull) {
      log::WarnRepeated("upload refused: the circuit's uploads are at their cap");
    } else {
      log::WarnRepeated("upload refused: the upload share is full of uploads making progress");
    }
    keep_alive_ = false;
    if (!handler_->KeepReadingWhenBusy()) {
      handler_.reset();
      SendError(http::status::service_unavailable);
      return false;
    }
    // Reading the text fields only, to give the form back: evictable at the connection cap like
    // a connection waiting for a header, so that refused trickles cannot fill the cap either.
    StartWaiting();
    return true;
  }

  // Chosen as the slowest body to make room for another: dropped unless its whole body has
  // arrived meanwhile (it may be committing, and must be answered; a login form arrives whole).
  void DropUpload(int request) {
    if (request != requests_ || !upload_ || !handler_ || !parser_ || parser_->is_done()) return;
    if (BodyBuffered()) return;
    log::WarnRepeated("upload dropped: the slowest at the upload share, to admit another");
    upload_.reset();
    handler_.reset();  // discards everything the handler had started
    Close();
  }

  // The rest of the body has arrived already (a login form comes with its head): reading it waits
  // on nothing the client does.
  bool BodyBuffered() const {
    const auto remaining = parser_->content_length_remaining();
    return remaining && *remaining <= buffer_.size();
  }

  void ReadProxyLine() {
    StartWaiting();
    stream_.expires_after(limits_.header_timeout);
    asio::async_read_until(stream_, asio::dynamic_buffer(proxy_line_, kMaxProxyLineBytes), "\r\n",
                           beast::bind_front_handler(&Session::OnProxyLine,
                                                     this->shared_from_this()));
  }

  static void NoProxyHeader() {
    log::WarnRepeated("connection closed: no valid PROXY header");
  }

  void OnProxyLine(beast::error_code ec, std::size_t n) {
    if (ec) {
      if (ec != beast::error::timeout && ec != asio::error::eof) NoProxyHeader();
      return Close();
    }
    auto info = ParseTorProxyHeader(std::string_view(proxy_line_).substr(0, n));
    if (!info) {
      NoProxyHeader();
      return Close();
    }
    connection_.circuit_id = info->circuit_id;
    // Bytes read past the line are the start of the HTTP request.
    const std::string_view rest = std::string_view(proxy_line_).substr(n);
    auto into = buffer_.prepare(rest.size());
    asio::buffer_copy(into, asio::buffer(rest.data(), rest.size()));
    buffer_.commit(rest.size());
    proxy_line_.clear();
    proxy_line_.shrink_to_fit();
    ReadHeader();
  }

  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(limits_.header_limit));
    // Enforced per route while streaming. (Boost 1.74's body_limit takes a plain integer: the
    // boost::none of later versions would convert to 0 here.)
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    StartWaiting();
    stream_.expires_after(requests_ == 0 ? limits_.header_timeout : limits_.idle_timeout);
    // The head's raw bytes are seen first (strict_http.h: Beast would hide a folded line), then
    // Beast parses them from the buffer.
    head_scan_.emplace(limits_.header_limit);
    head_scanned_ = 0;
    ScanHead();
  }

  void ScanHead() {
    const auto* bytes = static_cast<const char*>(buffer_.data().data());
    for (; head_scanned_ < buffer_.size(); ++head_scanned_) {
      if (head_scan_->Feed(bytes[head_scanned_])) return ParseHead();
    }
    const std::size_t room = std::min(buffer_.max_size() - buffer_.size(), kHeadReadBytes);
    if (room == 0) return ParseHead();  // the parser reports the head as too large
    stream_.async_read_some(buffer_.prepare(room),
                            beast::bind_front_handler(&Session::OnHeadBytes,
                                                      this->shared_from_this()));
  }

  void OnHeadBytes(beast::error_code ec, std::size_t n) {
    if (ec == asio::error::eof) {
      // The peer closed its side. Never read again: a second read of a socket at EOF can wait
      // for readiness that never comes (a half-closed keep-alive client then held its slot
      // until the idle timeout). Nothing buffered: the stream ended between requests. A part
      // of a head: a cut request, 400 as Beast would say (partial message).
      StopWaiting();
      if (buffer_.size() == 0) return Close();
      return SendError(http::status::bad_request);
    }
    if (ec) {
      StopWaiting();
      return Close();
    }
    buffer_.commit(n);
    ScanHead();
  }

  void ParseHead() {
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader,
                                                      this->shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    StopWaiting();
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) {
      return Close();
    }
    if (ec == http::error::header_limit) {
      return SendError(http::status::request_header_fields_too_large);
    }
    if (ec) return SendError(http::status::bad_request);
    ++requests_;
    const auto& msg = parser_->get();
    const Request& req = msg.base();
    version_ = req.version();
    is_head_ = req.method() == http::verb::head;
    if (head_scan_->folded() || !HasUnambiguousFraming(req)) {
      // RFC 9112: 400 and close. What follows in the stream (maybe a smuggled request) is never
      // read as a request: it is discarded while the connection lingers.
      log::WarnRepeated("request refused: ambiguous framing or host");
      linger_ = true;
      return SendError(http::status::bad_request);
    }
    keep_alive_ = msg.keep_alive() && requests_ < limits_.max_requests_per_connection;
    expect_continue_ = version_ == 11 && beast::iequals(req[http::field::expect], "100-continue");
    const auto method = req.method();
    if (method != http::verb::get && method != http::verb::head && method != http::verb::post) {
      Response res = router_.ErrorPage(http::status::method_not_allowed, version_);
      res.set(http::field::allow, "GET, HEAD, POST");
      keep_alive_ = false;
      return Send(std::move(res));
    }
    RouteResult routed = router_.Route(req, connection_);
    if (auto* res = std::get_if<Response>(&routed)) {
      // A body we will not read: answer, then close rather than resynchronise.
      if (!parser_->is_done()) keep_alive_ = false;
      return Send(std::move(*res));
    }
    if (auto* file = std::get_if<FileResponse>(&routed)) {
      if (!parser_->is_done()) keep_alive_ = false;
      return SendFile(*file);
    }
    handler_ = std::move(std::get<std::unique_ptr<BodyHandler>>(routed));
    if (method != http::verb::post || !handler_) Die("BodyHandler for a non-POST request");
    const auto length = parser_->content_length();
    if (length && *length > handler_->body_limit()) {
      keep_alive_ = false;  // the rest of an over-long body is never read
      if (!handler_->KeepReadingWhenTooLarge()) {
        Response res = handler_->TooLarge();
        handler_.reset();
        return Send(std::move(res));
      }
    }
    if (!parser_->is_done() && !BodyBuffered() && !TakeUploadSlot()) return;
    handler_->Start([self = this->shared_from_this()](std::optional<Response> early) {
      asio::dispatch(self->stream_.get_executor(), [self, early = std::move(early)]() mutable {
        if (early) {
          self->keep_alive_ = false;
          self->handler_.reset();
          return self->Send(std::move(*early));
        }
        if (self->expect_continue_) return self->SendContinue();
        self->ReadBody();
      });
    });
  }

  // "Expect: 100-continue" (curl sends it for bodies over 1 MiB): the client waits for this
  // interim answer, or a second, before sending the body.
  void SendContinue() {
    continue_ = std::make_unique<http::response<http::empty_body>>(http::status::continue_,
                                                                    version_);
    stream_.expires_after(limits_.write_timeout);
    http::async_write(stream_, *continue_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        self->continue_.reset();
                        if (ec) {
                          self->handler_.reset();
                          return self->Close();
                        }
                        self->ReadBody();
                      });
  }

  void ReadBody() {
    buffer_.reserve(kBodyReadBytes);
    if (parser_->is_done()) {
      upload_.reset();  // what follows is bounded server work, not the client's pace
      handler_->Finish([self = this->shared_from_this()](Response res) {
        asio::post(self->stream_.get_executor(), [self, res = std::move(res)]() mutable {
          self->handler_.reset();
          self->Send(std::move(res));
        });
      });
      return;
    }
    parser_->get().body().data = body_buffer_.data();
    parser_->get().body().size = body_buffer_.size();
    if (upload_) upload_->Reading();
    stream_.expires_after(limits_.body_idle_timeout);
    // read_some: whatever has arrived goes to the handler now, so that a form's text fields are
    // seen (and a refusal answered) without waiting for a whole buffer of a slow upload.
    http::async_read_some(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnBody, this->shared_from_this()));
  }

  void OnBody(beast::error_code ec, std::size_t) {
    if (!handler_) return Close();  // dropped (DropUpload) while this read was completing
    if (ec == http::error::need_buffer) ec = {};
    if (ec) {
      handler_.reset();  // discards everything the handler had started
      upload_.reset();
      if (ec == beast::error::timeout || ec == asio::error::eof ||
          ec == http::error::partial_message || ec == asio::error::connection_reset ||
          ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) {
        return Close();
      }
      return SendError(http::status::bad_request);
    }
    const std::size_t n = body_buffer_.size() - parser_->get().body().size;
    body_bytes_ += n;
    if (upload_) upload_->Progress(body_bytes_);
    if (body_bytes_ > handler_->body_limit() &&
        !(handler_->KeepReadingWhenTooLarge() && body_bytes_ <= handler_->body_limit())) {
      keep_alive_ = false;
      Response res = handler_->TooLarge();
      handler_.reset();
      return Send(std::move(res));
    }
    if (n > 0) {
      if (auto st = handler_->OnData(std::span(body_buffer_.data(), n)); !st) {
        keep_alive_ = false;
        Response res = handler_->ErrorResponse(st.error());
        handler_.reset();
        return Send(std::move(res));
      }
    }
    ReadBody();
  }

  void SendError(http::status status) {
    keep_alive_ = false;
    Send(router_.ErrorPage(status, version_));
  }

  // `head_length`: for HEAD of a file, the length the GET body would have.
  void Send(Response res, std::optional<std::uint64_t> head_length = std::nullopt) {
    StopWaiting();
    upload_.reset();
    body_bytes_ = 0;
    AddSecurityHeaders(res);
    res.version(version_);
    res.keep_alive(keep_alive_);
    res.prepare_payload();
    if (is_head_) {
      const auto length = head_length ? *head_length : res.body().size();
      res.body().clear();
      res.content_length(length);
    }
    response_ = std::make_unique<Response>(std::move(res));
    stream_.expires_after(limits_.write_timeout);
    http::async_write(stream_, *response_,
                      beast::bind_front_handler(&Session::OnWrite, this->shared_from_this()));
  }

  void SendFile(const FileResponse& file) {
    http::file_body::value_type body;
    beast::error_code ec;
    body.open(file.path.c_str(), beast::file_mode::scan, ec);
    if (ec) return Send(router_.ErrorPage(http::status::not_found, version_));
    body_bytes_ = 0;
    file_response_ = std::make_unique<http::response<http::file_body>>(
        std::piecewise_construct, std::make_tuple(std::move(body)),
        std::make_tuple(http::status::ok, version_));
    file_response_->set(http::field::content_type, file.content_type);
    AddSecurityHeaders(*file_response_);
    file_response_->keep_alive(keep_alive_);
    file_response_->prepare_payload();
    if (is_head_) {
      // HEAD: the length of the file, no body.
      Response head{http::status::ok, version_};
      head.set(http::field::content_type, file.content_type);
      const std::uint64_t length = file_response_->body().size();
      file_response_.reset();
      return Send(std::move(head), length);
    }
    stream_.expires_after(limits_.write_timeout);
    http::async_write(stream_, *file_response_,
                      [self = this->shared_from_this()](beast::error_code e, std::size_t n) {
                        self->file_response_.reset();
                        self->OnWrite(e, n);
                      });
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    response_.reset();
    if (ec) return Close();
    if (!keep_alive_) {
      // An answer sent before the request body was read (413, 403, 400 mid-upload): closing now,
      // with unread bytes queued, would make the kernel reset the connection and the browser
      // could lose the page it was just sent. Read and discard a bounded amount first.
      if (linger_ || (parser_ && !parser_->is_done())) return LingerThenClose();
      return Close();
    }
    ReadHeader();
  }

  void LingerThenClose() {
    beast::error_code ec;
    stream_.socket().shutdown(Protocol::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::seconds(2));  // for all the lingering, not per read
    Discard();
  }

  void Discard() {
    stream_.async_read_some(asio::buffer(body_buffer_),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->lingered_ += n;
                              if (ec || self->lingered_ > kMaxLingerBytes) return self->Close();
                              self->Discard();
                            });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(Protocol::socket::shutdown_send, ec);
    stream_.close();
  }

  static constexpr std::size_t kMaxLingerBytes = 16u << 20;
  static constexpr std::size_t kBodyReadBytes = 64 * 1024;
  static constexpr std::size_t kHeadReadBytes = 4096;
  std::size_t lingered_ = 0;

  Stream stream_;
  Router& router_;
  const HttpLimits& limits_;
  std::shared_ptr<std::atomic<std::size_t>> active_;
  std::shared_ptr<WaitingList> waiting_;
  WaitingList::Id waiting_id_ = 0;
  std::shared_ptr<UploadSlots> uploads_;
  std::optional<UploadSlots::Ticket> upload_;  // while this request's body is read
  // Header bytes and body bytes pass through here. Beast reads at most the buffer's free
  // capacity (never less than 512 bytes), and a buffer that the parser always empties never
  // grows: ReadBody() reserves kBodyReadBytes, without which a 1 GiB upload took two million
  // 512-byte reads (58 MiB/s).
  beast::flat_buffer buffer_{2 * kBodyReadBytes};
  std::optional<http::request_parser<http::buffer_body>> parser_;
  std::optional<RequestHeadScan> head_scan_;
  std::size_t head_scanned_ = 0;  // bytes of buffer_ fed to head_scan_
  std::unique_ptr<BodyHandler> handler_;
  std::string proxy_line_;
  ConnectionInfo connection_;
  std::unique_ptr<Response> response_;
  std::unique_ptr<http::response<http::empty_body>> continue_;
  std::unique_ptr<http::response<http::file_body>> file_response_;
  std::array<std::uint8_t, 64 * 1024> body_buffer_{};
  std::uint64_t body_bytes_ = 0;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool is_head_ = false;
  bool expect_continue_ = false;
  bool linger_ = false;  // refused framing: discard what follows before closing
  int requests_ = 0;
};

template <class Protocol>
class Listener : public HttpServer, public std::enable_shared_from_this<Listener<Protocol>> {
 public:
  Listener(asio::io_context& io, Router& router, HttpLimits limits, std::string unix_path)
      : io_(io), acceptor_(asio::make_strand(io)), router_(router), limits_(limits),
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
    acceptor_.async_accept(asio::make_strand(io_),
                           [self = this->shared_from_this()](beast::error_code ec,
                                                             typename Protocol::socket socket) {
                             self->OnAccept(ec, std::move(socket));
                           });
  }

  std::string address() const override {
    if (!unix_path_.empty()) return "unix:" + unix_path_;
    beast::error_code ec;
    const auto ep = acceptor_.local_endpoint(ec);
    std::ostringstream out;
    out << ep;
    return out.str();
  }

  void Stop() override {
    asio::post(acceptor_.get_executor(), [self = this->shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
    });
  }

  std::size_t active_connections() const override { return *active_; }

 private:
  void OnAccept(beast::error_code ec, typename Protocol::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      // At the cap, the connection that has waited longest for a request header makes room
      // (slowloris, connection floods); if every connection is busy with a request, refuse at
      // once rather than queue work.
      if (*active_ >= limits_.max_connections && !waiting_->EvictOldest()) {
        beast::error_code ignored;
        socket.close(ignored);
        log::WarnRepeated("connection refused: connection cap reached");
      } else {
        ++*active_;
        std::make_shared<Session<Protocol>>(std::move(socket), router_, limits_, active_, waiting_,
                                            uploads_)
            ->Start();
      }
    }
    Accept();
  }

  asio::io_context& io_;
  typename Protocol::acceptor acceptor_;
  Router& router_;
  HttpLimits limits_;
  std::string unix_path_;
  std::shared_ptr<std::atomic<std::size_t>> active_ = std::make_shared<std::atomic<std::size_t>>(0);
  std::shared_ptr<WaitingList> waiting_ = std::make_shared<WaitingList>();
  std::shared_ptr<UploadSlots> uploads_ = UploadSlots::Create(UploadLimits{
      .slots = limits_.max_uploads != 0 ? limits_.max_uploads
                                        : std::max<std::size_t>(1, limits_.max_connections / 2),
      .per_circuit = limits_.uploads_per_circuit,
      .grace = limits_.upload_grace,
      .floor_bytes_per_second = limits_.upload_floor_bytes_per_second});
};

// shared_ptr owner wrapper: HttpServer is handed out as unique_ptr, sessions need shared_from_this
// on the listener, so the unique_ptr holds a forwarding handle.
class ServerHandle : public HttpServer {
 public:
  explicit ServerHandle(std::shared_ptr<HttpServer> impl) : impl_(std::move(impl)) {}
  ~ServerHandle() override { impl_->Stop(); }
  std::string address() const override { return impl_->address(); }
  void Stop() override { impl_->Stop(); }
  std::size_t active_connections() const override { return impl_->active_connections(); }

 private:
  std::shared_ptr<HttpServer> impl_;
};

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Listen(asio::io_context& io,
                                                       const std::string& address,
                                                       Router& router, HttpLimits limits) {
  if (address.rfind("unix:", 0) == 0) {
    const std::string path = address.substr(5);
    if (path.empty() || path.size() > 100) {
      return MakeError(ErrorCode::kInvalidArgument, "bad unix socket path");
    }
    ::unlink(path.c_str());  // a stale socket from an earlier run
    auto l = std::make_shared<Listener<asio::local::stream_protocol>>(io, router, limits, path);
    if (auto st = l->Bind(asio::local::stream_protocol::endpoint(path)); !st) return st.error();
    l->Accept();
    return std::unique_ptr<HttpServer>(new ServerHandle(l));
  }
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) {
    return MakeError(ErrorCode::kInvalidArgument, "listen address must be HOST:PORT or unix:PATH");
  }
  beast::error_code ec;
  const auto ip = asio::ip::make_address(address.substr(0, colon), ec);
  if (ec) return MakeError(ErrorCode::kInvalidArgument, "bad listen address");
  unsigned long port = 0;
  try {
    port = std::stoul(address.substr(colon + 1));
  } catch (...) {
    port = 70000;
  }
  if (port > 65535) return MakeError(ErrorCode::kInvalidArgument, "bad listen port");
  auto l = std::make_shared<Listener<asio::ip::tcp>>(io, router, limits, "");
  if (auto st = l->Bind({ip, static_cast<unsigned short>(port)}); !st) return st.error();
  l->Accept();
  return std::unique_ptr<HttpServer>(new ServerHandle(l));
}

}  // namespace sealdrop::server
