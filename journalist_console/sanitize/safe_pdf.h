// Writes the "safe PDF": a new PDF made only of page pictures, like Dangerzone's output.
//
// Each page is one RGB image (8 bits, Flate-compressed with zlib) drawn over the whole page,
// whose size is the picture's at the resolution it was rendered (`dpi`). The file holds nothing
// else: no document information dictionary, no metadata stream, no text, fonts, links, forms,
// annotations, actions or JavaScript, no ID; the same pages give the same bytes. Spec:
// docs/console.md "Safe export".
//
// Pages come from a sandboxed renderer as binary PPM files ("P6", maxval 255), checked strictly
// (pixel_headers.h) before any byte of them is copied. Memory: one compressed page at a time.
// Errors leave `sink` holding a partial file: write into an AtomicFile and do not Commit() it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/io.h"
#include "common/result.h"

namespace sealdrop::console {

class SafePdfWriter {
 public:
  // Writes the header, catalogue and page tree for `page_count` (>= 1) pages.
  static Result<SafePdfWriter> Begin(ByteSink& sink, std::uint32_t page_count);

  // Appends the next page from a PPM file rendered at `dpi` dots per inch. kMalformed for a file
  // that is not a P6 PPM with maxval 255; kLimitExceeded past `max_pixels`.
  Status AddPage(const std::string& ppm_path, std::uint32_t dpi, std::uint64_t max_pixels);

  // Writes the cross-reference table and trailer. REQUIRES: every page was added.
  Status Finish();

  std::uint64_t bytes_written() const { return offset_; }

 private:
  SafePdfWriter(ByteSink& sink, std::uint32_t page_count) : sink_(&sink), page_count_(page_count) {}
  Status Put(std::string_view text);
  Status PutBytes(std::span<const std::uint8_t> bytes);
  Status BeginObject(std::uint32_t number);

  ByteSink* sink_;
  std::uint32_t page_count_;
  std::uint32_t pages_added_ = 0;
  std::uint64_t offset_ = 0;
  std::vector<std::uint64_t> object_offsets_;  // index = object number - 1
};

}  // namespace sealdrop::console
