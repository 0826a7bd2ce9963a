// GET /media (the bundles and push results on the removable media), POST /media/import and
// POST /media/outbox: the same import and outbox as the command line (core/bundle_import.h,
// core/outbox_write.h), answered with a streamed page that shows progress in bytes as the work
// goes (no JavaScript, no refresh), then the result.
//
// The browser never names a path: it sends a file name, which must be one the listing shows —
// a regular file directly in the media directory (a symlink is neither listed nor followed),
// not hidden, ending in ".bundle". Everything else is refused before anything is read.
#include <algorithm>
#include <filesystem>

#include "common/clock.h"
#include "common/import_receipt.h"
#include "common/io.h"
#include "common/progress.h"
#include "journalist_console/bundle/bundle.h"
#include "journalist_console/bundle/push_result.h"
#include "journalist_console/core/bundle_import.h"
#include "journalist_console/core/outbox_write.h"
#include "journalist_console/web/console_app.h"
#include "journalist_console/web/embedded.h"

namespace sealdrop::console::web {
namespace {

constexpr std::size_t kMaxMediaFiles = 1000;
constexpr std::string_view kBundleSuffix = ".bundle";
// Where a streamed page's body goes in the layout (split there; never in a real page).
constexpr std::string_view kBodyMarker = "<!--sealdrop-streamed-body-->";

enum class MediaKind { kPull, kOutbox, kPushResult, kUnreadable };

struct MediaFile {
  std::string name;
  std::uint64_t size = 0;
  MediaKind kind = MediaKind::kUnreadable;
  std::size_t items = 0;
  std::string day;
  bool all_imported = false;
  std::string problem;  // kUnreadable: why
};

std::string HtmlEscape(std::string_view text) {
  std::string out;
  for (char ch : text) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(ch);
    }
  }
  return out;
}

std::string SizeText(std::uint64_t bytes) {
  if (bytes < (1u << 20)) return "under 1 MiB";
  return MebibytesText(bytes) + " MiB";
}

// The files on the media the console may read, by name. Only the listing's names can be
// imported, so what is left out here can never be read.
Result<std::vector<MediaFile>> ListMedia(const std::string& dir, ConsoleStore& store) {
  std::vector<MediaFile> out;
  std::error_code ec;
  // increment(ec), never ++: media pulled out half-way through the listing is an error page,
  // not an exception through the web face.
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto& e = *it;
    if (out.size() >= kMaxMediaFiles) break;
    const std::string name = e.path().filename().string();
    const bool bundle = name.size() > kBundleSuffix.size() && name.ends_with(kBundleSuffix);
    const bool result = name.size() > bundle::kPushResultSuffix.size() && name.ends_with(bundle::kPushResultSuffix);
    std::error_code type_ec;
    // symlink_status: a link is never taken for the file it points to (perhaps outside the media).
    if (name.starts_with(".") || (!bundle && !result) ||
        e.symlink_status(type_ec).type() != std::filesystem::file_type::regular || type_ec) {
      continue;
    }
    MediaFile f;
    f.name = name;
    f.size = e.file_size(type_ec);
    if (result) {
      f.kind = MediaKind::kPushResult;
    } else if (auto m = bundle::BundleReader::PeekManifest(e.path().string()); !m) {
      f.problem = m.error().message;
    } else {
      f.kind = m->type == "pull" ? MediaKind::kPull : MediaKind::kOutbox;
      f.items = m->items.size();
      f.day = m->day;
      f.all_imported = f.kind == MediaKind::kPull;
      for (const auto& item : m->items) {
        auto known = store.HasCase(item.id);
        if (!known || !*known) {
          f.all_imported = false;
          break;
        }
      }
    }
    out.push_back(std::move(f));
  }
  if (ec) {
    return MakeError(ErrorCode::kIo, "the media at " + dir + " cannot be read (" + ec.message() +
                                         "): is it still mounted?");
  }
  std::sort(out.begin(), out.end(), [](const MediaFile& a, const MediaFile& b) { return a.name < b.name; });
  return out;
}

// The layout with kBodyMarker as its body, and the page cut there: what a streamed page writes
// first and last.
PageData MarkerBody() {
  PageData d;
  d.set("html", std::string(kBodyMarker));
  return d;
}
std::pair<std::string, std::string> SplitAtMarker(const Response& page) {
  const std::string& whole = page.body();
  const std::size_t at = whole.find(kBodyMarker);
  if (at == std::string::npos) Die("streamed page without its marker");
  return {whole.substr(0, at), whole.substr(at + kBodyMarker.size())};
}

// A progress step as one line of the page's log.
std::string ProgressLine(const char* verb, std::uint64_t done, std::uint64_t total) {
  return "<li>" + std::string(verb) + " " + ProgressPageText(done, total) + "</li>\n";
}

void SplitNotices(const std::vector<PushNotice>& notices, PageData& d) {
  PageData not_delivered{PageData::type::list}, notes{PageData::type::list}, warnings{PageData::type::list};
  bool any[3] = {false, false, false};
  for (const auto& n : notices) {
    switch (n.kind) {
      case PushNotice::Kind::kNotDelivered: not_delivered.push_back(n.text); any[0] = true; break;
      case PushNotice::Kind::kNote: notes.push_back(n.text); any[1] = true; break;
      case PushNotice::Kind::kWarning: warnings.push_back(n.text); any[2] = true; break;
    }
  }
  d.set("not_delivered", not_delivered);
  d.set("has_not_delivered", any[0]);
  d.set("notes", notes);
  d.set("has_notes", any[1]);
  d.set("warnings", warnings);
  d.set("has_warnings", any[2]);
}

// A template of the web face alone, outside the layout (a streamed page's last part).
std::string Render(std::string_view template_name, PageData& data) {
  const auto text = FindEmbedded("templates/" + std::string(template_name) + ".mustache");
  if (!text) Die("missing console page template");
  kainjow::mustache::mustache t{std::string(*text)};
  if (!t.is_valid()) Die("invalid console page template");
  return t.render(data);
}

}  // namespace

Response ConsoleApp::GetMedia(Context& c) {
  PageData d;
  d.set("configured", !config_.media.empty());
  if (config_.media.empty()) return Page(http::status::ok, "media", "Removable media", std::move(d), c.session);
  d.set("media", config_.media);
  auto files = ListMedia(config_.media, store_);
  if (!files) return ErrorPage(http::status::internal_server_error, "The removable media", files.error().message, c.session);
  PageData pulls{PageData::type::list}, others{PageData::type::list};
  bool has_pulls = false, has_others = false;
  for (const auto& f : *files) {
    PageData row;
    row.set("name", f.name);
    row.set("size", SizeText(f.size));
    if (f.kind == MediaKind::kPull) {
      row.set("items", std::to_string(f.items));
      row.set("day", f.day);
      row.set("imported", f.all_imported);
      row.set("state", f.all_imported ? "already imported" : "not imported yet");
      row.set("csrf", c.session->csrf);
      pulls.push_back(row);
      has_pulls = true;
      continue;
    }
    row.set("what", f.kind == MediaKind::kOutbox ? "an outbox bundle (" + std::to_string(f.items) + " item(s), " + f.day + ") for sealdrop-transfer push"
                    : f.kind == MediaKind::kPushResult ? std::string("a push result: read with the next import or outbox")
                                                       : "not a bundle this console can read: " + f.problem);
    others.push_back(row);
    has_others = true;
  }
  d.set("pulls", pulls);
  d.set("has_pulls", has_pulls);
  d.set("others", others);
  d.set("has_others", has_others);
  auto waiting = store_.Outbox(/*include_exported=*/false);
  auto receipts = store_.UnconfirmedImports(kMaxReceiptItems);
  if (!waiting || !receipts) {
    return ErrorPage(http::status::internal_server_error, "The console store could not be read",
                     (!waiting ? waiting.error() : receipts.error()).message, c.session);
  }
  d.set("outbox_waiting", std::to_string(waiting->size()) + " reply(ies) or forward(s) wait to go out, and a receipt for " +
                              std::to_string(receipts->size()) + " imported item(s).");
  d.set("next_outbox", NextOutboxName(config_.media, TodayUtc()).value_or("(none free today)"));
  return Page(http::status::ok, "media", "Removable media", std::move(d), c.session);
}

Reply ConsoleApp::PostMediaImport(Context& c) {
  if (config_.media.empty()) return RedirectTo("/media");
  const std::string name(c.form.Get("name"));
  auto files = ListMedia(config_.media, store_);
  if (!files) return ErrorPage(http::status::internal_server_error, "The removable media", files.error().message, c.session);
  bool listed = false;
  for (const auto& f : *files) listed = listed || (f.kind == MediaKind::kPull && f.name == name);
  if (!listed) {
    return ErrorPage(http::status::bad_request, "Not a pull bundle on the media",
                     "That file is not one of the pull bundles the removable media page lists: nothing was imported.",
                     c.session);
  }
  const std::string path = (std::filesystem::path(config_.media) / name).string();
  Response page = Page(http::status::ok, "raw", "Importing " + name, MarkerBody(), c.session);
  auto [before, after] = SplitAtMarker(page);
  // Valid while the stream runs: it runs on this thread right after this handler returns, and
  // nothing else (the idle sweep included) runs until it ends.
  const Session* session = c.session;
  return Reply(std::move(page), [this, session, name, path, before = std::move(before),
                                 after = std::move(after)](ChunkWriter& out) {
    out.Write(before + "<h1>Importing " + HtmlEscape(name) + "</h1>\n"
              "<p>The whole bundle is checked first, then each new report is opened with the force key and "
              "stored. Nothing is imported unless all of it can be.</p>\n"
              "<div role=\"log\" aria-label=\"Progress\"><ol class=\"progress-log\">\n");
    ImportResult r = ImportBundle(store_, session->officer(), path,
                                  [&out](ImportStage stage, std::uint64_t done, std::uint64_t total) {
                                    out.Write(ProgressLine(stage == ImportStage::kChecking ? "Checked" : "Imported",
                                                           done, total));
                                  });
    if (force_.empty()) {
      auto force = store_.GetMeta("force");
      if (force && *force) force_ = **force;
    }
    PageData d;
    SplitNotices(r.push_notices, d);
    d.set("failed", !r.status);
    d.set("failed_heading", r.committed ? std::string("Imported, but there is a problem")
                                        : std::string("Nothing was imported"));
    d.set("error", r.status ? std::string() : r.status.error().message);
    d.set("succeeded", r.committed);
    d.set("done_heading", std::string("Import complete"));
    d.set("summary", std::to_string(r.imported) + " new item(s) imported from " + name +
                         (r.already > 0 ? " (" + std::to_string(r.already) + " already here)." : "."));
    d.set("next_step", Optional(r.imported > 0 ? "The server keeps them until it gets this console's receipt: "
                                                 "write the outbox to the media and push it."
                                               : ""));
    PageData raised{PageData::type::list};
    for (const auto& raise : r.raised) {
      PageData item;
      item.set("case_id", raise.case_id);
      item.set("short_id", raise.case_id.substr(0, 8));
      item.set("day", raise.day);
      raised.push_back(item);
    }
    d.set("raised", raised);
    d.set("has_raised", !r.raised.empty());
    d.set("raised_count", std::to_string(r.raised.size()));
    out.Write("</ol></div>\n" + Render("media_done", d) + after);
  });
}

Reply ConsoleApp::PostMediaOutbox(Context& c) {
  if (config_.media.empty()) return RedirectTo("/media");
  const auto name = NextOutboxName(config_.media, TodayUtc());
  if (!name) {
    return ErrorPage(http::status::conflict, "No free outbox name",
                     "The media already holds 999 outboxes of today: use other media.", c.session);
  }
  const std::string path = (std::filesystem::path(config_.media) / *name).string();
  Response page = Page(http::status::ok, "raw", "Writing the outbox", MarkerBody(), c.session);
  auto [before, after] = SplitAtMarker(page);
  const Session* session = c.session;
  return Reply(std::move(page), [this, session, name = *name, path, before = std::move(before),
                                 after = std::move(after)](ChunkWriter& out) {
    out.Write(before + "<h1>Writing the outbox</h1>\n<p>To " + HtmlEscape(name) +
              " on the media: it appears there only once it is complete.</p>\n"
              "<div role=\"log\" aria-label=\"Progress\"><ol class=\"progress-log\">\n");
    OutboxResult r = WriteOutbox(store_, session->officer(), path,
                                 [&out](std::uint64_t done, std::uint64_t total) {
                                   out.Write(ProgressLine("Written", done, total));
                                 });
    PageData d;
    SplitNotices(r.push_notices, d);
    d.set("failed", !r.status);
    d.set("failed_heading", std::string("No outbox was written"));
    d.set("error", r.status ? std::string() : r.status.error().message);
    d.set("succeeded", !!r.status);
    d.set("done_heading", r.nothing_to_send ? std::string("Nothing to send") : std::string("Outbox written"));
    d.set("summary", r.nothing_to_send
                         ? std::string("No replies, no forwards and no imported item to receipt: no file was written.")
                         : std::to_string(r.items) + " item(s) and a receipt for " + std::to_string(r.receipted) +
                               " imported item(s) in " + name + ".");
    d.set("next_step", Optional(r.nothing_to_send ? "" : "Carry the media to the transfer workstation for sealdrop-transfer push."));
    d.set("has_raised", false);
    out.Write("</ol></div>\n" + Render("media_done", d) + after);
  });
}

}  // namespace sealdrop::console::web
