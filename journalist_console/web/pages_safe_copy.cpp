// POST /cases/ID/attachments/N/safe-copy and GET /downloads/TOKEN: a safe copy of an attachment
// made by the core (core/attachment_export.h, as `export-attachment` makes it) into the session's
// wiping memory, described on a page, and saved by the browser from a link that only this session
// can use. One copy per session, at most kMaxWebCopyBytes: larger ones and originals are the
// command line's (the page names the command). Spec: docs/console.md "Web face".
#include <string>

#include "journalist_console/core/attachment_export.h"
#include "journalist_console/web/console_app.h"

namespace sealdrop::console::web {
namespace {

constexpr std::uint64_t kMaxWebCopyBytes = 256ull << 20;

// The copy, into the session's wiping memory; refuses to grow past `cap`.
class WipingSink final : public ByteSink {
 public:
  WipingSink(WipingString& bytes, std::uint64_t cap) : bytes_(bytes), cap_(cap) {}
  Status Write(std::span<const std::uint8_t> data) override {
    if (bytes_.size() + data.size() > cap_) {
      return MakeError(ErrorCode::kLimitExceeded, "the safe copy is larger than 256 MiB");
    }
    bytes_.append(reinterpret_cast<const char*>(data.data()), data.size());
    return Status::Ok();
  }

 private:
  WipingString& bytes_;
  std::uint64_t cap_;
};

bool IsCaseIdSegment(std::string_view id) {
  return id.size() >= 6 && id.size() <= 32 &&
         id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// N of ".../attachments/N/...": 1 to 6 digits, no sign, no leading zero; 0 when it is not one.
std::size_t AttachmentNumber(std::string_view text) {
  if (text.empty() || text.size() > 6 || text.front() == '0' ||
      text.find_first_not_of("0123456789") != std::string_view::npos) {
    return 0;
  }
  return std::stoul(std::string(text));
}

std::string SizeText(std::uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " bytes";
  if (bytes < 1024 * 1024) return std::to_string(bytes / 1024) + " KB";
  return std::to_string(bytes / (1024 * 1024)) + " MB";
}

// What the copy is, in the words `export-attachment` prints.
std::string Description(const SafeCopyReport& r) {
  switch (r.kind) {
    case SafeCopyKind::kPicture:
      return "This " + r.input_type + " was re-encoded as " + r.output_type +
             " from its pixels: no metadata can remain in the copy.";
    case SafeCopyKind::kPdf:
      return "This PDF was rebuilt as a PDF of page pictures (" + std::to_string(r.pages) +
             (r.pages == 1 ? " page" : " pages") +
             "): no text, scripts, links or document properties remain.";
    case SafeCopyKind::kCleaned:
      return "The metadata was removed by mat2 from this " + r.input_type +
             ". Its content is as sent.";
    case SafeCopyKind::kUnchanged:
      return "This " + r.input_type +
             " was exported unchanged: no safe copy can be made of its type.";
    case SafeCopyKind::kEmpty:
      return "The attachment is empty.";
  }
  return "";
}

PageData TextList(const std::vector<std::string>& lines) {
  PageData list{PageData::type::list};
  for (const auto& line : lines) list.push_back(PageData(line));
  return list;
}

}  // namespace

Response ConsoleApp::PostSafeCopy(Context& c) {
  Session& session = *c.session;
  const std::string id(c.segments[1]);
  const std::size_t number = AttachmentNumber(c.segments[3]);
  if (!IsCaseIdSegment(id)) {
    return ErrorPage(http::status::not_found, "No such case", "There is no case with this id.",
                     c.session);
  }
  auto row = store_.FindCase(id);
  if (!row)
    return ErrorPage(http::status::not_found, "No such case", row.error().message, c.session);
  const std::string short_id = row->id.substr(0, 8);
  // The command that does what the web face will not: larger copies and the original.
  const std::string command =
      "sealdrop-console export-attachment --data " + store_.dir() + " --officer " +
      c.session->officer().name() + " " + short_id + " " +
      (number == 0 ? std::string("N") : std::to_string(number)) + " --out FILE";
  PageData d;
  d.set("case_id", row->id);
  d.set("short_id", short_id);
  d.set("number", std::to_string(number));
  d.set("command", command);
  const auto failed = [&](http::status status, const std::string& heading,
                          const std::string& message, const std::string& hint,
                          bool original = false) {
    std::string text = message;
    if (!text.empty())
      text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
    if (!text.empty() && text.back() != '.') text += '.';
    d.set("failed", true);
    d.set("heading", heading);
    d.set("message", text);
    d.set("hint", Optional(hint));
    d.set("command", original ? command + " --original" : command);
    return Page(status, "safe_copy", heading, std::move(d), c.session);
  };
  if (number == 0) {
    return failed(
        http::status::not_found, "No such attachment",
        "case " + short_id + " has no attachment with that number (they are numbered from 1)", "");
  }
  // One copy per session: the previous one is dropped (and wiped) before the next is made.
  session.download.reset();
  auto made = std::make_unique<SafeCopyDownload>();
  WipingSink sink(made->bytes, kMaxWebCopyBytes);
  SafeCopyLimits limits;
  limits.max_input_bytes = kMaxWebCopyBytes;
  limits.max_output_bytes = kMaxWebCopyBytes;
  auto done = ExportAttachment(store_, session.officer(), *row, number, ExportMode::kSafeCopy, sink,
                               limits);
  if (!done) {
    const Error& e = done.error();
    switch (e.code) {
      case ErrorCode::kNotFound:
      case ErrorCode::kInvalidArgument:
        return failed(http::status::not_found, "No such attachment", e.message, "");
      case ErrorCode::kLimitExceeded:
        return failed(
            http::status::unprocessable_entity, "No safe copy was made", e.message,
            "This console's web face makes safe copies of attachments up to 256 MiB, in memory. "
            "For a larger one, use the command line on this machine:");
      case ErrorCode::kMalformed:
        return failed(
            http::status::unprocessable_entity, "No safe copy was made", e.message,
            "The file may be damaged. Its original, exactly as sent, can be exported on the "
            "command line, to open only on a machine set aside for it:",
            /*original=*/true);
      case ErrorCode::kBadMagic:
      case ErrorCode::kUnsupportedVersion:
      case ErrorCode::kNoMatchingKey:
      case ErrorCode::kHeaderMacMismatch:
      case ErrorCode::kPayloadCorrupt:
      case ErrorCode::kTruncated:
      case ErrorCode::kTrailingData:
        // The sealed item itself failed to verify: nothing of it was converted or shown.
        return failed(http::status::internal_server_error, "The attachment could not be opened",
                      "case item " + short_id + " is damaged (" + e.message + ")", "");
      default:
        return failed(http::status::internal_server_error, "No safe copy was made", e.message,
                      "Try again; if it fails again, try the command line on this machine:");
    }
  }
  made->token = RandomToken();
  made->file_name = ExportFileName(row->id, number, *done);
  made->content_type = ExportContentType(*done);
  const SafeCopyReport& r = done->report;
  d.set("failed", false);
  d.set("name", done->name.empty() ? std::string("(no name)") : done->name);
  d.set("sent_type", Optional(done->content_type));
  d.set("description", Description(r));
  d.set("removed", TextList(r.removed));
  d.set("has_removed", !r.removed.empty());
  d.set("notes", TextList(r.notes));
  d.set("has_notes", !r.notes.empty());
  d.set("warning", Optional(r.warning));
  d.set("empty", r.kind == SafeCopyKind::kEmpty);
  d.set("download", "/downloads/" + made->token);
  d.set("file_name", made->file_name);
  d.set("size", SizeText(done->bytes));
  session.download = std::move(made);
  return Page(http::status::ok, "safe_copy", "Safe copy of attachment " + std::to_string(number),
              std::move(d), c.session);
}

Response ConsoleApp::GetDownload(Context& c) {
  const SafeCopyDownload* copy = c.session->download.get();
  if (copy == nullptr || !TokensEqual(c.segments[1], copy->token)) {
    return ErrorPage(
        http::status::not_found, "This download has gone",
        "A safe copy is kept only until you make the next one, sign out or the console "
        "locks. Make it again from the case page.",
        c.session);
  }
  Response res{http::status::ok, 11};
  res.set(http::field::content_type, copy->content_type);
  res.set(http::field::content_disposition, "attachment; filename=\"" + copy->file_name + "\"");
  res.body().assign(copy->bytes.data(), copy->bytes.size());  // wiped by the listener once sent
  AddSecurityHeaders(res);
  return res;
}

}  // namespace sealdrop::console::web
