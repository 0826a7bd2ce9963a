#include "journalist_console/sanitize/safe_pdf.h"

#include <zlib.h>

#include <cstdio>
#include <new>

#include "journalist_console/sanitize/pixel_headers.h"

namespace sealdrop::console {
namespace {

// Objects: 1 catalogue, 2 page tree, then three per page: page, content stream, image.
constexpr std::uint32_t kFirstPageObject = 3;
std::uint32_t PageObject(std::uint32_t page) { return kFirstPageObject + 3 * page; }

constexpr std::size_t kReadChunk = 1 << 20;

// PDF user units are 1/72 inch; two decimals keep a page within 0.01 pt of the picture.
std::string Points(std::uint32_t pixels, std::uint32_t dpi) {
  const std::uint64_t hundredths = (std::uint64_t{pixels} * 7200 + dpi / 2) / dpi;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llu.%02llu", static_cast<unsigned long long>(hundredths / 100),
                static_cast<unsigned long long>(hundredths % 100));
  return buf;
}

// The raster of `path` after `skip` bytes, `length` bytes of it, zlib-compressed.
Result<std::vector<std::uint8_t>> Deflate(const std::string& path, std::uint64_t skip,
                                          std::uint64_t length) {
  auto file = FileSource::Open(path);
  if (!file) return file.error();
  std::vector<std::uint8_t> in(kReadChunk);
  for (std::uint64_t skipped = 0; skipped < skip;) {
    auto n = file->Read(std::span(in).first(static_cast<std::size_t>(skip - skipped)));
    if (!n) return n.error();
    if (*n == 0) return MakeError(ErrorCode::kMalformed, "a page picture is truncated");
    skipped += *n;
  }
  z_stream z{};
  if (deflateInit(&z, 6) != Z_OK) return MakeError(ErrorCode::kIo, "zlib could not start");
  std::vector<std::uint8_t> out;
  Status status;
  std::vector<std::uint8_t> chunk(kReadChunk);
  for (std::uint64_t left = length;;) {
    std::size_t got = 0;
    if (left > 0) {
      auto n = file->Read(std::span(in).first(static_cast<std::size_t>(std::min<std::uint64_t>(left, in.size()))));
      if (!n) {
        status = n.error();
        break;
      }
      if (*n == 0) {
        status = MakeError(ErrorCode::kMalformed, "a page picture is truncated");
        break;
      }
      got = *n;
      left -= got;
    }
    z.next_in = in.data();
    z.avail_in = static_cast<uInt>(got);
    const int flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
    int rc = Z_OK;
    do {
      z.next_out = chunk.data();
      z.avail_out = static_cast<uInt>(chunk.size());
      rc = deflate(&z, flush);
      out.insert(out.end(), chunk.data(), chunk.data() + (chunk.size() - z.avail_out));
    } while (rc == Z_OK && (z.avail_out == 0 || flush == Z_FINISH));
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      status = MakeError(ErrorCode::kIo, "zlib failed");
      break;
    }
  }
  deflateEnd(&z);
  if (!status) return status.error();
  return out;
}

}  // namespace

Result<SafePdfWriter> SafePdfWriter::Begin(ByteSink& sink, std::uint32_t page_count) {
  if (page_count == 0) return MakeError(ErrorCode::kInvalidArgument, "a PDF needs a page");
  SafePdfWriter w(sink, page_count);
  // The second line's high bytes mark the file as binary (PDF 32000-1 §7.5.2).
  if (auto st = w.Put("%PDF-1.4\n%\xE2\xE3\xCF\xD3\n"); !st) return st.error();
  if (auto st = w.BeginObject(1); !st) return st.error();
  if (auto st = w.Put("<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"); !st) return st.error();
  if (auto st = w.BeginObject(2); !st) return st.error();
  std::string kids;
  for (std::uint32_t i = 0; i < page_count; ++i) {
    kids += (i == 0 ? "" : " ") + std::to_string(PageObject(i)) + " 0 R";
  }
  if (auto st = w.Put("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(page_count) +
                      " >>\nendobj\n");
      !st) {
    return st.error();
  }
  return w;
}

Status SafePdfWriter::Put(std::string_view text) {
  return PutBytes(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

Status SafePdfWriter::PutBytes(std::span<const std::uint8_t> bytes) {
  if (auto st = sink_->Write(bytes); !st) return st;
  offset_ += bytes.size();
  return Status::Ok();
}

Status SafePdfWriter::BeginObject(std::uint32_t number) {
  if (object_offsets_.size() != number - 1) Die("SafePdfWriter: objects out of order");
  object_offsets_.push_back(offset_);
  return Put(std::to_string(number) + " 0 obj\n");
}

Status SafePdfWriter::AddPage(const std::string& ppm_path, std::uint32_t dpi,
                              std::uint64_t max_pixels) {
  if (pages_added_ >= page_count_) Die("SafePdfWriter: more pages than announced");
  if (dpi == 0) Die("SafePdfWriter: dpi 0");
  auto header = ReadPnmHeader(ppm_path, max_pixels);
  if (!header) return header.error();
  if (header->kind != '6' || header->maxval != 255) {
    return MakeError(ErrorCode::kMalformed, "a page picture is not 8-bit RGB");
  }
  std::vector<std::uint8_t> image;
  try {
    auto deflated = Deflate(ppm_path, header->header_bytes, header->raster_bytes);
    if (!deflated) return deflated.error();
    image = std::move(*deflated);
  } catch (const std::bad_alloc&) {
    return MakeError(ErrorCode::kLimitExceeded, "out of memory compressing a page");
  }
  const std::uint32_t page = PageObject(pages_added_);
  const std::string w = Points(header->size.width, dpi), h = Points(header->size.height, dpi);
  if (auto st = BeginObject(page); !st) return st;
  if (auto st = Put("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 " + w + " " + h +
                    "] /Resources << /XObject << /Im0 " + std::to_string(page + 2) +
                    " 0 R >> >> /Contents " + std::to_string(page + 1) + " 0 R >>\nendobj\n");
      !st) {
    return st;
  }
  const std::string draw = "q " + w + " 0 0 " + h + " 0 0 cm /Im0 Do Q\n";
  if (auto st = BeginObject(page + 1); !st) return st;
  if (auto st = Put("<< /Length " + std::to_string(draw.size()) + " >>\nstream\n" + draw +
                    "endstream\nendobj\n");
      !st) {
    return st;
  }
  if (auto st = BeginObject(page + 2); !st) return st;
  if (auto st = Put("<< /Type /XObject /Subtype /Image /Width " +
                    std::to_string(header->size.width) + " /Height " +
                    std::to_string(header->size.height) +
                    " /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode /Length " +
                    std::to_string(image.size()) + " >>\nstream\n");
      !st) {
    return st;
  }
  if (auto st = PutBytes(image); !st) return st;
  if (auto st = Put("\nendstream\nendobj\n"); !st) return st;
  ++pages_added_;
  return Status::Ok();
}

Status SafePdfWriter::Finish() {
  if (pages_added_ != page_count_) Die("SafePdfWriter: Finish before every page was added");
  const std::uint64_t xref = offset_;
  const std::size_t size = object_offsets_.size() + 1;
  std::string table = "xref\n0 " + std::to_string(size) + "\n0000000000 65535 f \n";
  for (const std::uint64_t at : object_offsets_) {
    char entry[32];
    std::snprintf(entry, sizeof entry, "%010llu 00000 n \n", static_cast<unsigned long long>(at));
    table += entry;
  }
  table += "trailer\n<< /Size " + std::to_string(size) + " /Root 1 0 R >>\nstartxref\n" +
           std::to_string(xref) + "\n%%EOF\n";
  return Put(table);
}

}  // namespace sealdrop::console
