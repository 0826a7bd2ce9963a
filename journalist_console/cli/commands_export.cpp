// export-attachment: one attachment out of the air-gapped console as a safe copy (pictures and
// PDFs rebuilt from pixels in a sandbox, journalist_console/sanitize/safe_copy.h), or exactly as
// sent with --original. Spec: docs/console.md §2 and "Safe export".
#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>

#include "common/io.h"
#include "journalist_console/cli/case_options.h"
#include "journalist_console/cli/commands.h"
#include "journalist_console/core/case_files.h"
#include "journalist_console/sanitize/safe_copy.h"

namespace sealdrop::console {
namespace {

// ---------------------------------------------------------------------------------------------
// Part `index` of an envelope as a pull stream; the caller drains the reader to its end after.
class PartSource final : public ByteSource {
 public:
  PartSource(SealedEnvelopeReader& reader, std::size_t index) : reader_(reader), index_(index) {}
  Result<std::size_t> Read(std::span<std::uint8_t> out) override {
    while (pending_.empty()) {
      if (ended_) return std::size_t{0};
      auto ev = reader_.Next();
      if (!ev) return ev.error();
      using Kind = SealedEnvelopeReader::Event::Kind;
      if (ev->kind == Kind::kEnd) {
        ended_ = true;
        reached_end_ = true;
        if (seen_ <= index_) return MakeError(ErrorCode::kNotFound, "no such attachment");
        return std::size_t{0};
      }
      if (ev->kind == Kind::kPartBegin) {
        ++seen_;
        if (seen_ == index_ + 2) {
          ended_ = true;
          return std::size_t{0};
        }
        if (seen_ == index_ + 1) info_ = ev->part;
        continue;
      }
      if (seen_ == index_ + 1) pending_ = ev->data;
    }
    const std::size_t n = std::min(out.size(), pending_.size());
    std::copy_n(pending_.begin(), n, out.begin());
    pending_ = pending_.subspan(n);
    return n;
  }
  bool reached_end() const { return reached_end_; }
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
  auto* store = &in->store;
  const KeyPair* key = &in->session.key();
  const std::string& officer = in->session.name();
  auto c = (*store)->FindCase(o.id);
  if (!c) return Report(c.error());
  if (o.number == 0) return Report("attachments are numbered from 1, as `show` lists them");
  if (PathExists(o.out)) return Report(o.out + " already exists: refusing to overwrite it");
  auto file = FileSource::Open((*store)->SealedPath(c->id));
  if (!file) return Report(file.error());
  std::vector<KeyPair> keys;
  keys.push_back({key->public_key, SecretBuffer::CopyOf(key->secret.span())});
  auto reader = SealedEnvelopeReader::Open(*file, keys);
  if (!reader) return Report(reader.error());
  auto out = AtomicFile::Create(o.out, 0600, /*overwrite=*/false);
  if (!out) return Report(out.error());
  PartSource part(*reader, o.number - 1);
  const auto failed = [&](const Error& e, const std::string& prefix) {
    return Report(e.code == ErrorCode::kNotFound
                      ? "case " + c->id.substr(0, 8) + " has no attachment " + std::to_string(o.number)
                      : prefix + e.message);
  };
  std::optional<SafeCopier> copier;  // the default: a safe copy (sanitize/safe_copy.h)
  if (o.original) {
    std::vector<std::uint8_t> buf(1 << 16);
    for (;;) {
      auto n = part.Read(buf);
      if (!n) return failed(n.error(), "");
      if (*n == 0) break;
      if (auto st = out->Write(std::span(buf.data(), *n)); !st) return Report(st.error());
    }
  } else {
    auto made = SafeCopier::Create(SafeCopyLimits{});
    if (!made) return Report(made.error());
    copier.emplace(std::move(*made));
    if (auto st = copier->ReadInput(part); !st) return failed(st.error(), "cannot export: ");
  }
  // The rest of the envelope must verify before anything is converted or named.
  while (!part.reached_end()) {
    auto ev = reader->Next();
    if (!ev) return Report(ev.error());
    if (ev->kind == SealedEnvelopeReader::Event::Kind::kEnd) break;
  }
  SafeCopyReport report;
  if (copier) {
    auto r = copier->WriteSafeCopy(part.info().name, *out);
    if (!r) {
      return Report("cannot make a safe copy: " + r.error().message +
                    " (--original exports the file exactly as sent)");
    }
    report = std::move(*r);
  }
  if (auto st = out->Commit(); !st) return Report(st.error());
  std::printf("exported attachment %zu of case %s to %s\n", o.number, c->id.substr(0, 8).c_str(),
              o.out.c_str());
  if (o.original) {
    std::printf("ORIGINAL (--original): the file is exactly as the reporter sent it, metadata and "
                "active content included\n");
  } else {
    PrintSafeCopyReport(report);
  }
  const std::string what = o.original ? " original" : " safe copy";
  if (auto st = (*store)->Audit(officer, "export", c->id, "attachment " + std::to_string(o.number) + what); !st) {
    return Report(st.error());
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
