#include "journalist_console/sanitize/pixel_headers.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

namespace sealdrop::console {
namespace {

constexpr int kMaxJpegSegments = 4096;  // before the frame header; real files have a dozen

class ReadOnlyFile {
 public:
  explicit ReadOnlyFile(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {}
  ReadOnlyFile(const ReadOnlyFile&) = delete;
  ReadOnlyFile& operator=(const ReadOnlyFile&) = delete;
  ~ReadOnlyFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  // Up to `n` bytes at `offset`; fewer at the end of the file.
  Result<std::vector<std::uint8_t>> At(std::uint64_t offset, std::size_t n) const {
    std::vector<std::uint8_t> buf(n);
    std::size_t got = 0;
    while (got < n) {
      const ssize_t r = ::pread(fd_, buf.data() + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return MakeError(ErrorCode::kIo, std::string("read: ") + std::strerror(errno));
      if (r == 0) break;
      got += static_cast<std::size_t>(r);
    }
    buf.resize(got);
    return buf;
  }
  Result<std::uint64_t> Size() const {
    struct stat st{};
    if (::fstat(fd_, &st) != 0) return MakeError(ErrorCode::kIo, "cannot stat the image");
    return static_cast<std::uint64_t>(st.st_size);
  }

 private:
  int fd_;
};

std::uint32_t Be16(const std::uint8_t* p) { return (std::uint32_t{p[0]} << 8) | p[1]; }
std::uint32_t Be32(const std::uint8_t* p) { return (Be16(p) << 16) | Be16(p + 2); }
std::uint32_t Le16(const std::uint8_t* p) { return (std::uint32_t{p[1]} << 8) | p[0]; }
std::uint32_t Le32(const std::uint8_t* p) { return (Le16(p + 2) << 16) | Le16(p); }

bool IsJpegFrameHeader(std::uint32_t code) {  // SOF0..SOF15 less DHT, JPG, DAC
  return code >= 0xC0 && code <= 0xCF && code != 0xC4 && code != 0xC8 && code != 0xCC;
}

Result<std::optional<PixelSize>> JpegSize(const ReadOnlyFile& f) {
  std::uint64_t pos = 2;  // after SOI
  for (int i = 0; i < kMaxJpegSegments; ++i) {
    auto head = f.At(pos, 9);
    if (!head) return head.error();
    const auto& h = *head;
    if (h.size() < 2 || h[0] != 0xFF) return std::optional<PixelSize>();
    if (h[1] == 0xFF) {  // fill byte
      ++pos;
      continue;
    }
    const std::uint32_t code = h[1];
    if (code == 0x01 || (code >= 0xD0 && code <= 0xD8)) {  // standalone markers
      pos += 2;
      continue;
    }
    if (code == 0xDA || code == 0xD9 || h.size() < 4) return std::optional<PixelSize>();
    if (IsJpegFrameHeader(code)) {
      if (h.size() < 9) return std::optional<PixelSize>();
      return std::optional<PixelSize>(PixelSize{.width = Be16(&h[7]), .height = Be16(&h[5])});
    }
    pos += 2 + Be16(&h[2]);
  }
  return std::optional<PixelSize>();
}

// IFD0's orientation entry in a TIFF structure (EXIF's), or 1.
int TiffOrientation(const std::vector<std::uint8_t>& t) {
  if (t.size() < 8) return 1;
  const bool big = t[0] == 'M' && t[1] == 'M';
  if (!big && !(t[0] == 'I' && t[1] == 'I')) return 1;
  const auto u16 = [&](std::size_t at) { return big ? Be16(&t[at]) : Le16(&t[at]); };
  const auto u32 = [&](std::size_t at) { return big ? Be32(&t[at]) : Le32(&t[at]); };
  const std::uint64_t ifd = u32(4);
  if (ifd + 2 > t.size()) return 1;
  const std::uint32_t entries = u16(static_cast<std::size_t>(ifd));
  for (std::uint32_t i = 0; i < entries; ++i) {
    const std::uint64_t at = ifd + 2 + 12ull * i;
    if (at + 12 > t.size()) return 1;
    const auto e = static_cast<std::size_t>(at);
    if (u16(e) == 0x0112 && u16(e + 2) == 3 && u32(e + 4) == 1) {  // SHORT, one value
      const std::uint32_t v = u16(e + 8);
      return v >= 1 && v <= 8 ? static_cast<int>(v) : 1;
    }
  }
  return 1;
}

Result<std::optional<PixelSize>> HeaderSize(const ReadOnlyFile& f, ImageFormat format) {
  auto head = f.At(0, 32);
  if (!head) return head.error();
  const auto& h = *head;
  switch (format) {
    case ImageFormat::kJpeg:
      return JpegSize(f);
    case ImageFormat::kPng:
      if (h.size() < 24 || std::memcmp(&h[12], "IHDR", 4) != 0) return std::optional<PixelSize>();
      return std::optional<PixelSize>(PixelSize{.width = Be32(&h[16]), .height = Be32(&h[20])});
    case ImageFormat::kGif:
      if (h.size() < 10) return std::optional<PixelSize>();
      return std::optional<PixelSize>(PixelSize{.width = Le16(&h[6]), .height = Le16(&h[8])});
    case ImageFormat::kBmp: {
      if (h.size() < 26) return std::optional<PixelSize>();
      if (Le32(&h[14]) == 12) {  // OS/2 BITMAPCOREHEADER: 16-bit sizes
        return std::optional<PixelSize>(PixelSize{.width = Le16(&h[18]), .height = Le16(&h[20])});
      }
      const auto height = static_cast<std::int32_t>(Le32(&h[22]));  // negative: top-down rows
      const std::uint32_t rows = height < 0 ? 0u - static_cast<std::uint32_t>(height)
                                            : static_cast<std::uint32_t>(height);
      return std::optional<PixelSize>(PixelSize{.width = Le32(&h[18]), .height = rows});
    }
    case ImageFormat::kTiff:
      return std::optional<PixelSize>();
  }
  return std::optional<PixelSize>();
}

bool IsPnmSpace(std::uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

Result<std::optional<PixelSize>> ReadImageSize(const std::string& path, ImageFormat format) {
  ReadOnlyFile f(path);
  if (!f.ok()) return MakeError(ErrorCode::kIo, "cannot open the image: " + std::string(std::strerror(errno)));
  return HeaderSize(f, format);
}

Result<int> ReadJpegOrientation(const std::string& path) {
  ReadOnlyFile f(path);
  if (!f.ok()) return MakeError(ErrorCode::kIo, "cannot open the image: " + std::string(std::strerror(errno)));
  std::uint64_t pos = 2;  // after SOI
  for (int i = 0; i < kMaxJpegSegments; ++i) {
    auto head = f.At(pos, 10);
    if (!head) return head.error();
    const auto& h = *head;
    if (h.size() < 4 || h[0] != 0xFF || h[1] == 0xDA || h[1] == 0xD9) return 1;
    if (h[1] == 0xFF) {
      ++pos;
      continue;
    }
    const std::uint32_t length = Be16(&h[2]);
    if (h[1] == 0xE1 && h.size() == 10 && std::memcmp(&h[4], "Exif\0\0", 6) == 0 && length > 8) {
      auto tiff = f.At(pos + 10, length - 8);
      if (!tiff) return tiff.error();
      return TiffOrientation(*tiff);
    }
    pos += 2 + length;
  }
  return 1;
}

Result<PnmHeader> ReadPnmHeader(const std::string& path, std::uint64_t max_pixels) {
  const Error malformed = MakeError(ErrorCode::kMalformed, "the decoder's pixels are malformed");
  ReadOnlyFile f(path);
  if (!f.ok()) return MakeError(ErrorCode::kIo, "the decoder wrote no pixels");
  auto got = f.At(0, 64);
  if (!got) return got.error();
  const auto& h = *got;
  if (h.size() < 3 || h[0] != 'P' || (h[1] != '4' && h[1] != '5' && h[1] != '6')) return malformed;
  PnmHeader header;
  header.kind = static_cast<char>(h[1]);
  std::size_t pos = 2;
  std::array<std::uint64_t, 3> fields{};
  const std::size_t count = header.kind == '4' ? 2 : 3;
  for (std::size_t i = 0; i < count; ++i) {
    if (pos >= h.size() || !IsPnmSpace(h[pos])) return malformed;
    while (pos < h.size() && IsPnmSpace(h[pos])) ++pos;
    std::size_t digits = 0;
    while (pos < h.size() && h[pos] >= '0' && h[pos] <= '9' && digits < 10) {
      fields[i] = fields[i] * 10 + (h[pos] - '0');
      ++pos;
      ++digits;
    }
    if (digits == 0 || digits == 10) return malformed;
  }
  if (pos >= h.size() || !IsPnmSpace(h[pos])) return malformed;
  header.header_bytes = pos + 1;
  if (fields[0] == 0 || fields[1] == 0 || fields[0] > UINT32_MAX || fields[1] > UINT32_MAX) {
    return malformed;
  }
  header.size = PixelSize{.width = static_cast<std::uint32_t>(fields[0]),
                          .height = static_cast<std::uint32_t>(fields[1])};
  if (header.size.pixels() > max_pixels) {
    return MakeError(ErrorCode::kLimitExceeded, "the image decodes to more pixels than allowed");
  }
  header.maxval = header.kind == '4' ? 1u : static_cast<std::uint32_t>(fields[2]);
  if (header.maxval == 0 || header.maxval > 65535) return malformed;
  const std::uint64_t sample_bytes = header.maxval > 255 ? 2 : 1;
  const std::uint64_t w = header.size.width, rows = header.size.height;
  header.raster_bytes = header.kind == '4'   ? (w + 7) / 8 * rows
                        : header.kind == '5' ? w * rows * sample_bytes
                                             : w * rows * 3 * sample_bytes;
  auto size = f.Size();
  if (!size) return size.error();
  if (*size < header.header_bytes + header.raster_bytes) return malformed;
  return header;
}

}  // namespace sealdrop::console
