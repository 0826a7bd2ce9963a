// export-case: a whole case as one archive for the investigation file (docs/console.md §7),
// sealed with a passphrase when asked (--seal: age v1, opened with `age -d`).
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "common/io.h"
#include "journalist_console/cli/case_options.h"
#include "journalist_console/cli/commands.h"
#include "journalist_console/core/case_archive.h"
#include "journalist_console/secret_input/passphrase.h"

namespace sealdrop::console {
namespace {

struct ExportCaseOptions {
  CaseCommandOptions c;
  std::string id;
  std::string out;
  bool seal = false;
  std::string seal_passphrase_file;
};

int ExportCase(const ExportCaseOptions& o) {
  if (PathExists(o.out)) return Report(o.out + " already exists: refusing to overwrite it");
  auto in = OpenAndSignIn(o.c);
  if (!in) return Report(in.error());
  auto c = in->store->FindCase(o.id);
  if (!c) return Report(c.error());
  std::optional<SecretBuffer> passphrase;
  if (o.seal) {
    // Typed twice on the terminal; from the file, or from stdin when stdin is not a terminal.
    std::string file = o.seal_passphrase_file;
    if (file.empty() && ::isatty(STDIN_FILENO) == 0) file = "/dev/stdin";
    auto p = ReadPassphrase({"Passphrase to seal the archive with", file, /*is_new=*/true});
    if (!p) return Report(p.error());
    passphrase.emplace(std::move(*p));
  }
  auto out = AtomicFile::Create(o.out, 0600, /*overwrite=*/false);
  if (!out) return Report(out.error());
  auto report =
      ExportCaseArchive(*in->store, in->session, *c, passphrase ? &*passphrase : nullptr, *out);
  if (!report) return Report(report.error());
  if (auto st = out->Commit(); !st) return Report(st.error());
  std::printf("exported case %s to %s%s\n", report->case_id.substr(0, 8).c_str(), o.out.c_str(),
              report->sealed ? " (sealed with a passphrase: open it with `age -d`)" : "");
  std::printf("sha256 %s\n", report->sha256.c_str());
  std::printf("%zu files:", report->files.size());
  for (const auto& f : report->files) std::printf(" %s", f.name.c_str());
  std::printf("\n");
  for (const auto& a : report->attachments) {
    if (a.file.empty()) {
      std::printf(
          "attachment %zu left out: %s (the original: export-attachment %s %zu --original)\n",
          a.number, a.left_out.c_str(), a.item_id.substr(0, 8).c_str(), a.part);
    }
  }
  return 0;
}

}  // namespace

void AddExportCaseCommand(CLI::App& app, int& exit_code) {
  auto e = std::make_shared<ExportCaseOptions>();
  auto* cmd = app.add_subcommand(
      "export-case",
      "Export a whole case (summary, conversation, triage, safe attachments) as one archive");
  AddCaseCommandOptions(cmd, e->c);
  cmd->add_option("id", e->id, "Case id (a follow-up's id exports its report's case)")->required();
  cmd->add_option("--out", e->out, "Output file (never overwritten)")->required();
  cmd->add_flag("--seal", e->seal,
                "Seal the archive with a passphrase (age v1: opened with `age -d`); asked twice on "
                "the terminal, or "
                "read from stdin when it is not one");
  cmd->add_option("--seal-passphrase-file", e->seal_passphrase_file,
                  "With --seal: the passphrase, from this file's first line")
      ->needs("--seal");
  cmd->callback([e, &exit_code] { exit_code = ExportCase(*e); });
}

}  // namespace sealdrop::console
