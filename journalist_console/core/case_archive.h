// A whole case exported for the investigation file (docs/console.md §7): one ZIP holding
// summary.html (a readable, self-contained summary), case.json (the same, machine-readable),
// attachments/NN-name.ext (safe copies only, never an original) and MANIFEST.sha256 — sealed,
// when the officer asks, as an age v1 passphrase file (crypto/age) that `age -d` opens.
//
// Streaming: the ZIP goes through the optional age writer straight into `out`; only one safe
// copy at a time is held, in wiping memory (it must be whole before it enters the archive, so
// that a copy that fails half-way leaves nothing behind; over max_attachment_bytes it is left
// out). The summary and case.json are built in memory (text only). An attachment whose safe copy
// fails, is empty, or would be the original unchanged (no converter knows its type) is left out
// and named in the summary with the reason and the command that exports the original.
//
// Safe copies are made by ExportAttachment (attachment_export.h), which audits each one
// ("export", "attachment N safe copy"; also for a copy then left out as unchanged).
// `out` is complete only when this returns ok: write into an AtomicFile and commit then. On
// success the audit records "export-case" with the archive's SHA-256 and whether it is sealed
// (chain of custody: never its contents).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/io.h"
#include "common/result.h"
#include "crypto/age/age_passphrase.h"
#include "crypto/secret_buffer.h"
#include "journalist_console/core/case_document.h"
#include "journalist_console/core/officers.h"
#include "journalist_console/core/store/console_store.h"
#include "journalist_console/sanitize/safe_copy.h"

namespace sealdrop::console {

inline constexpr std::size_t kMinArchivePassphraseChars = 10;

struct CaseArchiveOptions {
  unsigned seal_log2_work = kAgeDefaultLog2Work;  // scrypt 2^N; tests use less
  SafeCopyLimits limits;
  std::uint64_t max_attachment_bytes = 512ull << 20;  // one original, one safe copy, in memory
};

struct ArchiveReport {
  std::string case_id;  // the report's (a follow-up's id exports its report's case)
  bool sealed = false;
  std::string sha256;  // of the bytes written to `out` (lower-case hex)
  std::uint64_t bytes = 0;
  std::vector<ArchiveFile> files;               // every file in the ZIP, in its order
  std::vector<ArchivedAttachment> attachments;  // every attachment of the case
};

// `seal`: nullptr for a plain ZIP; else the passphrase (kInvalidArgument when shorter than
// kMinArchivePassphraseChars). `c` may be a follow-up: its report's whole case is exported.
Result<ArchiveReport> ExportCaseArchive(ConsoleStore& store, const OfficerSession& by,
                                        const CaseRow& c, const SecretBuffer* seal, ByteSink& out,
                                        const CaseArchiveOptions& options = {});

// "case-1a2b3c4d.zip" or "case-1a2b3c4d.zip.age".
std::string CaseArchiveName(const std::string& case_id, bool sealed);

}  // namespace sealdrop::console
