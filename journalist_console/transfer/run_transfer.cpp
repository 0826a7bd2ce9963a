#include "journalist_console/transfer/run_transfer.h"

#include <CLI/CLI.hpp>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "common/progress.h"
#include "common/version.h"
#include "crypto/directory.h"
#include "crypto/keyfile/secret_key_file.h"
#include "journalist_console/bundle/bundle.h"
#include "journalist_console/bundle/push_result.h"
#include "journalist_console/secret_input/passphrase.h"
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
  std::string result;
  bool progress = false;  // plain progress lines on stderr even when it is not a terminal
};

// Counts the bytes of a download for the progress.
class CountingSink final : public ByteSink {
 public:
  CountingSink(ByteSink& out, ByteProgress& progress) : out_(out), progress_(progress) {}
  Status Write(std::span<const std::uint8_t> bytes) override {
    if (auto st = out_.Write(bytes); !st) return st;
    progress_.Advance(bytes.size());
    return Status::Ok();
  }

 private:
  ByteSink& out_;
  ByteProgress& progress_;
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
  // The total is known before the first byte: the listing gives every item's size, and each
  // download must be exactly that long (its Content-Length is checked against it).
  std::uint64_t total = 0;
  for (const auto& item : *items) total += item.size;
  StderrProgress shown("pulling", o.progress);
  ByteProgress progress(shown.Callback(), total);
  progress.Start();
  for (const auto& item : *items) {
    if (!bundle::IsItemId(item.id) || (item.kind != "report" && item.kind != "followup") ||
        !IsValidDay(item.day)) {
      shown.End();
      return Fail("the server listed an item this tool does not understand; nothing was written");
    }
    bundle::Item entry{item.id, item.kind, item.day, 0, 0, "", "", ""};
    Status st = writer->BeginItem(entry);
    CountingSink counted(writer->item_sink(), progress);
    if (st) st = client->Download(item.id, item.size, counted);
    if (st) st = writer->EndItem(item.size);
    if (!st) {
      shown.End();
      return Fail("pull interrupted (" + st.error().message +
                  "); nothing was written, and every item stays on the server");
    }
  }
  if (auto st = writer->Commit(); !st) {
    shown.End();
    return Fail(st.error());
  }
  progress.Finish();
  shown.End();

  // Nothing is deleted here: the server keeps every item until the console's import receipt
  // comes back with a push (docs/force-api.md §1), so a lost bundle loses nothing.
  std::printf("pulled %zu item(s) for %s into %s; they stay on the server until the console's "
              "receipt comes back with a push\n",
              items->size(), o.force.c_str(), o.out.c_str());
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
  // The receipt last, after the replies and forwards: the server deletes what it names. Its
  // failure is reported like an item's; the push result is written whatever happens to it.
  bool receipt_failed = false;
  if (m.receipt) {
    auto done = client->SendReceipt(EncodeImportReceipt(*m.receipt));
    if (!done) {
      receipt_failed = true;
      std::fprintf(stderr, "sealdrop-transfer: the import receipt was not delivered (%s); run the "
                   "same push again: a receipt can be sent any number of times\n",
                   done.error().message.c_str());
    } else {
      std::printf("receipt delivered: the server deleted %llu imported item(s)",
                  static_cast<unsigned long long>(done->deleted));
      if (done->gone > 0) {
        std::printf(" (%llu were gone already)", static_cast<unsigned long long>(done->gone));
      }
      std::printf("\n");
    }
  }
  if (!saved) {
    return Fail("could not write the push result " + result_path + " (" + saved.error().message +
                "): the console will not learn what was delivered; push again (nothing is stored twice)");
  }
  if (refused + retry > 0) {
    return Fail(std::to_string(refused + retry) + " of " + std::to_string(n) +
                " item(s) not delivered; the console shows why after its next import or outbox (it reads " +
                result_path + ")");
  }
  if (receipt_failed) return Fail("the import receipt was not delivered; push again");
  return 0;
}

}  // namespace

int RunTransfer(int argc, char** argv) {
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  CLI::App app{"SealDrop transfer workstation: moves a force's sealed items to and from the server"};
  app.name("sealdrop-transfer");
  app.set_version_flag("--version", std::string("sealdrop-transfer ") + kVersion);
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
  pull->add_flag("--progress", o->progress,
                 "Progress in bytes on stderr, one line per step, even when it is not a terminal");
  pull->callback([&] { exit_code = Pull(*o); });
  auto* push = app.add_subcommand("push", "Send an outbox bundle's replies, forwards and import receipt");
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
