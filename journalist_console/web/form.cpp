#include "journalist_console/web/form.h"

namespace sealdrop::console::web {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

template <class String>
Status Decode(std::string_view in, String& out) {
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out.push_back(' ');
    } else if (in[i] == '%') {
      const int hi = i + 2 < in.size() ? HexValue(in[i + 1]) : -1;
      const int lo = i + 2 < in.size() ? HexValue(in[i + 2]) : -1;
      if (hi < 0 || lo < 0) return MakeError(ErrorCode::kInvalidArgument, "malformed form encoding");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Form> Form::Parse(std::string_view encoded) {
  Form form;
  while (!encoded.empty()) {
    const std::size_t amp = encoded.find('&');
    const std::string_view pair = encoded.substr(0, amp);
    encoded = amp == std::string_view::npos ? std::string_view() : encoded.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    std::string name;
    WipingString value;
    if (auto st = Decode(pair.substr(0, eq), name); !st) return st.error();
    if (eq != std::string_view::npos) {
      if (auto st = Decode(pair.substr(eq + 1), value); !st) {
        WipeString(value);
        return st.error();
      }
    }
    if (form.fields_.count(name) != 0) {
      WipeString(value);
      return MakeError(ErrorCode::kInvalidArgument, "a form field was sent twice");
    }
    form.fields_.emplace(std::move(name), std::move(value));
  }
  return form;
}

Form::~Form() {
  for (auto& [name, value] : fields_) WipeString(value);
}

std::string_view Form::Get(std::string_view name) const {
  const auto it = fields_.find(name);
  return it == fields_.end() ? std::string_view() : std::string_view(it->second);
}

std::string UrlEncode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.') {
      out.push_back(ch);
    } else {
      out += {'%', hex[c >> 4], hex[c & 15]};
    }
  }
  return out;
}

}  // namespace sealdrop::console::web
