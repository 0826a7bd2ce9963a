#include "server/source/inbox.h"

#include <nlohmann/json.hpp>

#include "common/display_text.h"
#include "crypto/envelope_reader.h"
#include "server/log.h"
#include "server/source/conversation_record.h"
#include "server/source/responses.h"

namespace sealdrop::server {
namespace {

// The delete form carries the ids it deletes; its body must stay a small form (4 KiB).
constexpr std::size_t kMaxDeletableReplies = 100;

struct Reply {
  std::string day;
  std::string force_name;
  std::string message;
};

// Opens one reply blob with the source key. Any failure skips the reply (and is logged as an
// event, nothing more): a damaged item must not hide the others.
std::optional<Reply> OpenReply(SiteContext& ctx, Language language, const ItemRow& row,
                               const KeyPair& key) {
  auto file = FileSource::Open(ctx.store.BlobPath(row.id));
  if (!file) return std::nullopt;
  std::vector<KeyPair> keys;
  keys.push_back({key.public_key, SecretBuffer::CopyOf(key.secret.span())});
  auto reader = SealedEnvelopeReader::Open(*file, keys);
  if (!reader) {
    log::Warn("a reply could not be opened");
    return std::nullopt;
  }
  // Read to the end: kEnd is the proof that the whole envelope is authentic and complete.
  for (;;) {
    auto ev = reader->Next();
    if (!ev) {
      log::Warn("a reply could not be opened");
      return std::nullopt;
    }
    if (ev->kind == SealedEnvelopeReader::Event::Kind::kEnd) break;
  }
  const auto meta = nlohmann::json::parse(reader->metadata(), nullptr, false);
  if (!meta.is_object() || !meta.contains("message") || !meta["message"].is_string() ||
      meta.value("kind", "") != "reply") {
    log::Warn("a reply had unexpected metadata");
    return std::nullopt;
  }
  Reply r;
  r.day = row.day;
  // Escaped by the template; neutralised here (display_text.h) so that bidi overrides and
  // controls cannot disguise a reply's text, e.g. reverse a phone number or a link.
  r.message = DisplaySafeText(meta["message"].get<std::string>());
  const auto directory = ctx.directory.Current();
  auto force = directory->Find(row.force);
  r.force_name = force ? ForceName(language, (*force)->name) : row.force;
  return r;
}

// What the reporter sent and whether each still waits for the force, from their sealed record
// (conversation_record.h): "" when there is no record (a conversation begun before it) or it
// cannot be opened; nullopt when the index cannot be read.
std::optional<std::string> SentList(SiteContext& ctx, Language language,
                                    const std::array<std::uint8_t, kLookupIdBytes>& lookup,
                                    const KeyPair& key) {
  auto sealed = ctx.store.SourceRecord(lookup);
  if (!sealed) return std::nullopt;
  if (sealed->empty()) return std::string();
  auto entries = OpenRecord(*sealed, key);
  if (!entries) {
    log::Warn("a reporter's record could not be opened");
    return std::string();
  }
  kainjow::mustache::list sent;
  for (const RecordEntry& entry : *entries) {
    auto row = ctx.store.Get(entry.item_id);
    if (!row && row.error().code != ErrorCode::kNotFound) return std::nullopt;
    PageData item;
    item.set("is_report", entry.kind == RecordKind::kReport);
    item.set("day", entry.day);
    // Reports and follow-ups leave the server only on their force's import receipt.
    item.set("collected", !row.ok());
    sent.push_back(item);
  }
  PageData data;
  data.set("sent", sent);
  return RenderFragment(language, "sent_list", std::move(data));
}

}  // namespace

// The follow-up form again for a reporter whose login ended: their message as typed, and their
// codename to send it with (a form token, no session: FollowUpUpload::WithCodename).
Response LoggedOutDraftPage(SiteContext& ctx, Language language, unsigned version,
                            const InboxDraft& draft) {
  const IssuedForm form = ctx.form_tokens.Issue();
  PageData data;
  data.set("csrf", form.token);
  FillFormData(data, *draft.values, draft.problem, draft.files_dropped);
  Response res = PageResponse({.language = language, .path = "/login",
                               .switch_in_new_tab = true},
                              draft.problem->status,
                              version, "followup_again", N_("Error: Send your message"),
                              std::move(data));
  res.set(http::field::set_cookie, form.cookie);
  return res;
}

Response InboxPage(SiteContext& ctx, Language language, unsigned version,
                   const std::string& session_id, InboxDraft draft) {
  std::optional<KeyPair> key;
  std::array<std::uint8_t, kLookupIdBytes> lookup{};
  std::string csrf;
  const bool logged_in = ctx.sessions.WithIdentity(session_id, [&](const SourceIdentity& id) {
    key.emplace(KeyPair{id.key_pair.public_key, SecretBuffer::CopyOf(id.key_pair.secret.span())});
    lookup = id.lookup_id;
  });
  auto view = ctx.sessions.Find(session_id);
  if (!logged_in || !view) {
    if (draft.values && draft.problem) return LoggedOutDraftPage(ctx, language, version, draft);
    return RedirectTo(language, "/login", version);
  }
  csrf = view->csrf_token;

  auto rows = ctx.store.ListForLookup(lookup);
  if (!rows) return ErrorPageFor(language, http::status::service_unavailable, version);
  kainjow::mustache::list replies;
  std::string shown_ids;  // what "delete these replies" deletes: only what was shown
  for (const auto& row : *rows) {
    auto reply = OpenReply(ctx, language, row, *key);
    if (!reply) continue;
    if (replies.size() < kMaxDeletableReplies) shown_ids += (shown_ids.empty() ? "" : " ") + row.id;
    PageData item;
    item.set("day", reply->day);
    item.set("force_name", reply->force_name);
    item.set("message", reply->message);
    replies.push_back(item);
  }
  auto sent = SentList(ctx, language, lookup, *key);
  if (!sent) return ErrorPageFor(language, http::status::service_unavailable, version);
  PageData data;
  data.set("sent_html", *sent);  // rendered with {{{sent_html}}}: already escaped
  data.set("csrf", csrf);
  data.set("has_replies", replies.empty() ? PageData::type::bool_false : PageData::type::bool_true);
  data.set("replies", replies);
  data.set("reply_ids", shown_ids);
  data.set("max_upload", HumanSize(ctx.limits.max_upload_bytes));
  const PageLanguage page{.language = language, .path = "/inbox",
                          .switch_in_new_tab = draft.values != nullptr};
  if (draft.values && draft.problem) {
    FillFormData(data, *draft.values, draft.problem, draft.files_dropped);
    return PageResponse(page, draft.problem->status, version, "inbox", N_("Error: Your replies"),
                        std::move(data));
  }
  return PageResponse(page, http::status::ok, version, "inbox", N_("Your replies"),
                      std::move(data));
}

}  // namespace sealdrop::server
