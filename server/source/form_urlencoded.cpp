#include "server/source/form_urlencoded.h"

#include "common/utf8.h"

#include <cstdint>
#include <optional>

namespace sealdrop::server {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> Decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  if (out.find('\0') != std::string::npos || !IsValidUtf8(out)) return std::nullopt;
  return out;
}

}  // namespace

Result<FormFields> ParseUrlEncodedForm(std::string_view body) {
  FormFields fields;
  while (!body.empty()) {
    const auto amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto name = Decode(pair.substr(0, eq));
    auto value = Decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!name || !value) return MakeError(ErrorCode::kMalformed, "malformed form");
    fields.emplace_back(std::move(*name), std::move(*value));
    if (fields.size() > 64) return MakeError(ErrorCode::kMalformed, "too many form fields");
  }
  return fields;
}

std::optional<std::string_view> SingleField(const FormFields& fields, std::string_view name) {
  std::optional<std::string_view> found;
  for (const auto& [n, v] : fields) {
    if (n != name) continue;
    if (found) return std::nullopt;
    found = v;
  }
  return found;
}

}  // namespace sealdrop::server
