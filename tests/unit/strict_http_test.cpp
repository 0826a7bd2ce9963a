// server/http/strict_http.h: the raw head scan and the parsed-head checks, on heads parsed by
// Beast exactly as the server parses them.
#include "server/http/strict_http.h"

#include <gtest/gtest.h>

#include <string>

namespace sealdrop::server {
namespace {

// Feeds `bytes` to a scan; returns how many were fed before it stopped (all of them if never).
std::size_t Scan(RequestHeadScan& scan, const std::string& bytes) {
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (scan.Feed(bytes[i])) return i + 1;
  }
  return bytes.size();
}

TEST(RequestHeadScan, StopsAtTheBlankLineAndSeesNoFoldInAPlainHead) {
  const std::string head = "GET / HTTP/1.1\r\nHost: x\r\nX-A: a b\r\n\r\n";
  RequestHeadScan scan(8192);
  EXPECT_EQ(Scan(scan, head + "GET /next HTTP/1.1\r\n \r\n\r\n"), head.size());
  EXPECT_FALSE(scan.folded());
}

TEST(RequestHeadScan, SeesALineStartingWithASpaceOrATab) {
  for (const char* fold : {"X-A: a\r\n b\r\n", "X-A: a\r\n\tb\r\n", "X-A:\r\n b\r\n"}) {
    RequestHeadScan scan(8192);
    const std::string head = std::string("GET / HTTP/1.1\r\nHost: x\r\n") + fold + "\r\n";
    EXPECT_EQ(Scan(scan, head), head.size()) << fold;
    EXPECT_TRUE(scan.folded()) << fold;
  }
}

TEST(RequestHeadScan, ByteAtATimeAcrossReadsIsTheSameAsAllAtOnce) {
  RequestHeadScan scan(8192);
  EXPECT_EQ(Scan(scan, "GET / HTTP/1.1\r"), 15u);
  EXPECT_EQ(Scan(scan, "\n"), 1u);
  EXPECT_EQ(Scan(scan, " x\r\n\r"), 5u);
  EXPECT_TRUE(scan.folded());
  EXPECT_EQ(Scan(scan, "\nbody"), 1u);
}

TEST(RequestHeadScan, StopsAtTheLimitWithoutAnEnd) {
  RequestHeadScan scan(100);
  EXPECT_EQ(Scan(scan, "GET / HTTP/1.1\r\nX: " + std::string(500, 'a')), 100u);
}

Request Parse(const std::string& head) {
  http::request_parser<http::empty_body> parser;
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(head), ec);
  EXPECT_FALSE(ec) << ec.message() << "\n" << head;
  return parser.get().base();
}

TEST(HasUnambiguousFraming, AcceptsPlainLengthAndChunkedRequests) {
  EXPECT_TRUE(HasUnambiguousFraming(Parse("GET / HTTP/1.1\r\nHost: x.onion\r\n\r\n")));
  EXPECT_TRUE(HasUnambiguousFraming(Parse("GET / HTTP/1.1\r\nHost:\r\n\r\n")));
  EXPECT_TRUE(HasUnambiguousFraming(Parse("GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n")));
  EXPECT_TRUE(HasUnambiguousFraming(Parse("GET / HTTP/1.0\r\n\r\n")));
  EXPECT_TRUE(HasUnambiguousFraming(
      Parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")));
  EXPECT_TRUE(HasUnambiguousFraming(
      Parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked \r\n\r\n")));
}

TEST(HasUnambiguousFraming, RefusesTransferEncodingsAndHostsRfc9112Refuses) {
  for (const char* head : {
           "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n",
           "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n",
           "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
           "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n\r\n",
           "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: x\r\nContent-Length: 0\r\n\r\n",
           "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
           "GET / HTTP/1.1\r\n\r\n",
           "GET / HTTP/1.1\r\nHost: x\r\nHost: x\r\n\r\n",
           "GET / HTTP/1.1\r\nHost: x/y\r\n\r\n",
           "GET / HTTP/1.1\r\nHost: u@x\r\n\r\n",
           "GET / HTTP/1.1\r\nHost: x y\r\n\r\n",
       }) {
    EXPECT_FALSE(HasUnambiguousFraming(Parse(head))) << head;
  }
}

}  // namespace
}  // namespace sealdrop::server
