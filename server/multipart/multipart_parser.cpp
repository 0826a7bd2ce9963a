#include "server/multipart/multipart_parser.h"

#include <algorithm>
#include <cstring>

namespace sealdrop::server {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string LowerCopy(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = Lower(c);
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsBoundaryChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         std::strchr("'()+_,-./:=? ", c) != nullptr;
}

// Parses `; key=value; key="quoted value"` parameters after the first token. Returns false on
// malformed syntax. `quoted_pairs`: a backslash escapes the next character (RFC 9110, for
// Content-Type). Browsers do not escape that way in Content-Disposition of form-data (the HTML
// standard percent-encodes '"', CR and LF and leaves '\' alone), so there a backslash is an
// ordinary character: "..\x" arrives as it was sent and the file-name check refuses it.
bool ParseParams(std::string_view s, std::vector<std::pair<std::string, std::string>>& out,
                 bool quoted_pairs) {
  while (!s.empty()) {
    s = Trim(s);
    if (s.empty()) break;
    if (s.front() != ';') return false;
    s.remove_prefix(1);
    s = Trim(s);
    const auto eq = s.find('=');
    if (eq == std::string_view::npos || eq == 0) return false;
    std::string key = LowerCopy(Trim(s.substr(0, eq)));
    s.remove_prefix(eq + 1);
    s = Trim(s);
    std::string value;
    if (!s.empty() && s.front() == '"') {
      s.remove_prefix(1);
      bool closed = false;
      while (!s.empty()) {
        const char c = s.front();
        s.remove_prefix(1);
        if (quoted_pairs && c == '\\' && !s.empty()) {
          value += s.front();
          s.remove_prefix(1);
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          value += c;
        }
      }
      if (!closed) return false;
    } else {
      const auto end = s.find(';');
      value = std::string(Trim(s.substr(0, end)));
      s = end == std::string_view::npos ? std::string_view() : s.substr(end);
    }
    out.emplace_back(std::move(key), std::move(value));
  }
  return true;
}

}  // namespace

Result<std::string> MultipartBoundary(std::string_view content_type) {
  const auto semi = content_type.find(';');
  const std::string type = LowerCopy(Trim(content_type.substr(0, semi)));
  if (type != "multipart/form-data" || semi == std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidArgument, "expected a multipart/form-data body");
  }
  std::vector<std::pair<std::string, std::string>> params;
  if (!ParseParams(content_type.substr(semi), params, /*quoted_pairs=*/true)) {
    return MakeError(ErrorCode::kInvalidArgument, "malformed Content-Type parameters");
  }
  for (const auto& [k, v] : params) {
    if (k != "boundary") continue;
    if (v.empty() || v.size() > 70 || v.back() == ' ' ||
        !std::all_of(v.begin(), v.end(), IsBoundaryChar)) {
      return MakeError(ErrorCode::kInvalidArgument, "bad multipart boundary");
    }
    return v;
  }
  return MakeError(ErrorCode::kInvalidArgument, "multipart body without a boundary");
}

MultipartParser::MultipartParser(std::string boundary, MultipartHandler& handler,
                                 MultipartLimits limits)
    : delimiter_("\r\n--" + boundary), handler_(handler), limits_(limits) {
  // The body starts with "--boundary" (no CRLF before the first delimiter): pretend one was
  // seen so that one search rule serves every delimiter.
  pending_ = {'\r', '\n'};
}

Status MultipartParser::Fail(const char* what) {
  state_ = State::kFailed;
  return MakeError(ErrorCode::kMalformed, std::string("multipart: ") + what);
}

Status MultipartParser::Feed(std::span<const std::uint8_t> bytes) {
  if (state_ == State::kFailed) return MakeError(ErrorCode::kMalformed, "multipart: failed");
  if (state_ == State::kEpilogue) return Status::Ok();  // epilogue is ignored
  // Work on pending + new bytes; pending_ never holds more than a delimiter's length plus a
  // header block, so this copy is bounded.
  pending_.insert(pending_.end(), bytes.begin(), bytes.end());
  std::vector<std::uint8_t> work;
  work.swap(pending_);
  auto st = Consume(work);
  if (!st) state_ = State::kFailed;
  return st;
}

Status MultipartParser::Consume(std::span<const std::uint8_t> in) {
  const auto* delim = reinterpret_cast<const std::uint8_t*>(delimiter_.data());
  const std::size_t dlen = delimiter_.size();
  while (!in.empty()) {
    switch (state_) {
      case State::kPreamble:
      case State::kBody: {
        const void* hit = ::memmem(in.data(), in.size(), delim, dlen);
        const bool complete = hit != nullptr;
        const std::size_t found =
            complete ? static_cast<std::size_t>(static_cast<const std::uint8_t*>(hit) - in.data())
                     : in.size();
        // Without a full match, keep back a tail that could start a delimiter.
        std::size_t emit = found;
        if (!complete) emit = in.size() > dlen - 1 ? in.size() - (dlen - 1) : 0;
        if (state_ == State::kBody) {
          if (emit > 0) {
            if (auto st = handler_.OnPartData(in.first(emit)); !st) return st;
          }
        } else {
          preamble_seen_ += emit;
          if (preamble_seen_ > limits_.max_preamble_bytes) return Fail("preamble too long");
        }
        if (!complete) {
          pending_.assign(in.begin() + static_cast<long>(emit), in.end());
          return Status::Ok();
        }
        if (state_ == State::kBody) {
          if (auto st = handler_.OnPartEnd(); !st) return st;
        }
        in = in.subspan(found + dlen);
        state_ = State::kAfterDelimiter;
        break;
      }
      case State::kAfterDelimiter: {
        // "--" closes the body; otherwise optional transport padding then CRLF.
        if (in.size() < 2) {
          pending_.assign(in.begin(), in.end());
          return Status::Ok();
        }
        if (in[0] == '-' && in[1] == '-') {
          if (parts_ == 0) return Fail("no parts");
          state_ = State::kEpilogue;
          return Status::Ok();
        }
        std::size_t i = 0;
        while (i < in.size() && (in[i] == ' ' || in[i] == '\t')) ++i;
        if (i == in.size() || i + 1 == in.size()) {
          if (in.size() > 64) return Fail("bad delimiter line");
          pending_.assign(in.begin(), in.end());
          return Status::Ok();
        }
        if (in[i] != '\r' || in[i + 1] != '\n') return Fail("bad delimiter line");
        in = in.subspan(i + 2);
        if (++parts_ > limits_.max_parts) return Fail("too many parts");
        header_block_.clear();
        state_ = State::kHeaders;
        break;
      }
      case State::kHeaders: {
        // Accumulate until the blank line that ends the header block.
        const std::size_t before = header_block_.size();
        header_block_.append(reinterpret_cast<const char*>(in.data()), in.size());
        const auto end = header_block_.find("\r\n\r\n");
        const bool starts_blank = header_block_.rfind("\r\n", 0) == 0;
        if (end == std::string::npos && !starts_blank) {
          if (header_block_.size() > limits_.max_header_block_bytes) {
            return Fail("part headers too long");
          }
          return Status::Ok();
        }
        const std::size_t block_len = starts_blank ? 0 : end + 2;  // keep the last CRLF
        const std::size_t consumed = (starts_blank ? 2 : end + 4) - before;
        if (block_len > limits_.max_header_block_bytes) return Fail("part headers too long");
        header_block_.resize(block_len);
        in = in.subspan(consumed);
        if (auto st = ParseHeaderBlock(); !st) return st;
        state_ = State::kBody;
        break;
      }
      case State::kEpilogue:
        return Status::Ok();
      case State::kFailed:
        return MakeError(ErrorCode::kMalformed, "multipart: failed");
    }
  }
  return Status::Ok();
}

Status MultipartParser::ParseHeaderBlock() {
  PartHeaders headers;
  bool have_disposition = false;
  std::string_view block = header_block_;
  while (!block.empty()) {
    const auto eol = block.find("\r\n");
    if (eol == std::string_view::npos) return Fail("bad header line");
    const std::string_view line = block.substr(0, eol);
    block.remove_prefix(eol + 2);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return Fail("bad header line");
    const std::string name = LowerCopy(line.substr(0, colon));
    const std::string_view value = Trim(line.substr(colon + 1));
    if (name == "content-disposition") {
      if (have_disposition) return Fail("two Content-Disposition headers");
      have_disposition = true;
      const auto semi = value.find(';');
      if (LowerCopy(Trim(value.substr(0, semi))) != "form-data") {
        return Fail("part is not form-data");
      }
      std::vector<std::pair<std::string, std::string>> params;
      if (semi == std::string_view::npos || !ParseParams(value.substr(semi), params, /*quoted_pairs=*/false)) {
        return Fail("bad Content-Disposition");
      }
      bool have_name = false;
      for (auto& [k, v] : params) {
        if (k == "name") {
          headers.name = std::move(v);
          have_name = true;
        } else if (k == "filename") {
          headers.filename = std::move(v);
        }
      }
      if (!have_name) return Fail("part without a field name");
    } else if (name == "content-type") {
      headers.content_type = LowerCopy(value);
    }
    // Other headers (Content-Transfer-Encoding is deprecated by RFC 7578) are ignored.
  }
  if (!have_disposition) return Fail("part without Content-Disposition");
  return handler_.OnPartBegin(headers);
}

Status MultipartParser::Finish() {
  if (state_ == State::kEpilogue) return Status::Ok();
  if (state_ == State::kFailed) return MakeError(ErrorCode::kMalformed, "multipart: failed");
  return Fail("body ended before the closing boundary");
}

}  // namespace sealdrop::server
