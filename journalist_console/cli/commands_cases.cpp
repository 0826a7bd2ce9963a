// init | import | list | show | triage: the PSD's cases. Spec: docs/console.md.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "common/io.h"
#include "crypto/directory.h"
#include "crypto/sealed_field.h"
#include "common/progress.h"
#include "journalist_console/bundle/bundle.h"
#include "journalist_console/core/bundle_import.h"
#include "journalist_console/cli/case_options.h"
#include "journalist_console/core/case_actions.h"
#include "journalist_console/core/case_files.h"
#include "journalist_console/core/case_view.h"
#include "journalist_console/cli/commands.h"
#include "journalist_console/core/delivery.h"
#include "journalist_console/secret_input/secret_text.h"

namespace sealdrop::console {
namespace {

// ---------------------------------------------------------------------------------------------
struct InitOptions {
  std::string data;
  std::string officer;
  std::string passphrase_file;
  std::string key;
  std::string key_passphrase_file;
  std::string directory;
  std::string root_pub;
};

int Init(const InitOptions& o) {
  if (!o.directory.empty() != !o.root_pub.empty()) {
    return Report("give both --directory and --root-pub, or neither");
  }
  // Everything that can be refused is, before the console directory is made.
  auto pass = NewOfficerPassphrase(o.officer, o.passphrase_file);
  if (!pass) return Report(pass.error());
  auto key = UnlockForceKeyFile(o.key, o.key_passphrase_file);
  if (!key) return Report(key.error());
  auto store = ConsoleStore::Init(o.data, o.officer);
  if (!store) return Report(store.error());
  if (auto st = InitOfficers(**store, *key, o.officer, *pass); !st) return Report(st.error());
  // The signed directory and pinned root key, kept with the console for `forward`.
  if (!o.directory.empty() || !o.root_pub.empty()) {
    for (const auto& [from, name] : {std::pair{o.directory, "directory.signed"},
                                     std::pair{o.root_pub, "root.public"}}) {
      auto text = ReadSmallFile(from, 1 << 20);
      if (!text) return Report(text.error());
      if (auto st = WriteFileAtomically(JoinPath(o.data, name), *text, 0600, false); !st) {
        return Report(st.error());
      }
    }
  }
  std::printf("console ready in %s; %s is its first supervisor\n", o.data.c_str(), o.officer.c_str());
  return 0;
}

// ---------------------------------------------------------------------------------------------
struct ImportOptions {
  CaseCommandOptions c;
  std::string bundle;
  bool progress = false;  // plain progress lines on stderr even when it is not a terminal
};

int Import(const ImportOptions& o) {
  auto in = OpenAndSignIn(o.c);
  if (!in) return Report(in.error());
  // One line per stage: "checking: ..." while the bundle's digests are verified, then
  // "importing: ..." while its new items are opened and copied.
  StderrProgress checking("checking", o.progress), importing("importing", o.progress);
  const ImportProgressFn progress = [&](ImportStage stage, std::uint64_t done, std::uint64_t total) {
    if (stage == ImportStage::kImporting) checking.End();
    (stage == ImportStage::kChecking ? checking : importing).Callback()(done, total);
  };
  ImportResult r = ImportBundle(*in->store, in->session, o.bundle, progress);
  checking.End();
  importing.End();
  PrintPushNotices(r.push_notices);
  if (!r.committed) return Report(r.status.error());
  std::printf("imported %zu new item(s) from %s", r.imported, o.bundle.c_str());
  if (r.already > 0) std::printf(" (%zu already here)", r.already);
  std::printf("\n");
  if (r.imported > 0) {
    std::printf("the server keeps them until it gets this console's receipt: run `outbox` and "
                "push the bundle\n");
  }
  for (const auto& raise : r.raised) {
    std::printf("!! case %s is now AT RISK: a follow-up of %s says someone is at risk of harm now\n",
                raise.case_id.substr(0, 8).c_str(), raise.day.c_str());
  }
  if (!r.status) return Report(r.status.error());
  return 0;
}

// ---------------------------------------------------------------------------------------------
struct ListOptions {
  CaseCommandOptions c;
  std::string status;
  std::string category;
};

// Every reply or forward that push could not deliver, after the list: the officer must see them.
int PrintUndelivered(ConsoleStore& store) {
  auto items = ListUndelivered(store);
  if (!items) return Report(items.error());
  if (!items->empty()) std::printf("Not delivered:\n");
  for (const auto& u : *items) {
    std::printf("  %s (sealed %s): %s\n", u.label.c_str(), u.day.c_str(), u.state.c_str());
  }
  return 0;
}

int List(const ListOptions& o) {
  auto in = OpenAndSignIn(o.c);
  if (!in) return Report(in.error());
  auto* store = &in->store;
  const KeyPair* key = &in->session.key();
  auto cases = (*store)->Cases();
  if (!cases) return Report(cases.error());
  const FieldSealer sealer(*key);
  std::vector<CaseRow> shown;
  for (auto& c : *cases) {
    if (c.kind != CaseKind::kReport) continue;
    if (!o.status.empty() && Name(c.status) != o.status) continue;
    if (!o.category.empty() && c.category != o.category) continue;
    shown.push_back(std::move(c));
  }
  auto followup_counts = (*store)->FollowUpCounts();
  if (!followup_counts) return Report(followup_counts.error());
  auto unread_counts = (*store)->UnreadFollowUpCounts();
  if (!unread_counts) return Report(unread_counts.error());
  auto raises = (*store)->RiskRaises();
  if (!raises) return Report(raises.error());
  auto count_of = [](const std::map<std::string, std::size_t>& m, const std::string& ref) {
    const auto it = m.find(ref);
    return it == m.end() ? std::size_t{0} : it->second;
  };
  SortForList(shown, *unread_counts);
  std::printf("%-10s %-10s %-14s %-18s %-18s %-12s %s\n", "CASE", "SENT", "AT RISK", "CATEGORY",
              "STATUS", "F/U", "SUMMARY");
  for (const auto& c : shown) {
    auto summary = sealer.Open(c.id + "|summary", c.summary);
    const std::string status = std::string(Name(c.status)) + (c.outcome.empty() ? "" : ":" + c.outcome);
    // A case raised by a follow-up shows the day it changed.
    const auto raise = raises->find(c.id);
    const std::string at_risk = !c.urgent ? "-" : raise == raises->end() ? "YES" : "YES " + raise->second.day;
    std::string fu = std::to_string(count_of(*followup_counts, c.source_ref));
    if (const std::size_t n = count_of(*unread_counts, c.source_ref); n > 0) {
      fu += " (" + std::to_string(n) + " NEW)";
    }
    std::printf("%-10s %-10s %-14s %-18s %-18s %-12s %s\n", c.id.substr(0, 8).c_str(),
                c.sent_day.c_str(), at_risk.c_str(), (c.category.empty() ? "-" : c.category).c_str(),
                status.c_str(), fu.c_str(),
                summary ? TerminalSafe(*summary).c_str() : "(cannot read: damaged)");
  }
  std::printf("%zu case(s)\n", shown.size());
  return PrintUndelivered(**store);
}

// ---------------------------------------------------------------------------------------------
struct ShowOptions {
  CaseCommandOptions c;
  std::string id;
};

void PrintField(const char* label, const std::string& value) {
  if (value.empty()) return;
  std::printf("  %-22s %s\n", label, TerminalSafe(value, true).c_str());
}

void PrintParts(const OpenedItem& item) {
  for (std::size_t i = 0; i < item.parts.size(); ++i) {
    std::printf("  [%zu] %s (%s, %llu bytes)\n", i + 1, TerminalSafe(item.parts[i].info.name).c_str(),
                TerminalSafe(item.parts[i].info.content_type).c_str(),
                static_cast<unsigned long long>(item.parts[i].size));
  }
}

int Show(const ShowOptions& o) {
  auto in = OpenAndSignIn(o.c);
  if (!in) return Report(in.error());
  auto& store = in->store;
  auto view = LoadCaseView(*store, in->session.key(), o.id);
  if (!view) return Report(view.error());
  const CaseRow* c = &view->row;
  const auto& m = view->item.meta;
  std::printf("Case %s  (%s, sent %s, received %s)\n", c->id.c_str(), std::string(Name(c->kind)).c_str(),
              c->sent_day.c_str(), c->received_day.c_str());
  std::printf("Status: %s%s%s\n", std::string(Name(c->status)).c_str(), c->outcome.empty() ? "" : ", outcome ",
              c->outcome.c_str());
  if (c->urgent) std::printf("!! SOMEONE MAY BE AT RISK OF HARM NOW !!\n");
  if (view->raise) {
    std::printf("   (raised to at-risk on %s by follow-up %s)\n", view->raise->day.c_str(),
                view->raise->followup_id.substr(0, 8).c_str());
  }
  for (const auto& f : ItemFields(m, c->kind)) PrintField(f.label.c_str(), f.value);
  if (c->kind == CaseKind::kReport) {
    if (const auto contact = ContactFields(m)) {
      std::printf("  Contact details (the reporter chose to leave them):\n");
      for (const auto& f : *contact) PrintField(("  " + f.label).c_str(), f.value);
    } else {
      std::printf("  Contact: anonymous (reply through SealDrop only)\n");
    }
  }
  std::printf("Attachments:%s\n", view->item.parts.empty() ? " none" : "");
  PrintParts(view->item);
  if (!view->followups.empty()) {
    std::printf("Follow-ups from the reporter:\n");
    for (const auto& f : view->followups) {
      std::printf(" - %s%s, sent %s: %s\n", f.unread ? "NEW " : "", f.row.id.substr(0, 8).c_str(),
                  f.row.sent_day.c_str(),
                  f.item ? TerminalSafe(JsonString(f.item->meta, "message"), true).c_str()
                         : "(cannot be opened)");
      if (f.item) {
        // Follow-ups made before the form asked lack these members: treated as unanswered.
        PrintField("  At risk now", JsonString(f.item->meta, "at_risk"));
        PrintField("  Risk details", JsonString(f.item->meta, "risk_details"));
        PrintParts(*f.item);
      }
    }
  }
  if (!view->triage.empty()) {
    std::printf("Triage:\n");
    for (const auto& t : view->triage) {
      const std::string by = t.actor.empty() ? "" : " (" + TerminalSafe(t.actor) + ")";
      std::printf(" - %s %s%s: %s\n", t.row.day.c_str(), t.row.outcome.c_str(), by.c_str(),
                  t.note ? TerminalSafe(*t.note, true).c_str() : "(note damaged)");
    }
  }
  for (const auto& r : view->outbox) {
    if (r.row.kind == "reply") {
      std::printf("Reply %s (%s): %s\n", r.row.day.c_str(), r.state.c_str(),
                  r.text ? TerminalSafe(*r.text, true).c_str() : "(damaged)");
    } else {
      std::printf("Forwarded to %s on %s (%s)\n", r.row.to.c_str(), r.row.day.c_str(), r.state.c_str());
    }
  }
  std::fflush(stdout);
  // Shown means printed: only now are the follow-ups read.
  if (auto st = MarkCaseShown(*store, in->session, *view); !st) return Report(st.error());
  return 0;
}

// ---------------------------------------------------------------------------------------------
struct TriageOptions {
  CaseCommandOptions c;
  std::string id;
  std::string outcome;
};

constexpr std::size_t kMaxNoteBytes = 100'000;

int Triage(const TriageOptions& o) {
  if (!IsTriageOutcome(o.outcome)) return Report("outcome must be one of: " + TriageOutcomeList());
  auto in = OpenAndSignIn(o.c);
  if (!in) return Report(in.error());
  auto c = in->store->FindCase(o.id);
  if (!c) return Report(c.error());
  // Never from argv (shell history, `ps`): standard input, into memory that is wiped.
  auto note = ReadSecretText({.what = "the note", .max_bytes = kMaxNoteBytes});
  if (!note) return Report(note.error());
  if (auto st = RecordTriage(*in->store, in->session, c->id, o.outcome, note->view()); !st) {
    return Report(st.error());
  }
  std::printf("case %s: %s\n", c->id.substr(0, 8).c_str(), o.outcome.c_str());
  return 0;
}

}  // namespace

void AddCaseCommands(CLI::App& app, int& exit_code) {
  auto i = std::make_shared<InitOptions>();
  auto* init = app.add_subcommand("init", "Create the console, with its first supervisor");
  init->add_option("--data", i->data, "New console directory")->required();
  init->add_option("--officer", i->officer, "The first supervisor's officer name")->required();
  init->add_option("--passphrase-file", i->passphrase_file,
                   "The first supervisor's new passphrase (default: asked twice)");
  init->add_option("--key", i->key, "The force's decryption key file, CODE.secret")->required();
  init->add_option("--key-passphrase-file", i->key_passphrase_file,
                   "Passphrase of CODE.secret (default: asked)");
  init->add_option("--directory", i->directory, "Signed force directory (for forward)");
  init->add_option("--root-pub", i->root_pub, "Pinned national root key (for forward)");
  init->callback([i, &exit_code] { exit_code = Init(*i); });

  auto im = std::make_shared<ImportOptions>();
  auto* imp = app.add_subcommand("import", "Import a pull bundle (all or nothing, idempotent)");
  AddCaseCommandOptions(imp, im->c);
  imp->add_option("bundle", im->bundle, "FILE.bundle from sealdrop-transfer pull")->required();
  imp->add_flag("--progress", im->progress,
                "Progress in bytes on stderr, one line per step, even when it is not a terminal");
  imp->callback([im, &exit_code] { exit_code = Import(*im); });

  auto l = std::make_shared<ListOptions>();
  auto* list = app.add_subcommand("list", "List reports, someone at risk first");
  AddCaseCommandOptions(list, l->c);
  list->add_option("--status", l->status, "new, triaged or forwarded")
      ->check(CLI::IsMember({Name(CaseStatus::kNew), Name(CaseStatus::kTriaged), Name(CaseStatus::kForwarded)}));
  list->add_option("--category", l->category, "A report category, e.g. corruption");
  list->callback([l, &exit_code] { exit_code = List(*l); });

  auto s = std::make_shared<ShowOptions>();
  auto* show = app.add_subcommand("show", "Show a case in full: report, follow-ups, attachments");
  AddCaseCommandOptions(show, s->c);
  show->add_option("id", s->id, "Case id (or its first 6+ digits)")->required();
  show->callback([s, &exit_code] { exit_code = Show(*s); });

  auto t = std::make_shared<TriageOptions>();
  auto* tri = app.add_subcommand("triage", "Record the assessment of a case (the note, kept sealed, on standard input)");
  AddCaseCommandOptions(tri, t->c);
  tri->add_option("id", t->id, "Case id")->required();
  tri->add_option("--outcome", t->outcome,
                  "investigate | safeguard | record | no-further-action | complaints-route")
      ->required();
  tri->callback([t, &exit_code] { exit_code = Triage(*t); });
}

}  // namespace sealdrop::console
