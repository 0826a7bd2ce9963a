#include "journalist_console/transfer/run_transfer.h"

#include <CLI/CLI.hpp>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "crypto/directory.h"
#include "crypto/keyfile/secret_key_file.h"
#include "journalist_console/bundle/bundle.h"
#include "journalist_console/bundle/push_result.h"
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
  std::string state;
  std::string result;
};

int Fail(const std::string& message) {
  std::fprintf(stderr, "sealdrop-transfer: %s\n", message.c_str());
  return 1;
}
int Fail(const Error& e) { return Fail(e.message); }

std::string DefaultStateDir() {
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.local/state/sealdrop-transfer";
}

// Ids written to a durable bundle but not yet acknowledged: acknowledged first on the next pull,
// so an interrupted pull never loses an item and never pulls one twice.
std::string PendingAcksPath(const Options& o) {
  return (o.state.empty() ? DefaultStateDir() : o.state) + "/" + o.force + ".pending-acks";
}

Result<KeyPair> UnlockTransferKey(const Options& o) {
  auto pass = console::ReadPassphrase({"Passphrase for " + o.key, o.passphrase_file, false});
  if (!pass) return pass.error();
  return ReadSecretKeyFile(o.key, *pass, KeyRole::kForceTransfer);
}

// `earlier`: the journal was left by an earlier pull (say so), not written by this one.
int AckPending(ForceApiClient& client, const std::string& path, bool earlier) {
  if (!PathExists(path)) return 0;
  std::ifstream in(path);
  std::string id;
  int acked = 0;
  while (std::getline(in, id)) {
    if (!bundle::IsItemId(id)) continue;
    auto st = client.Ack(id);
    if (!st && st.error().code != ErrorCode::kNotFound) {
      return Fail("could not acknowledge items of an earlier pull (they are safe in its bundle): " +
                  st.error().message);
    }
    ++acked;
  }
  std::error_code ec;
  std::filesystem::remove(path, ec);
  if (earlier && acked > 0) {
    std::printf("acknowledged %d item(s) from an earlier, interrupted pull\n", acked);
  }
  return 0;
}

int Pull(const Options& o) {
  if (!IsValidForceCode(o.force)) return Fail("not a force code: " + o.force);
  if (PathExists(o.out)) return Fail(o.out + " already exists: refusing to overwrite it");
  auto key = UnlockTransferKey(o);
  if (!key) return Fail(key.error());
  auto client = ForceApiClient::Create(o.server, o.socks, o.force, &*key);
  if (!client) return Fail(client.error());
  const std::string pending = PendingAcksPath(o);
  if (int rc = AckPending(*client, pending, /*earlier=*/true); rc != 0) return rc;

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
      return Fail("pull interrupted (" + st.error().message + "); nothing was written or acknowledged");
    }
  }
  if (auto st = writer->Commit(); !st) return Fail(st.error());

  // The bundle is durable: only now is anything acknowledged. The journal first, so that a crash
  // between here and the last ack is finished by the next pull.
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(pending).parent_path(), ec);
  std::string ids;
  for (const auto& item : *items) ids += item.id + "\n";
  if (auto st = WriteFileAtomically(pending, ids, 0600, /*overwrite=*/true); !st) {
    return Fail("bundle written, but the acknowledgement journal could not be: " + st.error().message +
                " (the items stay on the server; pull again later)");
  }
  if (int rc = AckPending(*client, pending, /*earlier=*/false); rc != 0) return rc;
  std::printf("pulled %zu item(s) for %s into %s and acknowledged them\n", items->size(),
              o.force.c_str(), o.out.c_str());
  return 0;
}

// What an earlier push of this bundle left in its result file: items already delivered or
// refused for good are not sent again. A result that cannot be read is set aside with a warning
// (sending again is harmless: the server stores nothing twice).
std::map<std::string, bundle::PushItemResult> EarlierResults(const std::string& path,
                                                             const bundle::Manifest& m) {
  std::map<std::string, bundle::PushItemResult> out;
  if (!PathExists(path)) return out;
  auto text = ReadSmallFile(path, bundle::kMaxPushResultBytes);
  auto result = text ? bundle::DecodePushResult(*text) : Result<bundle::PushResult>(text.error());
  if (!result || result->force != m.force) {
    std::fprintf(stderr, "sealdrop-transfer: ignoring %s (%s): every item is sent again\n",
                 path.c_str(), result ? "another force's" : result.error().message.c_str());
    return out;
  }
  for (auto& it : result->items) out[it.id] = std::move(it);
  return out;
}

// "reply 1a2b3c4d" / "forward 1a2b3c4d to WMI": enough for the operator, no contents.
std::string ItemLabel(const bundle::Item& item) {
  std::string label = item.kind + " " + item.id.substr(0, 8);
  if (item.kind == "forward") label += " to " + item.to;
  return label;
}

// Sends one item; its outcome and, unless delivered, the reason.
bundle::PushItemResult SendItem(ForceApiClient& client, const bundle::BundleReader& reader,
                                std::size_t index, bool& already) {
  const auto& item = reader.manifest().items[index];
  bundle::PushItemResult r{item.id, item.kind, bundle::PushOutcome::kRetry, ""};
  const auto digest = Bytes32FromHex(item.sha256);  // the bundle reader checked its form
  if (!digest) {
    r.reason = "the bundle has a malformed item digest";
    return r;
  }
  auto source = reader.ItemSource(index);
  const std::string target = item.kind == "reply" ? "/api/v1/replies/" + item.to
                                                   : "/api/v1/forwards/" + item.to;
  auto up = client.Upload(target, *source, item.size, *digest, item.id,
                          item.kind == "forward" ? item.source : "");
  if (up) {
    r.outcome = bundle::PushOutcome::kDelivered;
    already = up->already;
    return r;
  }
  r.outcome = IsLastingRefusal(up.error()) ? bundle::PushOutcome::kRefused : bundle::PushOutcome::kRetry;
  r.reason = bundle::PushReason(up.error().message);
  return r;
}

// Every item is tried; one refused never holds back the rest. Each item's latest outcome goes
// into the result file next to the bundle (docs/bundle.md §4) for the console; items delivered
// or refused for good by an earlier push of the same bundle are not sent again.
int Push(const Options& o) {
  auto reader = bundle::BundleReader::Open(o.in);
  if (!reader) return Fail(o.in + ": " + reader.error().message);
  const auto& m = reader->manifest();
  if (m.type != "outbox") return Fail(o.in + " is not an outbox bundle (made by sealdrop-console outbox)");
  if (m.force != o.force) return Fail(o.in + " was made by " + m.force + ", not " + o.force);
  const std::string result_path = o.result.empty() ? bundle::PushResultPath(o.in) : o.result;
  auto earlier = EarlierResults(result_path, m);
  auto key = UnlockTransferKey(o);
  if (!key) return Fail(key.error());
  auto client = ForceApiClient::Create(o.server, o.socks, o.force, &*key);
  if (!client) return Fail(client.error());

  bundle::PushResult result{m.force, TodayUtc(), {}};
  int sent = 0, already = 0, earlier_delivered = 0, refused = 0, retry = 0;
  const std::size_t n = m.items.size();
  for (std::size_t i = 0; i < n; ++i) {
    const auto& item = m.items[i];
    const auto before = earlier.find(item.id);
    bundle::PushItemResult r;
    bool fresh = true;
    if (before != earlier.end() && before->second.outcome != bundle::PushOutcome::kRetry) {
      r = before->second;
      fresh = false;
    } else {
      bool was_there = false;
      r = SendItem(*client, *reader, i, was_there);
      if (r.outcome == bundle::PushOutcome::kDelivered) (was_there ? already : sent) += 1;
    }
    switch (r.outcome) {
      case bundle::PushOutcome::kDelivered:
        if (!fresh) ++earlier_delivered;
        break;
      case bundle::PushOutcome::kRefused:
        ++refused;
        std::fprintf(stderr, "sealdrop-transfer: item %zu of %zu (%s) %s: %s; it is not sent again\n",
                     i + 1, n, ItemLabel(item).c_str(),
                     fresh ? "refused" : "was refused by an earlier push", r.reason.c_str());
        break;
      case bundle::PushOutcome::kRetry:
        ++retry;
        std::fprintf(stderr, "sealdrop-transfer: item %zu of %zu (%s) not delivered: %s; the next push sends it again\n",
                     i + 1, n, ItemLabel(item).c_str(), r.reason.c_str());
        break;
    }
    result.items.push_back(std::move(r));
  }
  const Status saved = WriteFileAtomically(result_path, bundle::EncodePushResult(result), 0600,
                                           /*overwrite=*/true);
  std::printf("pushed %d item(s) for %s", sent, o.force.c_str());
  if (already > 0) std::printf(" (%d were already on the server)", already);
  if (earlier_delivered > 0) std::printf("; %d delivered by an earlier push", earlier_delivered);
  if (refused > 0) std::printf("; %d refused", refused);
  if (retry > 0) std::printf("; %d not delivered, to be sent again", retry);
  std::printf("\n");
  if (!saved) {
    return Fail("could not write the push result " + result_path + " (" + saved.error().message +
                "): the console will not learn what was delivered; push again (nothing is stored twice)");
  }
  if (refused + retry > 0) {
    return Fail(std::to_string(refused + retry) + " of " + std::to_string(n) +
                " item(s) not delivered; the console shows why after its next import or outbox (it reads " +
                result_path + ")");
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
    c->add_option("--state", o->state, "State directory (default ~/.local/state/sealdrop-transfer)");
  };
  auto* pull = app.add_subcommand("pull", "Fetch the force's new items into a bundle, then acknowledge them");
  common(pull);
  pull->add_option("--out", o->out, "Bundle file to write (on removable media)")->required();
  pull->callback([&] { exit_code = Pull(*o); });
  auto* push = app.add_subcommand("push", "Send an outbox bundle's replies and forwards");
  common(push);
  push->add_option("--in", o->in, "Outbox bundle made by sealdrop-console outbox")->required();
  push->add_option("--result", o->result,
                   "Where to write what was delivered (default: the bundle's name + .push-result.json)");
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
