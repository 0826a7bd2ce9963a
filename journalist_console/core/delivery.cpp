#include "journalist_console/core/delivery.h"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "common/io.h"
#include "crypto/keys.h"
#include "crypto/signed_request.h"
#include "journalist_console/core/case_files.h"

namespace sealdrop::console {
namespace {

constexpr std::size_t kMaxResultFiles = 1000;


// Push results in `dir`, by name.
std::vector<std::filesystem::path> ResultFiles(const std::string& dir) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  const std::string suffix(bundle::kPushResultSuffix);
  // increment(ec), never ++: media pulled out during the listing ends it, without an exception.
  for (std::filesystem::directory_iterator it(dir.empty() ? "." : dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    const auto& e = *it;
    const std::string name = e.path().filename().string();
    // The media is untrusted: a link there (to a FIFO, a device, a file of this console) is
    // never followed.
    std::error_code type_ec;  // one file that cannot be examined is skipped, not the rest
    if (name.size() > suffix.size() && name.ends_with(suffix) &&
        e.symlink_status(type_ec).type() == std::filesystem::file_type::regular && !type_ec) {
      out.push_back(e.path());
    }
    if (out.size() >= kMaxResultFiles) break;
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::string OutboxLabel(const OutboxRow& row) {
  if (row.kind == "forward") return "forward of case " + row.case_id.substr(0, 8) + " to " + row.to;
  return "reply to case " + row.case_id.substr(0, 8);
}

bool NeedsAttention(const DeliveryRow* d) {
  return d != nullptr && d->outcome != bundle::PushOutcome::kDelivered;
}

std::string DeliveryText(const OutboxRow& row, const DeliveryRow* d) {
  if (d == nullptr) {
    return row.exported ? "in an outbox bundle; delivery not confirmed yet" : "waiting for outbox";
  }
  const std::string reason = TerminalSafe(d->reason);
  switch (d->outcome) {
    case bundle::PushOutcome::kDelivered:
      return "delivered by the push of " + d->day;
    case bundle::PushOutcome::kRefused:
      return "NOT DELIVERED by the push of " + d->day + ": " + reason +
             "; refused for good, it is not sent again";
    case bundle::PushOutcome::kRetry:
      return "not delivered yet, " + std::to_string(d->failures) + " failed attempt(s), the last on " +
             d->day + ": " + reason + "; " +
             (row.exported ? "sent again in a later outbox bundle" : "goes out again with the next outbox");
  }
  Die("DeliveryText: unknown outcome");
}

Status ReadPushResults(ConsoleStore& store, const std::string& officer, const std::string& media_dir,
                       NextOutbox next, std::vector<PushNotice>* notices) {
  using Kind = PushNotice::Kind;
  auto say = [notices](Kind kind, std::string text) { notices->push_back({kind, std::move(text)}); };
  auto Warn = [&say](const std::string& text) { say(Kind::kWarning, TerminalSafe(text)); };
  auto force = store.GetMeta("force");
  if (!force) return force.error();
  if (!*force) return Status::Ok();  // nothing imported, so nothing was ever pushed
  for (const auto& path : ResultFiles(media_dir)) {
    const std::string name = path.string();
    auto text = ReadSmallFile(name, bundle::kMaxPushResultBytes);
    if (!text) {
      Warn("ignoring " + name + ": " + text.error().message);
      continue;
    }
    auto result = bundle::DecodePushResult(*text);
    if (!result) {
      Warn("ignoring " + name + ": " + result.error().message);
      continue;
    }
    if (result->force != **force) {
      Warn("ignoring " + name + ": it is " + result->force + "'s, not " + **force + "'s");
      continue;
    }
    auto effect = store.ApplyPushResult(HexEncode(Sha256(AsBytes(*text))), *result);
    if (!effect) return effect.error();
    if (effect->already_read || effect->changed.empty()) continue;
    auto rows = store.Outbox(/*include_exported=*/true);
    if (!rows) return rows.error();
    std::map<std::string, const OutboxRow*> by_id;
    for (const auto& r : *rows) by_id[r.id] = &r;
    std::size_t delivered = 0, refused = 0, retry = 0;
    for (const auto& d : effect->changed) {
      const OutboxRow& row = *by_id.at(d.id);
      switch (d.outcome) {
        case bundle::PushOutcome::kDelivered:
          ++delivered;
          break;
        case bundle::PushOutcome::kRefused:
          ++refused;
          say(Kind::kNotDelivered, OutboxLabel(row) + " NOT DELIVERED: " + TerminalSafe(d.reason) +
                                       "; the server refused it for good and it is not sent again");
          break;
        case bundle::PushOutcome::kRetry:
          ++retry;
          say(Kind::kNotDelivered, OutboxLabel(row) + " not delivered yet: " + TerminalSafe(d.reason) +
                                       "; it goes out again with " +
                                       (next == NextOutbox::kThisOne ? "this outbox" : "the next outbox"));
          break;
      }
    }
    say(Kind::kNote, "push result " + TerminalSafe(path.filename().string()) + ": " +
                         std::to_string(delivered) + " delivered, " + std::to_string(refused) +
                         " refused, " + std::to_string(retry) + " to send again");
    if (effect->unknown > 0) {
      Warn(name + " names " + std::to_string(effect->unknown) + " item(s) this console did not make");
    }
    const std::string detail = std::to_string(delivered) + " delivered, " + std::to_string(refused) +
                               " refused, " + std::to_string(retry) + " to retry";
    if (auto st = store.Audit(officer, "push-result", "", detail); !st) return st;
  }
  return Status::Ok();
}

Result<std::vector<Undelivered>> ListUndelivered(ConsoleStore& store) {
  auto rows = store.Outbox(/*include_exported=*/true);
  if (!rows) return rows.error();
  auto deliveries = store.Deliveries();
  if (!deliveries) return deliveries.error();
  std::vector<Undelivered> out;
  for (const auto& r : *rows) {
    const auto d = deliveries->find(r.id);
    const DeliveryRow* delivery = d == deliveries->end() ? nullptr : &d->second;
    if (!NeedsAttention(delivery)) continue;
    out.push_back({.label = OutboxLabel(r), .day = r.day, .state = DeliveryText(r, delivery)});
  }
  return out;
}

}  // namespace sealdrop::console
