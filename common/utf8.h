// UTF-8 validity (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF. Checked
// before untrusted text goes into JSON (nlohmann's dump() throws on invalid UTF-8).
#pragma once

#include <string_view>

namespace sealdrop {

bool IsValidUtf8(std::string_view text);

}  // namespace sealdrop
