// seal | open: the envelope format from the command line.
#include <nlohmann/json.hpp>

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "common/io.h"
#include "crypto/directory.h"
#include "crypto/envelope_reader.h"
#include "crypto/envelope_writer.h"
#include "crypto/keyfile/secret_key_file.h"
#include "crypto/public_key_file.h"
#include "journalist_console/cli/commands.h"
#include "journalist_console/secret_input/passphrase.h"

namespace sealdrop::console {
namespace {

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
  auto dir = ForceDirectory::Load(o.directory, *root, TodayUtc());
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
  std::string out_dir;
  std::string passphrase_file;
};

// A part's name as the sender gave it, made safe for a file system: letters, digits, '.', '-'
// and '_' kept, anything else '_', no leading dot, at most 100 bytes; prefixed with its number
// so that two parts never collide.
std::string SafePartFileName(std::size_t index, const std::string& name) {
  std::string safe;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_';
    safe.push_back(ok ? c : '_');
    if (safe.size() == 100) break;
  }
  while (!safe.empty() && safe.front() == '.') safe.erase(safe.begin());
  if (safe.empty()) safe = "attachment";
  char prefix[16];
  std::snprintf(prefix, sizeof prefix, "%02zu-", index);
  return prefix + safe;
}

// Removes a directory tree on scope exit unless released.
struct TreeGuard {
  std::string path;
  ~TreeGuard() {
    if (path.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// --out-dir: every part as its own file plus metadata.json, in a private directory that appears
// under its name only once the whole envelope has been verified.
int OpenToDirectory(SealedEnvelopeReader& reader, const std::string& out_dir) {
  if (PathExists(out_dir)) return Report(out_dir + " already exists: refusing to overwrite it");
  std::string temp = out_dir + ".partial-XXXXXX";
  if (::mkdtemp(temp.data()) == nullptr) return Report("cannot create " + out_dir);
  TreeGuard guard{temp};
  std::unique_ptr<AtomicFile> file;
  std::size_t parts = 0;
  nlohmann::json index = nlohmann::json::array();
  for (;;) {
    auto ev = reader.Next();
    if (!ev) return Report(ev.error());
    using Kind = SealedEnvelopeReader::Event::Kind;
    if (ev->kind != Kind::kData && file) {
      if (auto st = file->Commit(); !st) return Report(st.error());
      file.reset();
    }
    if (ev->kind == Kind::kEnd) break;
    if (ev->kind == Kind::kPartBegin) {
      const std::string name = SafePartFileName(++parts, ev->part.name);
      index.push_back({{"file", name}, {"name", ev->part.name}, {"type", ev->part.content_type}});
      auto f = AtomicFile::Create(temp + "/" + name, 0600, /*overwrite=*/false);
      if (!f) return Report(f.error());
      file = std::make_unique<AtomicFile>(std::move(*f));
      continue;
    }
    if (auto st = file->Write(ev->data); !st) return Report(st.error());
  }
  const auto meta = nlohmann::json::parse(reader.metadata());
  const nlohmann::json doc = {{"metadata", meta}, {"parts", index}};
  if (auto st = WriteFileAtomically(temp + "/metadata.json",
                                    doc.dump(2, ' ', /*ensure_ascii=*/true) + "\n", 0600, false);
      !st) {
    return Report(st.error());
  }
  if (::rename(temp.c_str(), out_dir.c_str()) != 0) return Report("cannot create " + out_dir);
  guard.path.clear();
  const auto slash = out_dir.rfind('/');
  if (auto st = SyncDirectory(slash == std::string::npos ? "." : out_dir.substr(0, slash + 1));
      !st) {
    return Report(st.error());
  }
  std::printf("%s\n", meta.dump(-1, ' ', /*ensure_ascii=*/true).c_str());
  std::printf("%zu attachment(s) in %s\n", parts, out_dir.c_str());
  return 0;
}

int Open(const OpenOptions& o) {
  if (o.out.empty() == o.out_dir.empty()) return Report("give exactly one of --out and --out-dir");
  auto in = o.in == "-" ? Result<FileSource>(FileSource::Borrow(0)) : FileSource::Open(o.in);
  if (!in) return Report("cannot read " + o.in + ": " + in.error().message);
  const std::string& target = o.out.empty() ? o.out_dir : o.out;
  if (PathExists(target)) return Report(target + " already exists: refusing to overwrite it");
  auto pass = ReadPassphrase({"Passphrase for " + o.key, o.passphrase_file, false});
  if (!pass) return Report(pass.error());
  auto key = ReadSecretKeyFile(o.key, *pass, KeyRole::kForceDecryption);
  if (!key) return Report(key.error());
  std::vector<KeyPair> keys;
  keys.push_back(std::move(*key));

  auto reader = SealedEnvelopeReader::Open(*in, keys);
  if (!reader) return Report(reader.error());
  if (!o.out_dir.empty()) return OpenToDirectory(*reader, o.out_dir);
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
        return Report("this envelope holds several attachments; open it with --out-dir");
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
  open->add_option("--out", op->out, "Where to write the content (one attachment)");
  open->add_option("--out-dir", op->out_dir,
                   "New directory for metadata.json and every attachment");
  open->add_option("--passphrase-file", op->passphrase_file, "Passphrase for the key");
  open->callback([op, &exit_code] { exit_code = Open(*op); });
}

}  // namespace sealdrop::console
