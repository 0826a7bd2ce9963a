// seal | open: the envelope format from the command line.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>

#include "crypto/directory.h"
#include "crypto/envelope_reader.h"
#include "crypto/envelope_writer.h"
#include "crypto/io.h"
#include "crypto/keyfile/secret_key_file.h"
#include "crypto/public_key_file.h"
#include "journalist_console/commands.h"
#include "journalist_console/passphrase.h"

namespace sealdrop::console {
namespace {

constexpr std::size_t kMaxDirectoryFileBytes = 1 << 20;
constexpr std::size_t kIoBlock = 1 << 16;

std::string BaseName(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

struct SealOptions {
  std::string directory;
  std::string root_pub;
  std::string force;
  std::string in;
  std::string out;
};

int Seal(const SealOptions& o) {
  auto root = ReadPublicKeyFile(o.root_pub, KeyRole::kRoot);
  if (!root) return Report(root.error());
  auto text = ReadSmallFile(o.directory, kMaxDirectoryFileBytes);
  if (!text) return Report(text.error());
  auto dir = ForceDirectory::Verify(*text, *root, TodayUtc());
  if (!dir) return Report(dir.error());
  auto force = dir->Find(o.force);
  if (!force) return Report(force.error());

  auto in = o.in == "-" ? Result<FileSource>(FileSource::Borrow(0)) : FileSource::Open(o.in);
  if (!in) return Report("cannot read " + o.in + ": " + in.error().message);
  auto out = AtomicFile::Create(o.out, 0644, /*overwrite=*/false);
  if (!out) return Report(out.error());

  const nlohmann::json meta = {{"kind", "file"}, {"force", (*force)->code}};
  auto writer = SealedEnvelopeWriter::Begin(*out, (*force)->decryption_keys, meta.dump());
  if (!writer) return Report(writer.error());
  const std::string name = o.in == "-" ? "stdin" : BaseName(o.in);
  if (auto st = writer->BeginPart({name, "application/octet-stream"}); !st) {
    return Report(st.error());
  }
  std::vector<std::uint8_t> buf(kIoBlock);
  for (;;) {
    auto n = in->Read(buf);
    if (!n) return Report(n.error());
    if (*n == 0) break;
    if (auto st = writer->Write(std::span(buf.data(), *n)); !st) return Report(st.error());
  }
  if (auto st = writer->Finish(); !st) return Report(st.error());
  if (auto st = out->Commit(); !st) return Report(st.error());
  std::printf("sealed to %s (%s) in %s\n", (*force)->code.c_str(), (*force)->name.c_str(),
              o.out.c_str());
  return 0;
}

struct OpenOptions {
  std::string key;
  std::string in;
  std::string out;
  std::string passphrase_file;
};

int Open(const OpenOptions& o) {
  auto in = o.in == "-" ? Result<FileSource>(FileSource::Borrow(0)) : FileSource::Open(o.in);
  if (!in) return Report("cannot read " + o.in + ": " + in.error().message);
  if (PathExists(o.out)) return Report(o.out + " already exists: refusing to overwrite it");
  auto pass = ReadPassphrase({"Passphrase for " + o.key, o.passphrase_file, false});
  if (!pass) return Report(pass.error());
  auto key = ReadSecretKeyFile(o.key, *pass, KeyRole::kForceDecryption);
  if (!key) return Report(key.error());
  std::vector<KeyPair> keys;
  keys.push_back(std::move(*key));

  auto reader = SealedEnvelopeReader::Open(*in, keys);
  if (!reader) return Report(reader.error());
  // Plaintext goes to a private temporary file that becomes --out only once the whole envelope
  // has been verified; on any error it is removed.
  auto out = AtomicFile::Create(o.out, 0600, /*overwrite=*/false);
  if (!out) return Report(out.error());
  int parts = 0;
  for (;;) {
    auto ev = reader->Next();
    if (!ev) return Report(ev.error());
    if (ev->kind == SealedEnvelopeReader::Event::Kind::kEnd) break;
    if (ev->kind == SealedEnvelopeReader::Event::Kind::kPartBegin) {
      if (++parts > 1) {
        return Report("this envelope holds several attachments; open it in the PSD console");
      }
      continue;
    }
    if (auto st = out->Write(ev->data); !st) return Report(st.error());
  }
  if (auto st = out->Commit(); !st) return Report(st.error());
  // The metadata is the sender's words: print it with every control and non-ASCII character
  // escaped, so nothing in it can drive the officer's terminal.
  const auto meta = nlohmann::json::parse(reader->metadata());
  std::printf("%s\n", meta.dump(-1, ' ', /*ensure_ascii=*/true).c_str());
  return 0;
}

}  // namespace

void AddSealCommands(CLI::App& app, int& exit_code) {
  auto s = std::make_shared<SealOptions>();
  auto* seal = app.add_subcommand("seal", "Seal a file to a force's keys from the directory");
  seal->add_option("--directory", s->directory, "directory.signed")->required();
  seal->add_option("--root-pub", s->root_pub, "root.public (the pinned root key)")->required();
  seal->add_option("--force", s->force, "Force code, e.g. MET")->required();
  seal->add_option("--in", s->in, "File to seal ('-' for standard input)")->required();
  seal->add_option("--out", s->out, "Sealed output file")->required();
  seal->callback([s, &exit_code] { exit_code = Seal(*s); });

  auto op = std::make_shared<OpenOptions>();
  auto* open = app.add_subcommand("open", "Open a sealed file with a force decryption key");
  open->add_option("--key", op->key, "CODE.secret")->required();
  open->add_option("--in", op->in, "Sealed file ('-' for standard input)")->required();
  open->add_option("--out", op->out, "Where to write the opened content")->required();
  open->add_option("--passphrase-file", op->passphrase_file, "Passphrase for the key");
  open->callback([op, &exit_code] { exit_code = Open(*op); });
}

}  // namespace sealdrop::console
