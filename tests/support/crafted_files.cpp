#include "tests/support/crafted_files.h"

#include <cstdint>
#include <cstdio>
#include <vector>
#include <stdexcept>

#include "tests/support/process.h"

namespace sealdrop::testing {

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

std::string JpegWithExifAndGps(unsigned width, unsigned height) {
  const ProcessResult r = RunProcess({"/usr/bin/pnmtojpeg"}, Ppm(width, height));
  if (r.exit_code != 0 || r.out.size() < 2) throw std::runtime_error("pnmtojpeg failed: " + r.err);
  return r.out.substr(0, 2) + JpegSegment(0xE1, std::string("Exif\0\0", 6) + ExifTiff()) +
         JpegSegment(0xFE,
                     std::string("Taken by ") + kCraftedSecretName + " at " + kCraftedSecretPlace) +
         r.out.substr(2);
}

std::string PdfOfObjects(const std::vector<std::string>& objects, std::size_t info) {
  std::string pdf = "%PDF-1.7\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const std::size_t xref = pdf.size();
  const std::string size = std::to_string(objects.size() + 1);
  pdf += "xref\n0 " + size + "\n0000000000 65535 f \n";
  for (std::size_t at : offsets) {
    char entry[32];
    std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", at);
    pdf += entry;
  }
  return pdf + "trailer\n<< /Size " + size + " /Root 1 0 R /Info " + std::to_string(info) +
         " 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
}

std::string PdfWithAuthorAndScript() {
  const std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 5 0 R >>",
      "<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\);) >>",
      "<< /Length 29 >>\nstream\n0 0 0 rg 50 50 100 100 re f\n\nendstream",
      std::string("<< /Author (") + kCraftedSecretName + ") /Title (Statement) >>"};
  return PdfOfObjects(objects, /*info=*/6);
}

}  // namespace sealdrop::testing
