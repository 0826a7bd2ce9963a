// libFuzzer target: the force API's request authentication (server/forceapi/request_auth and
// crypto/signed_request): raw HTTP request bytes are parsed as the server parses them, then the
// X-SealDrop-* headers are checked (Begin) and the signature verified over the body's SHA-256
// (Finish). The clock is fixed, so committed seeds signed with the vector transfer key
// (tests/vectors/keys) pass, and their mutations reach every check.
#include <boost/beast/http.hpp>

#include <cstddef>
#include <cstdint>

#include "crypto/signed_request.h"
#include "server/forceapi/request_auth.h"
#include "tests/fuzz/fuzz_support.h"

namespace http = boost::beast::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(8 * 1024);
  parser.body_limit(64 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_done()) return 0;
  const auto& req = parser.get();
  static const sealdrop::server::LiveDirectory directory(sealdrop::fuzz::VectorDirectory());
  sealdrop::server::RequestAuthenticator auth(directory, {},
                                              [] { return sealdrop::fuzz::kNow; },
                                              sealdrop::fuzz::kNow - 1);
  auto pending = auth.Begin(req);
  if (!pending) return 0;
  (void)auth.Finish(*pending, sealdrop::Sha256(sealdrop::AsBytes(req.body())));
  return 0;
}
