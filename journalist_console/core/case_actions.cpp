#include "journalist_console/core/case_actions.h"

#include <sodium.h>

#include <algorithm>
#include <climits>

#include "common/clock.h"
#include "common/io.h"
#include "common/utf8.h"
#include "crypto/directory.h"
#include "crypto/envelope_reader.h"
#include "crypto/envelope_writer.h"
#include "crypto/public_key_file.h"
#include "crypto/sealed_field.h"
#include "journalist_console/bundle/bundle.h"
#include "journalist_console/core/case_files.h"

namespace sealdrop::console {

const std::vector<std::string>& TriageOutcomes() {
  static const std::vector<std::string> v = {"investigate", "safeguard", "record",
                                             "no-further-action", "complaints-route"};
  return v;
}

bool IsTriageOutcome(std::string_view outcome) {
  return std::find(TriageOutcomes().begin(), TriageOutcomes().end(), outcome) != TriageOutcomes().end();
}

std::string TriageOutcomeList() {
  std::string out;
  for (const auto& o : TriageOutcomes()) out += (out.empty() ? "" : ", ") + o;
  return out;
}

Status RecordTriage(ConsoleStore& store, const OfficerSession& by, const std::string& case_id,
                    const std::string& outcome, std::string_view note) {
  if (!IsTriageOutcome(outcome)) {
    return MakeError(ErrorCode::kInvalidArgument, "outcome must be one of: " + TriageOutcomeList());
  }
  const FieldSealer sealer(by.key());
  if (auto st = store.AddTriage(case_id, TodayUtc(), outcome, by.name(), [&](std::int64_t seq) {
        return sealer.Seal(case_id + "|note|" + std::to_string(seq), note);
      });
      !st) {
    return st;
  }
  return store.Audit(by.name(), "triage", case_id, outcome);
}

namespace {

// A std::string that held plaintext, wiped before it goes.
struct WipeOnExit {
  std::string& s;
  ~WipeOnExit() { sodium_memzero(s.data(), s.size()); }
};

}  // namespace

Status CheckRepliable(ConsoleStore& store, const CaseRow& c) {
  // After a forward that moved the conversation, only the receiving force may reply (the server
  // refuses a reply from anyone else).
  auto forwards = store.LiveForwards(c.id, c.source_ref);
  if (!forwards) return forwards.error();
  if (forwards->empty()) return Status::Ok();
  const OutboxRow& f = forwards->front();
  return MakeError(ErrorCode::kInvalidArgument,
                   "case " + c.id.substr(0, 8) + " was forwarded to " + f.to + " on " + f.day +
                       ": the conversation with the reporter is now " + f.to + "'s and only " + f.to +
                       " can reply; nothing was written");
}

Result<std::string> SealReply(ConsoleStore& store, const OfficerSession& by, const CaseRow& c,
                              std::string_view text) {
  if (auto st = CheckRepliable(store, c); !st) return st.error();
  const KeyPair& key = by.key();
  if (text.size() > kMaxReplyBytes) {
    return MakeError(ErrorCode::kInvalidArgument, "the reply is too long: a reply is at most 100,000 bytes");
  }
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidArgument, "the reply is empty");
  }
  if (!IsValidUtf8(text) || text.find('\0') != std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidArgument, "the reply must be plain UTF-8 text without NUL bytes");
  }
  auto force = ConsoleForce(store);
  if (!force) return force.error();
  auto item = ReadSealedItem(store.SealedPath(c.id), key);
  if (!item) return item.error();
  const auto& source = item->meta.contains("source") ? item->meta["source"] : nlohmann::json();
  auto source_key = PublicKey::FromText(JsonString(source, "key"), KeyRole::kSource);
  const std::string ref = JsonString(source, "ref");
  if (!source_key || ref.size() != 64) {
    return MakeError(ErrorCode::kInvalidArgument, "this case carries no reply address");
  }

  // Sealed to the reporter's source key only: the server opens it in memory after they log in.
  nlohmann::json meta = {{"version", 1}, {"kind", "reply"}, {"force", *force},
                         {"day", TodayUtc()}, {"message", std::string(text)}};
  std::string meta_text = meta.dump();
  WipeOnExit wipe_meta{meta_text};
  std::string& message = meta["message"].get_ref<std::string&>();
  WipeOnExit wipe_message{message};
  const std::string out_id = bundle::NewItemId();
  auto out = AtomicFile::Create(store.OutboxPath(out_id), 0600, false);
  if (!out) return out.error();
  const std::vector<PublicKey> to = {*source_key};
  auto writer = SealedEnvelopeWriter::Begin(*out, to, meta_text);
  if (!writer) return writer.error();
  if (auto st = writer->Finish(); !st) return st.error();
  if (auto st = out->Commit(); !st) return st.error();
  const FieldSealer sealer(key);
  const OutboxRow row{.id = out_id, .kind = "reply", .case_id = c.id, .to = ref, .source = "",
                      .day = TodayUtc(), .exported = false,
                      .text = sealer.Seal(out_id + "|reply", text)};
  if (auto st = store.AddOutbox(row); !st) return st.error();
  if (auto st = store.Audit(by.name(), "reply", c.id, "outbox " + out_id); !st) return st.error();
  return out_id;
}

namespace {

std::string JoinDir(const std::string& dir, const char* name) {
  return dir.empty() || dir.back() == '/' ? dir + name : dir + "/" + name;
}

Result<ForceDirectory> LoadDirectory(ConsoleStore& store, const DirectoryFiles& files) {
  const std::string dir_path = files.directory.empty() ? JoinDir(store.dir(), "directory.signed") : files.directory;
  const std::string root_path = files.root_pub.empty() ? JoinDir(store.dir(), "root.public") : files.root_pub;
  auto root = ReadPublicKeyFile(root_path, KeyRole::kRoot);
  if (!root) {
    return MakeError(root.error().code, root.error().message + " (give --root-pub, or keep one with init --root-pub)");
  }
  auto directory = ForceDirectory::Load(dir_path, *root, TodayUtc());
  if (!directory) {
    return MakeError(directory.error().code,
                     directory.error().message + " (give --directory, or keep one with init --directory)");
  }
  return directory;
}

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> ForwardTargets(ConsoleStore& store,
                                                                         const DirectoryFiles& files) {
  auto force = ConsoleForce(store);
  if (!force) return force.error();
  auto directory = LoadDirectory(store, files);
  if (!directory) return directory.error();
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& f : directory->forces()) {
    if (f.code != *force) out.emplace_back(f.code, f.name);
  }
  return out;
}

Result<std::string> ForwardCase(ConsoleStore& store, const OfficerSession& by, const CaseRow& c,
                                const std::string& to, const DirectoryFiles& files) {
  const KeyPair& key = by.key();
  if (c.kind != CaseKind::kReport) {
    return MakeError(ErrorCode::kInvalidArgument, "only reports are forwarded (their follow-ups follow them)");
  }
  auto force = ConsoleForce(store);
  if (!force) return force.error();
  if (to == *force) return MakeError(ErrorCode::kInvalidArgument, "this case is already " + *force + "'s");
  auto earlier = store.LiveForwards(c.id, c.source_ref);
  if (!earlier) return earlier.error();
  for (const auto& f : *earlier) {
    if (f.to != to) continue;
    return MakeError(ErrorCode::kAlreadyExists,
                     "case " + c.id.substr(0, 8) + " was already forwarded to " + to + " on " + f.day + " (" +
                         (f.exported ? "in an outbox bundle" : "waiting for outbox") + "): nothing was written");
  }
  auto directory = LoadDirectory(store, files);
  if (!directory) return directory.error();
  auto target = directory->Find(to);
  if (!target) return MakeError(ErrorCode::kNotFound, "no force " + to + " in the signed directory");

  // The metadata first (to add who forwarded it), then every part, event by event: the report
  // is re-sealed whole, in constant memory, and only a fully verified source is committed.
  auto file = FileSource::Open(store.SealedPath(c.id));
  if (!file) return file.error();
  std::vector<KeyPair> keys;
  keys.push_back({key.public_key, SecretBuffer::CopyOf(key.secret.span())});
  auto reader = SealedEnvelopeReader::Open(*file, keys);
  if (!reader) return reader.error();
  nlohmann::json meta = nlohmann::json::parse(reader->metadata(), nullptr, false);
  if (!meta.is_object()) return MakeError(ErrorCode::kMalformed, "this case's metadata cannot be read");
  meta["forwarded_by"] = *force;
  const std::string out_id = bundle::NewItemId();
  auto out = AtomicFile::Create(store.OutboxPath(out_id), 0600, false);
  if (!out) return out.error();
  auto writer = SealedEnvelopeWriter::Begin(*out, (*target)->decryption_keys, meta.dump());
  if (!writer) return writer.error();
  for (;;) {
    auto ev = reader->Next();
    if (!ev) return ev.error();
    using Kind = SealedEnvelopeReader::Event::Kind;
    if (ev->kind == Kind::kEnd) break;
    const Status st = ev->kind == Kind::kPartBegin ? writer->BeginPart(ev->part) : writer->Write(ev->data);
    if (!st) return st.error();
  }
  if (auto st = writer->Finish(); !st) return st.error();
  if (auto st = out->Commit(); !st) return st.error();
  const OutboxRow row{.id = out_id, .kind = "forward", .case_id = c.id, .to = to, .source = c.source_ref,
                      .day = TodayUtc(), .exported = false, .text = {}};
  if (auto st = store.AddOutbox(row); !st) return st.error();
  if (auto st = store.SetStatus(c.id, CaseStatus::kForwarded); !st) return st.error();
  if (auto st = store.Audit(by.name(), "forward", c.id, "to " + to); !st) return st.error();
  return (*target)->code + " (" + (*target)->name + ")";
}

void SortForList(std::vector<CaseRow>& cases, const std::map<std::string, std::size_t>& unread) {
  auto has_unread = [&](const CaseRow& c) {
    const auto it = unread.find(c.source_ref);
    return it != unread.end() && it->second > 0;
  };
  std::sort(cases.begin(), cases.end(), [&](const CaseRow& a, const CaseRow& b) {
    if (a.urgent != b.urgent) return a.urgent;
    if (has_unread(a) != has_unread(b)) return has_unread(a);
    if (a.sent_day != b.sent_day) return a.sent_day > b.sent_day;
    return a.id < b.id;
  });
}

namespace {

// Time to triage, counted from the day the console imported the report (the PSD could not see
// it before), in buckets a supervisor reports on: an upper bound in days and its label.
struct TriageBucket {
  long long up_to;
  const char* label;
};
constexpr TriageBucket kTriageBuckets[] = {
    {0, "same day"},       {1, "next day"},      {7, "2 to 7 days"},
    {28, "8 to 28 days"},  {LLONG_MAX, "over 28 days"},
};
constexpr const char* kNotTriaged = "not yet triaged";

Counts InOrder(const std::map<std::string, int>& counts) { return {counts.begin(), counts.end()}; }

}  // namespace

CaseCounts CountCases(const std::vector<CaseRow>& cases,
                      const std::map<std::string, std::string>& first_triage) {
  CaseCounts n;
  std::map<std::string, int> months, categories, outcomes;
  std::vector<int> buckets(std::size(kTriageBuckets), 0);
  int not_triaged = 0;
  std::vector<long long> days;
  for (const auto& c : cases) {
    if (c.kind != CaseKind::kReport) {
      ++n.followups;
      continue;
    }
    ++n.reports;
    n.urgent += c.urgent ? 1 : 0;
    ++months[c.sent_day.substr(0, 7)];
    ++categories[c.category.empty() ? "(not given)" : c.category];
    ++outcomes[c.outcome.empty() ? "(not yet triaged)" : c.outcome];
    const auto first = first_triage.find(c.id);
    if (first == first_triage.end() || !IsValidDay(first->second) || !IsValidDay(c.received_day)) {
      ++not_triaged;
      continue;
    }
    // A clock set back on the air-gapped machine must not make a negative wait.
    const long long d = std::max(0LL, DaysBetween(c.received_day, first->second));
    days.push_back(d);
    for (std::size_t b = 0; b < std::size(kTriageBuckets); ++b) {
      if (d <= kTriageBuckets[b].up_to) {
        ++buckets[b];
        break;
      }
    }
  }
  n.months = InOrder(months);
  n.categories = InOrder(categories);
  n.outcomes = InOrder(outcomes);
  if (n.reports > 0) {
    for (std::size_t b = 0; b < std::size(kTriageBuckets); ++b) {
      n.time_to_triage.emplace_back(kTriageBuckets[b].label, buckets[b]);
    }
    n.time_to_triage.emplace_back(kNotTriaged, not_triaged);
  }
  n.triaged = static_cast<int>(days.size());
  if (!days.empty()) {
    std::sort(days.begin(), days.end());
    n.median_days_to_triage = static_cast<int>(days[(days.size() - 1) / 2]);
  }
  return n;
}

Result<CaseCounts> CountCases(const ConsoleStore& store) {
  auto cases = store.Cases();
  if (!cases) return cases.error();
  auto first = store.FirstTriageDays();
  if (!first) return first.error();
  return CountCases(*cases, *first);
}

}  // namespace sealdrop::console
