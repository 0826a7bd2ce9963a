#include "tests/support/crafted_files.h"

#include <cstdint>
#include <stdexcept>

#include "tests/support/process.h"

namespace sealdrop::testing {
namespace {

std::string Be16(unsigned v) {
  return {static_cast<char>((v >> 8) & 0xFF), static_cast<char>(v & 0xFF)};
}
std::string Be32(std::uint32_t v) { return Be16(v >> 16) + Be16(v & 0xFFFF); }

// A colour test card: a gradient with a dark square in the middle.
std::string Ppm(unsigned w, unsigned h) {
  std::string p = "P6\n" + std::to_string(w) + " " + std::to_string(h) + "\n255\n";
  for (unsigned y = 0; y < h; ++y) {
    for (unsigned x = 0; x < w; ++x) {
      const bool square = x > w / 4 && x < 3 * w / 4 && y > h / 4 && y < 3 * h / 4;
      p += static_cast<char>(square ? 10 : x * 255 / w);
      p += static_cast<char>(square ? 10 : y * 255 / h);
      p += static_cast<char>(square ? 10 : 200);
    }
  }
  return p;
}

// A big-endian TIFF structure as EXIF carries it: the Artist tag and a GPS position.
std::string ExifTiff() {
  std::string t = "MM" + Be16(42) + Be32(8);
  // IFD0 at 8: Artist (ASCII, 15 bytes at 38), GPSInfo (LONG, the GPS IFD at 54).
  t += Be16(2);
  t += Be16(0x013B) + Be16(2) + Be32(15) + Be32(38);
  t += Be16(0x8825) + Be16(4) + Be32(1) + Be32(54);
  t += Be32(0);
  t += std::string(kCraftedSecretName) + std::string(1, '\0') +
       std::string(1, '\0');  // 15 bytes + pad
  // GPS IFD at 54: latitude ref "N" (inline), latitude 51/1 30/1 26/1 (RATIONAL at 84).
  t += Be16(2);
  t += Be16(0x0001) + Be16(2) + Be32(2) + std::string("N\0\0\0", 4);
  t += Be16(0x0002) + Be16(5) + Be32(3) + Be32(84);
  t += Be32(0);
  for (std::uint32_t v : {51u, 30u, 26u}) t += Be32(v) + Be32(1);
  return t;
}

std::string JpegSegment(unsigned code, const std::string& payload) {
  return std::string{'\xFF', static_cast<char>(code)} +
         Be16(static_cast<unsigned>(payload.size() + 2)) + payload;
}

}  // namespace

std::string JpegWithExifAndGps(unsigned width, unsigned height) {
  const ProcessResult r = RunProcess({"/usr/bin/pnmtojpeg"}, Ppm(width, height));
  if (r.exit_code != 0 || r.out.size() < 2) throw std::runtime_error("pnmtojpeg failed: " + r.err);
  return r.out.substr(0, 2) + JpegSegment(0xE1, std::string("Exif\0\0", 6) + ExifTiff()) +
         JpegSegment(0xFE,
                     std::string("Taken by ") + kCraftedSecretName + " at " + kCraftedSecretPlace) +
         r.out.substr(2);
}

}  // namespace sealdrop::testing
