// Strips identifying metadata from exported attachments.
//
// A reporter's photo can name them: EXIF carries the GPS position, camera serial number and owner
// name; XMP and IPTC carry author and software; PNG text chunks carry whatever the creating
// program put there. StripMetadata copies a file while dropping those parts for the formats it
// parses (JPEG, PNG). Anything else is copied unchanged, with a warning that says plainly what may
// remain, so the console never claims a file is clean when it has not looked inside.
//
// The type comes from the first bytes (magic numbers), never from the file name.
// Parsing streams through fixed buffers (128 KiB in all) whatever the input size: dropped segments
// are skipped, kept ones are copied through in chunks. Malformed JPEG/PNG input gives kMalformed,
// never an abort. On any error `out` may hold a partial copy: write into an AtomicFile and do not
// Commit() it. Not thread-safe per call; independent calls may run concurrently.
#pragma once

#include <string>
#include <vector>

#include "common/io.h"
#include "common/result.h"

namespace sealdrop::console {

enum class StripOutcome { kStripped, kNothingToStrip, kUnsupportedType };

struct StripReport {
  StripOutcome outcome;
  std::string file_type;             // "JPEG", "PNG", "PDF", "Office document (ZIP)", "unknown", ...
  std::vector<std::string> removed;  // human lines, e.g. "EXIF (APP1) 12,345 bytes"
  std::string warning;               // non-empty for kUnsupportedType: what may remain, what to do
};

// JPEG: drops APP1 (EXIF, XMP), APP2 unless ICC_PROFILE, APP12, APP13 (IPTC/Photoshop), every
//   other APPn except APP0 (JFIF) and APP14 (Adobe, needed to decode), COM, fill bytes and
//   anything after EOI. Everything else, entropy-coded data included, is copied verbatim.
// PNG: drops tEXt, zTXt, iTXt, eXIf, tIME chunks and anything after IEND; the rest is verbatim.
// Other types: copied verbatim; outcome kUnsupportedType with `warning` set.
// An empty input is kNothingToStrip with file_type "empty".
Result<StripReport> StripMetadata(ByteSource& in, ByteSink& out);

}  // namespace sealdrop::console
