// Text from someone else, made safe to show to a reader: no character in it can reorder, hide or
// disguise the text around it on the page.
//
// Replaced, each by U+FFFD (the replacement character, so the reader sees that something was
// there rather than words silently run together): the bidirectional embeddings, overrides and
// isolates (U+202A–U+202E, U+2066–U+2069), the direction marks (U+200E, U+200F, U+061C), every
// C0 control but TAB and LF, DEL, the C1 controls (U+0080–U+009F), and each byte of invalid
// UTF-8. CR LF and a lone CR become LF (HTML reads them as a line break anyway). Everything else
// is kept as it is. HTML escaping is still the template's job: this is for what escaping leaves.
#pragma once

#include <string>
#include <string_view>

namespace sealdrop {

std::string DisplaySafeText(std::string_view text);

}  // namespace sealdrop
