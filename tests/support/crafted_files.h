// Attachments crafted for safe-copy tests that go through the console's faces (console_web): a
// real JPEG (netpbm's pnmtojpeg) carrying metadata that names and places the reporter. The
// sanitize unit tests (tests/unit/safe_copy_test.cpp) craft the same EXIF with more variants.
#pragma once

#include <string>

namespace sealdrop::testing {

// The name in the crafted EXIF's Artist tag and comment: must never survive a safe copy.
inline constexpr const char* kCraftedSecretName = "Alice Reporter";
// The place in the crafted comment (the EXIF GPS position is 51°30'26" N).
inline constexpr const char* kCraftedSecretPlace = "51.5072N";

// A W x H JPEG with an EXIF segment (Artist, GPS latitude) and a comment naming the reporter and
// the place. Needs /usr/bin/pnmtojpeg.
std::string JpegWithExifAndGps(unsigned width, unsigned height);

}  // namespace sealdrop::testing
