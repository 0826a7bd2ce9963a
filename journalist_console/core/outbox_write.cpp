#include "journalist_console/core/outbox_write.h"

#include <algorithm>
#include <filesystem>

#include "common/import_receipt.h"
#include "common/io.h"
#include "crypto/directory.h"
#include "journalist_console/bundle/bundle.h"
#include "journalist_console/core/case_files.h"

namespace sealdrop::console {
namespace {

constexpr int kMaxOutboxesADay = 999;

// Counts what goes through for the progress.
class CountingSource final : public ByteSource {
 public:
  CountingSource(ByteSource& in, ByteProgress& progress) : in_(in), progress_(progress) {}
  Result<std::size_t> Read(std::span<std::uint8_t> out) override {
    auto n = in_.Read(out);
    if (n) progress_.Advance(*n);
    return n;
  }

 private:
  ByteSource& in_;
  ByteProgress& progress_;
};

}  // namespace

std::optional<std::string> NextOutboxName(const std::string& media_dir, const std::string& day) {
  for (int n = 1; n <= kMaxOutboxesADay; ++n) {
    const std::string name = "outbox-" + day + (n == 1 ? "" : "-" + std::to_string(n)) + ".bundle";
    if (!PathExists((std::filesystem::path(media_dir) / name).string())) return name;
  }
  return std::nullopt;
}

OutboxResult WriteOutbox(ConsoleStore& store, const OfficerSession& session, const std::string& out,
                         const ByteProgressFn& progress_fn) {
  OutboxResult r;
  const std::string& officer = session.name();
  auto fail = [&r](Error e) {
    r.status = std::move(e);
    return std::move(r);
  };
  auto force = ConsoleForce(store);
  if (!force) return fail(force.error());
  // What the last pushes did, from their results on the same media: items to send again are
  // back in the outbox before it is read.
  const std::string media = std::filesystem::path(out).parent_path().string();
  if (auto st = ReadPushResults(store, officer, media, NextOutbox::kThisOne, &r.push_notices); !st) {
    return fail(st.error());
  }
  auto rows = store.Outbox(/*include_exported=*/false);
  if (!rows) return fail(rows.error());
  // Every imported item the server may still hold is receipted again, in every outbox, until a
  // later pull shows it deleted (docs/console.md §3): a lost outbox loses no receipt.
  auto receipted = store.UnconfirmedImports(kMaxReceiptItems);
  if (!receipted) return fail(receipted.error());
  if (rows->empty() && receipted->empty()) {
    r.nothing_to_send = true;
    return r;
  }
  if (PathExists(out)) {
    return fail(MakeError(ErrorCode::kAlreadyExists, out + " already exists: refusing to overwrite it"));
  }
  std::uint64_t total = 0;
  for (const auto& row : *rows) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(store.OutboxPath(row.id), ec);
    if (!ec) total += size;  // a missing file fails below, with its own message
  }
  ByteProgress progress(progress_fn, total);
  progress.Start();
  auto writer = bundle::BundleWriter::Create(out, "outbox", *force, TodayUtc());
  if (!writer) return fail(writer.error());
  std::vector<std::string> ids;
  for (const auto& row : *rows) {
    auto src = FileSource::Open(store.OutboxPath(row.id));
    if (!src) return fail(src.error());
    CountingSource counted(*src, progress);
    bundle::Item item{row.id, row.kind, row.day, 0, 0, "", row.to, row.kind == "forward" ? row.source : ""};
    if (auto st = writer->AddItem(item, counted); !st) return fail(st.error());
    ids.push_back(row.id);
  }
  r.receipted = receipted->size();
  if (!receipted->empty()) {
    std::sort(receipted->begin(), receipted->end());
    writer->SetReceipt({bundle::NewItemId(), *force, TodayUtc(), std::move(*receipted)});
  }
  if (auto st = writer->Commit(); !st) return fail(st.error());
  progress.Finish();
  r.items = ids.size();
  if (auto st = store.MarkExported(ids); !st) return fail(st.error());
  if (auto st = store.Audit(officer, "outbox", "", std::to_string(ids.size()) + " item(s), receipt for " +
                                                     std::to_string(r.receipted));
      !st) {
    return fail(st.error());
  }
  return r;
}

}  // namespace sealdrop::console
