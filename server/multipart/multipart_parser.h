// MultipartParser: an incremental multipart/form-data parser (RFC 7578 over RFC 2046).
//
// Bytes go in as they arrive (any split); events come out through a Handler: a part begins
// (with its form field name, file name and content type), its body arrives in pieces, it ends,
// the whole body ends. Memory is bounded by the limits below whatever the body size: body bytes
// are never buffered beyond one delimiter's length. Any malformed input is an error value, never
// an abort, so the parser is safe to fuzz.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sealdrop::server {

struct PartHeaders {
  std::string name;                     // the form field name
  std::optional<std::string> filename;  // present for file inputs (may be empty)
  std::string content_type;             // as sent, lower-cased; empty when absent
};

class MultipartHandler {
 public:
  virtual ~MultipartHandler() = default;
  virtual Status OnPartBegin(const PartHeaders& headers) = 0;
  virtual Status OnPartData(std::span<const std::uint8_t> data) = 0;
  virtual Status OnPartEnd() = 0;
};

struct MultipartLimits {
  std::size_t max_header_block_bytes = 8 * 1024;  // all header lines of one part
  std::size_t max_parts = 256;
  std::size_t max_preamble_bytes = 1024;
};

// Extracts the boundary from a Content-Type value ("multipart/form-data; boundary=..."). Fails
// unless it is multipart/form-data with a 1..70 character boundary of RFC 2046's characters.
Result<std::string> MultipartBoundary(std::string_view content_type);

class MultipartParser {
 public:
  MultipartParser(std::string boundary, MultipartHandler& handler, MultipartLimits limits = {});

  // Feeds the next bytes of the body. A handler error stops parsing and is returned.
  Status Feed(std::span<const std::uint8_t> bytes);
  // Call at the end of the body: fails unless the closing delimiter was seen.
  Status Finish();
  bool done() const { return state_ == State::kEpilogue; }

 private:
  enum class State { kPreamble, kAfterDelimiter, kHeaders, kBody, kEpilogue, kFailed };
  Status Fail(const char* what);
  Status Consume(std::span<const std::uint8_t> bytes);
  Status ParseHeaderBlock();

  std::string delimiter_;  // "\r\n--" + boundary
  MultipartHandler& handler_;
  MultipartLimits limits_;
  State state_ = State::kPreamble;
  std::vector<std::uint8_t> pending_;  // bytes kept back while a delimiter may be starting
  std::string header_block_;
  std::size_t parts_ = 0;
  std::size_t preamble_seen_ = 0;
};

}  // namespace sealdrop::server
