#include "journalist_console/transfer/api_client.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <ctime>

#include "journalist_console/transfer/socks5.h"

namespace sealdrop::transfer {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr int kSocketTimeoutSeconds = 120;
constexpr std::size_t kBlock = 1 << 16;

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-';
}

Result<ServerUrl> ParseHostPort(std::string_view hp, std::uint16_t default_port) {
  ServerUrl u;
  const auto colon = hp.rfind(':');
  std::string_view host = hp.substr(0, colon);
  if (colon != std::string_view::npos) {
    const std::string port(hp.substr(colon + 1));
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(port) == 0 || std::stoul(port) > 65535) {
      return MakeError(ErrorCode::kInvalidArgument, "bad port in " + std::string(hp));
    }
    u.port = static_cast<std::uint16_t>(std::stoul(port));
  } else {
    u.port = default_port;
  }
  if (host.empty() || host.size() > 255) return MakeError(ErrorCode::kInvalidArgument, "bad host");
  for (char c : host) {
    if (!IsHostChar(c)) return MakeError(ErrorCode::kInvalidArgument, "bad host in " + std::string(hp));
  }
  u.host = std::string(host);
  return u;
}

bool EndsWithOnion(const std::string& host) {
  return host.size() > 6 && host.compare(host.size() - 6, 6, ".onion") == 0;
}

void SetTimeouts(tcp::socket& s) {
  timeval tv{kSocketTimeoutSeconds, 0};
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

std::string ServerError(const http::response_header<>& head, const std::string& body) {
  std::string text = std::to_string(head.result_int());
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_string()) {
    text += ": " + j["error"].get<std::string>();
  }
  return "the server refused the request (" + text + ")";
}

// An upload's refusal by the server, with the code that says whether it lasts (api_client.h).
Error UploadRefusal(const http::response_header<>& head, const std::string& body) {
  ErrorCode code = ErrorCode::kIo;
  switch (head.result()) {
    case http::status::bad_request: code = ErrorCode::kMalformed; break;
    case http::status::unauthorized: code = ErrorCode::kBadSignature; break;
    case http::status::not_found: code = ErrorCode::kNotFound; break;
    case http::status::conflict: code = ErrorCode::kAlreadyExists; break;
    case http::status::payload_too_large: code = ErrorCode::kLimitExceeded; break;
    default: break;
  }
  return MakeError(code, ServerError(head, body));
}

}  // namespace

bool IsLastingRefusal(const Error& e) {
  return e.code == ErrorCode::kMalformed || e.code == ErrorCode::kNotFound ||
         e.code == ErrorCode::kAlreadyExists || e.code == ErrorCode::kLimitExceeded;
}

Result<ServerUrl> ParseServerUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "server URL must start with http:// (the onion service encrypts)");
  }
  std::string_view rest = url.substr(kScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  return ParseHostPort(rest, 80);
}

// One request/response over a fresh connection.
struct ForceApiClient::Exchange {
  asio::io_context io;
  tcp::socket socket{io};
  beast::flat_buffer buffer;

  Status Connect(const ServerUrl& server, const std::optional<ServerUrl>& socks) {
    boost::system::error_code ec;
    tcp::resolver resolver(io);
    const ServerUrl& first_hop = socks ? *socks : server;
    const auto endpoints = resolver.resolve(first_hop.host, std::to_string(first_hop.port), ec);
    if (!ec) asio::connect(socket, endpoints, ec);
    if (ec) {
      return MakeError(ErrorCode::kIo, std::string(socks ? "cannot reach the SOCKS proxy: "
                                                         : "cannot reach the server: ") +
                                           ec.message());
    }
    SetTimeouts(socket);
    if (socks) return Socks5Connect(socket, server.host, server.port);
    return Status::Ok();
  }
};

Result<ForceApiClient> ForceApiClient::Create(const std::string& server_url,
                                              const std::string& socks, std::string force,
                                              const KeyPair* transfer_key) {
  auto server = ParseServerUrl(server_url);
  if (!server) return server.error();
  std::optional<ServerUrl> proxy;
  if (!socks.empty()) {
    auto p = ParseHostPort(socks, 9050);
    if (!p) return p.error();
    proxy = *p;
  } else if (EndsWithOnion(server->host)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "a .onion server is reached through Tor: pass --socks 127.0.0.1:9050");
  }
  return ForceApiClient(*server, proxy, std::move(force), transfer_key);
}

namespace {

template <class Body>
Status Sign(http::request<Body>& req, const std::string& force, const KeyPair& key,
            const BodyDigest& digest) {
  SignedRequestFields f;
  f.method = std::string(req.method_string());
  f.target = std::string(req.target());
  f.force = force;
  f.timestamp = static_cast<std::int64_t>(std::time(nullptr));
  f.nonce = NewRequestNonce();
  f.body_sha256 = digest;
  auto sig = SignRequest(key, f);
  if (!sig) return sig.error();
  req.set("X-SealDrop-Force", f.force);
  req.set("X-SealDrop-Timestamp", std::to_string(f.timestamp));
  req.set("X-SealDrop-Nonce", f.nonce);
  req.set("X-SealDrop-Signature", *sig);
  return Status::Ok();
}

}  // namespace

Result<std::vector<RemoteItem>> ForceApiClient::List() {
  Exchange x;
  if (auto st = x.Connect(server_, socks_); !st) return st.error();
  http::request<http::empty_body> req{http::verb::get, "/api/v1/items", 11};
  req.set(http::field::host, server_.host);
  req.set(http::field::connection, "close");
  if (auto st = Sign(req, force_, *key_, Sha256({})); !st) return st.error();
  boost::system::error_code ec;
  http::write(x.socket, req, ec);
  http::response_parser<http::string_body> parser;
  parser.body_limit(64u << 20);
  if (!ec) http::read(x.socket, x.buffer, parser, ec);
  if (ec) return MakeError(ErrorCode::kIo, "the server did not answer: " + ec.message());
  const auto& res = parser.get();
  if (res.result() != http::status::ok) return MakeError(ErrorCode::kIo, ServerError(res, res.body()));
  const auto j = nlohmann::json::parse(res.body(), nullptr, false);
  if (!j.is_object() || !j.contains("items") || !j["items"].is_array()) {
    return MakeError(ErrorCode::kMalformed, "the server sent an unexpected item list");
  }
  std::vector<RemoteItem> items;
  for (const auto& e : j["items"]) {
    if (!e.is_object() || !e.contains("id") || !e["id"].is_string() || !e.contains("size") ||
        !e["size"].is_number_unsigned() || !e.contains("kind") || !e["kind"].is_string() ||
        !e.contains("day") || !e["day"].is_string()) {
      return MakeError(ErrorCode::kMalformed, "the server sent an unexpected item list");
    }
    items.push_back({e["id"], e["kind"], e["day"], e["size"].get<std::uint64_t>()});
  }
  return items;
}

Status ForceApiClient::Download(const std::string& id, std::uint64_t size, ByteSink& sink) {
  Exchange x;
  if (auto st = x.Connect(server_, socks_); !st) return st;
  http::request<http::empty_body> req{http::verb::get, "/api/v1/items/" + id, 11};
  req.set(http::field::host, server_.host);
  req.set(http::field::connection, "close");
  if (auto st = Sign(req, force_, *key_, Sha256({})); !st) return st;
  boost::system::error_code ec;
  http::write(x.socket, req, ec);
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(size);
  if (!ec) http::read_header(x.socket, x.buffer, parser, ec);
  if (ec) return MakeError(ErrorCode::kIo, "the server did not answer: " + ec.message());
  if (parser.get().result() != http::status::ok) {
    return MakeError(ErrorCode::kIo, ServerError(parser.get().base(), ""));
  }
  if (parser.content_length() != size) {
    return MakeError(ErrorCode::kMalformed, "the server sent an item of an unexpected size");
  }
  std::vector<std::uint8_t> buf(kBlock);
  std::uint64_t got = 0;
  while (!parser.is_done()) {
    parser.get().body().data = buf.data();
    parser.get().body().size = buf.size();
    http::read(x.socket, x.buffer, parser, ec);
    if (ec == http::error::need_buffer) ec = {};
    if (ec) return MakeError(ErrorCode::kIo, "download interrupted: " + ec.message());
    const std::size_t n = buf.size() - parser.get().body().size;
    got += n;
    if (auto st = sink.Write(std::span(buf.data(), n)); !st) return st;
  }
  if (got != size) return MakeError(ErrorCode::kTruncated, "download incomplete");
  return Status::Ok();
}

Result<ForceApiClient::ReceiptResult> ForceApiClient::SendReceipt(const std::string& receipt) {
  Exchange x;
  if (auto st = x.Connect(server_, socks_); !st) return st.error();
  http::request<http::string_body> req{http::verb::post, "/api/v1/receipts", 11};
  req.set(http::field::host, server_.host);
  req.set(http::field::connection, "close");
  req.set(http::field::content_type, "application/json");
  req.body() = receipt;
  req.prepare_payload();
  if (auto st = Sign(req, force_, *key_, Sha256(AsBytes(receipt))); !st) return st.error();
  boost::system::error_code ec;
  http::write(x.socket, req, ec);
  http::response<http::string_body> res;
  // Even when the write failed the server may have answered (e.g. 401).
  boost::system::error_code read_ec;
  http::read(x.socket, x.buffer, res, read_ec);
  if (read_ec) return MakeError(ErrorCode::kIo, "the server did not answer: " + (ec ? ec : read_ec).message());
  if (res.result() != http::status::ok) return MakeError(ErrorCode::kIo, ServerError(res, res.body()));
  const auto j = nlohmann::json::parse(res.body(), nullptr, false);
  if (!j.is_object() || !j.contains("deleted") || !j["deleted"].is_number_unsigned() ||
      !j.contains("gone") || !j["gone"].is_number_unsigned()) {
    return MakeError(ErrorCode::kMalformed, "the server sent an unexpected answer to the receipt");
  }
  return ReceiptResult{j["deleted"].get<std::uint64_t>(), j["gone"].get<std::uint64_t>()};
}

Result<ForceApiClient::UploadResult> ForceApiClient::Upload(const std::string& target,
                                                            ByteSource& body, std::uint64_t size,
                                                            const BodyDigest& sha256,
                                                            const std::string& item_id,
                                                            const std::string& source_ref) {
  // Local failures become kIo, so that only the server's answers carry the codes of a lasting
  // refusal (IsLastingRefusal).
  auto local = [](const Error& e) { return MakeError(ErrorCode::kIo, e.message); };
  Exchange x;
  if (auto st = x.Connect(server_, socks_); !st) return local(st.error());
  http::request<http::buffer_body> req{http::verb::post, target, 11};
  req.set(http::field::host, server_.host);
  req.set(http::field::connection, "close");
  req.set(http::field::content_type, "application/octet-stream");
  if (!item_id.empty()) req.set("X-SealDrop-Item-Id", item_id);
  if (!source_ref.empty()) req.set("X-SealDrop-Source-Ref", source_ref);
  req.content_length(size);
  if (auto st = Sign(req, force_, *key_, sha256); !st) return local(st.error());
  boost::system::error_code ec;
  http::request_serializer<http::buffer_body> sr{req};
  req.body().data = nullptr;
  req.body().more = true;
  http::write_header(x.socket, sr, ec);
  std::vector<std::uint8_t> buf(kBlock);
  std::uint64_t sent = 0;
  while (!ec && sent < size) {
    auto n = body.Read(buf);
    if (!n) {
      const Error& e = n.error();
      return IsLastingRefusal(e) ? local(e) : e;
    }
    if (*n == 0) return MakeError(ErrorCode::kTruncated, "item ended early");
    req.body().data = buf.data();
    req.body().size = *n;
    req.body().more = true;
    http::write(x.socket, sr, ec);
    if (ec == http::error::need_buffer) ec = {};
    sent += *n;
  }
  if (!ec) {
    req.body().data = nullptr;
    req.body().size = 0;
    req.body().more = false;
    http::write(x.socket, sr, ec);
  }
  http::response<http::string_body> res;
  // Even when the write failed the server may have answered (e.g. 401 before the body).
  boost::system::error_code read_ec;
  http::read(x.socket, x.buffer, res, read_ec);
  if (read_ec) {
    return MakeError(ErrorCode::kIo, "upload failed: " + (ec ? ec : read_ec).message());
  }
  if (res.result() != http::status::created && res.result() != http::status::ok) {
    return UploadRefusal(res, res.body());
  }
  const auto j = nlohmann::json::parse(res.body(), nullptr, false);
  UploadResult out;
  out.id = j.is_object() && j.contains("id") && j["id"].is_string() ? j["id"].get<std::string>() : "";
  out.already = j.is_object() && j.value("already", false);
  out.body = std::move(res.body());
  return out;
}

}  // namespace sealdrop::transfer
