// Attachments crafted for the safe-copy tests (the sanitize unit tests, export-attachment, the
// case archive, the web face): real pictures (netpbm) carrying metadata that names and places the
// reporter, and a PDF with an author and JavaScript; with the pieces they are built from, for
// tests that craft variants (a sideways photo, PNG chunks).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sealdrop::testing {

// The name in the crafted EXIF's Artist tag and comment: must never survive a safe copy.
inline constexpr const char* kCraftedSecretName = "Alice Reporter";
// The place in the crafted comment (the EXIF GPS position is 51°30'26" N).
inline constexpr const char* kCraftedSecretPlace = "51.5072N";

// Big-endian integers as JPEG, PNG and TIFF write them.
std::string Be16(unsigned v);
std::string Be32(std::uint32_t v);
// A W x H colour test card (a gradient with a dark square in the middle) as a binary PPM.
std::string Ppm(unsigned width, unsigned height);
// A big-endian TIFF structure as EXIF carries it: the Artist tag (kCraftedSecretName) and a GPS
// position.
std::string ExifTiff();
// A JPEG marker segment: FF, `code`, the length, `payload`.
std::string JpegSegment(unsigned code, const std::string& payload);

// A W x H JPEG with an EXIF segment (Artist, GPS latitude) and a comment naming the reporter and
// the place. Needs /usr/bin/pnmtojpeg.
std::string JpegWithExifAndGps(unsigned width, unsigned height);

// A PDF of `objects` (object N is objects[N-1]; 1 is the catalog) with its cross-reference
// table and a trailer naming object `info` as the document properties.
std::string PdfOfObjects(const std::vector<std::string>& objects, std::size_t info);

// A one-page PDF whose document properties name kCraftedSecretName (Author) and which runs
// JavaScript when opened (tests/cli/safe_export_test.cpp makes the same file).
std::string PdfWithAuthorAndScript();

}  // namespace sealdrop::testing
