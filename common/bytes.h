// Text as bytes, for the byte-stream APIs (ByteSink, the codecs): a view, no copy.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace sealdrop {

inline std::span<const std::uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace sealdrop
