// One attachment out of a case, for both faces (cli `export-attachment`, the web's "Make a safe
// copy") and the case archive: a safe copy by default (sanitize/safe_copy.h: pictures and PDFs
// rebuilt from pixels in a sandbox), or the bytes exactly as sent when the officer asks for the
// original by name. Spec: docs/console.md "Safe export".
//
// Attachments are numbered from 1 within one case item, in the order the reporter attached them,
// exactly as `show` lists them: a report's attachments are attachments of the report's id, and a
// follow-up's are attachments of that follow-up's own id (each item is one sealed envelope).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/io.h"
#include "common/result.h"
#include "crypto/envelope_reader.h"
#include "journalist_console/core/officers.h"
#include "journalist_console/core/store/console_store.h"
#include "journalist_console/sanitize/safe_copy.h"

namespace sealdrop::console {

enum class ExportMode { kSafeCopy, kOriginal };

struct AttachmentExport {
  ExportMode mode = ExportMode::kSafeCopy;
  std::string name;          // the sender's file name (untrusted: never a path to write to)
  std::string content_type;  // the sender's content type (untrusted: never served as such)
  SafeCopyReport report;     // what the safe copy is and what was removed (kSafeCopy only)
  std::uint64_t bytes = 0;   // written to `out`
};

// Writes attachment `number` (from 1) of case item `c` to `out`, as a safe copy or the original,
// and records the audit entry ("export", "attachment N safe copy" or "attachment N original")
// naming `by`. The whole envelope is read and verified before anything is converted, named or
// audited: a damaged or tampered item gives an error, never part of a copy. The audit entry is
// written before returning success, so no export reaches the officer unrecorded.
//
// Errors, in the officer's words:
//   kInvalidArgument  "attachments are numbered from 1, as `show` lists them"
//   kNotFound         "case 1a2b3c4d has no attachment 3"
//   kLimitExceeded, kMalformed, kIo
//                     "cannot make a safe copy: ..." (too large, too many pixels or pages, a
//                     picture or PDF the converter could not read, the sandbox would not start)
//   anything else     the envelope or store error (damaged item, audit not written ...).
// On error `out` may hold part of a copy: write into an AtomicFile (or a buffer) and drop it.
// `limits` bounds the safe copy (the web face lowers the sizes to what it keeps in memory).
Result<AttachmentExport> ExportAttachment(ConsoleStore& store, const OfficerSession& by,
                                          const CaseRow& c, std::size_t number, ExportMode mode,
                                          ByteSink& out, const SafeCopyLimits& limits = {});

// A file name to save an export under, made only of the case id, the number and an extension:
// "case-1a2b3c4d-attachment-2.pdf". ASCII letters, digits, '-' and '.', never a path separator
// or a leading dot, at most 64 characters. The extension is the safe copy's type (.jpg, .png,
// .pdf); for a copy kept in the sent format (mat2, unchanged) and for an original it is the
// sender's extension when that is 1–8 ASCII letters or digits, and ".bin" otherwise.
std::string ExportFileName(std::string_view case_id, std::size_t number, const AttachmentExport& e);

// The Content-Type to serve an export with: the safe copy's own type for pictures and PDFs,
// "application/octet-stream" for everything else (the sender's type is never trusted).
std::string ExportContentType(const AttachmentExport& e);

// Part `index` (from 0) of an open envelope as a pull stream: reads the envelope's events up to
// the end of that part. kNotFound "no such attachment" when the envelope ends first. The caller
// must then drain the reader to its verified end (see reached_end()) before trusting anything.
class PartSource final : public ByteSource {
 public:
  PartSource(SealedEnvelopeReader& reader, std::size_t index) : reader_(reader), index_(index) {}
  Result<std::size_t> Read(std::span<std::uint8_t> out) override;
  // The envelope's end was read (and verified) while looking for the part.
  bool reached_end() const { return reached_end_; }
  // The part's name and type, once its first byte (or its end) was read.
  const PartInfo& info() const { return info_; }

 private:
  SealedEnvelopeReader& reader_;
  std::size_t index_;
  std::size_t seen_ = 0;
  std::span<const std::uint8_t> pending_;
  bool ended_ = false;
  bool reached_end_ = false;
  PartInfo info_;
};

}  // namespace sealdrop::console
