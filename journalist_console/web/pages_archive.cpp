// POST /cases/ID/archive: the whole case as one archive (docs/console.md §7), sent as a download,
// sealed with the passphrase typed in the form when there is one. The archive is built in wiping
// memory (core/wiping_sink.h) up to kMaxArchiveBytes, then copied into the response body, which
// the listener wipes once sent; a case too big for that is exported with `export-case` instead.
#include "journalist_console/core/case_archive.h"
#include "journalist_console/core/wiping_sink.h"
#include "journalist_console/web/console_app.h"

namespace sealdrop::console::web {
namespace {

constexpr std::uint64_t kMaxArchiveBytes = 256ull << 20;
constexpr std::uint64_t kMaxAttachmentBytes = 128ull << 20;

bool LooksLikeId(std::string_view id) {
  return id.size() >= 6 && id.size() <= 32 &&
         id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace

Response ConsoleApp::PostArchive(Context& c) {
  const std::string id(c.segments[1]);
  if (!LooksLikeId(id))
    return ErrorPage(http::status::not_found, "No such case", "There is no case with this id.",
                     c.session);
  auto row = store_.FindCase(id);
  if (!row)
    return ErrorPage(http::status::not_found, "No such case", row.error().message, c.session);
  const std::string_view passphrase = c.form.Get("passphrase");
  const std::string_view confirm = c.form.Get("confirm");
  // Passphrases are never sent back: the page shows the problem with both fields empty.
  const auto refuse = [&](const std::string& message) {
    return CasePage(c, row->id, http::status::bad_request, "", message, "archive-passphrase", "",
                    "", "");
  };
  std::optional<SecretBuffer> seal;
  if (!passphrase.empty() || !confirm.empty()) {
    if (passphrase.size() < kMinArchivePassphraseChars) {
      return refuse(
          "Enter a passphrase of at least 10 characters to seal the archive, or leave both empty");
    }
    seal.emplace(SecretBuffer::CopyOf(passphrase));
    if (!seal->Equals(SecretBuffer::CopyOf(confirm)))
      return refuse("The two passphrases are different");
  }
  WipingMemorySink archive(kMaxArchiveBytes);
  CaseArchiveOptions options;
  options.max_attachment_bytes = kMaxAttachmentBytes;
  auto report = ExportCaseArchive(store_, c.session->officer(), *row, seal ? &*seal : nullptr,
                                  archive, options);
  if (!report) {
    return ErrorPage(report.error().code == ErrorCode::kLimitExceeded
                         ? http::status::payload_too_large
                         : http::status::internal_server_error,
                     "The case could not be exported",
                     report.error().code == ErrorCode::kLimitExceeded
                         ? "The archive is too big to send from here: use `sealdrop-console "
                           "export-case` on this machine."
                         : report.error().message,
                     c.session);
  }
  Response res{http::status::ok, 11};
  res.set(http::field::content_type, seal ? "application/octet-stream" : "application/zip");
  res.set(http::field::content_disposition,
          "attachment; filename=\"" + CaseArchiveName(report->case_id, report->sealed) + "\"");
  AddSecurityHeaders(res);
  res.body().assign(reinterpret_cast<const char*>(archive.bytes().data()), archive.bytes().size());
  return res;
}

}  // namespace sealdrop::console::web
