// reply | forward | outbox: what goes back to the server, sealed on the console. docs/console.md.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include "common/io.h"
#include "common/utf8.h"
#include "crypto/directory.h"
#include "crypto/envelope_reader.h"
#include "crypto/envelope_writer.h"
#include "common/import_receipt.h"
#include "crypto/public_key_file.h"
#include "crypto/sealed_field.h"
#include "journalist_console/bundle/bundle.h"
#include "journalist_console/cli/case_options.h"
#include "journalist_console/core/case_actions.h"
#include "journalist_console/core/case_files.h"
#include "journalist_console/cli/commands.h"
#include "journalist_console/core/delivery.h"
#include "journalist_console/secret_input/secret_text.h"

namespace sealdrop::console {
namespace {

struct ReplyOptions {
  CaseCommandOptions c;
  std::string id;
};

int Reply(const ReplyOptions& o) {
  auto in = OpenAndSignIn(o.c);
  if (!in) return Report(in.error());
  auto* store = &in->store;
  auto c = (*store)->FindCase(o.id);
  if (!c) return Report(c.error());
  // Refused before the officer writes anything (SealReply checks it again).
  if (auto st = CheckRepliable(**store, *c); !st) return Report(st.error());
  // Never from argv or a plaintext file: standard input, into memory that is wiped.
  auto text = ReadSecretText({.what = "the reply", .max_bytes = kMaxReplyBytes});
  if (!text) return Report(text.error());
  auto sealed = SealReply(**store, in->session, *c, text->view());
  if (!sealed) return Report(sealed.error());
  std::printf("reply to case %s sealed; it leaves with the next `outbox`\n", c->id.substr(0, 8).c_str());
  return 0;
}

struct ForwardOptions {
  CaseCommandOptions c;
  std::string id;
  std::string to;
  std::string directory;
  std::string root_pub;
};

int Forward(const ForwardOptions& o) {
  auto in = OpenAndSignIn(o.c);
  if (!in) return Report(in.error());
  auto* store = &in->store;
  auto c = (*store)->FindCase(o.id);
  if (!c) return Report(c.error());
  if (c->kind != "report") return Report("only reports are forwarded (their follow-ups follow them)");
  auto target = ForwardCase(**store, in->session, *c, o.to, {.directory = o.directory, .root_pub = o.root_pub});
  if (!target) return Report(target.error());
  std::printf("case %s re-sealed to %s; it leaves with the next `outbox`\n", c->id.substr(0, 8).c_str(),
              target->c_str());
  return 0;
}

struct OutboxOptions {
  CaseCommandOptions c;
  std::string out;
};

int Outbox(const OutboxOptions& o) {
  // Signed in like every command, so the audit names who wrote the outbox (the key is unused).
  auto in = OpenAndSignIn(o.c);
  if (!in) return Report(in.error());
  auto* store = &in->store;
  const std::string& officer = in->session.name();
  auto force = ConsoleForce(**store);
  if (!force) return Report(force.error());
  // What the last pushes did, from their results on the same media: items to send again are
  // back in the outbox before it is read.
  const std::string media = std::filesystem::path(o.out).parent_path().string();
  if (auto st = ReadPushResults(**store, officer, media, NextOutbox::kThisOne); !st) return Report(st.error());
  auto rows = (*store)->Outbox(/*include_exported=*/false);
  if (!rows) return Report(rows.error());
  // Every imported item the server may still hold is receipted again, in every outbox, until a
  // later pull shows it deleted (docs/console.md §3): a lost outbox loses no receipt.
  auto receipted = (*store)->UnconfirmedImports(kMaxReceiptItems);
  if (!receipted) return Report(receipted.error());
  if (rows->empty() && receipted->empty()) {
    std::printf("nothing to send\n");
    return 0;
  }
  if (PathExists(o.out)) return Report(o.out + " already exists: refusing to overwrite it");
  auto writer = bundle::BundleWriter::Create(o.out, "outbox", *force, TodayUtc());
  if (!writer) return Report(writer.error());
  std::vector<std::string> ids;
  for (const auto& r : *rows) {
    auto src = FileSource::Open((*store)->OutboxPath(r.id));
    if (!src) return Report(src.error());
    bundle::Item item{r.id, r.kind, r.day, 0, 0, "", r.to, r.kind == "forward" ? r.source : ""};
    if (auto st = writer->AddItem(item, *src); !st) return Report(st.error());
    ids.push_back(r.id);
  }
  const std::size_t receipt_count = receipted->size();
  if (!receipted->empty()) {
    std::sort(receipted->begin(), receipted->end());
    writer->SetReceipt({bundle::NewItemId(), *force, TodayUtc(), std::move(*receipted)});
  }
  if (auto st = writer->Commit(); !st) return Report(st.error());
  if (auto st = (*store)->MarkExported(ids); !st) return Report(st.error());
  if (auto st = (*store)->Audit(officer, "outbox", "", std::to_string(ids.size()) + " item(s), receipt for " +
                                                  std::to_string(receipt_count));
      !st) {
    return Report(st.error());
  }
  std::printf("%zu item(s) and a receipt for %zu imported item(s) in %s: carry it to the transfer "
              "workstation for sealdrop-transfer push\n",
              ids.size(), receipt_count, o.out.c_str());
  return 0;
}

}  // namespace

void AddOutboxCommands(CLI::App& app, int& exit_code) {
  auto r = std::make_shared<ReplyOptions>();
  auto* reply = app.add_subcommand("reply", "Seal a reply to the reporter of a case (the text on standard input)");
  AddCaseCommandOptions(reply, r->c);
  reply->add_option("id", r->id, "Case id")->required();
  reply->callback([r, &exit_code] { exit_code = Reply(*r); });

  auto f = std::make_shared<ForwardOptions>();
  auto* fwd = app.add_subcommand("forward", "Re-seal a misrouted report to another force");
  AddCaseCommandOptions(fwd, f->c);
  fwd->add_option("id", f->id, "Case id")->required();
  fwd->add_option("--to", f->to, "Force code from the signed directory")->required();
  fwd->add_option("--directory", f->directory, "Signed directory (default: the one kept at init)");
  fwd->add_option("--root-pub", f->root_pub, "Pinned root key (default: the one kept at init)");
  fwd->callback([f, &exit_code] { exit_code = Forward(*f); });

  auto o = std::make_shared<OutboxOptions>();
  auto* out = app.add_subcommand("outbox", "Write waiting replies and forwards, and a receipt for imported items, into a bundle");
  AddCaseCommandOptions(out, o->c);
  out->add_option("--out", o->out, "Bundle file to write (on removable media)")->required();
  out->callback([o, &exit_code] { exit_code = Outbox(*o); });
}

}  // namespace sealdrop::console
