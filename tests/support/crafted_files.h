// Attachments crafted to test safe copies end to end: what a reporter's phone or word processor
// leaves in a file. The same constructions as tests/unit/safe_copy_test.cpp and
// tests/cli/safe_export_test.cpp, shared here for the tests that came after them.
#pragma once

#include <string>

namespace sealdrop::testing {

inline constexpr const char* kCraftedAuthor = "Alice Reporter";  // must never survive a safe copy

// A one-page PDF whose document properties name kCraftedAuthor and which runs JavaScript on open.
std::string PdfWithAuthorAndScript();
// A real JPEG (netpbm's pnmtojpeg) of w x h pixels with EXIF (Artist kCraftedAuthor, a GPS
// position 51°30'26"N) and a comment naming the author.
std::string JpegWithExifAndGps(unsigned w, unsigned h);

}  // namespace sealdrop::testing
