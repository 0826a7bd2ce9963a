// UTF-8 validity (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF. Checked
// before untrusted text goes into JSON (nlohmann's dump() throws on invalid UTF-8).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sealdrop {

bool IsValidUtf8(std::string_view text);

// The code point at text[at] and its length in bytes; length 0 where the bytes there are not
// valid UTF-8 (the same rules as IsValidUtf8). REQUIRES: at < text.size().
struct Utf8CodePoint {
  std::uint32_t code_point;
  std::size_t length;
};
Utf8CodePoint DecodeUtf8At(std::string_view text, std::size_t at);

}  // namespace sealdrop
