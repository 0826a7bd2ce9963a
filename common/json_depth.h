// Guards JSON text before nlohmann sees it: nlohmann's dump() (and some of its other paths)
// recurse once per nesting level, so hostile input nested a million deep could overflow the
// stack. Everything SealDrop parses is shallow; anything deeper than the limit is refused.
#pragma once

#include <cstddef>
#include <string_view>

namespace sealdrop {

inline constexpr std::size_t kMaxJsonDepth = 32;

// True when no array or object in `text` is nested more than `limit` deep (brackets inside
// strings are skipped). Does not validate the JSON otherwise.
bool JsonDepthWithin(std::string_view text, std::size_t limit = kMaxJsonDepth);

}  // namespace sealdrop
