#include "journalist_console/core/bundle_import.h"

#include <unistd.h>

#include <filesystem>

#include "common/io.h"
#include "crypto/directory.h"
#include "crypto/sealed_field.h"
#include "journalist_console/bundle/bundle.h"
#include "journalist_console/core/case_files.h"

namespace sealdrop::console {
namespace {

constexpr std::size_t kExcerptChars = 60;
constexpr const char* kNothing = "; nothing was imported";

std::string Excerpt(const std::string& text) {
  std::string one_line;
  for (char ch : text) one_line.push_back(ch == '\n' || ch == '\t' ? ' ' : ch);
  if (one_line.size() <= kExcerptChars) return one_line;
  std::size_t cut = kExcerptChars;
  while (cut > 0 && (static_cast<unsigned char>(one_line[cut]) & 0xC0) == 0x80) --cut;
  return one_line.substr(0, cut) + "...";
}

// Passes what it reads on to a sink as well (a write error is kept for status()), and counts
// the bytes for the progress.
class TeeSource final : public ByteSource {
 public:
  TeeSource(ByteSource& in, ByteSink& copy, ByteProgress& progress)
      : in_(in), copy_(copy), progress_(progress) {}
  Result<std::size_t> Read(std::span<std::uint8_t> out) override {
    auto n = in_.Read(out);
    if (!n) return n;
    if (status_ && *n > 0) status_ = copy_.Write(out.first(*n));
    if (!status_) return status_.error();
    bytes_ += *n;
    progress_.Advance(*n);
    return n;
  }
  Status status() const { return status_; }
  std::uint64_t bytes() const { return bytes_; }

 private:
  ByteSource& in_;
  ByteSink& copy_;
  ByteProgress& progress_;
  Status status_;
  std::uint64_t bytes_ = 0;
};

ByteProgressFn StageFn(const ImportProgressFn& fn, ImportStage stage) {
  if (!fn) return {};
  return [&fn, stage](std::uint64_t done, std::uint64_t total) { fn(stage, done, total); };
}

// `e` (its code kept) with what it means for the officer; `context` goes before the message.
Error Nothing(const Error& e, const std::string& context = "") {
  return MakeError(e.code, context + e.message + kNothing);
}

}  // namespace

ImportResult ImportBundle(ConsoleStore& store, const OfficerSession& session, const std::string& path,
                          const ImportProgressFn& progress_fn) {
  ImportResult r;
  const KeyPair& key = session.key();
  const std::string& officer = session.name();
  auto fail = [&r](Error e) {
    r.status = std::move(e);
    return std::move(r);
  };
  auto force = store.GetMeta("force");
  if (!force) return fail(force.error());
  auto reader = bundle::BundleReader::Open(path, StageFn(progress_fn, ImportStage::kChecking));
  if (!reader) return fail(Nothing(reader.error(), path + ": "));
  const auto& m = reader->manifest();
  if (m.type != "pull") {
    return fail(MakeError(ErrorCode::kInvalidArgument, path + " is an outbox bundle, not a pull: nothing was imported"));
  }
  if (*force && **force != m.force) {
    return fail(MakeError(ErrorCode::kInvalidArgument, path + " holds items for " + m.force +
                                                           ", but this console is " + **force +
                                                           "'s: nothing was imported"));
  }
  // Push results on the same media (written by sealdrop-transfer push): recorded before the items, so the
  // officer learns what was not delivered even when this bundle turns out to be bad.
  const std::string media = std::filesystem::path(path).parent_path().string();
  if (auto st = ReadPushResults(store, officer, media, NextOutbox::kTheNextOne, &r.push_notices); !st) {
    return fail(Nothing(st.error()));
  }
  const FieldSealer sealer(key);

  // One pass: each new item is opened to its verified end with this key while the same bytes go
  // into an unnamed file, which is named only once the item opened. All of them are made durable
  // at once (one syncfs) before any row names them; a failure removes the ones named so far, and
  // after a crash the next Open() removes files no row refers to. Nothing is imported in part.
  std::uint64_t total = 0;
  for (const auto& item : m.items) total += item.size;
  ByteProgress progress(StageFn(progress_fn, ImportStage::kImporting), total);
  progress.Start();
  std::vector<CaseRow> rows;
  std::vector<std::string> written;
  auto undo = [&] {
    for (const auto& id : written) ::unlink(store.SealedPath(id).c_str());
  };
  const std::string today = TodayUtc();
  for (std::size_t i = 0; i < m.items.size(); ++i) {
    const auto& item = m.items[i];
    auto known = store.HasCase(item.id);
    if (!known) {
      undo();
      return fail(Nothing(known.error()));
    }
    if (*known) {
      ++r.already;
      progress.Advance(item.size);
      continue;
    }
    auto out = AtomicFile::Create(store.SealedPath(item.id), 0600, /*overwrite=*/false);
    if (!out) {
      undo();
      return fail(Nothing(out.error(), "cannot store item " + std::to_string(i + 1) + ": "));
    }
    auto source = reader->ItemSource(i);
    TeeSource tee(*source, *out, progress);
    auto opened = ReadSealedItem(tee, key);
    Status stored = opened ? tee.status() : Status::Ok();
    if (opened && stored && tee.bytes() != item.size) {
      stored = MakeError(ErrorCode::kTruncated, "item incomplete");
    }
    if (opened && stored) stored = out->CommitUnsynced();
    if (!opened || !stored) {
      undo();
      return fail(Nothing(opened ? stored.error() : opened.error(),
                          "item " + std::to_string(i + 1) + " of " + path + ": "));
    }
    written.push_back(item.id);
    const auto& meta = opened->meta;
    CaseRow row;
    row.id = item.id;
    row.kind = JsonString(meta, "kind") == "followup" ? CaseKind::kFollowUp : CaseKind::kReport;
    row.received_day = today;
    row.sent_day = IsValidDay(JsonString(meta, "day")) ? JsonString(meta, "day") : item.day;
    row.source_ref = meta.contains("source") ? JsonString(meta["source"], "ref") : "";
    row.category = JsonString(meta, "category");
    row.urgent = JsonString(meta, "at_risk") == "yes";
    row.status = CaseStatus::kNew;
    const std::string text = row.kind == CaseKind::kFollowUp ? JsonString(meta, "message") : JsonString(meta, "what");
    row.summary = sealer.Seal(row.id + "|summary", Excerpt(text));
    rows.push_back(std::move(row));
  }
  if (auto st = SyncFileSystem((std::filesystem::path(store.dir()) / "sealed").string()); !st) {
    undo();
    return fail(Nothing(st.error()));
  }
  if (auto st = store.AddCases(rows, m.day, &r.raised); !st) {
    undo();
    return fail(Nothing(st.error()));
  }
  progress.Finish();
  r.committed = true;
  r.imported = rows.size();
  // A pull lists everything the server still holds for this force: an earlier import it no
  // longer lists was deleted, so its receipt came back and need not be sent again.
  std::vector<std::string> listed;
  for (const auto& item : m.items) listed.push_back(item.id);
  auto confirmed = store.ConfirmReceipted(m.day, listed);
  if (!confirmed) {
    return fail(MakeError(ErrorCode::kIo, "the items were imported, but the console could not record which "
                                          "receipts came back (" + confirmed.error().message +
                                          "); import the same bundle again"));
  }
  if (!*force) {
    if (auto st = store.SetMeta("force", m.force); !st) return fail(st.error());
  }
  if (auto st = store.Audit(officer, "import", "", std::to_string(rows.size()) + " new, " +
                                                     std::to_string(r.already) + " already imported");
      !st) {
    return fail(st.error());
  }
  for (const auto& raise : r.raised) {
    if (auto st = store.Audit(officer, "at-risk", raise.case_id, "raised by follow-up " + raise.followup_id); !st) {
      return fail(MakeError(st.error().code, st.error().message + " (the import itself is complete)"));
    }
  }
  return r;
}

}  // namespace sealdrop::console
