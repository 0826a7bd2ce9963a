#include "journalist_console/transfer/socks5.h"

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <vector>

namespace sealdrop::transfer {

namespace asio = boost::asio;

std::string Socks5ReplyText(std::uint8_t code) {
  switch (code) {
    case 0x00: return "succeeded";
    case 0x01: return "general failure";
    case 0x02: return "connection not allowed";
    case 0x03: return "network unreachable";
    case 0x04: return "host unreachable";
    case 0x05: return "connection refused";
    case 0x06: return "TTL expired";
    case 0x07: return "command not supported";
    case 0x08: return "address type not supported";
    // Tor's extended errors (with ExtendedErrors on the SocksPort).
    case 0xF0: return "onion service descriptor not found";
    case 0xF1: return "onion service descriptor is invalid";
    case 0xF2: return "onion service introduction failed";
    case 0xF3: return "onion service rendezvous failed";
    case 0xF4: return "onion service needs client authorisation (is the key installed?)";
    case 0xF5: return "onion service client authorisation was refused (wrong key?)";
    case 0xF6: return "invalid onion address";
    case 0xF7: return "onion service introduction timed out";
    default: return "unknown error";
  }
}

Status Socks5Connect(asio::ip::tcp::socket& socket, const std::string& host, std::uint16_t port) {
  boost::system::error_code ec;
  if (host.empty() || host.size() > 255) {
    return MakeError(ErrorCode::kInvalidArgument, "host name too long for SOCKS5");
  }
  const std::array<std::uint8_t, 3> greeting = {0x05, 0x01, 0x00};  // v5, one method: none
  asio::write(socket, asio::buffer(greeting), ec);
  std::array<std::uint8_t, 2> choice{};
  if (!ec) asio::read(socket, asio::buffer(choice), ec);
  if (ec) return MakeError(ErrorCode::kIo, "SOCKS proxy: " + ec.message());
  if (choice[0] != 0x05 || choice[1] != 0x00) {
    return MakeError(ErrorCode::kIo, "SOCKS proxy refused the connection method");
  }
  std::vector<std::uint8_t> req = {0x05, 0x01, 0x00, 0x03, static_cast<std::uint8_t>(host.size())};
  req.insert(req.end(), host.begin(), host.end());
  req.push_back(static_cast<std::uint8_t>(port >> 8));
  req.push_back(static_cast<std::uint8_t>(port & 0xff));
  asio::write(socket, asio::buffer(req), ec);
  std::array<std::uint8_t, 4> head{};
  if (!ec) asio::read(socket, asio::buffer(head), ec);
  if (ec) return MakeError(ErrorCode::kIo, "SOCKS proxy: " + ec.message());
  if (head[0] != 0x05) return MakeError(ErrorCode::kIo, "not a SOCKS5 proxy");
  if (head[1] != 0x00) {
    return MakeError(ErrorCode::kIo, "SOCKS proxy: " + Socks5ReplyText(head[1]));
  }
  // The bound address, which we do not need: skip it.
  std::size_t rest = 0;
  if (head[3] == 0x01) {
    rest = 4 + 2;
  } else if (head[3] == 0x04) {
    rest = 16 + 2;
  } else if (head[3] == 0x03) {
    std::array<std::uint8_t, 1> len{};
    asio::read(socket, asio::buffer(len), ec);
    rest = static_cast<std::size_t>(len[0]) + 2;
  } else {
    return MakeError(ErrorCode::kIo, "SOCKS proxy sent a bad reply");
  }
  std::vector<std::uint8_t> skip(rest);
  if (!ec) asio::read(socket, asio::buffer(skip), ec);
  if (ec) return MakeError(ErrorCode::kIo, "SOCKS proxy: " + ec.message());
  return Status::Ok();
}

}  // namespace sealdrop::transfer
