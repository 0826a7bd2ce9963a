#include "common/display_text.h"

#include <cstdint>

#include "common/utf8.h"

namespace sealdrop {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool IsNeutralised(std::uint32_t cp) {
  return (cp < 0x20 && cp != '\t' && cp != '\n') || (cp >= 0x7F && cp <= 0x9F) ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
         cp == 0x200F || cp == 0x061C;
}

}  // namespace

std::string DisplaySafeText(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] == '\r') {
      out.push_back('\n');
      i += (i + 1 < s.size() && s[i + 1] == '\n') ? 2u : 1u;
      continue;
    }
    const auto [cp, len] = DecodeUtf8At(s, i);
    if (len == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    if (IsNeutralised(cp)) {
      out += kReplacement;
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
  return out;
}

}  // namespace sealdrop
