// export-attachment: one attachment out of the air-gapped console as a safe copy (pictures and
// PDFs rebuilt from pixels in a sandbox, journalist_console/sanitize/safe_copy.h), or exactly as
// sent with --original; the export itself is the core's (core/attachment_export.h), shared with
// the web face. Spec: docs/console.md §2 and "Safe export".
#include <cstdio>
#include <memory>

#include "common/io.h"
#include "journalist_console/cli/case_options.h"
#include "journalist_console/cli/commands.h"
#include "journalist_console/core/attachment_export.h"

namespace sealdrop::console {
namespace {

struct ExportOptions {
  CaseCommandOptions c;
  std::string id;
  std::size_t number = 0;
  std::string out;
  bool original = false;
};

// What the officer must know about the copy, in the library's words.
void PrintSafeCopyReport(const SafeCopyReport& r) {
  if (r.kind == SafeCopyKind::kEmpty) {
    std::printf("the attachment is empty\n");
    return;
  }
  if (r.kind == SafeCopyKind::kPicture || r.kind == SafeCopyKind::kPdf) {
    std::printf("safe copy: this %s was %s\n", r.input_type.c_str(),
                r.kind == SafeCopyKind::kPdf ? "rebuilt as a PDF of page pictures"
                                             : ("re-encoded as " + r.output_type).c_str());
  } else if (r.kind == SafeCopyKind::kCleaned) {
    std::printf("metadata removed by mat2 from this %s\n", r.input_type.c_str());
  }
  if (!r.removed.empty()) std::printf("removed:\n");
  for (const auto& line : r.removed) std::printf("  - %s\n", line.c_str());
  for (const auto& line : r.notes) std::printf("note: %s\n", line.c_str());
  if (!r.warning.empty()) std::printf("WARNING: %s\n", r.warning.c_str());
}

int Export(const ExportOptions& o) {
  auto in = OpenAndSignIn(o.c);
  if (!in) return Report(in.error());
  auto c = in->store->FindCase(o.id);
  if (!c) return Report(c.error());
  if (o.number == 0) return Report("attachments are numbered from 1, as `show` lists them");
  if (PathExists(o.out)) return Report(o.out + " already exists: refusing to overwrite it");
  auto out = AtomicFile::Create(o.out, 0600, /*overwrite=*/false);
  if (!out) return Report(out.error());
  // Not committed unless the export (and its audit entry) succeeded: no partial output file.
  auto done = ExportAttachment(*in->store, in->session, *c, o.number,
                               o.original ? ExportMode::kOriginal : ExportMode::kSafeCopy, *out);
  if (!done) {
    const std::string& message = done.error().message;
    if (message.rfind("cannot make a safe copy: ", 0) == 0) {
      return Report(message + " (--original exports the file exactly as sent)");
    }
    return Report(done.error());
  }
  if (auto st = out->Commit(); !st) return Report(st.error());
  std::printf("exported attachment %zu of case %s to %s\n", o.number, c->id.substr(0, 8).c_str(),
              o.out.c_str());
  if (o.original) {
    std::printf("ORIGINAL (--original): the file is exactly as the reporter sent it, metadata and "
                "active content included\n");
  } else {
    PrintSafeCopyReport(done->report);
  }
  return 0;
}

}  // namespace

void AddExportCommand(CLI::App& app, int& exit_code) {
  auto e = std::make_shared<ExportOptions>();
  auto* exp = app.add_subcommand("export-attachment", "Export one attachment as a safe copy");
  AddCaseCommandOptions(exp, e->c);
  exp->add_option("id", e->id, "Case id")->required();
  exp->add_option("number", e->number, "Attachment number, as `show` lists it")->required();
  exp->add_option("--out", e->out, "Output file")->required();
  // A safe copy is the default: the unsafe export is the one an officer asks for by name.
  exp->add_flag("--original,--keep-metadata", e->original,
                "Export exactly as sent: metadata and active content kept (no safe copy)");
  exp->callback([e, &exit_code] { exit_code = Export(*e); });

}

}  // namespace sealdrop::console
