#include "journalist_console/core/case_archive.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <map>
#include <optional>

#include "common/clock.h"
#include "crypto/keys.h"
#include "journalist_console/core/attachment_export.h"
#include "journalist_console/core/case_view.h"
#include "journalist_console/core/wiping_sink.h"
#include "journalist_console/core/zip_writer.h"

namespace sealdrop::console {
namespace {

// Passes bytes on and hashes them (the archive's SHA-256 for the audit).
class HashingSink final : public ByteSink {
 public:
  explicit HashingSink(ByteSink& out) : out_(out) { crypto_hash_sha256_init(&state_); }
  Status Write(std::span<const std::uint8_t> bytes) override {
    crypto_hash_sha256_update(&state_, bytes.data(), bytes.size());
    bytes_ += bytes.size();
    return out_.Write(bytes);
  }
  std::string Hex() {
    std::array<std::uint8_t, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256_final(&state_, digest.data());
    return HexEncode(digest);
  }
  std::uint64_t bytes() const { return bytes_; }

 private:
  ByteSink& out_;
  crypto_hash_sha256_state state_{};
  std::uint64_t bytes_ = 0;
};

std::string Sha256Hex(std::span<const std::uint8_t> bytes) {
  std::array<std::uint8_t, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), bytes.data(), bytes.size());
  return HexEncode(digest);
}

std::span<const std::uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// The sender's file name made safe for the archive: letters, digits, '-' and '_' only.
std::string SafeStem(std::string_view name) {
  const std::size_t slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  const std::size_t dot = name.rfind('.');
  if (dot != std::string_view::npos && dot > 0) name = name.substr(0, dot);
  std::string out;
  for (const char c : name) {
    const bool ok =
        std::isalnum(static_cast<unsigned char>(c)) != 0 && static_cast<unsigned char>(c) < 0x80;
    if (ok || c == '_') {
      out += c;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
    if (out.size() >= 40) break;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "attachment" : out;
}

std::string Extension(const SafeCopyReport& r, std::string_view original_name) {
  if (r.output_type == "JPEG") return "jpg";
  if (r.output_type == "PNG") return "png";
  if (r.output_type == "PDF") return "pdf";
  // mat2's cleaned copy keeps its type: the sender's extension, if it is a plain one.
  const std::size_t dot = original_name.rfind('.');
  std::string ext;
  if (dot != std::string_view::npos) {
    for (const char c : original_name.substr(dot + 1)) {
      if (!std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80)
        return "bin";
      ext += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return ext.empty() || ext.size() > 8 ? "bin" : ext;
}

// The safe copy of one attachment into `a` (file, sha256, copy) and `copy_out`, or `a.left_out`.
// ExportAttachment verifies the whole item first; the archive's own audit entry records the copies
// it holds (a copy left out is never recorded as exported).
Status MakeSafeCopy(ConsoleStore& store, const OfficerSession& by, const CaseRow& item,
                    const CaseArchiveOptions& options, ArchivedAttachment& a,
                    WipingMemorySink& copy_out) {
  const auto leave_out = [&](std::string why) {
    copy_out.bytes().clear();
    a.left_out = std::move(why);
    return Status::Ok();
  };
  SafeCopyLimits limits = options.limits;
  limits.max_output_bytes = std::min(limits.max_output_bytes, options.max_attachment_bytes);
  auto made = ExportAttachment(store, by, item, a.part, ExportMode::kSafeCopy, copy_out, limits,
                               ExportAudit::kByCaller);
  if (!made) {
    const ErrorCode code = made.error().code;
    if (code != ErrorCode::kLimitExceeded && code != ErrorCode::kMalformed &&
        code != ErrorCode::kIo)
      return made.error();
    std::string why = made.error().message;
    if (why.rfind("cannot make a safe copy: ", 0) != 0) why = "cannot make a safe copy: " + why;
    return leave_out(std::move(why));
  }
  const SafeCopyReport& report = made->report;
  if (report.kind == SafeCopyKind::kEmpty) return leave_out("the attachment is empty");
  if (report.kind == SafeCopyKind::kUnchanged) {
    return leave_out(
        "no converter knows this type (" + report.input_type +
        "), so a copy would be the original unchanged; archives hold safe copies only");
  }
  char prefix[24];
  std::snprintf(prefix, sizeof prefix, "%02zu", a.number);
  a.file = "attachments/" + std::string(prefix) + "-" + SafeStem(a.original_name) + "." +
           Extension(report, a.original_name);
  a.sha256 = Sha256Hex(copy_out.bytes());
  a.copy = report;
  return Status::Ok();
}

Result<CaseRow> ReportOf(ConsoleStore& store, const CaseRow& c) {
  if (c.kind == CaseKind::kReport) return c;
  auto all = store.Cases();
  if (!all) return all.error();
  for (const auto& r : *all) {
    if (r.kind == CaseKind::kReport && r.source_ref == c.source_ref) return r;
  }
  return c;  // its report was never imported here: the follow-up is the case
}

}  // namespace

std::string CaseArchiveName(const std::string& case_id, bool sealed) {
  return "case-" + case_id.substr(0, 8) + (sealed ? ".zip.age" : ".zip");
}

Result<ArchiveReport> ExportCaseArchive(ConsoleStore& store, const OfficerSession& by,
                                        const CaseRow& c, const SecretBuffer* seal, ByteSink& out,
                                        const CaseArchiveOptions& options) {
  if (seal && seal->size() < kMinArchivePassphraseChars) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "the archive's passphrase must be at least 10 characters (a few words is best)");
  }
  auto report_row = ReportOf(store, c);
  if (!report_row) return report_row.error();
  auto view = LoadCaseView(store, by.key(), report_row->id);
  if (!view) return view.error();
  auto force = ConsoleForce(store);
  ExportFacts facts{.officer = by.name(),
                    .at = NowUtcTimestamp(),
                    .force = force ? *force : std::string(),
                    .sealed = seal != nullptr};

  // Every attachment, in the conversation's order: the report's, then each follow-up's.
  ArchiveReport result;
  result.case_id = view->row.id;
  result.sealed = seal != nullptr;
  std::map<std::string, CaseRow> items;  // the report and its follow-ups, by id
  const auto list = [&](const CaseRow& row, const OpenedItem& item) {
    const std::string& id = row.id;
    items[id] = row;
    for (std::size_t i = 0; i < item.parts.size(); ++i) {
      result.attachments.push_back({.number = result.attachments.size() + 1,
                                    .item_id = id,
                                    .part = i + 1,
                                    .original_name = item.parts[i].info.name,
                                    .content_type = item.parts[i].info.content_type,
                                    .size = item.parts[i].size,
                                    .copy = std::nullopt,
                                    .file = "",
                                    .sha256 = "",
                                    .left_out = ""});
    }
  };
  list(view->row, view->item);
  for (const auto& f : view->followups) {
    if (f.item) list(f.row, *f.item);
  }

  HashingSink hashed(out);
  std::optional<AgePassphraseWriter> sealer;
  if (seal) {
    auto w = AgePassphraseWriter::Create(*seal, hashed, options.seal_log2_work);
    if (!w) return w.error();
    sealer.emplace(std::move(*w));
  }
  ByteSink& zip_out = sealer ? static_cast<ByteSink&>(*sealer) : hashed;
  auto zip = ZipWriter::Open(zip_out, std::time(nullptr));
  if (!zip) return zip.error();
  const auto add = [&](const std::string& name, std::span<const std::uint8_t> bytes) -> Status {
    if (auto st = zip->Add(name, bytes); !st) return st;
    result.files.push_back({.name = name, .sha256 = Sha256Hex(bytes), .bytes = bytes.size()});
    return Status::Ok();
  };
  for (auto& a : result.attachments) {
    WipingMemorySink copy(options.max_attachment_bytes);
    if (auto st = MakeSafeCopy(store, by, items.at(a.item_id), options, a, copy); !st)
      return st.error();
    if (!a.file.empty()) {
      if (auto st = add(a.file, copy.bytes()); !st) return st.error();
    }
  }
  const nlohmann::json doc = CaseDocument(*view, result.attachments, facts);
  std::string case_json = doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::string summary;
  // The opened case as text: zeroed when this returns (best effort: the JSON document's own
  // strings and the view's are freed unwiped, as on the case page).
  struct WipeOnExit {
    std::string& a;
    std::string& b;
    ~WipeOnExit() {
      sodium_memzero(a.data(), a.size());
      sodium_memzero(b.data(), b.size());
    }
  } wipe{case_json, summary};
  if (auto st = add("case.json", Bytes(case_json)); !st) return st.error();
  summary = SummaryHtml(doc, result.files);
  if (auto st = add("summary.html", Bytes(summary)); !st) return st.error();
  // sha256sum -c's format: HASH, two spaces, name.
  std::string manifest;
  for (const auto& f : result.files) manifest += f.sha256 + "  " + f.name + "\n";
  if (auto st = zip->Add("MANIFEST.sha256", Bytes(manifest)); !st) return st.error();
  result.files.push_back(
      {.name = "MANIFEST.sha256", .sha256 = Sha256Hex(Bytes(manifest)), .bytes = manifest.size()});
  if (auto st = zip->Finish(); !st) return st.error();
  if (sealer) {
    if (auto st = sealer->Finish(); !st) return st.error();
  }
  result.sha256 = hashed.Hex();
  result.bytes = hashed.bytes();
  std::size_t copies = 0;
  for (const auto& a : result.attachments) copies += a.left_out.empty() ? 1u : 0u;
  if (auto st = store.Audit(by.name(), "export-case", result.case_id,
                            std::string(seal ? "sealed " : "") + "archive sha256 " + result.sha256 +
                                ", " + std::to_string(copies) + " of " +
                                std::to_string(result.attachments.size()) + " attachment(s) as safe copies");
      !st) {
    return st.error();
  }
  return result;
}

}  // namespace sealdrop::console
