#include "journalist_console/transfer/run_transfer.h"

#include <CLI/CLI.hpp>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "crypto/directory.h"
#include "crypto/keyfile/secret_key_file.h"
#include "journalist_console/bundle/bundle.h"
#include "journalist_console/passphrase.h"
#include "journalist_console/transfer/api_client.h"

namespace sealdrop::transfer {
namespace {

struct Options {
  std::string server;
  std::string force;
  std::string key;
  std::string passphrase_file;
  std::string socks;
  std::string out;
  std::string in;
};

int Fail(const std::string& message) {
  std::fprintf(stderr, "sealdrop-transfer: %s\n", message.c_str());
  return 1;
}
int Fail(const Error& e) { return Fail(e.message); }

Result<KeyPair> UnlockTransferKey(const Options& o) {
  auto pass = console::ReadPassphrase({"Passphrase for " + o.key, o.passphrase_file, false});
  if (!pass) return pass.error();
  return ReadSecretKeyFile(o.key, *pass, KeyRole::kForceTransfer);
}

int Pull(const Options& o) {
  if (!IsValidForceCode(o.force)) return Fail("not a force code: " + o.force);
  if (PathExists(o.out)) return Fail(o.out + " already exists: refusing to overwrite it");
  auto key = UnlockTransferKey(o);
  if (!key) return Fail(key.error());
  auto client = ForceApiClient::Create(o.server, o.socks, o.force, &*key);
  if (!client) return Fail(client.error());

  auto items = client->List();
  if (!items) return Fail(items.error());
  if (items->empty()) {
    std::printf("nothing to pull for %s\n", o.force.c_str());
    return 0;
  }
  auto writer = bundle::BundleWriter::Create(o.out, "pull", o.force, TodayUtc());
  if (!writer) return Fail(writer.error());
  for (const auto& item : *items) {
    if (!bundle::IsItemId(item.id) || (item.kind != "report" && item.kind != "followup") ||
        !IsValidDay(item.day)) {
      return Fail("the server listed an item this tool does not understand; nothing was written");
    }
    bundle::Item entry{item.id, item.kind, item.day, 0, 0, "", "", ""};
    Status st = writer->BeginItem(entry);
    if (st) st = client->Download(item.id, item.size, writer->item_sink());
    if (st) st = writer->EndItem(item.size);
    if (!st) {
      return Fail("pull interrupted (" + st.error().message +
                  "); nothing was written, and every item stays on the server");
    }
  }
  if (auto st = writer->Commit(); !st) return Fail(st.error());

  // Nothing is deleted here: the server keeps every item until the console's import receipt
  // comes back with a push (docs/force-api.md §1), so a lost bundle loses nothing.
  std::printf("pulled %zu item(s) for %s into %s; they stay on the server until the console's "
              "receipt comes back with a push\n",
              items->size(), o.force.c_str(), o.out.c_str());
  return 0;
}

int Push(const Options& o) {
  auto reader = bundle::BundleReader::Open(o.in);
  if (!reader) return Fail(o.in + ": " + reader.error().message);
  const auto& m = reader->manifest();
  if (m.type != "outbox") return Fail(o.in + " is not an outbox bundle (made by sealdrop-console outbox)");
  if (m.force != o.force) return Fail(o.in + " was made by " + m.force + ", not " + o.force);
  auto key = UnlockTransferKey(o);
  if (!key) return Fail(key.error());
  auto client = ForceApiClient::Create(o.server, o.socks, o.force, &*key);
  if (!client) return Fail(client.error());
  int sent = 0;
  int already = 0;
  for (std::size_t i = 0; i < m.items.size(); ++i) {
    const auto& item = m.items[i];
    auto source = reader->ItemSource(i);
    const std::string target = item.kind == "reply" ? "/api/v1/replies/" + item.to
                                                     : "/api/v1/forwards/" + item.to;
    const auto digest = Bytes32FromHex(item.sha256);  // the bundle reader checked its form
    if (!digest) return Fail("the bundle has a malformed item digest; nothing more was pushed");
    auto r = client->Upload(target, *source, item.size, *digest, item.id,
                            item.kind == "forward" ? item.source : "");
    if (!r) {
      return Fail("push stopped at item " + std::to_string(i + 1) + " of " +
                  std::to_string(m.items.size()) + " (" + r.error().message +
                  "); run the same push again: items already sent are not sent twice");
    }
    (r->already ? already : sent) += 1;
  }
  std::printf("pushed %d item(s) for %s", sent, o.force.c_str());
  if (already > 0) std::printf(" (%d were already on the server)", already);
  std::printf("\n");
  // The receipt last, after the replies and forwards: the server deletes what it names.
  if (m.receipt) {
    auto done = client->SendReceipt(EncodeImportReceipt(*m.receipt));
    if (!done) {
      return Fail("the import receipt was not delivered (" + done.error().message +
                  "); run the same push again: a receipt can be sent any number of times");
    }
    std::printf("receipt delivered: the server deleted %llu imported item(s)",
                static_cast<unsigned long long>(done->deleted));
    if (done->gone > 0) {
      std::printf(" (%llu were gone already)", static_cast<unsigned long long>(done->gone));
    }
    std::printf("\n");
  }
  return 0;
}

}  // namespace

int RunTransfer(int argc, char** argv) {
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  CLI::App app{"SealDrop transfer workstation: moves a force's sealed items to and from the server"};
  app.name("sealdrop-transfer");
  app.require_subcommand(1);
  int exit_code = 0;
  auto o = std::make_shared<Options>();
  auto common = [&](CLI::App* c) {
    c->add_option("--server", o->server, "Force API URL, e.g. http://FORCEONION.onion")->required();
    c->add_option("--force", o->force, "Force code, e.g. MET")->required();
    c->add_option("--key", o->key, "CODE-transfer.secret")->required();
    c->add_option("--passphrase-file", o->passphrase_file, "Passphrase for the transfer key");
    c->add_option("--socks", o->socks, "Tor SocksPort, e.g. 127.0.0.1:9050");
  };
  auto* pull = app.add_subcommand("pull", "Fetch every item the server holds for the force into a bundle");
  common(pull);
  pull->add_option("--out", o->out, "Bundle file to write (on removable media)")->required();
  pull->callback([&] { exit_code = Pull(*o); });
  auto* push = app.add_subcommand("push", "Send an outbox bundle's replies, forwards and import receipt");
  common(push);
  push->add_option("--in", o->in, "Outbox bundle made by sealdrop-console outbox")->required();
  push->callback([&] { exit_code = Push(*o); });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  return exit_code;
}

}  // namespace sealdrop::transfer
