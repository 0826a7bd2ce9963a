// What a case archive says about its case (docs/console.md §7.2, §7.3): case.json, built from
// the same CaseView the web case page shows (case_view.h), and summary.html, rendered from that
// JSON alone, so the two cannot disagree. Neither reads the store; case_archive.cpp feeds them.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "journalist_console/core/case_view.h"
#include "journalist_console/sanitize/safe_copy.h"

namespace sealdrop::console {

// One attachment of the case (of the report or of a follow-up) and what became of it.
struct ArchivedAttachment {
  std::size_t number = 0;              // in the archive, from 1, in the conversation's order
  std::string item_id;                 // the report or follow-up that carried it
  std::size_t part = 0;                // its number in that item, as `show` lists it (from 1)
  std::string original_name;           // the sender's name for it: untrusted
  std::string content_type;            // the sender's type: untrusted
  std::uint64_t size = 0;              // the original's size
  std::optional<SafeCopyReport> copy;  // set when a safe copy is in the archive
  std::string file;                    // "attachments/NN-name.ext" when in the archive
  std::string sha256;                  // of `file`
  std::string left_out;                // why it is not in the archive ("" when it is)
};

struct ArchiveFile {
  std::string name;
  std::string sha256;  // lower-case hex
  std::uint64_t bytes = 0;
};

struct ExportFacts {
  std::string officer;  // who exported
  std::string at;       // NowUtcTimestamp()
  std::string force;    // the console's force code
  bool sealed = false;
};

// The command that exports the original of an attachment left out (for the summary).
std::string ExportOriginalCommand(const ArchivedAttachment& a);

// case.json's document (schema: docs/console.md §7.3).
nlohmann::json CaseDocument(const CaseView& view,
                            const std::vector<ArchivedAttachment>& attachments,
                            const ExportFacts& facts);

// summary.html: self-contained (inline CSS, no scripts, no external resources), every
// untrusted string escaped. `files`: the archive's other files with their SHA-256.
std::string SummaryHtml(const nlohmann::json& document, const std::vector<ArchiveFile>& files);

}  // namespace sealdrop::console
