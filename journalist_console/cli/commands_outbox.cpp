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
#include "journalist_console/core/outbox_write.h"
#include "common/progress.h"
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
  if (c->kind != CaseKind::kReport) return Report("only reports are forwarded (their follow-ups follow them)");
  auto target = ForwardCase(**store, in->session, *c, o.to, {.directory = o.directory, .root_pub = o.root_pub});
  if (!target) return Report(target.error());
  std::printf("case %s re-sealed to %s; it leaves with the next `outbox`\n", c->id.substr(0, 8).c_str(),
              target->c_str());
  return 0;
}

struct OutboxOptions {
  CaseCommandOptions c;
  std::string out;
  bool progress = false;
};

int Outbox(const OutboxOptions& o) {
  // Signed in like every command, so the audit names who wrote the outbox (the key is unused).
  auto in = OpenAndSignIn(o.c);
  if (!in) return Report(in.error());
  StderrProgress writing("writing", o.progress);
  OutboxResult r = WriteOutbox(*in->store, in->session, o.out, writing.Callback());
  writing.End();
  PrintPushNotices(r.push_notices);
  if (!r.status) return Report(r.status.error());
  if (r.nothing_to_send) {
    std::printf("nothing to send\n");
    return 0;
  }
  std::printf("%zu item(s) and a receipt for %zu imported item(s) in %s: carry it to the transfer "
              "workstation for sealdrop-transfer push\n",
              r.items, r.receipted, o.out.c_str());
  return 0;
}

}  // namespace

void PrintPushNotices(const std::vector<PushNotice>& notices) {
  for (const auto& n : notices) {
    if (n.kind == PushNotice::Kind::kWarning) {
      std::fprintf(stderr, "sealdrop-console: warning: %s\n", n.text.c_str());
    } else {
      std::printf("%s\n", n.text.c_str());
    }
  }
  std::fflush(stdout);
}

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
  out->add_flag("--progress", o->progress,
                "Progress in bytes on stderr, one line per step, even when it is not a terminal");
  out->callback([o, &exit_code] { exit_code = Outbox(*o); });
}

}  // namespace sealdrop::console
