#include "journalist_console/secret_input/secret_text.h"

#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "common/utf8.h"

namespace sealdrop::console {
namespace {

// 100000 -> "100,000": how the limit is said to people.
std::string WithCommas(std::size_t n) {
  std::string digits = std::to_string(n);
  for (std::size_t at = digits.size(); at > 3; at -= 3) digits.insert(at - 3, ",");
  return digits;
}

}  // namespace

Result<SecretBuffer> ReadSecretText(const SecretTextRequest& r) {
  if (::isatty(0)) {
    std::fprintf(stderr, "Type %s, then press Ctrl-D on a new line:\n", r.what.c_str());
  }
  // One byte more than allowed, to tell "at the limit" from "over it".
  SecretBuffer buf(r.max_bytes + 1);
  std::size_t len = 0;
  while (len < buf.size()) {
    const ssize_t n = ::read(0, buf.data() + len, buf.size() - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return MakeError(ErrorCode::kIo, "cannot read " + r.what + " from standard input");
    if (n == 0) break;
    len += static_cast<std::size_t>(n);
  }
  if (len > r.max_bytes) {
    return MakeError(ErrorCode::kLimitExceeded, r.what + " is too long: at most " +
                                                    WithCommas(r.max_bytes) + " bytes");
  }
  const std::span<const std::uint8_t> text(buf.data(), len);
  const bool blank = std::all_of(text.begin(), text.end(), [](std::uint8_t c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  });
  if (blank) {
    return MakeError(ErrorCode::kInvalidArgument,
                     r.what + " is empty: type it or pipe it in on standard input");
  }
  const std::string_view view(reinterpret_cast<const char*>(text.data()), text.size());
  if (!IsValidUtf8(view) || view.find('\0') != std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidArgument,
                     r.what + " must be plain UTF-8 text without NUL bytes");
  }
  return SecretBuffer::CopyOf(text);
}

void WipeString(std::string& text) { sodium_memzero(text.data(), text.size()); }

}  // namespace sealdrop::console
