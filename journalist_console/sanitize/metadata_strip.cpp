#include "journalist_console/sanitize/metadata_strip.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <new>
#include <optional>
#include <span>
#include <string_view>
#include <utility>

namespace sealdrop::console {
namespace {

using namespace std::string_view_literals;
using Bytes = std::span<const std::uint8_t>;

constexpr std::size_t kBufferSize = 64 * 1024;  // one for reading, one for writing
constexpr std::size_t kSniffBytes = 64;         // enough for every magic number and segment tag

Error Malformed(const char* what) { return MakeError(ErrorCode::kMalformed, what); }

bool StartsWith(Bytes bytes, std::string_view prefix) {
  return bytes.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), bytes.begin(),
                    [](char c, std::uint8_t b) { return static_cast<std::uint8_t>(c) == b; });
}

std::string WithCommas(std::uint64_t n) {
  std::string digits = std::to_string(n);
  for (std::size_t i = digits.size(); i > 3; i -= 3) digits.insert(i - 3, ",");
  return digits;
}

// Collects output so that small pieces (markers, headers) do not each become a sink write.
class Writer {
 public:
  explicit Writer(ByteSink& sink) : sink_(sink) { buf_.reserve(kBufferSize); }
  Status Put(Bytes bytes) {
    if (buf_.size() + bytes.size() > kBufferSize) {
      if (auto st = Flush(); !st) return st;
      if (bytes.size() >= kBufferSize) return sink_.Write(bytes);
    }
    buf_.insert(buf_.end(), bytes.begin(), bytes.end());
    return Status::Ok();
  }
  Status Flush() {
    if (buf_.empty()) return Status::Ok();
    Status st = sink_.Write(buf_);
    buf_.clear();
    return st;
  }

 private:
  ByteSink& sink_;
  std::vector<std::uint8_t> buf_;
};

class Reader {
 public:
  explicit Reader(ByteSource& source) : source_(source), buf_(kBufferSize) {}

  // The buffered bytes, refilled when used up; empty only at the end of the stream.
  Result<Bytes> Available() {
    if (pos_ == end_) {
      pos_ = end_ = 0;
      auto n = source_.Read(buf_);
      if (!n) return n.error();
      end_ = std::min(*n, buf_.size());
    }
    return Bytes(buf_).subspan(pos_, end_ - pos_);
  }
  void Consume(std::size_t n) { pos_ += n; }

  // Up to `n` (<= kSniffBytes) bytes without consuming them; fewer only at the end of the stream.
  Result<Bytes> Peek(std::size_t n) {
    if (end_ - pos_ < n) {
      std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
      end_ -= pos_;
      pos_ = 0;
      while (end_ < n) {
        auto got = source_.Read(std::span(buf_).subspan(end_));
        if (!got) return got.error();
        if (*got == 0) break;
        end_ += std::min(*got, buf_.size() - end_);
      }
    }
    return Bytes(buf_).subspan(pos_, std::min(n, end_ - pos_));
  }

  // Exactly `n` (<= kSniffBytes) bytes, consumed; valid until the next call on this Reader.
  Result<Bytes> Take(std::size_t n, const char* truncated) {
    auto head = Peek(n);
    if (!head) return head;
    if (head->size() < n) return Malformed(truncated);
    Consume(n);
    return head;
  }

  // Moves `n` bytes, or all that is left when `truncated` is null, to `out` (or drops them when
  // `out` is null). Returns the count; kMalformed with `truncated` if the stream ends first.
  Result<std::uint64_t> Pass(std::uint64_t n, Writer* out, const char* truncated) {
    std::uint64_t moved = 0;
    while (moved < n) {
      auto avail = Available();
      if (!avail) return avail.error();
      if (avail->empty()) {
        if (truncated == nullptr) return moved;
        return Malformed(truncated);
      }
      const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(n - moved, avail->size()));
      if (out != nullptr) {
        if (auto st = out->Put(avail->first(take)); !st) return st.error();
      }
      Consume(take);
      moved += take;
    }
    return moved;
  }

 private:
  ByteSource& source_;
  std::vector<std::uint8_t> buf_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
};

Status ReportTrailing(Reader& in, StripReport& report) {
  auto trailing = in.Pass(UINT64_MAX, nullptr, nullptr);
  if (!trailing) return trailing.error();
  if (*trailing > 0) {
    report.removed.push_back("data after the end of the image " + WithCommas(*trailing) + " bytes");
  }
  return Status::Ok();
}

// ---- JPEG (ITU T.81 annex B) ----

constexpr int kSoi = 0xD8, kEoi = 0xD9, kSos = 0xDA, kCom = 0xFE, kTem = 0x01;
constexpr bool IsRst(int code) { return code >= 0xD0 && code <= 0xD7; }
constexpr bool IsApp(int code) { return code >= 0xE0 && code <= 0xEF; }

// After a 0xFF: skips fill bytes (more 0xFF) and returns the marker code.
Result<int> MarkerCodeAfterFF(Reader& in) {
  for (;;) {
    auto b = in.Take(1, "the JPEG ends before its end-of-image marker");
    if (!b) return b.error();
    if ((*b)[0] != 0xFF) return (*b)[0];
  }
}

// Copies entropy-coded data, with its 0xFF00 stuffing and RSTn markers, and returns the code of
// the marker that ends it.
Result<int> CopyScanData(Reader& in, Writer& out) {
  for (;;) {
    auto avail = in.Available();
    if (!avail) return avail.error();
    if (avail->empty()) return Malformed("the JPEG ends inside its image data");
    const auto ff = std::find(avail->begin(), avail->end(), std::uint8_t{0xFF});
    const auto run = static_cast<std::size_t>(ff - avail->begin());
    if (auto st = out.Put(avail->first(run)); !st) return st.error();
    in.Consume(run);
    if (ff == avail->end()) continue;
    in.Consume(1);
    auto code = MarkerCodeAfterFF(in);
    if (!code) return code;
    if (*code != 0x00 && !IsRst(*code)) return code;
    const std::array<std::uint8_t, 2> pair = {0xFF, static_cast<std::uint8_t>(*code)};
    if (auto st = out.Put(pair); !st) return st.error();
  }
}

// What an APPn/COM segment is, from its first payload bytes; empty when it must be kept.
std::string DroppedSegmentName(int code, Bytes head) {
  if (code == 0xE0 || code == 0xEE) return {};  // JFIF; Adobe colour transform
  if (code == 0xE2 && StartsWith(head, "ICC_PROFILE\0"sv)) return {};  // colour, not identity
  if (code == kCom) return "comment (COM)";
  if (code == 0xE1 && StartsWith(head, "Exif\0"sv)) return "EXIF (APP1)";
  if (code == 0xE1 && StartsWith(head, "http://ns.adobe.com/xap/1.0/\0"sv)) return "XMP (APP1)";
  if (code == 0xE1 && StartsWith(head, "http://ns.adobe.com/xmp/extension/\0"sv)) {
    return "extended XMP (APP1)";
  }
  if (code == 0xE2 && StartsWith(head, "MPF\0"sv)) return "multi-picture index (APP2)";
  if (code == 0xEC) return "picture info (APP12)";
  if (code == 0xED) return "IPTC/Photoshop (APP13)";
  return "APP" + std::to_string(code - 0xE0) + " segment";
}

Status StripJpeg(Reader& in, Writer& out, StripReport& report) {
  if (auto r = in.Pass(2, &out, "the JPEG is truncated"); !r) return r.error();  // SOI
  std::optional<int> pending;  // a marker already read by CopyScanData
  for (;;) {
    int code = 0;
    if (pending) {
      code = *pending;
      pending.reset();
    } else {
      auto b = in.Take(1, "the JPEG ends before its end-of-image marker");
      if (!b) return b.error();
      if ((*b)[0] != 0xFF) return Malformed("the JPEG has stray bytes between its segments");
      auto c = MarkerCodeAfterFF(in);
      if (!c) return c.error();
      code = *c;
    }
    const std::array<std::uint8_t, 2> marker = {0xFF, static_cast<std::uint8_t>(code)};  // no fill
    if (code == kEoi) {
      if (auto st = out.Put(marker); !st) return st;
      return ReportTrailing(in, report);
    }
    if (code == kTem || IsRst(code)) {  // standalone, no length
      if (auto st = out.Put(marker); !st) return st;
      continue;
    }
    if (code == kSoi) return Malformed("the JPEG has a second start-of-image marker");
    if (code < 0xC0) return Malformed("the JPEG has an invalid or reserved marker");

    auto length_bytes = in.Take(2, "the JPEG ends inside a segment header");
    if (!length_bytes) return length_bytes.error();
    const std::array<std::uint8_t, 4> head = {marker[0], marker[1], (*length_bytes)[0],
                                              (*length_bytes)[1]};
    const std::size_t length = static_cast<std::size_t>((head[2] << 8) | head[3]);
    if (length < 2) return Malformed("the JPEG has a segment with an invalid length");
    const std::size_t payload = length - 2;
    std::string dropped;
    if (IsApp(code) || code == kCom) {
      auto tag = in.Peek(std::min(payload, kSniffBytes));
      if (!tag) return tag.error();
      dropped = DroppedSegmentName(code, *tag);
    }
    if (!dropped.empty()) {
      if (auto r = in.Pass(payload, nullptr, "the JPEG ends inside a segment"); !r)
        return r.error();
      report.removed.push_back(dropped + " " + WithCommas(length + 2) + " bytes");
      continue;
    }
    if (auto st = out.Put(head); !st) return st;
    if (auto r = in.Pass(payload, &out, "the JPEG ends inside a segment"); !r) return r.error();
    if (code == kSos) {
      auto next = CopyScanData(in, out);
      if (!next) return next.error();
      pending = *next;
    }
  }
}

// ---- PNG (ISO/IEC 15948, W3C PNG 3rd edition) ----

constexpr std::string_view kPngSignature = "\x89PNG\r\n\x1a\n"sv;

bool IsDroppedPngChunk(std::string_view type) {
  return type == "tEXt" || type == "zTXt" || type == "iTXt" || type == "eXIf" || type == "tIME";
}

Status StripPng(Reader& in, Writer& out, StripReport& report) {
  if (auto r = in.Pass(kPngSignature.size(), &out, "the PNG is truncated"); !r) return r.error();
  for (bool first = true;; first = false) {
    auto taken = in.Take(8, "the PNG ends before its IEND chunk");  // length (big-endian), type
    if (!taken) return taken.error();
    std::array<std::uint8_t, 8> header{};
    std::copy(taken->begin(), taken->end(), header.begin());
    const std::uint32_t length = (std::uint32_t{header[0]} << 24) |
                                 (std::uint32_t{header[1]} << 16) |
                                 (std::uint32_t{header[2]} << 8) | std::uint32_t{header[3]};
    if (length > 0x7FFFFFFFu) return Malformed("the PNG has a chunk with an invalid length");
    std::string type;
    for (std::size_t i = 4; i < 8; ++i) {
      const char c = static_cast<char>(header[i]);
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
        return Malformed("the PNG has a chunk with an invalid type");
      }
      type.push_back(c);
    }
    if (first && type != "IHDR") return Malformed("the PNG does not start with an IHDR chunk");
    const std::uint64_t data_and_crc = std::uint64_t{length} + 4;
    if (IsDroppedPngChunk(type)) {
      if (auto r = in.Pass(data_and_crc, nullptr, "the PNG ends inside a chunk"); !r) {
        return r.error();
      }
      report.removed.push_back("PNG " + type + " chunk " + WithCommas(data_and_crc + 8) + " bytes");
      continue;
    }
    if (auto st = out.Put(header); !st) return st;
    if (auto r = in.Pass(data_and_crc, &out, "the PNG ends inside a chunk"); !r) return r.error();
    if (type == "IEND") {
      if (length != 0) return Malformed("the PNG has an IEND chunk with data");
      return ReportTrailing(in, report);
    }
  }
}

// ---- Everything else: name it and say what may remain ----

constexpr std::string_view kUnchanged =
    "; this file was exported unchanged \u2014 check its properties before sharing it.";

// Printable UTF-8 (a sequence cut off by the end of `head` is fine), no control characters
// other than white space.
bool LooksLikeText(Bytes head) {
  for (std::size_t i = 0; i < head.size();) {
    const std::uint8_t b = head[i];
    if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f') || b == 0x7F) return false;
    std::size_t extra = 0;
    if (b >= 0xC2 && b <= 0xDF)
      extra = 1;
    else if (b >= 0xE0 && b <= 0xEF)
      extra = 2;
    else if (b >= 0xF0 && b <= 0xF4)
      extra = 3;
    else if (b >= 0x80)
      return false;
    for (std::size_t k = 1; k <= extra && i + k < head.size(); ++k) {
      if ((head[i + k] & 0xC0) != 0x80) return false;
    }
    i += 1 + extra;
  }
  return true;
}

void DescribeUnsupported(Bytes head, StripReport& report) {
  const auto set = [&](std::string type, std::string_view risk) {
    report.file_type = std::move(type);
    report.warning = std::string(risk) + std::string(kUnchanged);
  };
  const Bytes brand = head.size() >= 12 ? head.subspan(8, 4) : Bytes();
  if (StartsWith(head, "%PDF")) {
    set("PDF", "PDF files can carry the author's name, software and dates");
  } else if (StartsWith(head, "PK\x03\x04"sv)) {
    set("Office document (ZIP)",
        "Office documents and ZIP archives can carry the author's and last editor's names, "
        "comments, tracked changes and the names of the files inside");
  } else if (StartsWith(head, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"sv)) {
    set("Office 97-2003 document",
        "Older Office documents carry the author's and last editor's names, the company, "
        "comments and dates");
  } else if (StartsWith(head, "GIF87a") || StartsWith(head, "GIF89a")) {
    set("GIF", "GIF images can carry comments and embedded XMP metadata");
  } else if (StartsWith(head, "RIFF") && StartsWith(brand, "WEBP")) {
    set("WebP", "WebP images can carry EXIF (including the GPS position) and XMP metadata");
  } else if (StartsWith(head, "RIFF")) {
    set("RIFF media (WAV/AVI)", "WAV and AVI files can carry names, software and dates");
  } else if (head.size() >= 12 && StartsWith(head.subspan(4), "ftyp")) {
    const bool image = StartsWith(brand, "heic") || StartsWith(brand, "heix") ||
                       StartsWith(brand, "mif1") || StartsWith(brand, "avif");
    set(image ? "HEIC/AVIF image" : "MP4/MOV video",
        "HEIC images and MP4/MOV videos can carry EXIF and XMP metadata, including the GPS "
        "position, the device model and dates");
  } else if (StartsWith(head, "II*\0"sv) || StartsWith(head, "MM\0*"sv)) {
    set("TIFF or camera raw",
        "TIFF and camera raw images carry EXIF metadata, often the GPS position, camera serial "
        "number and owner's name");
  } else if (LooksLikeText(head)) {
    report.file_type = "plain text";
    report.warning =
        "Plain text has no hidden metadata fields, but its words may identify the reporter; this "
        "file was exported unchanged \u2014 read it before sharing it.";
  } else {
    set("unknown",
        "This file's type was not recognised, so any metadata in it (author, device, location, "
        "dates) was left in place");
  }
}

Result<StripReport> Strip(Reader& in, Writer& out) {
  StripReport report{StripOutcome::kNothingToStrip, {}, {}, {}};
  auto head = in.Peek(kSniffBytes);
  if (!head) return head.error();
  Status st;
  if (head->empty()) {
    report.file_type = "empty";
  } else if (StartsWith(*head, "\xFF\xD8\xFF"sv)) {
    report.file_type = "JPEG";
    st = StripJpeg(in, out, report);
  } else if (StartsWith(*head, kPngSignature)) {
    report.file_type = "PNG";
    st = StripPng(in, out, report);
  } else {
    DescribeUnsupported(*head, report);
    report.outcome = StripOutcome::kUnsupportedType;
    if (auto copied = in.Pass(UINT64_MAX, &out, nullptr); !copied) return copied.error();
  }
  if (!st) return st.error();
  if (auto flushed = out.Flush(); !flushed) return flushed.error();
  if (!report.removed.empty()) report.outcome = StripOutcome::kStripped;
  return report;
}

}  // namespace

Result<StripReport> StripMetadata(ByteSource& in, ByteSink& out) {
  try {
    Reader reader(in);
    Writer writer(out);
    return Strip(reader, writer);
  } catch (const std::bad_alloc&) {
    return MakeError(ErrorCode::kLimitExceeded, "out of memory while stripping metadata");
  }
}

}  // namespace sealdrop::console
