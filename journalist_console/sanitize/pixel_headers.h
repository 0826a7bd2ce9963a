// Reads just enough of an image file to know its size in pixels, without decoding it.
//
// Two uses in the safe copy (safe_copy.h): an oversized picture (a pixel-count bomb: a few KiB
// of PNG that decode to gigabytes) is refused before any decoder runs, and the raw pixels a
// sandboxed decoder hands back (binary PNM, netpbm's format) are checked strictly before the
// next step trusts their size. Both read through pread at most 1 MiB; bad input is an error
// value, never an abort.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"

namespace sealdrop::console {

enum class ImageFormat { kJpeg, kPng, kGif, kBmp, kTiff };

struct PixelSize {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::uint64_t pixels() const { return std::uint64_t{width} * height; }
};

// JPEG (the first SOFn frame header), PNG (IHDR), GIF (logical screen), BMP (info header).
// nullopt for TIFF (its size may sit anywhere in the file: the decoder's output limit bounds it)
// or when the header is not where the format puts it (the decoder will then refuse the file).
Result<std::optional<PixelSize>> ReadImageSize(const std::string& path, ImageFormat format);

// The EXIF orientation of a JPEG (TIFF tag 0x0112 in IFD0 of the first APP1 "Exif" segment):
// 1..8, or 1 when absent or unreadable. A phone photo is stored sideways with 6 or 8 and shown
// upright by viewers; the safe copy drops EXIF, so it turns the pixels instead.
Result<int> ReadJpegOrientation(const std::string& path);

// A binary netpbm image ("P4" bitmap, "P5" grey, "P6" colour) exactly as netpbm's programs
// write it: magic, width, height, maxval (not for P4), each separated by one or more white space
// characters, no comments, then one white space byte and the raster. The file must hold the
// whole raster (more after it, another image, is allowed and ignored).
struct PnmHeader {
  char kind = '6';  // '4', '5' or '6'
  PixelSize size;
  std::uint32_t maxval = 1;
  std::uint64_t header_bytes = 0;
  std::uint64_t raster_bytes = 0;
};
// kMalformed for anything else; kLimitExceeded past max_pixels.
Result<PnmHeader> ReadPnmHeader(const std::string& path, std::uint64_t max_pixels);

}  // namespace sealdrop::console
