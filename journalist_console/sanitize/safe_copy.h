// The safe copy of an attachment: what the console exports by default (docs/console.md "Safe
// export"). An attachment is untrusted: its metadata can identify the reporter, and its content
// can attack the program that opens it. So, by the file's first bytes (never its name):
//   - pictures (JPEG, PNG, GIF, BMP, TIFF) are decoded to bare pixels by netpbm in a sandbox and
//     re-encoded from those pixels (JPEG stays JPEG, the others become PNG): every byte of
//     metadata is gone by construction, and a picture over `max_pixels` is refused before decoding;
//   - PDFs are rendered page by page by poppler's pdftoppm in a sandbox and rebuilt as a PDF of
//     page pictures (safe_pdf.h): no text, scripts, links or document properties survive;
//   - anything else goes through mat2 in the same sandbox when mat2 knows the format (Office and
//     OpenDocument files, audio, SVG ...), which removes metadata but keeps the content (an
//     Office macro stays), and otherwise is copied unchanged with a warning.
// Every converter runs in sandbox.h's bubblewrap sandbox; if it cannot start, the copy fails.
// A picture or PDF that cannot be converted is an error (the officer may export the original
// instead); it is never passed through unchanged.
//
// The plaintext attachment and the converters' output live in a private (0700) directory under
// $TMPDIR (default /tmp) while a SafeCopier exists, and are removed when it is destroyed.
// Not thread-safe; one SafeCopier per export.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/io.h"
#include "common/result.h"

namespace sealdrop::console {

struct SafeCopyLimits {
  std::uint64_t max_input_bytes = 2ull << 30;
  std::uint64_t max_pixels = 100'000'000;      // a picture, or one rendered PDF page
  std::uint32_t max_pages = 500;
  std::uint32_t dpi = 150;                     // PDF pages are rendered at this resolution
  std::chrono::seconds step_time{120};         // one converter run (one page of a PDF)
  std::chrono::seconds total_time{1800};       // the whole copy
  std::uint64_t max_output_bytes = 4ull << 30;
  std::string bwrap_path = "/usr/bin/bwrap";
};

enum class SafeCopyKind {
  kPicture,        // re-encoded from pixels
  kPdf,            // rebuilt from page pictures
  kCleaned,        // metadata removed by mat2, content as sent
  kUnchanged,      // copied as sent; `warning` says what may remain
  kEmpty,
};

struct SafeCopyReport {
  SafeCopyKind kind = SafeCopyKind::kEmpty;
  std::string input_type;             // "JPEG", "PDF", "Office document (ZIP)", ...
  std::string output_type;            // "JPEG", "PNG", "PDF" or input_type
  std::uint32_t pages = 0;            // kPdf
  std::vector<std::string> removed;   // metadata seen in the original, e.g. "EXIF (APP1) 1,234 bytes"
  std::vector<std::string> notes;     // what the officer should know about the copy
  std::string warning;                // kCleaned, kUnchanged
};

class SafeCopier {
 public:
  static Result<SafeCopier> Create(SafeCopyLimits limits);
  SafeCopier(SafeCopier&& other) noexcept;
  SafeCopier& operator=(SafeCopier&&) = delete;
  ~SafeCopier();  // removes the working directory and everything in it

  // Stores the attachment (plaintext) in the working directory. kLimitExceeded past
  // max_input_bytes. Call once, before WriteSafeCopy.
  Status ReadInput(ByteSource& in);

  // Converts the stored attachment and writes the copy to `out`. `name_hint` (the sender's file
  // name, untrusted) only chooses mat2's parser for types not recognised by their bytes.
  // Errors: kLimitExceeded (too many pixels or pages, too slow, too big), kMalformed (a picture
  // or PDF the converter could not read), kIo (the sandbox could not start ...). On error `out`
  // may hold part of a copy: write into an AtomicFile and do not Commit() it.
  Result<SafeCopyReport> WriteSafeCopy(std::string_view name_hint, ByteSink& out);

 private:
  SafeCopier(SafeCopyLimits limits, std::string dir) : limits_(std::move(limits)), dir_(std::move(dir)) {}
  SafeCopyLimits limits_;
  std::string dir_;  // empty once moved from
  std::uint64_t input_bytes_ = 0;
};

}  // namespace sealdrop::console
